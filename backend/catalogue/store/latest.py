"""The newest version of every item, whatever its effective date: what the demo generator files
cases for."""

from __future__ import annotations

from dataclasses import dataclass

from backend import db


@dataclass(frozen=True, slots=True)
class LatestVersion:
    """An item's newest version: who handles it, through which channels, how it is delivered."""

    version_id: int
    item_code: str
    department_code: str
    lowest_level: str
    committed_days: int
    channels: tuple[str, ...]
    delivery_methods: tuple[str, ...]
    delegable: bool
    personal: bool


async def latest_versions() -> list[LatestVersion]:
    rows = await db.fetch(
        "SELECT DISTINCT ON (item) id, item, department, lowest_level, committed_days, channels,"
        " delivery_methods, delegable, personal FROM item_version ORDER BY item, version DESC"
    )
    return [
        LatestVersion(
            r["id"],
            r["item"],
            r["department"],
            r["lowest_level"],
            r["committed_days"],
            tuple(r["channels"]),
            tuple(r["delivery_methods"]),
            r["delegable"],
            r["personal"],
        )
        for r in rows
    ]

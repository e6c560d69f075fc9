"""The lists staff work from (queue, township cases, review list): filters and the names of a page.

The lines themselves come from ``backend.cases.store.queue``, one statement a page; names of
items and bundles come from the cached catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from backend.cases.states import Status
from backend.catalogue import service as catalogue
from backend.errors import InvalidInput


def status_filter(raw: str | None) -> Status | None:
    if raw is None or raw == "":
        return None
    try:
        return Status(raw)
    except ValueError as exc:
        raise InvalidInput(f"状态 {raw} 不存在。", code="status_invalid") from exc


async def names_for(codes: Iterable[tuple[str | None, str | None]]) -> dict[str, str]:
    """Item and bundle names by code for (item code, bundle code) pairs, from the cached
    catalogue (codes unknown to it kept)."""
    snap = await catalogue.snapshot()
    names: dict[str, str] = {}
    for item_code, bundle_code in codes:
        for code, table in ((item_code, "item"), (bundle_code, "bundle")):
            if not code:
                continue
            if table == "item" and code in snap.items:
                names[code] = snap.items[code].spec.name
            elif table == "bundle" and code in snap.bundles:
                names[code] = snap.bundles[code].name
            else:
                names.setdefault(code, code)
    return names


async def names_of(rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Item and bundle names of rows carrying ``item_code`` and ``bundle_code``."""
    return await names_for((row["item_code"], row["bundle_code"]) for row in rows)

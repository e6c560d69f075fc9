"""The Xiaoshan demo data: areas, departments, items, bundles, service points and accounts.

Everything here is demo data and says so (area and service-point notes, display names,
addresses). Coordinates are rough estimates of each unit's centre, not survey data. The
catalogue comes from the CSV files in ``data/`` through the same importer administrators use;
service points are generated from it (``points.py``). Loading is idempotent: a second load
changes nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from backend import db
from backend.geo.store import imports as geo_store
from backend.identity import roles
from backend.identity.store import bulk as identity_bulk
from backend.identity.store import users
from backend.imports.apply import ImportReport
from backend.imports.service import import_batch, read_file
from backend.security.passwords import hash_password

from .points import add_demo_points

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_NOTE = "演示数据（坐标为估算值，非测绘数据）"
DEMO_EFFECTIVE_FROM = date(2026, 1, 1)
DISTRICT_CODE = "330109"


async def load_demo(*, password: str, data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Load what is missing; returns how many rows of each kind were added or changed."""
    batch = read_file(data_dir)
    add_demo_points(batch)
    report: ImportReport = await import_batch(batch, effective_from=DEMO_EFFECTIVE_FROM)
    summary = {sheet: t.created + t.updated + t.removed for sheet, t in report.tallies.items()}
    async with db.engine().transaction():
        await geo_store.mark_all(note=DEMO_NOTE)
        summary["accounts"] = await _add_accounts(
            password,
            townships=[(a.code, a.name) for a in batch.areas if a.level == "township"],
            villages=[(a.code, a.name) for a in batch.areas if a.level == "village"],
            departments=[(d.code, d.name) for d in batch.departments],
        )
    return summary


def demo_accounts(
    townships: list[tuple[str, str]],
    villages: list[tuple[str, str]],
    departments: list[tuple[str, str]],
) -> list[tuple[str, str, str, str | None, str]]:
    """(username, role, area code, department code, display name) of every demo account."""
    accounts: list[tuple[str, str, str, str | None, str]] = [
        ("admin", roles.ADMIN, DISTRICT_CODE, None, "演示管理员"),
        ("supervisor", roles.SUPERVISOR, DISTRICT_CODE, None, "演示区跑改办"),
    ]
    accounts += [
        (f"window-{code}", roles.WINDOW, code, None, f"演示{name}窗口") for code, name in townships
    ]
    accounts += [
        (f"agent-{code}", roles.AGENT, code, None, f"演示{name}代办员") for code, name in villages
    ]
    accounts += [
        (f"approver-{code.lower()}", roles.APPROVER, DISTRICT_CODE, code, f"演示{name}审批")
        for code, name in departments
    ]
    return accounts


async def _add_accounts(
    password: str,
    *,
    townships: list[tuple[str, str]],
    villages: list[tuple[str, str]],
    departments: list[tuple[str, str]],
) -> int:
    existing = await users.usernames()
    missing = [a for a in demo_accounts(townships, villages, departments) if a[0] not in existing]
    if not missing:
        return 0
    shared_hash = hash_password(password)  # hashed once: argon2 is slow on purpose
    await identity_bulk.insert_staff(
        [
            identity_bulk.NewStaff(username, display, role, area, department)
            for username, role, area, department, display in missing
        ],
        password_hash=shared_hash,
    )
    return len(missing)

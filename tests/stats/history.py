"""Hand-made case histories written straight into the tables, with known days and times."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from backend import db
from backend.clock import SHANGHAI

TOWNSHIP = "330109110"
VILLAGE = "330109110001"


def at(day: str, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A local (Asia/Shanghai) time on ``day``."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), SHANGHAI)


async def make_person(village: str = VILLAGE) -> str:
    person = str(uuid.uuid4())
    await db.fetch(
        "INSERT INTO citizen (id, name, village, identity_bound) VALUES ($1, '测试', $2, true)",
        uuid.UUID(person),
        village,
    )
    return person


async def make_history(
    *,
    item: str | None,
    channel: str,
    kind: str,
    applicant: str,
    steps: list[tuple[dt.datetime, str, str, dict[str, Any]]],
    deadline: str | None = None,
    township: str = TOWNSHIP,
    bundle: str | None = None,
    parent: int | None = None,
) -> int:
    """A case whose events are ``steps`` (time, action, to status, data); returns its id.

    A bundle (一件事) is ``item=None, bundle=<code>``; its items name it as their ``parent``."""
    version = await db.fetchrow(
        "SELECT id, department, committed_days FROM item_version WHERE item = $1"
        " ORDER BY version DESC LIMIT 1",
        item,
    )
    if version is None:
        assert item is None, item
        version = {"id": None, "department": None, "committed_days": 0}
    status = steps[-1][2]
    accepted = next((s[0] for s in steps if s[1] == "accept"), None)
    closed = steps[-1][0] if status in {"denied", "rejected", "delivered", "withdrawn"} else None
    row = await db.fetchrow(
        "INSERT INTO case_record (number, item_code, item_version, applicant, filed_by_kind,"
        " channel, status, township, department, form, delivery_method, committed_days,"
        " deadline, accepted_at, closed_at, created_at, updated_at, bundle_code, parent)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '{}', 'window', $10, $11, $12, $13, $14,"
        " $14, $15, $16) RETURNING id",
        f"T{uuid.uuid4().hex[:12]}",
        item,
        version["id"],
        uuid.UUID(applicant),
        kind,
        channel,
        status,
        township,
        version["department"],
        version["committed_days"],
        dt.date.fromisoformat(deadline) if deadline else None,
        accepted,
        closed,
        steps[0][0],
        bundle,
        parent,
    )
    assert row is not None
    previous = None
    for moment, action, to, data in steps:
        await add_event(row["id"], moment, action, previous, to, data)
        previous = to
    return int(row["id"])


async def add_event(
    case_id: int,
    moment: dt.datetime,
    action: str,
    source: str | None,
    to: str,
    data: dict[str, Any] | None = None,
) -> None:
    await db.fetch(
        'INSERT INTO case_event ("case", at, action, from_status, to_status, actor_kind,'
        " actor_role, note, data) VALUES ($1, $2, $3, $4, $5, 'staff', 'window', '', $6)",
        case_id,
        moment,
        action,
        source,
        to,
        json.dumps(data or {}),
    )


async def rate(case_id: int, applicant: str, score: int, moment: dt.datetime) -> None:
    await db.fetch(
        'INSERT INTO evaluation ("case", citizen, round, score, comment, created_at)'
        " VALUES ($1, $2, 1, $3, '', $4)",
        case_id,
        uuid.UUID(applicant),
        score,
        moment,
    )

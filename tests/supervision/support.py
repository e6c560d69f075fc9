"""Helpers of the supervision tests: cases accepted on a chosen day, supervisors."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from backend.cases.tables import Case
from backend.clock import SHANGHAI
from tests.factories import DISTRICT, TOWNSHIP, VILLAGE, make_area

OTHER_TOWNSHIP = "330109105"
OTHER_VILLAGE = "330109105001"


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), SHANGHAI)


async def make_citizen(name: str = "王秀英", village: str = VILLAGE) -> str:
    citizen_id = str(uuid.uuid4())
    await Case.raw(
        "INSERT INTO citizen (id, name, village, identity_bound, identity_verified,"
        " phone_masked, created_at, updated_at)"
        " VALUES ({}::uuid, {}, {}, true, true, '138****1111', now(), now())",
        citizen_id,
        name,
        await make_area(village),
    ).run()
    return citizen_id


async def make_case(
    number: str,
    *,
    accepted_on: date,
    committed_days: int = 2,
    status: str = "accepted",
    township: str = TOWNSHIP,
    agent: str | None = None,
    closed_at: datetime | None = None,
) -> dict[str, Any]:
    """A case accepted at noon on ``accepted_on`` (its timeline says so); the stored deadline is
    left at the acceptance day, a lower bound, as the clock is recomputed from the events."""
    await make_area(DISTRICT)
    await make_area(township)
    village = VILLAGE if township == TOWNSHIP else OTHER_VILLAGE
    rows = await Case.raw(
        "INSERT INTO case_record (number, item_code, applicant, filed_by_kind, filed_by_staff,"
        " channel, status, township, form, delivery_method, delivery_address, committed_days,"
        " deadline, accepted_at, closed_at, created_at, updated_at) VALUES ({}, 'GA-CSDJ',"
        " {}::uuid, {}, {}::uuid, {}, {}, {}, {}::jsonb, 'window', '', {}, {}, {}, {}, {}, {})"
        " RETURNING *",
        number,
        await make_citizen(village=village),
        "agent" if agent else "self",
        agent,
        "agent" if agent else "miniprogram",
        status,
        township,
        "{}",
        committed_days,
        accepted_on,
        noon(accepted_on),
        closed_at,
        noon(accepted_on),
        noon(accepted_on),
    ).run()
    row = dict(rows[0])
    await event(row["id"], "accept", "queued", "accepted", at=noon(accepted_on))
    return row


async def event(
    case_id: int,
    action: str,
    source: str,
    target: str,
    *,
    at: datetime,
    actor_id: str | None = None,
    role: str = "window",
) -> None:
    await Case.raw(
        'INSERT INTO case_event ("case", at, action, from_status, to_status, actor_kind,'
        " actor_id, actor_role, note, data) VALUES ({}, {}, {}, {}, {}, 'staff', {}, {}, '',"
        " {}::jsonb)",
        case_id,
        at,
        action,
        source,
        target,
        actor_id,
        role,
        "{}",
    ).run()

"""The ``case.forward`` outbox handler: a submitted case lands in its township's queue.

The township is the chosen service point's, else the applicant's village's. Idempotent: a case
that is no longer ``submitted`` is left alone, so a second run changes nothing.
"""

from __future__ import annotations

from typing import Any

from backend import db
from backend.cases.states import Action, Status
from backend.cases.tables import Case
from backend.cases.transitions import SYSTEM, Change, apply
from backend.geo.tables import Area, ServicePoint
from backend.identity.tables import Citizen
from backend.outbox.runner import HandlerContext, PermanentFailure
from backend.workdays.service import load_calendar


async def township_for(row: dict[str, Any]) -> str | None:
    if row["service_point"]:
        point = (
            await ServicePoint.select(ServicePoint.township)
            .where(ServicePoint.code == row["service_point"])
            .first()
            .run()
        )
        if point:
            return str(point["township"])
    citizen = (
        await Citizen.select(Citizen.village).where(Citizen.id == row["applicant"]).first().run()
    )
    if not citizen or not citizen["village"]:
        return None
    area = (
        await Area.select(Area.level, Area.parent)
        .where(Area.code == citizen["village"])
        .first()
        .run()
    )
    if area is None:
        return None
    return str(citizen["village"]) if area["level"] == "township" else area["parent"]


async def forward_case(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    case_id = int(payload["case_id"])
    calendar = await load_calendar()
    async with db.engine().transaction():
        rows = await Case.select().where(Case.id == case_id).lock_rows().run()
        if not rows or rows[0]["status"] != Status.SUBMITTED.value:
            return
        row = rows[0]
        township = await township_for(row)
        if township is None:
            raise PermanentFailure(
                f"case {row['number']}: no township (no service point, no village)"
            )
        change = Change(Action.FORWARD, SYSTEM, updates={Case.township: township})
        await apply(case_id, change, calendar=calendar)
        children = (
            await Case.select(Case.id)
            .where((Case.parent == case_id) & (Case.status == Status.SUBMITTED.value))
            .run()
        )
        for child in children:
            await apply(
                child["id"],
                Change(Action.FORWARD, SYSTEM, updates={Case.township: township}),
                calendar=calendar,
            )


HANDLERS = {"case.forward": forward_case}

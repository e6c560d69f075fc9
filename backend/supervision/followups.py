"""差评整改: a bad rating (2 or less) opens a follow-up for the township's supervisors.

The ``evaluation.bad`` outbox event (published by ``cases.service.evaluate`` with the rating)
opens it: contact the citizen within 1 working day of the rating, resolve within 15. The
follow-up is unique per rating, so the handler running twice opens one. Once it is resolved the
citizen may rate the case once more (``follow_up_resolved`` is the gate the composition root
gives ``cases.service``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from backend.cases.clock import Calendar
from backend.cases.service import BAD_RATING
from backend.clock import SHANGHAI, now_utc
from backend.errors import Conflict, InvalidInput, NotFound
from backend.outbox.runner import HandlerContext
from backend.outbox.service import publish, unit_of_work
from backend.supervision import texts
from backend.supervision.schemas import FollowUpState
from backend.supervision.scope import Scope
from backend.supervision.tables import FollowUp
from backend.workdays.service import load_calendar

CONTACT_WITHIN_DAYS: Final = 1
RESOLVE_WITHIN_DAYS: Final = 15
OPENED_EVENT: Final = "supervision.follow_up_opened"
NOTE_MAX: Final = 1000

_RATING = (
    "SELECT v.id, v.round, v.score, v.created_at, c.id AS case_id, c.number,"
    " COALESCE(c.township, vil.parent) AS township, t.parent AS district"
    ' FROM evaluation v JOIN case_record c ON c.id = v."case"'
    " JOIN citizen a ON a.id = c.applicant LEFT JOIN area vil ON vil.code = a.village"
    " LEFT JOIN area t ON t.code = COALESCE(c.township, vil.parent)"
    ' WHERE v."case" = {} AND v.round = {}'
)
_SUPERVISOR = (
    "SELECT id::text AS id FROM staff_user WHERE role = 'supervisor' AND active AND area = {}"
    " ORDER BY created_at, username LIMIT 1"
)
_OPEN = (
    'INSERT INTO follow_up ("case", evaluation, round, score, township, assignee, opened_at,'
    " contact_due, resolve_due, contact_note, resolution)"
    " VALUES ({}, {}, {}, {}, {}, {}::uuid, now(), {}, {}, '', '')"
    " ON CONFLICT (evaluation) DO NOTHING RETURNING id"
)
_SELECT = (
    "SELECT f.id, f.round, f.score, f.township, f.assignee::text AS assignee,"
    " f.opened_at, f.contact_due, f.resolve_due, f.contacted_at, f.contact_note,"
    " f.resolved_at, f.resolution, c.number, c.applicant::text AS citizen_id,"
    " a.name AS citizen_name, a.phone_masked, v.comment, v.created_at AS rated_at,"
    " COALESCE(i.name, c.item_code, c.bundle_code, '') AS item, t.name AS township_name,"
    " s.display_name AS assignee_name"
    ' FROM follow_up f JOIN case_record c ON c.id = f."case"'
    " JOIN evaluation v ON v.id = f.evaluation JOIN citizen a ON a.id = c.applicant"
    " LEFT JOIN item_version i ON i.id = c.item_version LEFT JOIN area t ON t.code = f.township"
    " LEFT JOIN staff_user s ON s.id = f.assignee"
)
_STATES: Final = {
    "open": "f.resolved_at IS NULL",
    "overdue": "f.resolved_at IS NULL AND (f.resolve_due < {today}"
    " OR (f.contacted_at IS NULL AND f.contact_due < {today}))",
    "resolved": "f.resolved_at IS NOT NULL",
    "all": "TRUE",
}


def not_found() -> NotFound:
    return NotFound(texts.FOLLOW_UP_NOT_FOUND, code="follow_up_not_found")


def _rated_day(moment: Any) -> date:
    return moment.astimezone(SHANGHAI).date()  # type: ignore[no-any-return]


async def open_follow_up(*, case_id: int, round: int, calendar: Calendar) -> int | None:
    """Open the follow-up of one bad rating; its id, or None when it was opened before.

    In the caller's unit of work (publishes the supervisors' notice).
    """
    rows = await FollowUp.raw(_RATING, case_id, round).run()
    if not rows or rows[0]["score"] > BAD_RATING:
        return None
    rating = rows[0]
    day = _rated_day(rating["created_at"])
    township = rating["township"]
    assignee = await FollowUp.raw(_SUPERVISOR, township).run() if township else []
    opened = await FollowUp.raw(
        _OPEN,
        case_id,
        rating["id"],
        rating["round"],
        rating["score"],
        township,
        assignee[0]["id"] if assignee else None,
        calendar.add_working_days(day, CONTACT_WITHIN_DAYS),
        calendar.add_working_days(day, RESOLVE_WITHIN_DAYS),
    ).run()
    if not opened:
        return None
    follow_up_id = int(opened[0]["id"])
    area = township or rating["district"]
    if area:
        await publish(
            kind=OPENED_EVENT,
            payload={
                "follow_up_id": follow_up_id,
                "case_number": rating["number"],
                "area": area,
                "text": texts.FOLLOW_UP_OPENED.format(
                    number=rating["number"], score=rating["score"]
                ),
            },
            dedup_key=f"follow-up-opened:{follow_up_id}",
        )
    return follow_up_id


async def on_bad_rating(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    """The ``evaluation.bad`` handler; idempotent (one follow-up per rating)."""
    calendar = await load_calendar()
    async with unit_of_work(ctx.services.get("doorbell")):
        await open_follow_up(
            case_id=int(payload["case_id"]),
            round=int(payload.get("round", 1)),
            calendar=calendar,
        )


HANDLERS: Final = {"evaluation.bad": on_bad_rating}


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FollowUpView:
    row: dict[str, Any]
    contact_overdue: bool
    resolve_overdue: bool

    @property
    def state(self) -> FollowUpState:
        if self.row["resolved_at"] is not None:
            return "resolved"
        return "contacted" if self.row["contacted_at"] is not None else "open"


def view_of(row: dict[str, Any], today: date) -> FollowUpView:
    resolved = row["resolved_at"] is not None
    return FollowUpView(
        row,
        contact_overdue=not resolved and row["contacted_at"] is None and today > row["contact_due"],
        resolve_overdue=not resolved and today > row["resolve_due"],
    )


async def listed(
    *, scope: Scope, state: str, today: date, page: int, page_size: int
) -> tuple[list[FollowUpView], int]:
    """Follow-ups in the scope: ``open``, ``overdue``, ``resolved`` or ``all``; due first."""
    if state not in _STATES:
        raise InvalidInput(texts.FOLLOW_UP_STATE_INVALID, code="follow_up_state_invalid")
    where = _STATES[state].replace("{today}", "{}")
    args: list[Any] = [today] * where.count("{}")
    where += " AND ({}::text IS NULL OR f.township = {}::text)"
    args += [scope.township, scope.township]
    total = await FollowUp.raw(
        "SELECT count(*) AS n FROM follow_up f WHERE " + where,  # noqa: S608 - fixed fragments
        *args,
    ).run()
    rows = await FollowUp.raw(
        _SELECT + " WHERE " + where + " ORDER BY (f.resolved_at IS NULL) DESC, f.resolve_due,"
        f" f.id LIMIT {int(page_size)} OFFSET {int((page - 1) * page_size)}",
        *args,
    ).run()
    return [view_of(dict(r), today) for r in rows], int(total[0]["n"])


async def get(*, follow_up_id: int, scope: Scope, lock: bool = False) -> dict[str, Any]:
    """One follow-up in the scope, or 404 (another township's is as good as missing)."""
    rows = await FollowUp.raw(
        _SELECT + " WHERE f.id = {}" + (" FOR UPDATE OF f" if lock else ""), follow_up_id
    ).run()
    if not rows or not scope.sees(rows[0]["township"]):
        raise not_found()
    return dict(rows[0])


async def by_cases(case_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Follow-ups of these cases by case id (for the list of ratings)."""
    if not case_ids:
        return {}
    out: dict[int, list[dict[str, Any]]] = {}
    for row in await FollowUp.select().where(FollowUp.case.is_in(case_ids)).run():
        out.setdefault(row["case"], []).append(row)
    return out


# --- acting ---------------------------------------------------------------------------------


def note_of(value: str, *, label: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput(texts.NOTE_REQUIRED.format(label=label), code="note_required")
    if len(text) > NOTE_MAX:
        raise InvalidInput(
            texts.NOTE_TOO_LONG.format(label=label, limit=NOTE_MAX), code="field_too_long"
        )
    return text


async def contact(*, follow_up_id: int, scope: Scope, note: str) -> None:
    """Record the call-back (回访); recording it again replaces the note, not the time."""
    text = note_of(note, label="回访情况")
    row = await get(follow_up_id=follow_up_id, scope=scope, lock=True)
    if row["resolved_at"] is not None:
        raise Conflict(texts.FOLLOW_UP_RESOLVED, code="follow_up_resolved")
    await (
        FollowUp.update(
            {
                FollowUp.contacted_at: row["contacted_at"] or now_utc(),
                FollowUp.contacted_by: scope.staff_id,
                FollowUp.contact_note: text,
            }
        )
        .where(FollowUp.id == follow_up_id)
        .run()
    )


async def resolve(*, follow_up_id: int, scope: Scope, note: str) -> None:
    """Close the follow-up with what was put right; the citizen may then rate once more."""
    text = note_of(note, label="整改结果")
    row = await get(follow_up_id=follow_up_id, scope=scope, lock=True)
    if row["resolved_at"] is not None:
        raise Conflict(texts.FOLLOW_UP_RESOLVED, code="follow_up_resolved")
    if row["contacted_at"] is None:
        raise Conflict(texts.FOLLOW_UP_NOT_CONTACTED, code="follow_up_not_contacted")
    await (
        FollowUp.update(
            {
                FollowUp.resolved_at: now_utc(),
                FollowUp.resolved_by: scope.staff_id,
                FollowUp.resolution: text,
            }
        )
        .where(FollowUp.id == follow_up_id)
        .run()
    )


async def follow_up_resolved(case_id: int) -> bool:
    """The gate of a second rating: the first rating's follow-up has been resolved."""
    return bool(
        await FollowUp.exists()
        .where(
            (FollowUp.case == case_id) & (FollowUp.round == 1) & FollowUp.resolved_at.is_not_null()
        )
        .run()
    )

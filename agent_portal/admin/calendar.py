"""The administrator's calendar page (节假日): a year's holidays and make-up workdays, each with
the notice it comes from; adding, correcting and removing a day; confirming the year.

The page calls the same use cases as ``/api/v1/admin/calendar`` (``record_day``, ``remove_day``,
``confirm``), which write the audit log. Each field is checked by the calendar's own checks first,
so a bad form names every wrong field and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Response, Template

from agent_portal.admin import texts_settings as texts
from agent_portal.admin.settings_common import field, require_admin, when
from backend.clock import today
from backend.deps import Deps
from backend.errors import DomainError, InvalidInput
from backend.identity.service import StaffAccount
from backend.workdays import checks, service
from backend.workdays import texts as calendar_texts

BASE = "/portal/admin/calendar"


@dataclass(frozen=True, slots=True)
class DayForm:
    """What the administrator typed about one day (kept as typed for the 422 page)."""

    day: str = ""
    kind: str = "holiday"
    note: str = ""
    source: str = ""

    @classmethod
    def of(cls, form: FormMultiDict) -> DayForm:
        return cls(*(field(form, name) for name in ("day", "kind", "note", "source")))


def _problem(check: Callable[[], object]) -> str | None:
    try:
        check()
    except InvalidInput as exc:
        return exc.detail
    return None


def _problems(form: DayForm) -> dict[str, str]:
    """Every wrong field of the form, by name, in the calendar's own words."""
    found = {
        "day": _problem(lambda: checks.parse_date(form.day)) if form.day else texts.DAY_REQUIRED,
        "kind": _problem(lambda: checks.check_kind(form.kind)),
        "note": _problem(lambda: checks.check_note(form.note)),
        "source": _problem(lambda: checks.check_source(form.source)),
    }
    return {name: message for name, message in found.items() if message}


def _year(raw: str) -> int | None:
    try:
        return checks.check_year(int(raw))
    except (ValueError, InvalidInput):
        return None


async def _default_year() -> int:
    """The first year the home page warns about, else this year."""
    warned = await service.year_warnings(today=today())
    return warned[0].year if warned else today().year


def _prefill(calendar: service.YearCalendar, raw_day: str) -> DayForm:
    """The form for the day the administrator chose to correct (its entry, or its opposite)."""
    line = next((x for x in calendar.lines if x.info.date.isoformat() == raw_day), None)
    if line is None:
        return DayForm(day=raw_day)
    if line.entry is not None:
        e = line.entry
        return DayForm(day=raw_day, kind=e.kind, note=e.note, source=e.source)
    return DayForm(day=raw_day, kind="holiday" if line.info.working else "workday")


async def _page(
    year: int,
    *,
    form: DayForm | None = None,
    problems: dict[str, str] | None = None,
    done: str | None = None,
    error: str | None = None,
    correct: str = "",
    status: int = 200,
) -> Template:
    calendar = await service.year_calendar(year=year)
    return Template(
        "admin/calendar_year.html",
        context={
            "year": year,
            "calendar": calendar,
            "form": asdict(form or _prefill(calendar, correct)),
            "problems": problems or {},
            "done": texts.CALENDAR_DONE.get(done or ""),
            "error": error,
            "kinds": texts.KINDS,
            "reasons": calendar_texts.REASONS,
            "weekday": calendar_texts.weekday_label,
            "when": when,
        },
        status_code=status,
    )


async def _record(form: DayForm, staff: StaffAccount, deps: Deps) -> dt.date:
    """The same use case as ``POST /api/v1/admin/calendar`` (no idempotency key from a form)."""
    day = checks.parse_date(form.day)
    await service.record_day(
        claim=None,
        ttl_s=deps.settings.idempotency_ttl_s,
        doorbell=deps.doorbell,
        day=day,
        kind=form.kind,
        note=form.note,
        source=form.source,
        staff_id=staff.id,
        audit=deps.audit,
    )
    return day


class CalendarPages(Controller):
    path = "/admin/calendar"
    include_in_schema = False

    @get("/", name="portal:admin-calendar")
    async def year_page(
        self, staff: StaffAccount, year: str = "", day: str = "", done: str | None = None
    ) -> Template:
        require_admin(staff)
        chosen = _year(year) if year else await _default_year()
        if chosen is None:
            return await _page(await _default_year(), error=texts.YEAR_INVALID, status=422)
        return await _page(chosen, done=done, correct=day)

    @post("/days", name="portal:admin-calendar-day")
    async def save_day(
        self, request: Request[Any, Any, Any], deps: Deps, staff: StaffAccount
    ) -> Response[Any]:
        require_admin(staff)
        form = DayForm.of(await request.form())
        problems = _problems(form)
        if problems:
            year = _year(form.day[:4]) or await _default_year()
            return await _page(
                year, form=form, problems=problems, error=texts.FORM_INVALID, status=422
            )
        day = await _record(form, staff, deps)
        return Redirect(f"{BASE}?year={day.year}&done=saved", status_code=303)

    @post("/days/{day:str}/delete", name="portal:admin-calendar-remove")
    async def remove_day(self, deps: Deps, staff: StaffAccount, day: str) -> Response[Any]:
        require_admin(staff)
        try:
            chosen = checks.parse_date(day)
            await service.remove_day(
                doorbell=deps.doorbell, day=chosen, audit=deps.audit, staff_id=staff.id
            )
        except DomainError as exc:
            year = _year(day[:4]) or await _default_year()
            return await _page(year, error=exc.detail, status=exc.status)
        return Redirect(f"{BASE}?year={chosen.year}&done=removed", status_code=303)

    @post("/years/{year:int}/confirm", name="portal:admin-calendar-confirm")
    async def confirm(
        self, request: Request[Any, Any, Any], deps: Deps, staff: StaffAccount, year: int
    ) -> Response[Any]:
        require_admin(staff)
        note = field(await request.form(), "note")
        try:
            await service.confirm(
                doorbell=deps.doorbell, year=year, staff_id=staff.id, note=note, audit=deps.audit
            )
        except InvalidInput as exc:
            shown = _year(str(year)) or await _default_year()
            return await _page(shown, problems={"confirm_note": exc.detail}, status=422)
        return Redirect(f"{BASE}?year={year}&done=confirmed", status_code=303)


__all__ = ["CalendarPages"]

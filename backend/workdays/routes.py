"""Calendar routes: `/api/v1/admin/calendar` for administrators, `/api/v1/calendar` for staff."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.params import JSONBody

from backend.http.auth import Principal, staff_roles
from backend.http.idempotent import claim_of, respond
from backend.http.pagination import Page, PageSize
from backend.idempotency.service import run_once
from backend.identity import roles as R
from backend.outbox.service import unit_of_work
from backend.workdays import checks, service, texts
from backend.workdays.calendar import DayInfo, YearStatus
from backend.workdays.schemas import (
    CalendarDayIn,
    CalendarDayOut,
    CalendarPage,
    ConfirmYearIn,
    DayInfoOut,
    DueOut,
    YearOut,
)


def _day_out(record: service.CalendarDayRecord) -> CalendarDayOut:
    return CalendarDayOut(
        date=record.day.isoformat(),
        kind=record.kind,
        note=record.note,
        updated_by=record.updated_by,
        updated_at=record.updated_at.isoformat(),
    )


def _year_out(status: YearStatus) -> YearOut:
    return YearOut(
        year=status.year,
        official=status.official,
        confirmed=status.confirmed,
        needs_attention=status.needs_attention,
    )


def _info_out(info: DayInfo) -> DayInfoOut:
    return DayInfoOut(
        date=info.date.isoformat(),
        weekday=texts.weekday_label(info.date),
        working=info.working,
        reason=info.reason,
        name=info.name,
        source=info.source,
    )


@asynccontextmanager
async def _changing_calendar(state: State) -> AsyncIterator[None]:
    """The handler's transaction; the cached calendar is dropped again once it ended."""
    try:
        async with unit_of_work(state.doorbell):
            yield
    finally:
        service.forget_calendar()


class CalendarAdminController(Controller):
    """Days an administrator declares off or working, and the yearly confirmation."""

    path = "/api/v1/admin/calendar"
    tags = ["administration"]

    @get("/", guards=[staff_roles(R.ADMIN, R.SUPERVISOR)], summary="Days set by administrators")
    async def list_days(
        self, year: int | None = None, page: Page = 1, page_size: PageSize = 20
    ) -> CalendarPage:
        found = await service.list_days(year=year, page=page, page_size=page_size)
        return CalendarPage(
            items=[_day_out(r) for r in found.items],
            total=found.total,
            years=[_year_out(s) for s in found.years],
        )

    @post(
        "/",
        guards=[staff_roles(R.ADMIN)],
        summary="Declare a day off or a workday (replaces an earlier one; accepts Idempotency-Key)",
    )
    async def set_day(
        self, request: Request[Principal, Any, Any], state: State, data: JSONBody[CalendarDayIn]
    ) -> Response[Any]:
        async def record() -> CalendarDayOut:
            saved = await service.set_day(
                day=checks.parse_date(data.date),
                kind=data.kind,
                note=data.note or "",
                staff_id=request.user.id,
            )
            return _day_out(saved)

        try:
            answer = await run_once(
                await claim_of(request),
                ttl_s=state.settings.idempotency_ttl_s,
                doorbell=state.doorbell,
                create=record,
            )
        finally:
            service.forget_calendar()  # once the transaction ended, as ``_changing_calendar``
        return respond(answer)

    @delete("/{day:str}", guards=[staff_roles(R.ADMIN)], summary="Remove an administrator's day")
    async def delete_day(self, state: State, day: str) -> None:
        async with _changing_calendar(state):
            await service.delete_day(day=checks.parse_date(day))

    @post(
        "/years/{year:int}/confirm",
        guards=[staff_roles(R.ADMIN)],
        status_code=200,
        summary="Confirm a year's holidays against the official notice",
    )
    async def confirm_year(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        year: int,
        data: JSONBody[ConfirmYearIn] | None = None,
    ) -> YearOut:
        async with _changing_calendar(state):
            status = await service.confirm_year(
                year=year, staff_id=request.user.id, note=(data.note if data else None) or ""
            )
        return _year_out(status)


class CalendarController(Controller):
    """The working-day calendar as deadlines see it, for any signed-in staff member."""

    path = "/api/v1/calendar"
    guards = [staff_roles()]
    tags = ["calendar"]

    @get("/days/{day:str}", summary="Whether a day is a working day, and why")
    async def day(self, day: str) -> DayInfoOut:
        return _info_out(await service.day_info(day=checks.parse_date(day)))

    @get("/due", summary="The Nth working day after a start date, with the days skipped")
    async def due(self, start: str, days: int) -> DueOut:
        found = await service.due_date(start=checks.parse_date(start), days=days)
        return DueOut(
            start=found.start.isoformat(),
            days=found.days,
            due=found.due.isoformat(),
            due_weekday=texts.weekday_label(found.due),
            skipped=[_info_out(i) for i in found.skipped],
            years_needing_attention=found.years_needing_attention,
        )

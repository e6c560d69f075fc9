"""Calendar routes: `/api/v1/admin/calendar` for administrators, `/api/v1/calendar` for staff."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, Response, delete, get, post
from litestar.openapi.spec import Example
from litestar.params import JSONBody, Parameter

from backend.deps import Deps
from backend.http.auth import ApiRequest, staff_roles
from backend.http.idempotent import claim_of, respond
from backend.http.openapi import operation
from backend.http.pagination import Page, PageSize
from backend.identity import roles
from backend.workdays import checks, present, service, texts
from backend.workdays.schemas import (
    CalendarDayIn,
    CalendarDayOut,
    CalendarPage,
    ConfirmYearIn,
    DayInfoOut,
    DueOut,
    YearOut,
)

YEARS = f"{checks.MIN_YEAR}–{checks.MAX_YEAR}"

DayPath = Annotated[
    str,
    Parameter(
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        description=f"日期（YYYY-MM-DD），须在 {YEARS} 年之间。",
        examples=[Example(value="2026-10-01")],
    ),
]
Year = Annotated[
    int,
    Parameter(
        ge=checks.MIN_YEAR,
        le=checks.MAX_YEAR,
        description=f"年份（{YEARS}）。",
        examples=[Example(value=2027)],
    ),
]
_DAY_PROBLEMS = {422: ["date_invalid", "date_out_of_range"]}


class CalendarAdminController(Controller):
    """Days an administrator declares off or working, and the yearly confirmation."""

    path = "/api/v1/admin/calendar"
    tags = ["管理员"]

    @get(
        "/",
        guards=[staff_roles(roles.ADMIN, roles.SUPERVISOR)],
        **operation(
            "管理员设定的日子",
            "管理员设为休息日或工作日的日子，按日期排序，分页；years 同时列出所涉年份的节假日"
            "安排是否已收录国务院通知、是否已确认。不指定 year 时列出全部日子，years 为今年、"
            "明年和有记录的各年。",
        ),
    )
    async def list_days(
        self,
        year: Annotated[
            int | None,
            Parameter(
                ge=checks.MIN_YEAR,
                le=checks.MAX_YEAR,
                description=f"只列这一年的日子（{YEARS}）。",
                examples=[Example(value=2026)],
            ),
        ] = None,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> CalendarPage:
        found = await service.list_days(year=year, page=page, page_size=page_size)
        return CalendarPage(
            items=[present.day_out(r) for r in found.items],
            total=found.total,
            years=[present.year_out(s) for s in found.years],
        )

    @post(
        "/",
        guards=[staff_roles(roles.ADMIN)],
        **operation(
            "设定休息日或工作日",
            "管理员把一天设为休息日（holiday）或工作日（workday，如调休上班），答 201；同一天"
            "再设定则替换之前的设定。source 写明依据的通知（名称和文号）。此后计算的期限立即"
            "按新日历。每次设定、删除和确认都记入审计日志（前后内容）。",
            problems={422: ["date_out_of_range", "calendar_source_too_long"]},
            idempotent=True,
        ),
    )
    async def set_day(
        self, request: ApiRequest, deps: Deps, data: JSONBody[CalendarDayIn]
    ) -> Response[CalendarDayOut]:
        answer = await service.record_day(
            claim=await claim_of(request),
            ttl_s=deps.settings.idempotency_ttl_s,
            doorbell=deps.doorbell,
            day=data.date,
            kind=data.kind,
            note=data.note or "",
            source=data.source or "",
            staff_id=request.user.id,
            audit=deps.audit,
        )
        return respond(answer, CalendarDayOut)

    @delete(
        "/{day:str}",
        guards=[staff_roles(roles.ADMIN)],
        **operation(
            "删除管理员设定的日子",
            "删除管理员对这一天的设定，答 204；此后这一天按国务院通知或法定节日判断。"
            "这一天没有设定时答 404。",
            problems={404: ["calendar_day_not_found", "not_found"], **_DAY_PROBLEMS},
        ),
    )
    async def delete_day(self, request: ApiRequest, deps: Deps, day: DayPath) -> None:
        await service.remove_day(
            doorbell=deps.doorbell,
            day=checks.parse_date(day),
            audit=deps.audit,
            staff_id=request.user.id,
        )

    @post(
        "/years/{year:int}/confirm",
        guards=[staff_roles(roles.ADMIN)],
        status_code=200,
        **operation(
            "确认一年的节假日安排",
            "管理员确认已把这一年的节假日安排与国务院通知核对（并已设定需要调整的日子），"
            "此后这一年不再提示需要处理。请求体可省略；再次确认替换确认人、时间和说明。",
        ),
    )
    async def confirm_year(
        self,
        request: ApiRequest,
        deps: Deps,
        year: Year,
        data: JSONBody[ConfirmYearIn] | None = None,
    ) -> YearOut:
        status = await service.confirm(
            doorbell=deps.doorbell,
            year=year,
            staff_id=request.user.id,
            note=(data.note if data else None) or "",
            audit=deps.audit,
        )
        return present.year_out(status)


class CalendarController(Controller):
    """The working-day calendar as deadlines see it, for any signed-in staff member."""

    path = "/api/v1/calendar"
    guards = [staff_roles()]
    tags = ["系统"]

    @get(
        "/days/{day:str}",
        **operation(
            "查询某天是否工作日",
            "工作日历对这一天的判断（是否工作日）及其原因和依据：国务院通知、按法定节日推算、"
            "管理员调整或常规作息。",
            problems=_DAY_PROBLEMS,
        ),
    )
    async def day(self, day: DayPath) -> DayInfoOut:
        return present.info_out(await service.day_info(day=checks.parse_date(day)))

    @get(
        "/due",
        **operation(
            "计算到期日",
            "从起算日起第 days 个工作日（起算日当天不计；days=0 即起算日），同时列出途中跳过的"
            "非工作日，以及节假日安排尚未确定、到期日可能有变的年份。",
            problems={422: ["date_out_of_range"]},
        ),
    )
    async def due(
        self,
        start: Annotated[
            dt.date,
            Parameter(
                description=f"起算日（YYYY-MM-DD），须在 {YEARS} 年之间。",
                examples=[Example(value="2026-12-28")],
            ),
        ],
        days: Annotated[
            int,
            Parameter(
                ge=0,
                le=checks.MAX_DAYS,
                description=f"工作日天数（0–{checks.MAX_DAYS}）。",
                examples=[Example(value=5)],
            ),
        ],
    ) -> DueOut:
        found = await service.due_date(start=start, days=days)
        return DueOut(
            start=found.start,
            days=found.days,
            due=found.due,
            due_weekday=texts.weekday_label(found.due),
            skipped=[present.info_out(i) for i in found.skipped],
            years_needing_attention=found.years_needing_attention,
        )

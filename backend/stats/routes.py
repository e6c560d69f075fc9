"""Statistics routes for supervisors and administrators (区跑改办 / 镇街监管).

A township supervisor reads their own township only: another township is 404
``township_not_found`` (decided before the dates are looked at); other roles get 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, get
from litestar.openapi.spec import Example
from litestar.params import Parameter

from backend.clock import today
from backend.errors import InvalidInput
from backend.http.auth import ApiRequest, staff_roles
from backend.http.openapi import operation
from backend.identity import roles
from backend.stats import service, texts
from backend.stats.schemas import Overview

DEFAULT_DAYS = 30

DateFrom = Annotated[
    str | None,
    Parameter(
        query="from",
        max_length=10,
        description="统计区间的第一天（含，YYYY-MM-DD，上海时间）；不填时取截至 to 的 30 天。",
        examples=[Example(value="2026-11-08")],
    ),
]
DateTo = Annotated[
    str | None,
    Parameter(
        query="to",
        max_length=10,
        description="统计区间的最后一天（含，YYYY-MM-DD）；不填为今天。区间最长 1100 天。",
        examples=[Example(value="2026-12-07")],
    ),
]
Township = Annotated[
    str | None,
    Parameter(
        max_length=12,
        description=(
            "只统计这个镇街（9 位区划代码）；不填时区级人员看全区，镇街监管人员看本镇街。"
        ),
        examples=[Example(value="330109001")],
    ),
]


def _day(value: str | None, *, default: dt.date) -> dt.date:
    if value is None or not value.strip():
        return default
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput(texts.DATE_INVALID, code="date_invalid") from exc


class StatsController(Controller):
    path = "/api/v1/stats"
    tags = ["统计"]
    guards = [staff_roles(roles.SUPERVISOR, roles.ADMIN)]

    @get(
        "/overview",
        **operation(
            "统计概览",
            "区间内提交的办件的各项指标：按状态、渠道、提交人、镇街、事项、部门、村社和日期的"
            "件数，按时办结率，受理和送达所用工作日，跑动次数，满意度，代办和就近办理占比，"
            "30 分钟办事圈。只读统计汇总表，最多滞后约一分钟。镇街监管人员只能看本镇街："
            "填了别的镇街答 404 township_not_found，在检查日期之前就作出判断。",
            problems={
                404: ["township_not_found"],
                422: ["date_invalid", "date_range_invalid", "date_range_too_long"],
            },
        ),
    )
    async def overview(
        self,
        request: ApiRequest,
        date_from: DateFrom = None,
        date_to: DateTo = None,
        township: Township = None,
    ) -> Overview:
        scope = await service.township_scope(
            area_code=request.user.area_code, township=township or None
        )
        end = _day(date_to, default=today())
        start = _day(date_from, default=end - dt.timedelta(days=DEFAULT_DAYS - 1))
        return await service.overview(date_from=start, date_to=end, township=scope)

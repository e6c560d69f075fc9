"""Statistics routes for supervisors and administrators (区跑改办 / 镇街监管).

A township supervisor reads their own township only: another township is 404
``township_not_found`` (decided before the dates are looked at); other roles get 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import Parameter

from backend.clock import today
from backend.errors import InvalidInput
from backend.http.auth import Principal, staff_roles
from backend.identity import roles as R
from backend.stats import service, texts
from backend.stats.schemas import Overview

DEFAULT_DAYS = 30


def _day(value: str | None, *, default: dt.date) -> dt.date:
    if value is None or not value.strip():
        return default
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput(texts.DATE_INVALID, code="date_invalid") from exc


class StatsController(Controller):
    path = "/api/v1/stats"
    tags = ["supervision"]
    guards = [staff_roles(R.SUPERVISOR, R.ADMIN)]

    @get("/overview", summary="Figures of the cases submitted in a date range (roll-ups only)")
    async def overview(
        self,
        request: Request[Principal, Any, Any],
        date_from: Annotated[str | None, Parameter(query="from", max_length=10)] = None,
        date_to: Annotated[str | None, Parameter(query="to", max_length=10)] = None,
        township: Annotated[str | None, Parameter(max_length=12)] = None,
    ) -> Overview:
        scope = await service.township_scope(
            area_code=request.user.area_code, township=township or None
        )
        end = _day(date_to, default=today())
        start = _day(date_from, default=end - dt.timedelta(days=DEFAULT_DAYS - 1))
        return await service.overview(date_from=start, date_to=end, township=scope)

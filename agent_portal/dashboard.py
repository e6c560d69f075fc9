"""The supervisor dashboard (数据看板) and its CSV/XLSX exports, for supervisors and admins.

``GET /portal/dashboard?from=&to=&township=`` shows what ``GET /api/v1/stats/overview`` answers
for the same filters (``dashboard_data``); ``/portal/dashboard/export/{table}/{csv|xlsx}`` gives
one of its tables as a file, with the same filters. A bad date is shown on the page (400); an
unknown township, or another one than a township supervisor's own, is the 404 page.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import Parameter
from litestar.response import Response, Template

from agent_portal import dashboard_data as data
from agent_portal import dashboard_export, dashboard_tables
from agent_portal import dashboard_texts as t
from agent_portal.dashboard_tables import SORTS
from agent_portal.errors import PageNotFound
from backend.errors import InvalidInput
from backend.identity.service import StaffAccount

DateParam = Annotated[str | None, Parameter(query="from", max_length=10)]
ToParam = Annotated[str | None, Parameter(query="to", max_length=10)]
TownshipParam = Annotated[str | None, Parameter(max_length=12)]
ORDERS = ("desc", "asc")


def _sort(sort: str, order: str) -> tuple[str, bool]:
    return (sort if sort in SORTS else "cases"), order != "asc"


class DashboardPages(Controller):
    path = "/dashboard"
    include_in_schema = False

    @get("/", name="portal:dashboard")
    async def page(
        self,
        request: Request[Any, Any, Any],
        staff: StaffAccount,
        date_from: DateParam = None,
        date_to: ToParam = None,
        township: TownshipParam = None,
        sort: str = "cases",
        order: str = "desc",
    ) -> Template:
        try:
            f = await data.filters(staff, date_from=date_from, date_to=date_to, township=township)
        except InvalidInput as exc:
            return Template(
                "dashboard/invalid.html",
                context={
                    "error": exc.detail,
                    "date_from": date_from or "",
                    "date_to": date_to or "",
                },
                status_code=400,
            )
        ov = await data.overview(f)
        villages = await data.village_coverage(township=f.township, travel=request.app.state.travel)
        sort, descending = _sort(sort, order)
        tables = {
            key: dashboard_tables.build(ov, key, sort=sort, descending=descending)
            for key in t.TABLES
        }
        return Template(
            "dashboard/page.html",
            context={
                "staff": staff,
                "f": f,
                "ov": ov,
                "refreshed": data.local_time(ov.refreshed_at),
                "figures": dashboard_tables.figures(ov),
                "tables": tables,
                "display": dashboard_tables.display,
                "sort": sort,
                "order": "desc" if descending else "asc",
                "charts": data.chart_data(ov, villages),
                "formats": list(dashboard_export.FORMATS),
            },
        )

    @get("/export/{table:str}/{fmt:str}", name="portal:dashboard-export")
    async def export(
        self,
        staff: StaffAccount,
        table: str,
        fmt: str,
        date_from: DateParam = None,
        date_to: ToParam = None,
        township: TownshipParam = None,
        sort: str = "cases",
        order: str = "desc",
    ) -> Response[bytes]:
        if table not in t.TABLES or fmt not in dashboard_export.FORMATS:
            raise PageNotFound
        f = await data.filters(staff, date_from=date_from, date_to=date_to, township=township)
        ov = await data.overview(f)
        sort, descending = _sort(sort, order)
        built = dashboard_tables.build(ov, table, sort=sort, descending=descending)
        out = dashboard_export.export(
            built,
            fmt,
            subtitle=f.subtitle,
            scope=(f.township_name, f.township or "district"),
            period=f.period,
        )
        return Response(
            out.body,
            media_type=out.media_type,
            headers={"Content-Disposition": dashboard_export.content_disposition(out)},
        )

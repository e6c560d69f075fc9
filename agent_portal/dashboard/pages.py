"""The supervisor dashboard (数据看板) and its CSV/XLSX exports, for supervisors and admins.

``GET /portal/dashboard?from=&to=&township=`` shows what ``GET /api/v1/stats/overview`` answers
for the same filters (``dashboard_data``); ``/portal/dashboard/export/{table}/{csv|xlsx}`` gives
one of its tables as a file, with the same filters. A bad date is shown on the page (400); an
unknown township, or another one than a township supervisor's own, is the 404 page.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get
from litestar.params import Parameter
from litestar.response import Response, Template

from agent_portal.common.errors import PageNotFound
from agent_portal.dashboard import data, export, texts
from agent_portal.dashboard import tables as table_builder
from agent_portal.dashboard.tables import SORTS
from backend.deps import Deps
from backend.errors import InvalidInput
from backend.identity.service import StaffAccount
from backend.stats.schemas import Overview

DateParam = Annotated[str | None, Parameter(query="from", max_length=10)]
ToParam = Annotated[str | None, Parameter(query="to", max_length=10)]
TownshipParam = Annotated[str | None, Parameter(max_length=12)]
ORDERS = ("desc", "asc")


def _sort(sort: str, order: str) -> tuple[str, bool]:
    return (sort if sort in SORTS else "cases"), order != "asc"


def _invalid(exc: InvalidInput, *, date_from: str | None, date_to: str | None) -> Template:
    """The bad date shown on the page (400), the dates typed kept in the form."""
    return Template(
        "dashboard/invalid.html",
        context={"error": exc.detail, "date_from": date_from or "", "date_to": date_to or ""},
        status_code=400,
    )


def _page_context(
    staff: StaffAccount,
    f: data.Filters,
    ov: Overview,
    villages: list[list[Any]],
    shapes: dict[str, Any],
    sort: str,
    order: str,
) -> dict[str, Any]:
    """The dashboard's figures, tables (sorted as asked) and charts."""
    sort, descending = _sort(sort, order)
    tables = {
        key: table_builder.build(ov, key, sort=sort, descending=descending) for key in texts.TABLES
    }
    return {
        "staff": staff,
        "f": f,
        "ov": ov,
        "refreshed": data.local_time(ov.refreshed_at),
        "figures": table_builder.figures(ov),
        "tables": tables,
        "display": table_builder.display,
        "sort": sort,
        "order": "desc" if descending else "asc",
        "charts": data.chart_data(ov, villages, shapes),
        "chart_definitions": texts.CHART_DEFINITIONS,
        "map_schematic": bool(shapes.get("schematic")),
        "map_note": texts.MAP_SCHEMATIC if shapes.get("schematic") else texts.MAP_IMPORTED,
        "formats": list(export.FORMATS),
    }


def _file(built: table_builder.Table, fmt: str, f: data.Filters) -> Response[bytes]:
    """One table as a CSV or XLSX download, titled by the filters."""
    out = export.export(
        built,
        fmt,
        subtitle=f.subtitle,
        scope=(f.township_name, f.township or "district"),
        period=f.period,
    )
    return Response(
        out.body,
        media_type=out.media_type,
        headers={"Content-Disposition": export.content_disposition(out)},
    )


class DashboardPages(Controller):
    path = "/dashboard"
    include_in_schema = False

    @get("/", name="portal:dashboard")
    async def page(
        self,
        deps: Deps,
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
            return _invalid(exc, date_from=date_from, date_to=date_to)
        ov = await data.overview(f)
        villages = await data.village_coverage(township=f.township, travel=deps.travel)
        shapes = await data.township_map()
        return Template(
            "dashboard/page.html",
            context=_page_context(staff, f, ov, villages, shapes, sort, order),
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
        if table not in texts.TABLES or fmt not in export.FORMATS:
            raise PageNotFound
        f = await data.filters(staff, date_from=date_from, date_to=date_to, township=township)
        ov = await data.overview(f)
        sort, descending = _sort(sort, order)
        built = table_builder.build(ov, table, sort=sort, descending=descending)
        return _file(built, fmt, f)

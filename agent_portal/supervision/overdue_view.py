"""The overdue list's query string (filters, sort, page), what its page shows, and its export.

The export is the filtered list in the chosen order, every page of it, as a CSV file (UTF-8
with a byte-order mark, so Excel reads the Chinese) holding what the page shows and nothing
more: no applicant's name, ID number or phone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote, urlencode

from agent_portal.supervision import texts
from backend.cases.store.overdue_list import SORTS, OverdueFilter
from backend.catalogue import service as catalogue
from backend.clock import today
from backend.geo import points as geo
from backend.supervision import service
from backend.supervision import texts as domain_texts
from backend.supervision.overdue import HOLDER_KINDS, LATE_FILTERS, ListedCase
from backend.supervision.scope import Scope

FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
KEYS: Final = ("township", "department", "item", "late", "holder", "sort")


def _one(params: Mapping[str, Any], key: str) -> str:
    value = params.get(key)
    return value.strip()[:40] if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class Query:
    """The list's query string; unknown values are ignored (the whole list, by lateness)."""

    values: dict[str, str]
    where: OverdueFilter
    sort: str
    page: int

    @classmethod
    def parse(cls, params: Mapping[str, Any], soon_days: int) -> Query:
        values = {k: _one(params, k) for k in KEYS}
        if values["late"] not in LATE_FILTERS:
            values["late"] = ""
        if values["holder"] not in HOLDER_KINDS:
            values["holder"] = ""
        if values["sort"] not in SORTS:
            values["sort"] = "late"
        try:
            page = int(_one(params, "page") or "1")
        except ValueError:
            page = 1
        where = OverdueFilter(
            township=values["township"] or None,
            department=values["department"] or None,
            item_code=values["item"] or None,
            holder_kind=values["holder"] or None,
            min_late=LATE_FILTERS[values["late"]],
            soon_days=soon_days,
        )
        return cls(values, where, values["sort"], page)

    def link(self, **change: str) -> str:
        """The query string of this list with ``change`` applied (empty values left out)."""
        merged = {**self.values, **change}
        return urlencode({k: v for k, v in merged.items() if v})


async def context(
    scope: Scope, query: Query, found: list[ListedCase], soon_days: int
) -> dict[str, Any]:
    snap = await catalogue.snapshot()
    places = await geo.snapshot()
    townships = sorted(places.townships.items())
    if scope.township is not None:
        townships = [(c, n) for c, n in townships if c == scope.township]
    items = sorted((code, v.spec.name) for code, v in snap.items.items())
    counts = await service.urge_counts(
        scope=scope, by="township" if scope.district_wide else "department"
    )
    names = {**places.townships, **snap.departments}
    return {
        "cases": found,
        "query": query,
        "filters": query.values,
        "townships": townships,
        "departments": sorted(snap.departments.items()),
        "items": items,
        "late_choices": texts.OVERDUE_LATE,
        "holder_choices": [(k, domain_texts.HOLDERS[k]) for k in HOLDER_KINDS],
        "sorts": texts.OVERDUE_SORTS,
        "holders": domain_texts.HOLDERS,
        "levels": domain_texts.LEVELS,
        "status": texts.STATUS,
        "soon_days": soon_days,
        "district_wide": scope.district_wide,
        "urge_counts": [(names.get(c.code, c.code), c) for c in counts],
        "export_link": "/portal/supervision/overdue/export?" + query.link(),
        "page_base": "/portal/supervision/overdue?" + (query.link() + "&" if query.link() else ""),
    }


def _safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def _lateness(c: ListedCase) -> str:
    if c.line.days_overdue:
        return texts.LATE_BY.format(days=c.line.days_overdue)
    return texts.LEFT.format(days=c.line.days_left)


def export(found: list[ListedCase]) -> tuple[bytes, str]:
    """The CSV file and its Content-Disposition (a Chinese name with an ASCII fallback)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(texts.OVERDUE_COLUMNS)
    for c in found:
        line = c.line
        writer.writerow(
            [
                line.number,
                _safe(line.item),
                _safe(line.township_name),
                _safe(line.department_name or ""),
                texts.STATUS.get(line.status, line.status),
                line.deadline.isoformat(),
                _lateness(c),
                texts.YES if line.paused else "",
                domain_texts.HOLDERS.get(line.holder_kind, line.holder_kind),
                _safe(line.holder_name if line.holder_kind != "citizen" else ""),
                "、".join(domain_texts.LEVELS.get(x, x) for x in c.escalated),
                str(c.urges),
            ]
        )
    body = ("\ufeff" + out.getvalue()).encode("utf-8")
    day = today().strftime("%Y%m%d")
    name = quote(f"{texts.OVERDUE_FILE}_{day}.csv", safe="")
    return body, f"attachment; filename=\"overdue_{day}.csv\"; filename*=UTF-8''{name}"

"""The workload page's query string (township, a part of the name, sort and direction, page)
and what the page shows; every link (sort headers, pager) keeps the filters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

from agent_portal.supervision import texts
from backend.cases.store.workload_list import SORTS, WorkloadFilter
from backend.geo import points as geo
from backend.supervision.scope import Scope

KEYS: Final = ("township", "q", "sort", "dir")
BASE: Final = "/portal/supervision/agents"


def _one(params: Mapping[str, Any], key: str, limit: int = 40) -> str:
    value = params.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class Query:
    """Unknown values are ignored: every agent of the scope, by township then name."""

    values: dict[str, str]
    where: WorkloadFilter
    page: int

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> Query:
        values = {k: _one(params, k) for k in KEYS}
        if values["sort"] not in SORTS:
            values["sort"] = "township"
        if values["dir"] not in ("asc", "desc"):
            values["dir"] = "desc" if values["sort"] in ("open", "overdue") else "asc"
        try:
            page = int(_one(params, "page") or "1")
        except ValueError:
            page = 1
        where = WorkloadFilter(
            township=values["township"] or None,
            name=values["q"] or None,
            sort=values["sort"],
            descending=values["dir"] == "desc",
        )
        return cls(values, where, page)

    def link(self, **change: str) -> str:
        merged = {**self.values, **change}
        return urlencode({k: v for k, v in merged.items() if v})

    def sort_link(self, key: str) -> str:
        """The list sorted by ``key``: the other way round when it already is."""
        if self.values["sort"] == key:
            flipped = "asc" if self.values["dir"] == "desc" else "desc"
        else:
            flipped = "desc" if key in ("open", "overdue") else "asc"
        return f"{BASE}?{self.link(sort=key, dir=flipped)}"

    def arrow(self, key: str) -> str:
        if self.values["sort"] != key:
            return ""
        return "↓" if self.values["dir"] == "desc" else "↑"


async def context(scope: Scope, query: Query, found: list[Any]) -> dict[str, Any]:
    places = await geo.snapshot()
    townships = sorted(places.townships.items())
    if scope.township is not None:
        townships = [(c, n) for c, n in townships if c == scope.township]
    link = query.link()
    return {
        "agents": found,
        "query": query,
        "filters": query.values,
        "townships": townships,
        "district_wide": scope.district_wide,
        "sorts": texts.WORKLOAD_SORTS,
        "page_base": f"{BASE}?" + (link + "&" if link else ""),
    }

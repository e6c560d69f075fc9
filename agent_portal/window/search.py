"""查找办件: the search form of the window's lists — what was typed, the item choices, the pager.

The filtering itself is SQL (``backend.cases.store.queue.search``), reached through the same use
cases as the API (``front_desk.queue_page`` / ``township_cases``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from litestar.response import Template

from agent_portal.common import lists
from backend.catalogue import service as catalogue
from backend.errors import DomainError
from backend.window.access import Clerk
from backend.window.listing import SearchTerms
from backend.window.schemas import StaffCasePage


def terms_of(
    number: str = "",
    name: str = "",
    id_last4: str = "",
    phone: str = "",
    item: str = "",
    filed_from: str = "",
    filed_to: str = "",
) -> SearchTerms:
    """The terms as typed, each cut to a sane length (the use case checks them)."""
    return SearchTerms(
        number[:40], name[:64], id_last4[:8], phone[:24], item[:40], filed_from[:10], filed_to[:10]
    )


async def item_choices() -> list[tuple[str, str]]:
    """Every item and bundle of the catalogue by name (a bundle marked 一件事)."""
    snap = await catalogue.snapshot()
    items = [(code, view.spec.name) for code, view in snap.items.items()]
    bundles = [(code, f"{spec.name}（一件事）") for code, spec in snap.bundles.items()]
    return sorted(bundles, key=lambda c: c[1]) + sorted(items, key=lambda c: c[1])


async def context(terms: SearchTerms, base: str, **keep: str) -> dict[str, Any]:
    """What the search form and the pager need: the terms, the choices, the pager's base URL
    keeping the terms (and ``keep``, e.g. the status tab) across pages."""
    query = {**{k: v for k, v in keep.items() if v}, **terms.query()}
    return {
        "search": terms,
        "item_choices": await item_choices(),
        "search_error": None,
        "page_base": f"{base}?{urlencode(query)}&" if query else f"{base}?",
    }


async def page(
    template: str,
    base: str,
    listed: Callable[[], Awaitable[StaffCasePage]],
    *,
    terms: SearchTerms,
    page: int,
    clerk: Clerk,
    extra: dict[str, Any],
) -> Template:
    """A list page with its search form: the lines the use case ``listed`` gives, or — for a
    malformed term — the problem beside the form and nothing listed (422)."""
    keep = {"status": extra["status"]} if extra.get("status") else {}
    found = await context(terms, base, **keep)
    found.update(extra)
    try:
        lines = await listed()
    except DomainError as exc:
        ctx: dict[str, Any] = {"lines": [], "pages": lists.Pages(1, 1, 0)}
        ctx.update(found, search_error=exc.detail)
        return Template(template, context=ctx, status_code=exc.status)
    ctx = await lists.context(lines, page=page, clerk=clerk)
    ctx.update(found)
    return Template(template, context=ctx)

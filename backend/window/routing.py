"""The routing table (分类审批): which back office approves an item, township by township.

A township's own rule wins over the district default (``township`` null); without either, the
item's own department (from the catalogue) approves it, inside this system.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from backend.catalogue import service as catalogue
from backend.catalogue.store import routing as codes
from backend.clock import now_utc
from backend.errors import InvalidInput, NotFound
from backend.geo.store.window import area_level
from backend.window import store, texts
from backend.window.store import Rule

__all__ = ["SEND_METHODS", "Route", "Rule", "delete_rule", "department_for", "set_rule"]

SEND_METHODS: Final = ("builtin",)
"""How a transferred case reaches its department. Only this system's review queue for now:
``external`` (a department's own platform) waits for an adapter that sends the case there."""


@dataclass(frozen=True, slots=True)
class Route:
    department_code: str
    send_method: str
    source: str  # township | district | item


async def department_for(
    *, township_code: str | None, item_code: str, fallback: str | None = None
) -> Route:
    """Where a case of ``item_code`` handled in ``township_code`` goes for approval.

    ``fallback`` is the department the case was filed with (its item version's); without it the
    item's current department is looked up in the catalogue.
    """
    rules = await store.rules_for_item(item_code)
    own = [r for r in rules if township_code is not None and r.township_code == township_code]
    default = [r for r in rules if r.township_code is None]
    if own or default:
        chosen = (own or default)[0]
        return Route(chosen.department_code, chosen.send_method, "township" if own else "district")
    if fallback is None:
        fallback = (await catalogue.get_item(code=item_code)).spec.department_code
    return Route(fallback, "builtin", "item")


async def set_rule(
    *,
    township_code: str | None,
    item_code: str,
    department_code: str,
    send_method: str,
    staff_id: str | None,
) -> Rule:
    """Create or replace the rule of (township, item); every problem is named in one 422."""
    problems: list[str] = []
    if not await codes.item_exists(item_code):
        problems.append(texts.ITEM_UNKNOWN.format(code=item_code))
    if not await codes.department_exists(department_code):
        problems.append(texts.DEPARTMENT_UNKNOWN.format(code=department_code))
    if township_code is not None and await area_level(township_code) != "township":
        problems.append(texts.TOWNSHIP_UNKNOWN.format(code=township_code))
    if send_method not in SEND_METHODS:
        problems.append(texts.SEND_METHOD_INVALID)
    if problems:
        raise InvalidInput("".join(problems), code="routing_rule_invalid")
    return await store.upsert_rule(
        township_code=township_code,
        item_code=item_code,
        department_code=department_code,
        send_method=send_method,
        staff_id=staff_id,
        now=now_utc(),
    )


async def delete_rule(*, rule_id: int) -> None:
    if not await store.delete_rule(rule_id):
        raise NotFound(texts.RULE_NOT_FOUND, code="routing_rule_not_found")

"""The routing table (分类审批): which back office approves an item, township by township.

A township's own rule wins over the district default (``township`` null); without either, the
item's own department (from the catalogue) approves it, inside this system.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from backend.catalogue import service as catalogue
from backend.catalogue.tables import Department, Item
from backend.clock import now_utc
from backend.errors import InvalidInput, NotFound
from backend.geo.tables import Area
from backend.window import texts
from backend.window.tables import RoutingRule

SEND_METHODS: Final = ("builtin",)
"""How a transferred case reaches its department. Only this system's review queue for now:
``external`` (a department's own platform) waits for an adapter that sends the case there."""


@dataclass(frozen=True, slots=True)
class Route:
    department_code: str
    send_method: str
    source: str  # township | district | item


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    township_code: str | None
    item_code: str
    department_code: str
    send_method: str
    updated_at: datetime


async def department_for(
    *, township_code: str | None, item_code: str, fallback: str | None = None
) -> Route:
    """Where a case of ``item_code`` handled in ``township_code`` goes for approval.

    ``fallback`` is the department the case was filed with (its item version's); without it the
    item's current department is looked up in the catalogue.
    """
    rows = (
        await RoutingRule.select(
            RoutingRule.township, RoutingRule.department, RoutingRule.send_method
        )
        .where(RoutingRule.item == item_code)
        .run()
    )
    own = [r for r in rows if township_code is not None and r["township"] == township_code]
    default = [r for r in rows if r["township"] is None]
    if own or default:
        chosen = (own or default)[0]
        source = "township" if own else "district"
        return Route(chosen["department"], chosen["send_method"], source)
    if fallback is None:
        fallback = (await catalogue.get_item(code=item_code)).spec.department_code
    return Route(fallback, "builtin", "item")


def _rule(row: dict[str, Any]) -> Rule:
    return Rule(
        id=row["id"],
        township_code=row["township"],
        item_code=row["item"],
        department_code=row["department"],
        send_method=row["send_method"],
        updated_at=row["updated_at"],
    )


async def list_rules(
    *, township_code: str | None, item_code: str | None, page: int, page_size: int
) -> tuple[list[Rule], int]:
    select = RoutingRule.select().order_by(RoutingRule.item).order_by(RoutingRule.township)
    count = RoutingRule.count()
    if township_code is not None:
        select = select.where(RoutingRule.township == township_code)
        count = count.where(RoutingRule.township == township_code)
    if item_code is not None:
        select = select.where(RoutingRule.item == item_code)
        count = count.where(RoutingRule.item == item_code)
    total = await count.run()
    rows = await select.limit(page_size).offset((page - 1) * page_size).run()
    return [_rule(r) for r in rows], total


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
    if not await Item.exists().where(Item.code == item_code).run():
        problems.append(texts.ITEM_UNKNOWN.format(code=item_code))
    if not await Department.exists().where(Department.code == department_code).run():
        problems.append(texts.DEPARTMENT_UNKNOWN.format(code=department_code))
    if (
        township_code is not None
        and not await Area.exists()
        .where((Area.code == township_code) & (Area.level == "township"))
        .run()
    ):
        problems.append(texts.TOWNSHIP_UNKNOWN.format(code=township_code))
    if send_method not in SEND_METHODS:
        problems.append(texts.SEND_METHOD_INVALID)
    if problems:
        raise InvalidInput("".join(problems), code="routing_rule_invalid")
    rows = await RoutingRule.raw(
        "INSERT INTO routing_rule (township, item, department, send_method, updated_by,"
        " updated_at) VALUES ({}, {}, {}, {}, {}, {})"
        " ON CONFLICT (item, (COALESCE(township, ''))) DO UPDATE SET"
        " department = EXCLUDED.department, send_method = EXCLUDED.send_method,"
        " updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at"
        " RETURNING *",
        township_code,
        item_code,
        department_code,
        send_method,
        staff_id,
        now_utc(),
    ).run()
    return _rule(rows[0])


async def delete_rule(*, rule_id: int) -> None:
    removed = (
        await RoutingRule.delete().where(RoutingRule.id == rule_id).returning(RoutingRule.id).run()
    )
    if not removed:
        raise NotFound(texts.RULE_NOT_FOUND, code="routing_rule_not_found")

"""Administration of the routing table (分类审批规则): list, set, delete."""

from __future__ import annotations

from backend.outbox.service import unit_of_work
from backend.window import routing, store
from backend.window.store import Rule


async def list_rules(
    *, township_code: str | None, item_code: str | None, page: int, page_size: int
) -> tuple[list[Rule], int]:
    """A page of the rules (by item, then township) and how many match."""
    return await store.list_rules(
        township_code=township_code,
        item_code=item_code,
        limit=page_size,
        offset=(page - 1) * page_size,
    )


async def set_rule(
    *,
    township_code: str | None,
    item_code: str,
    department_code: str,
    send_method: str,
    staff_id: str | None,
) -> Rule:
    """Create or replace the rule of (township, item); 422 ``routing_rule_invalid``."""
    async with unit_of_work(None):
        return await routing.set_rule(
            township_code=township_code,
            item_code=item_code,
            department_code=department_code,
            send_method=send_method,
            staff_id=staff_id,
        )


async def delete_rule(*, rule_id: int) -> None:
    """404 ``routing_rule_not_found`` for an unknown rule."""
    async with unit_of_work(None):
        await routing.delete_rule(rule_id=rule_id)

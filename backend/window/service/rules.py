"""Administration of the routing table (分类审批规则): list, set, delete.

Every change writes an audit row (``backend.audit``) in its transaction whose reason holds the
rule before and after, as compact JSON.
"""

from __future__ import annotations

import json
from typing import Final

from backend.audit.service import Actor, AuditLog
from backend.errors import NotFound
from backend.outbox.service import unit_of_work
from backend.window import routing, store, texts
from backend.window.store import Rule

ROUTING_SET_RULE: Final = "routing_set_rule"
ROUTING_DELETE_RULE: Final = "routing_delete_rule"


async def list_rules(
    *,
    township_code: str | None,
    item_code: str | None,
    page: int,
    page_size: int,
    district_only: bool = False,
) -> tuple[list[Rule], int]:
    """A page of the rules (by item, then township) and how many match."""
    return await store.list_rules(
        township_code=township_code,
        item_code=item_code,
        limit=page_size,
        offset=(page - 1) * page_size,
        district_only=district_only,
    )


async def get_rule(*, rule_id: int) -> Rule:
    """404 ``routing_rule_not_found`` for an unknown rule."""
    found = await store.rule_by_id(rule_id)
    if found is None:
        raise NotFound(texts.RULE_NOT_FOUND, code="routing_rule_not_found")
    return found


def _state(rule: Rule | None) -> dict[str, str] | None:
    if rule is None:
        return None
    return {
        "township": rule.township_code or "",
        "item": rule.item_code,
        "department": rule.department_code,
        "send_method": rule.send_method,
    }


async def _audit(
    audit: AuditLog,
    staff_id: str | None,
    action: str,
    rule_id: int,
    before: Rule | None,
    after: Rule | None,
) -> None:
    reason = json.dumps(
        {"note": texts.AUDIT_NOTES[action], "before": _state(before), "after": _state(after)},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    actor = Actor("staff", staff_id) if staff_id else Actor("system", "system")
    await audit.record(
        actor=actor,
        action=action,
        subject_kind="routing_rule",
        subject_id=str(rule_id),
        reason=reason,
    )


async def set_rule(
    *,
    township_code: str | None,
    item_code: str,
    department_code: str,
    send_method: str,
    staff_id: str | None,
    audit: AuditLog,
) -> Rule:
    """Create or replace the rule of (township, item); 422 ``routing_rule_invalid``."""
    async with unit_of_work(None):
        rules = await store.rules_for_item(item_code)
        before = next((r for r in rules if r.township_code == township_code), None)
        saved = await routing.set_rule(
            township_code=township_code,
            item_code=item_code,
            department_code=department_code,
            send_method=send_method,
            staff_id=staff_id,
        )
        await _audit(audit, staff_id, ROUTING_SET_RULE, saved.id, before, saved)
        return saved


async def delete_rule(*, rule_id: int, audit: AuditLog, staff_id: str | None) -> None:
    """404 ``routing_rule_not_found`` for an unknown rule."""
    async with unit_of_work(None):
        before = await store.rule_by_id(rule_id)
        await routing.delete_rule(rule_id=rule_id)
        await _audit(audit, staff_id, ROUTING_DELETE_RULE, rule_id, before, None)

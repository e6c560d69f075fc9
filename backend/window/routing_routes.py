"""Administration of the routing table (分类审批规则): which back office approves what."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, put
from litestar.params import JSONBody

from backend.cases.present import shanghai
from backend.http.auth import Principal, staff_roles
from backend.http.pagination import Page, PageSize
from backend.identity import roles as R
from backend.outbox.service import unit_of_work
from backend.window import routing
from backend.window.schemas import RoutingRuleIn, RoutingRuleOut, RoutingRulePage


def _out(rule: routing.Rule) -> RoutingRuleOut:
    return RoutingRuleOut(
        id=rule.id,
        township_code=rule.township_code,
        item_code=rule.item_code,
        department_code=rule.department_code,
        send_method=rule.send_method,
        updated_at=shanghai(rule.updated_at) or "",
    )


class RoutingRuleController(Controller):
    path = "/api/v1/admin/routing-rules"
    tags = ["administration"]

    @get("/", guards=[staff_roles(R.ADMIN, R.SUPERVISOR)], summary="The routing table")
    async def list_rules(
        self,
        township: str | None = None,
        item: str | None = None,
        page: Page = 1,
        page_size: PageSize = 50,
    ) -> RoutingRulePage:
        rules, total = await routing.list_rules(
            township_code=township, item_code=item, page=page, page_size=page_size
        )
        return RoutingRulePage(items=[_out(r) for r in rules], total=total)

    @put("/", guards=[staff_roles(R.ADMIN)], summary="Set the rule of (township, item)")
    async def set_rule(
        self, request: Request[Principal, Any, Any], data: JSONBody[RoutingRuleIn]
    ) -> RoutingRuleOut:
        async with unit_of_work(None):
            rule = await routing.set_rule(
                township_code=data.township_code,
                item_code=data.item_code,
                department_code=data.department_code,
                send_method=data.send_method,
                staff_id=request.user.id,
            )
        return _out(rule)

    @delete("/{rule_id:int}", guards=[staff_roles(R.ADMIN)], summary="Remove a rule")
    async def delete_rule(self, rule_id: int) -> None:
        async with unit_of_work(None):
            await routing.delete_rule(rule_id=rule_id)

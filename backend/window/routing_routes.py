"""Administration of the routing table (分类审批规则): which back office approves what."""

from __future__ import annotations

from typing import Annotated, cast

from litestar import Controller, delete, get, put
from litestar.openapi.spec import Example
from litestar.params import JSONBody, Parameter

from backend.cases.present import shanghai
from backend.deps import Deps
from backend.http.auth import ApiRequest, staff_roles
from backend.http.openapi import operation
from backend.http.pagination import Page, PageSize
from backend.identity import roles
from backend.window.schemas import RoutingRuleIn, RoutingRuleOut, RoutingRulePage, SendMethod
from backend.window.service import rules
from backend.window.store import Rule

TownshipFilter = Annotated[
    str | None,
    Parameter(
        description="只列出该镇街自己的规则（区划代码）；不填列出全部。",
        examples=[Example(value="330109001")],
    ),
]
ItemFilter = Annotated[
    str | None,
    Parameter(
        description="只列出该事项的规则（事项编码）。",
        examples=[Example(value="GA-HK-CSDJ")],
    ),
]
RuleIdPath = Annotated[
    int,
    Parameter(description="规则编号（见规则的 id）。", examples=[Example(value=12)]),
]


def _out(rule: Rule) -> RoutingRuleOut:
    return RoutingRuleOut(
        id=rule.id,
        township_code=rule.township_code,
        item_code=rule.item_code,
        department_code=rule.department_code,
        send_method=cast(SendMethod, rule.send_method),  # only builtin is ever saved
        updated_at=shanghai(rule.updated_at) or "",
    )


class RoutingRuleController(Controller):
    path = "/api/v1/admin/routing-rules"
    tags = ["管理员"]

    @get(
        "/",
        guards=[staff_roles(roles.ADMIN, roles.SUPERVISOR)],
        **operation(
            "分类审批规则列表",
            "列出分类审批规则：某镇街（或全区默认）的某事项转交哪个部门审批。可按镇街、事项筛选，"
            "按事项排序。分页。",
        ),
    )
    async def list_rules(
        self,
        township: TownshipFilter = None,
        item: ItemFilter = None,
        page: Page = 1,
        page_size: PageSize = 50,
    ) -> RoutingRulePage:
        found, total = await rules.list_rules(
            township_code=township, item_code=item, page=page, page_size=page_size
        )
        return RoutingRulePage(items=[_out(r) for r in found], total=total)

    @put(
        "/",
        guards=[staff_roles(roles.ADMIN)],
        **operation(
            "设置分类审批规则",
            "设置某镇街（不填为全区默认）某事项的审批部门，已有的规则被替换。事项、部门、镇街须"
            "存在，否则答 422 routing_rule_invalid，一次列出全部问题。之后转后台审批时按此转交。"
            "每次设置和删除都记入审计日志（前后内容）。",
            problems={422: ["routing_rule_invalid"]},
        ),
    )
    async def set_rule(
        self, request: ApiRequest, deps: Deps, data: JSONBody[RoutingRuleIn]
    ) -> RoutingRuleOut:
        rule = await rules.set_rule(
            township_code=data.township_code,
            item_code=data.item_code,
            department_code=data.department_code,
            send_method=data.send_method,
            staff_id=request.user.id,
            audit=deps.audit,
        )
        return _out(rule)

    @delete(
        "/{rule_id:int}",
        guards=[staff_roles(roles.ADMIN)],
        **operation(
            "删除分类审批规则",
            "删除一条分类审批规则；之后该镇街的事项按全区默认规则或事项所属部门转交。",
            problems={404: ["routing_rule_not_found", "not_found"]},
        ),
    )
    async def delete_rule(self, request: ApiRequest, deps: Deps, rule_id: RuleIdPath) -> None:
        await rules.delete_rule(rule_id=rule_id, audit=deps.audit, staff_id=request.user.id)

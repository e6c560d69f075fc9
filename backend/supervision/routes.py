"""Routes of supervision (``/api/v1/supervision/…``), for supervisors and administrators.

A township supervisor sees their township, a district one (and an administrator) the whole
district; a follow-up or call-back of another township is 404 before the body is read. The audit
viewer is for administrators and district supervisors only (403 for a township supervisor).
The spot checks of paper mandates (``/supervision/mandates``) live in ``backend.delegation``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import Example
from litestar.params import JSONBody, Parameter

from backend.deps import Deps
from backend.http.auth import ApiRequest, Principal, principal_of, staff_roles
from backend.http.openapi import audience, operation
from backend.http.pagination import Page, PageSize
from backend.identity import roles
from backend.supervision import present, service
from backend.supervision import schemas as S
from backend.supervision.audit_view import AuditFilter
from backend.supervision.scope import Scope

supervisors = staff_roles(roles.SUPERVISOR, roles.ADMIN)

Township = Annotated[
    str | None,
    Parameter(
        description=(
            "只看这个镇街（区划代码）；镇街监管人员只能看本镇街，填了别的镇街得到空列表。"
        ),
        examples=[Example(value="330109001")],
    ),
]
WithinDays = Annotated[
    int | None,
    Parameter(
        gt=-1,  # ge=0 would be left out of the API description
        le=30,
        description="把多少个工作日内到期的办件也列出（0–30）；不填按系统设置（默认 2 个工作日）。",
        examples=[Example(value=3)],
    ),
]
OverdueOnly = Annotated[
    bool, Parameter(description="为 true 时只列已超期的办件。", examples=[Example(value=False)])
]
BadOnly = Annotated[
    bool,
    Parameter(description="为 true 时只列差评（2 分及以下）。", examples=[Example(value=True)]),
]
FollowUpFilter = Annotated[
    S.FollowUpFilter,
    Parameter(
        query="state",
        description=(
            "哪些差评整改：open 未办结（默认），overdue 已过回访或整改期限仍未办结，"
            "resolved 已办结，all 全部。"
        ),
        examples=[Example(value="open")],
    ),
]
Week = Annotated[
    str | None,
    Parameter(
        description=(
            "哪一周：ISO 周次（如 2026-W48）或这一周中的任一日期（YYYY-MM-DD）；不填为上一周。"
        ),
        examples=[Example(value="2026-W48")],
    ),
]
FollowUpId = Annotated[int, Parameter(description="差评整改编号。", examples=[Example(value=7)])]
CallId = Annotated[int, Parameter(description="回访记录编号。", examples=[Example(value=31)])]
Actor = Annotated[
    str | None,
    Parameter(
        description="操作者：工作人员的用户名或编号，或群众编号。",
        examples=[Example(value="desk-yinong")],
    ),
]
Citizen = Annotated[
    UUID | None,
    Parameter(
        description="相关群众的编号（被查看的群众或被代表的群众）。",
        examples=[Example(value="0b7e1c9a-3f2d-4e5b-8a6c-1d2e3f4a5b6c")],
    ),
]
From = Annotated[
    date | None,
    Parameter(
        query="from",
        description="从这一天起（含，上海时间，YYYY-MM-DD）。",
        examples=[Example(value="2026-12-01")],
    ),
]
To = Annotated[
    date | None,
    Parameter(
        description="到这一天止（含，上海时间，YYYY-MM-DD）。",
        examples=[Example(value="2026-12-07")],
    ),
]
Action = Annotated[
    S.AuditAction | None,
    Parameter(
        description=(
            "只看这种操作：read_id_number 查看完整身份证号，read_material 查看材料，"
            "export_personal_data 导出个人信息，read_form_field 查看表单中的完整号码。"
        ),
        examples=[Example(value="read_id_number")],
    ),
]

NOT_FOUND_FOLLOW_UP = {404: ["follow_up_not_found", "not_found"]}


async def scope_of(who: Principal) -> Scope:
    return await service.scope_of(staff_id=who.id, role=who.role, area_code=who.area_code)


@audience(roles.SUPERVISOR, roles.ADMIN)
async def follow_up_in_scope(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    scope = await scope_of(principal_of(connection))
    await service.follow_up(scope=scope, follow_up_id=int(connection.path_params["follow_up_id"]))


@audience(roles.SUPERVISOR, roles.ADMIN)
async def call_in_scope(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    scope = await scope_of(principal_of(connection))
    await service.call(scope=scope, call_id=int(connection.path_params["call_id"]))


class SupervisionController(Controller):
    path = "/api/v1/supervision"
    tags = ["督查"]
    guards = [supervisors]

    @get(
        "/overdue",
        **operation(
            "超期预警办件",
            "列出已超期和即将到期的在办办件（已受理、审批中、受理后待补正），以及每件现在由谁"
            "处理（窗口、后台部门、代办员或申请人）；按期限排序、分页。期限按工作日计算，"
            "补正期间暂停计时。镇街监管人员只看本镇街，区级监管人员和管理员看全区。",
        ),
    )
    async def overdue_cases(
        self,
        request: ApiRequest,
        deps: Deps,
        township: Township = None,
        within_days: WithinDays = None,
        overdue_only: OverdueOnly = False,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> S.OverduePage:
        found, total = await service.overdue_cases(
            scope=await scope_of(request.user),
            soon_days=deps.settings.overdue_soon_days if within_days is None else within_days,
            township=township,
            overdue_only=overdue_only,
            page=page,
            page_size=page_size,
        )
        return S.OverduePage(items=[present.overdue(c) for c in found], total=total)

    @get(
        "/escalations",
        **operation(
            "超期督办记录",
            "列出超期办件升级督办的记录（超期一定工作日后升级到镇街，再久升级到区），最新的"
            "在前、分页。镇街监管人员只看本镇街的办件。",
        ),
    )
    async def escalations(
        self, request: ApiRequest, page: Page = 1, page_size: PageSize = 20
    ) -> S.EscalationPage:
        rows, total = await service.escalations(
            scope=await scope_of(request.user), page=page, page_size=page_size
        )
        return S.EscalationPage(items=[present.escalation(r) for r in rows], total=total)

    @get(
        "/evaluations",
        **operation(
            "好差评列表",
            "列出群众对办件的评价，最新的在前、分页；bad=true 时只列差评（2 分及以下），"
            "每条带差评整改的进度。镇街监管人员只看本镇街。",
        ),
    )
    async def evaluations(
        self,
        request: ApiRequest,
        bad: BadOnly = False,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> S.RatingPage:
        rows, total = await service.evaluations(
            scope=await scope_of(request.user), bad_only=bad, page=page, page_size=page_size
        )
        return S.RatingPage(items=[present.evaluation(r, v) for r, v in rows], total=total)

    @get(
        "/follow-ups",
        **operation(
            "差评整改列表",
            "列出差评整改（评价后 1 个工作日内回访群众，15 个工作日内整改办结）：按 state "
            "筛选未办结、已超期、已办结或全部；未办结的在前，整改期限早的在前，分页。"
            "镇街监管人员只看本镇街。",
        ),
    )
    async def follow_ups(
        self,
        request: ApiRequest,
        which: FollowUpFilter = "open",
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> S.FollowUpPage:
        views, total = await service.follow_ups(
            scope=await scope_of(request.user), state=which, page=page, page_size=page_size
        )
        return S.FollowUpPage(items=[present.follow_up(v) for v in views], total=total)

    @get(
        "/follow-ups/{follow_up_id:int}",
        guards=[follow_up_in_scope],
        **operation(
            "查看差评整改",
            "一条差评整改的详情：评价、回访和整改的情况与期限。其他镇街的整改答 404 "
            "follow_up_not_found，与不存在一样。",
            problems=NOT_FOUND_FOLLOW_UP,
        ),
    )
    async def follow_up(self, request: ApiRequest, follow_up_id: FollowUpId) -> S.FollowUpOut:
        view = await service.follow_up(
            scope=await scope_of(request.user), follow_up_id=follow_up_id
        )
        return present.follow_up(view)

    @post(
        "/follow-ups/{follow_up_id:int}/contact",
        guards=[follow_up_in_scope],
        status_code=200,
        **operation(
            "记录差评回访",
            "记录回访群众的情况，整改进入“已回访”；再次记录会替换说明，回访时间不变。"
            "已办结的整改不能再修改（409）。其他镇街的整改在读取请求体之前就答 404。",
            problems={
                **NOT_FOUND_FOLLOW_UP,
                409: ["follow_up_resolved"],
                422: ["note_required"],
            },
        ),
    )
    async def contact(
        self,
        request: ApiRequest,
        deps: Deps,
        follow_up_id: FollowUpId,
        data: JSONBody[S.FollowUpNoteIn],
    ) -> S.FollowUpOut:
        view = await service.contact_follow_up(
            doorbell=deps.doorbell,
            scope=await scope_of(request.user),
            follow_up_id=follow_up_id,
            note=data.note,
        )
        return present.follow_up(view)

    @post(
        "/follow-ups/{follow_up_id:int}/resolve",
        guards=[follow_up_in_scope],
        status_code=200,
        **operation(
            "办结差评整改",
            "填写整改结果，办结差评整改；须先记录回访（否则 409 follow_up_not_contacted）。"
            "办结后群众可以对该办件再评价一次。其他镇街的整改在读取请求体之前就答 404。",
            problems={
                **NOT_FOUND_FOLLOW_UP,
                409: ["follow_up_resolved", "follow_up_not_contacted"],
                422: ["note_required"],
            },
        ),
    )
    async def resolve(
        self,
        request: ApiRequest,
        deps: Deps,
        follow_up_id: FollowUpId,
        data: JSONBody[S.FollowUpNoteIn],
    ) -> S.FollowUpOut:
        view = await service.resolve_follow_up(
            doorbell=deps.doorbell,
            scope=await scope_of(request.user),
            follow_up_id=follow_up_id,
            note=data.note,
        )
        return present.follow_up(view)

    @get(
        "/callbacks",
        **operation(
            "电话回访抽样",
            "列出某一周的电话回访抽样（每周一从上一周办结的办件中按镇街随机抽取），尚未回访的"
            "在前、分页；不填 week 为上一周。镇街监管人员只看本镇街。",
            problems={422: ["week_invalid"]},
        ),
    )
    async def calls(
        self,
        request: ApiRequest,
        week: Week = None,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> S.CallPage:
        scope = await scope_of(request.user)
        monday = service.week_of(week)
        rows, total = await service.calls(scope=scope, week=monday, page=page, page_size=page_size)
        return S.CallPage(week=monday, items=[present.call(r) for r in rows], total=total)

    @post(
        "/callbacks/{call_id:int}",
        guards=[call_in_scope],
        status_code=200,
        **operation(
            "记录电话回访",
            "记录一次电话回访的结果：是否联系上、满意度 1–5、跑了几次、备注；再次记录会覆盖"
            "上一次。没联系上时不能填满意度和跑动次数（422 callback_not_reached）。其他镇街"
            "的回访在读取请求体之前就答 404。",
            problems={
                404: ["callback_not_found", "not_found"],
                422: ["callback_not_reached"],
            },
        ),
    )
    async def record_call(
        self,
        request: ApiRequest,
        deps: Deps,
        call_id: CallId,
        data: JSONBody[S.CallIn],
    ) -> S.CallOut:
        row = await service.record_call(
            doorbell=deps.doorbell,
            scope=await scope_of(request.user),
            call_id=call_id,
            reached=data.reached,
            satisfied=data.satisfied,
            trips=data.trips,
            note=data.note,
        )
        return present.call(row)

    @get(
        "/agents",
        **operation(
            "代办员工作量",
            "列出代办员（村社代办员和银行网点人员）的工作量：在办办件、本月提交数、有效委托，"
            "以及手上尚未送出的纸质原件和尚未交给群众的结果；按区划再按姓名、分页。"
            "镇街监管人员只看本镇街的代办员。",
        ),
    )
    async def agents(
        self, request: ApiRequest, page: Page = 1, page_size: PageSize = 20
    ) -> S.AgentWorkloadPage:
        found, total = await service.agent_workloads(
            scope=await scope_of(request.user), page=page, page_size=page_size
        )
        return S.AgentWorkloadPage(items=[present.workload(w) for w in found], total=total)

    @get(
        "/audit",
        **operation(
            "查看审计日志",
            "查询谁查看了哪些完整身份证号码、材料和个人信息，为谁、为什么；可按操作者、群众、"
            "日期（上海时间，含两端）和操作筛选，最新的在前、分页。只有管理员和区级监管人员"
            "可以查看，镇街监管人员答 403 audit_district_only。",
            problems={403: ["audit_district_only"], 422: ["date_range_invalid"]},
        ),
    )
    async def audit(
        self,
        request: ApiRequest,
        actor: Actor = None,
        citizen: Citizen = None,
        from_: From = None,
        to: To = None,
        action: Action = None,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> S.AuditEntryPage:
        rows, total = await service.audit_entries(
            scope=await scope_of(request.user),
            where=AuditFilter(
                actor=actor,
                citizen=str(citizen) if citizen is not None else None,
                start=from_,
                end=to,
                action=action,
            ),
            page=page,
            page_size=page_size,
        )
        return S.AuditEntryPage(items=[present.audit(r) for r in rows], total=total)

"""Notification routes: the citizen's subscription results and inbox; staff notices; WeChat's
message push (public: WeChat's signature instead of a token)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, cast

import msgspec
from litestar import Controller, MediaType, get, post
from litestar.openapi.spec import Example
from litestar.params import JSONBody, Parameter

from backend.clock import local
from backend.deps import Deps
from backend.http.auth import PUBLIC, ApiRequest, PublicRequest, citizen_only, staff_roles
from backend.http.openapi import operation
from backend.http.pagination import Page, PageSize
from notifications import push, service
from notifications.schemas import (
    Channel,
    CreditsOut,
    Event,
    MessageOut,
    MessagePage,
    MessageStatus,
    NoticeKind,
    NoticeOut,
    NoticePage,
    SubscriptionsIn,
)
from notifications.templates import Configured


def _templates(deps: Deps) -> Mapping[str, Configured]:
    """The subscription templates (``create_app`` puts notifications' parsed ones in ``deps``)."""
    return cast("Mapping[str, Configured]", deps.templates)


def _credits(credits: list[service.Credit], templates: Mapping[str, Configured]) -> CreditsOut:
    by_id = {c.template_id: c for c in credits}
    return msgspec.convert(
        {
            "templates": [
                {
                    "event": event,
                    "template_id": conf.template_id,
                    "kind": conf.kind,
                    "status": by_id[conf.template_id].status if conf.template_id in by_id else None,
                    "credits": by_id[conf.template_id].credits if conf.template_id in by_id else 0,
                }
                for event, conf in sorted(templates.items())
            ]
        },
        CreditsOut,
    )


def _seconds(moment: datetime | None) -> datetime | None:
    """In Asia/Shanghai, to the second (as every time the API answers)."""
    return local(moment).replace(microsecond=0) if moment else None


def _message(row: service.MessageRow) -> MessageOut:
    # The stored words are the ones the schema lists (written only by this package).
    return MessageOut(
        id=row.id,
        event=cast("Event", row.event),
        title=row.title,
        body=row.body,
        case_number=row.case_number,
        channel=cast("Channel", row.channel),
        status=cast("MessageStatus", row.status),
        created_at=local(row.created_at).replace(microsecond=0),
        read_at=_seconds(row.read_at),
    )


_MESSAGE_404 = {404: ["message_not_found", "not_found"]}


class CitizenNotificationController(Controller):
    path = "/api/v1"
    tags = ["消息通知"]
    guards = [citizen_only]

    @post(
        "/notifications/subscriptions",
        status_code=200,
        **operation(
            "提交订阅授权结果",
            "把 wx.requestSubscribeMessage 成功回调得到的对象原样放在 results 中提交；一次性"
            "订阅模板每次 accept 增加一条可发送次数（小程序的提交和微信推送的同一次点击只算一次），"
            "reject、ban 会被记住。errMsg 和未配置的模板编号不予理会。答复每个已配置模板的"
            "当前授权情况。",
        ),
    )
    async def subscriptions(
        self, request: ApiRequest, deps: Deps, data: JSONBody[SubscriptionsIn]
    ) -> CreditsOut:
        templates = _templates(deps)
        credits = await service.record_subscriptions(
            citizen_id=request.user.id,
            results=data.results,
            templates=templates,
            doorbell=deps.doorbell,
        )
        return _credits(credits, templates)

    @get(
        "/notifications/subscriptions",
        **operation(
            "我的订阅授权",
            "每个已配置的订阅消息模板：我最近一次的选择和一次性模板还可发送的条数，"
            "供小程序判断何时再请求订阅。",
        ),
    )
    async def my_credits(self, request: ApiRequest, deps: Deps) -> CreditsOut:
        templates = _templates(deps)
        return _credits(
            await service.credits(citizen_id=request.user.id, templates=templates), templates
        )

    @get(
        "/messages",
        **operation(
            "我的消息",
            "发给我的每一条消息，无论微信是否送达（未开启订阅或发送失败的也在这里），最新的在前，"
            "分页；unread 是未读总数。",
        ),
    )
    async def messages(
        self, request: ApiRequest, page: Page = 1, page_size: PageSize = 20
    ) -> MessagePage:
        found = await service.messages(citizen_id=request.user.id, page=page, page_size=page_size)
        return MessagePage(
            items=[_message(r) for r in found.rows], total=found.total, unread=found.unread
        )

    @post(
        "/messages/{message_id:int}/read",
        status_code=200,
        **operation(
            "标记消息已读",
            "把我的一条消息标为已读并答复这条消息；已读的再标一次不改变已读时间。"
            "不是发给我的消息答 404。",
            problems=_MESSAGE_404,
        ),
    )
    async def read(
        self,
        request: ApiRequest,
        message_id: Annotated[
            int, Parameter(description="消息编号。", examples=[Example(value=1024)])
        ],
    ) -> MessageOut:
        return _message(
            await service.mark_message_read(citizen_id=request.user.id, message_id=message_id)
        )


def _notice(row: service.NoticeRow) -> NoticeOut:
    return NoticeOut(
        id=row.id,
        kind=cast("NoticeKind", row.kind),
        text=row.text,
        case_number=row.case_number,
        created_at=local(row.created_at).replace(microsecond=0),
        read_at=_seconds(row.read_at),
    )


class StaffNoticeController(Controller):
    path = "/api/v1/staff/notices"
    tags = ["消息通知"]
    guards = [staff_roles()]

    @get(
        "/",
        **operation(
            "我的通知",
            "门户铃铛里的待办（如须当面告知群众）和提醒（即将到期、出件待交付等），最新的在前，"
            "分页。窗口人员和督查人员还能看到发给本镇街窗口的通知；unread=true 只列未读的。",
        ),
    )
    async def notices(
        self,
        request: ApiRequest,
        unread: Annotated[
            bool,
            Parameter(description="只列未读的通知。", examples=[Example(value=True)]),
        ] = False,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> NoticePage:
        who = request.user
        found = await service.notices(
            staff_id=who.id,
            role=who.role or "",
            area_code=who.area_code or "",
            unread_only=unread,
            page=page,
            page_size=page_size,
        )
        return NoticePage(
            items=[_notice(r) for r in found.rows], total=found.total, unread=found.unread
        )

    @post(
        "/{notice_id:int}/read",
        status_code=204,
        **operation(
            "标记通知已处理",
            "把一条通知标为已读（已处理），答 204；看不到的通知答 404。",
            problems={404: ["notice_not_found", "not_found"]},
        ),
    )
    async def read(
        self,
        request: ApiRequest,
        notice_id: Annotated[
            int, Parameter(description="通知编号。", examples=[Example(value=512)])
        ],
    ) -> None:
        who = request.user
        await service.mark_notice_read(
            notice_id=notice_id, staff_id=who.id, role=who.role or "", area_code=who.area_code or ""
        )


_PUSH_PROBLEMS = {401: ["push_signature_invalid"], 503: ["push_not_configured"]}


class WeChatPushController(Controller):
    """WeChat's message push (消息推送); every request is checked by ``notifications.push``."""

    path = "/api/v1/wechat/push"
    opt = PUBLIC
    tags = ["消息通知"]

    @get(
        "/",
        media_type=MediaType.TEXT,
        **operation(
            "微信消息推送地址校验",
            "供微信服务器在配置消息推送时校验地址：signature 是对排序后的 Token、timestamp、"
            "nonce 的 SHA-1 签名，校验通过（且时间戳在 5 分钟内）则原样返回 echostr 纯文本。",
            problems=_PUSH_PROBLEMS,
        ),
    )
    async def check(
        self,
        deps: Deps,
        signature: Annotated[
            str,
            Parameter(
                description="微信的 SHA-1 签名。",
                examples=[Example(value="1f0b9e5c3a7d2e4f6a8b0c1d2e3f4a5b6c7d8e9f")],
            ),
        ] = "",
        timestamp: Annotated[
            str,
            Parameter(description="Unix 时间（秒）。", examples=[Example(value="1796609700")]),
        ] = "",
        nonce: Annotated[
            str, Parameter(description="随机数。", examples=[Example(value="1320562132")])
        ] = "",
        echostr: Annotated[
            str,
            Parameter(
                description="校验通过时原样返回的随机字符串。",
                examples=[Example(value="6917412418954381337")],
            ),
        ] = "",
    ) -> str:
        return service.verify_push_url(
            settings=deps.settings,
            signature=signature,
            timestamp=timestamp,
            nonce=nonce,
            echostr=echostr,
        )

    @post(
        "/",
        media_type=MediaType.TEXT,
        status_code=200,
        request_max_body_size=push.MAX_BODY,
        **operation(
            "接收微信消息推送",
            "微信服务器推送的订阅消息事件（弹窗选择、设置页更改、发送结果），JSON 或 XML，明文或"
            "安全模式加密；签名、时间戳（5 分钟内）和解密都通过才处理，否则答 401 且不改变任何"
            "数据。处理后答纯文本 success；重复推送不重复生效。",
            problems={**_PUSH_PROBLEMS, 413: ["payload_too_large"]},
        ),
    )
    async def receive(self, request: PublicRequest, deps: Deps) -> str:
        return await service.receive_push(
            settings=deps.settings,
            query={k: v for k, v in request.query_params.items()},
            body=await request.body(),
            templates=_templates(deps),
            doorbell=deps.doorbell,
        )

"""Notification routes: the citizen's subscription results and inbox; staff notices; WeChat's
message push (public: WeChat's signature instead of a token)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.datastructures import State
from litestar.params import JSONBody

from backend.cases.present import shanghai
from backend.http.auth import PUBLIC, Principal, citizen_only, staff_roles
from backend.http.pagination import Page, PageSize
from backend.outbox.service import unit_of_work
from notifications import inbox, ledger, push
from notifications.schemas import (
    CreditOut,
    CreditsOut,
    MessageOut,
    MessagePage,
    NoticeOut,
    NoticePage,
    SubscriptionsIn,
)
from notifications.templates import Configured


def _credits(credits: list[ledger.Credit], templates: dict[str, Configured]) -> CreditsOut:
    by_id = {c.template_id: c for c in credits}
    return CreditsOut(
        templates=[
            CreditOut(
                event=event,
                template_id=conf.template_id,
                kind=conf.kind,
                status=by_id[conf.template_id].status if conf.template_id in by_id else None,
                credits=by_id[conf.template_id].credits if conf.template_id in by_id else 0,
            )
            for event, conf in sorted(templates.items())
        ]
    )


def _message(row: dict[str, Any]) -> MessageOut:
    return MessageOut(
        id=row["id"],
        event=row["event"],
        title=row["title"],
        body=row["body"],
        case_number=row["case_number"],
        channel=row["channel"],
        status=row["status"],
        created_at=shanghai(row["created_at"]) or "",
        read_at=shanghai(row["read_at"]),
    )


class CitizenNotificationController(Controller):
    path = "/api/v1"
    tags = ["citizen notifications"]
    guards = [citizen_only]

    @post(
        "/notifications/subscriptions",
        status_code=200,
        summary="Report a wx.requestSubscribeMessage result; answers the credits per template",
    )
    async def subscriptions(
        self, request: Request[Principal, Any, Any], state: State, data: JSONBody[SubscriptionsIn]
    ) -> CreditsOut:
        templates: dict[str, Configured] = state.templates
        async with unit_of_work(state.doorbell):
            credits = await ledger.record_results(
                citizen_id=request.user.id, results=data.results, templates=templates
            )
        return _credits(credits, templates)

    @get("/notifications/subscriptions", summary="My credits per template")
    async def my_credits(self, request: Request[Principal, Any, Any], state: State) -> CreditsOut:
        templates: dict[str, Configured] = state.templates
        return _credits(
            await ledger.credits_of(citizen_id=request.user.id, templates=templates), templates
        )

    @get("/messages", summary="Every message meant for me, whether or not WeChat delivered it")
    async def messages(
        self, request: Request[Principal, Any, Any], page: Page = 1, page_size: PageSize = 20
    ) -> MessagePage:
        rows, total, unread = await inbox.messages(
            citizen_id=request.user.id, page=page, page_size=page_size
        )
        return MessagePage(items=[_message(r) for r in rows], total=total, unread=unread)

    @post("/messages/{message_id:int}/read", status_code=200, summary="Mark a message read")
    async def read(self, request: Request[Principal, Any, Any], message_id: int) -> MessageOut:
        return _message(await inbox.mark_read(citizen_id=request.user.id, message_id=message_id))


def _notice(row: dict[str, Any]) -> NoticeOut:
    return NoticeOut(
        id=row["id"],
        kind=row["kind"],
        text=row["text"],
        case_number=row["case_number"],
        created_at=shanghai(row["created_at"]) or "",
        read_at=shanghai(row["read_at"]),
    )


class StaffNoticeController(Controller):
    path = "/api/v1/staff/notices"
    tags = ["staff notices"]
    guards = [staff_roles()]

    @get("/", summary="My notices: tasks (tell a citizen in person) and reminders")
    async def notices(
        self,
        request: Request[Principal, Any, Any],
        unread: bool = False,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> NoticePage:
        who = request.user
        rows, total, count = await inbox.notices(
            staff_id=who.id,
            role=who.role or "",
            area_code=who.area_code or "",
            unread_only=unread,
            page=page,
            page_size=page_size,
        )
        return NoticePage(items=[_notice(r) for r in rows], total=total, unread=count)

    @post("/{notice_id:int}/read", status_code=204, summary="Mark a notice read (done)")
    async def read(self, request: Request[Principal, Any, Any], notice_id: int) -> None:
        who = request.user
        await inbox.mark_notice_read(
            notice_id=notice_id, staff_id=who.id, role=who.role or "", area_code=who.area_code or ""
        )


class WeChatPushController(Controller):
    """WeChat's message push (消息推送); every request is checked by ``notifications.push``."""

    path = "/api/v1/wechat/push"
    opt = PUBLIC
    tags = ["wechat push"]

    @get("/", media_type=MediaType.TEXT, summary="WeChat's URL check: echostr when signed")
    async def check(
        self,
        state: State,
        signature: str = "",
        timestamp: str = "",
        nonce: str = "",
        echostr: str = "",
    ) -> str:
        return push.verify_url(
            push.PushConfig.of(state.settings),
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
        summary="Subscribe-message events pushed by WeChat (JSON or XML, plain or encrypted)",
    )
    async def receive(self, request: Request[Any, Any, Any], state: State) -> str:
        opened = push.open_push(
            push.PushConfig.of(state.settings),
            query={k: v for k, v in request.query_params.items()},
            body=await request.body(),
        )
        async with unit_of_work(state.doorbell):
            await push.apply(opened, templates=state.templates)
        return push.SUCCESS

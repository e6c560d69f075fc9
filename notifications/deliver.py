"""Delivering one message (the ``message.deliver`` outbox job) — at least once, never twice.

1. In a transaction, the message row is locked; a finished one is left alone (a rerun job). For
   a WeChat message the citizen's consent is spent once (``credit_spent``): no credit or a
   refusal ends it as ``permanent_failure`` without calling WeChat.
2. It is marked ``sending`` and committed; then WeChat is called, at the shared send rate.
3. The answer decides: ``delivered`` (with WeChat's msgid); ``temporary_failure`` and a retry
   with back-off on -1, 45009 or a network error (``technical_failure`` after the last try);
   ``permanent_failure`` on 43101 (the refusal is also written to the ledger), 40003, 40037,
   47003; a token WeChat rejects twice (one refresh, single-flight, done by the gateway) is a
   ``technical_failure``, never a loop. An unused credit is given back.
4. A message that needs the citizen to act and did not reach them becomes a task for the
   case's agent or the township desk.

A worker killed between WeChat's answer and the commit of ``delivered`` leaves the row
``sending``; the rerun sends again — the only way a duplicate can happen, and it is counted
(``attempts`` > 1 with a ``sending`` start) in the logs.
"""

from __future__ import annotations

from typing import Any, Final

import structlog

from backend import db
from backend.cases import events
from backend.identity.store import notices as people
from backend.outbox.runner import HandlerContext
from backend.wechat.ports import WeChatError, WeChatGateway
from notifications import fallback, ledger
from notifications.events import DELIVER, read_deliver
from notifications.ratelimit import SendRate
from notifications.sms import SmsError, SmsSender
from notifications.store import outgoing
from notifications.store.outgoing import FINAL, Outgoing
from notifications.templates import TEMPLATES, Configured

log = structlog.get_logger(__name__)

REFUSED_ERRCODE: Final = 43101


class RetryLater(Exception):
    """A temporary failure: the outbox runs the job again after its back-off."""


async def _begin(message_id: int, templates: dict[str, Configured]) -> Outgoing | None:
    """Lock, check consent, mark ``sending``; None when there is nothing to send."""
    async with db.engine().transaction():
        row = await outgoing.lock(message_id)
        if row is None or row.status in FINAL:
            return None
        if row.channel == "wechat" and not row.credit_spent:
            kind = templates[row.event].kind if row.event in templates else "one_time"
            why = await ledger.spend(
                citizen_id=row.recipient_id, template_id=row.template_id or "", kind=kind
            )
            if why is not None:
                await outgoing.finish(row.id, "permanent_failure", error=why)
                await _fall_back(row, why)
                return None
        if row.status == "sending":
            log.warning("message_resent_after_interruption", message_id=message_id)
        await outgoing.mark_sending(message_id, credit_spent=row.channel == "wechat")
    return row


async def _fall_back(row: Outgoing, why: str) -> None:
    if not row.needs_action or not row.case_number or row.channel == "sms":
        return  # an SMS goes with an inbox message, whose task to tell in person already exists
    case = await events.case_for_notice(row.case_number)
    if case is not None:
        await fallback.tell_in_person(case=case, title=row.title, key=row.key, why=why)


async def give_up(
    row: Outgoing,
    status: str,
    why: str,
    *,
    errcode: int | None = None,
    error: str = "",
    kind: str = "one_time",
    refund: bool = True,
) -> None:
    """Finish unsent-for-good, in the caller's transaction: record it, give back an unused
    credit (``refund``), remember a refusal (43101), tell someone in person."""
    await outgoing.finish(row.id, status, error=error or why, errcode=errcode)
    if row.channel == "wechat":
        template_id = row.template_id or ""
        if errcode == REFUSED_ERRCODE:
            await ledger.refused(citizen_id=row.recipient_id, template_id=template_id)
        elif refund:
            await ledger.refund(citizen_id=row.recipient_id, template_id=template_id, kind=kind)
    await _fall_back(row, why)


async def undelivered(row: Outgoing, *, errcode: int, error: str) -> None:
    """WeChat took the message but its ``subscribe_msg_sent_event`` says it never reached the
    citizen; in the caller's transaction. The credit was used on WeChat's side: none back."""
    why = "refused" if errcode == REFUSED_ERRCODE else "failed"
    await give_up(row, "permanent_failure", why, errcode=errcode, error=error, refund=False)
    log.warning("message_undelivered", message_id=row.id, errcode=errcode)


async def _end(row: Outgoing, status: str, why: str, **kw: Any) -> None:
    """``give_up`` in a transaction of its own."""
    async with db.engine().transaction():
        await give_up(row, status, why, **kw)


async def deliver(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    message_id = read_deliver(payload).message_id
    services = ctx.services
    templates: dict[str, Configured] = services["templates"]
    row = await _begin(message_id, templates)
    if row is None:
        return
    kind = templates[row.event].kind if row.event in templates else "one_time"
    rate: SendRate | None = services.get("send_rate")
    if rate is not None:
        await rate.wait()
    try:
        if row.channel == "sms":
            msgid = await _send_sms(services, row)
        else:
            msgid = await _send_wechat(services["wechat"], row)
    except WeChatError as exc:
        await _wechat_failed(ctx, row, exc, kind)
        return
    except SmsError as exc:
        await _sms_failed(ctx, row, exc)
        return
    async with db.engine().transaction():
        await outgoing.finish(row.id, "delivered", msgid=msgid)
    log.info("message_delivered", message_id=message_id, channel=row.channel)


async def _send_wechat(wechat: WeChatGateway, row: Outgoing) -> str:
    template = TEMPLATES.get(row.event)
    msgid = await wechat.send_subscribe_message(
        openid=await _openid(row.recipient_id),
        template_id=row.template_id or "",
        data=row.data,
        page=row.page or (template.page if template else None),
    )
    return str(msgid)


async def _openid(citizen_id: str) -> str:
    found = await people.contact(citizen_id)
    openid = found.openid if found else None
    if not openid:
        raise WeChatError(40003, "the citizen has no WeChat account any more")
    return str(openid)


async def _send_sms(services: Any, row: Outgoing) -> str:
    sms: SmsSender | None = services.get("sms")
    if sms is None:
        raise SmsError("SMS is not configured", retryable=True)
    return await sms.send(citizen_id=row.recipient_id, text=row.body)


async def _sms_failed(ctx: HandlerContext, row: Outgoing, exc: SmsError) -> None:
    bound = log.bind(message_id=row.id, attempt=ctx.attempt)
    if exc.retryable and not ctx.last_attempt:
        async with db.engine().transaction():
            await outgoing.finish(row.id, "temporary_failure", error=str(exc))
        bound.info("message_temporary_failure", error=str(exc))
        raise RetryLater(str(exc))
    status = "technical_failure" if exc.retryable else "permanent_failure"
    await _end(row, status, "failed", error=str(exc))
    bound.warning("message_" + status, error=str(exc))


async def _wechat_failed(ctx: HandlerContext, row: Outgoing, exc: WeChatError, kind: str) -> None:
    bound = log.bind(message_id=row.id, errcode=exc.errcode, attempt=ctx.attempt)
    if exc.permanent or exc.errcode == 40003:
        why = "refused" if exc.errcode == REFUSED_ERRCODE else "failed"
        await _end(row, "permanent_failure", why, errcode=exc.errcode, error=str(exc), kind=kind)
        bound.warning("message_permanent_failure")
        return
    if exc.retryable and not ctx.last_attempt:
        async with db.engine().transaction():
            await outgoing.finish(row.id, "temporary_failure", error=str(exc), errcode=exc.errcode)
        bound.info("message_temporary_failure")
        raise RetryLater(str(exc))
    await _end(row, "technical_failure", "failed", errcode=exc.errcode, error=str(exc), kind=kind)
    bound.warning("message_technical_failure")


HANDLERS: Final = {DELIVER: deliver}

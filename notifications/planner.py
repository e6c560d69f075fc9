"""From a domain event to the messages it means: who hears of it, through which channel.

Every notifiable event becomes, for its recipient, one message row per channel, keyed
``<event key>:<recipient>:<channel>`` (unique), in one transaction with the outbox rows that
deliver them — so a rerun job finds the messages already there and makes none twice.

- A citizen with WeChat gets a ``wechat`` message (delivered by ``deliver``); every message is
  also readable in their inbox (``GET /api/v1/messages``) whatever WeChat did.
- A citizen without WeChat gets an ``inbox`` message only — and, when the event needs them to
  act (supplement, result ready, rejected), a task for the case's agent or the township desk to
  tell them in person (``fallback``), and an SMS when an SMS gateway is configured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import structlog

from backend.cases import events
from backend.cases.events import CASE_EVENT, CaseEventV1, NoticeCase
from backend.cases.states import CITIZEN_HEARS
from backend.catalogue import service as catalogue
from backend.delegation.events import REQUESTED_EVENT as MANDATE_REQUESTED
from backend.delegation.events import MandateRequestedV1, read_mandate_requested
from backend.delegation.store import notices as mandates
from backend.identity.store import notices as people
from backend.outbox.runner import HandlerContext
from backend.outbox.service import publish, unit_of_work
from notifications import fallback, store, texts
from notifications.events import DELIVER, deliver_payload
from notifications.templates import TEMPLATES, Configured

log = structlog.get_logger(__name__)


ACTION_EVENTS: Final[dict[str, str]] = {
    action.value: event for action, event in CITIZEN_HEARS.items()
}
"""Case actions a citizen hears of: the machine's one list (``backend.cases.states``)."""


@dataclass(frozen=True, slots=True)
class Recipient:
    citizen_id: str
    openid: str | None
    has_phone: bool


@dataclass(frozen=True, slots=True)
class Planned:
    key: str
    event: str
    recipient: Recipient
    case: NoticeCase | None
    values: dict[str, object]
    page: str
    body: str


async def _recipient(citizen_id: str) -> Recipient | None:
    found = await people.contact(citizen_id)
    if found is None:
        return None
    return Recipient(found.citizen_id, found.openid, found.has_phone)


async def _item_name(case: NoticeCase) -> str:
    try:
        if case.bundle_code:
            return (await catalogue.get_bundle(code=case.bundle_code)).spec.name
        return (await catalogue.get_item(code=case.item_code or "")).spec.name
    except Exception:
        return str(case.item_code or case.bundle_code or "")


async def _note(kind: str, event: CaseEventV1) -> str:
    """The one-line note of a case message."""
    case = event.case
    if kind == "case.supplement":
        return "、".join(event.missing) or await events.step_note(event.event_id)
    if kind == "case.accepted":
        deadline = event.deadline or await events.case_deadline(case.case_id)
        if deadline:
            return texts.ACCEPTED_NOTE.format(days=case.committed_days, deadline=deadline)
        return texts.ACCEPTED_NO_DEADLINE
    if kind == "case.result_ready":
        return texts.DELIVERY_NOTES.get(case.delivery_method, "")
    if kind == "case.rejected":
        return await events.step_note(event.event_id) or texts.REJECTED_SEE_APP
    return ""


async def plan_case_event(event: CaseEventV1) -> Planned | None:
    if event.action not in ACTION_EVENTS:
        return None
    case = event.case
    if event.action == "submit" and case.parent_id is not None:
        return None  # a bundle's children are submitted with it: one message
    recipient = await _recipient(case.applicant_id)
    if recipient is None:
        return None
    kind = ACTION_EVENTS[event.action]
    item = await _item_name(case)
    note = await _note(kind, event)
    values: dict[str, object] = {
        "number": case.number,
        "item": item,
        "status": texts.PHRASES[kind],
        "at": event.at,
        "note": note,
    }
    body = texts.BODIES[kind].format(number=case.number, item=item, note=note)
    page = TEMPLATES[kind].page.format(number=case.number)
    return Planned(f"case-event:{event.event_id}", kind, recipient, case, values, page, body)


async def plan_mandate(event: MandateRequestedV1) -> Planned | None:
    """The message asking a citizen to confirm a mandate, while it still awaits them."""
    mandate = await mandates.mandate(event.mandate_id, pending_only=True)
    if mandate is None:
        return None
    agent = await people.staff_name(mandate.agent_id)
    if agent is None:
        return None
    recipient = await _recipient(event.citizen_id)
    if recipient is None:
        return None
    scope = mandate.bundle_code or "、".join(mandate.item_codes)
    try:
        if mandate.bundle_code:
            scope = (await catalogue.get_bundle(code=mandate.bundle_code)).spec.name
        else:
            scope = "、".join(
                [(await catalogue.get_item(code=c)).spec.name for c in mandate.item_codes]
            )
    except Exception:
        log.warning("mandate_scope_unnamed", mandate_id=mandate.id)
    values: dict[str, object] = {
        "agent": agent,
        "scope": scope,
        "expires": mandate.expires_on.isoformat(),
        "note": texts.MANDATE_NOTE,
    }
    body = texts.BODIES[MANDATE_REQUESTED].format(agent=agent, scope=scope)
    return Planned(
        f"mandate:{mandate.id}",
        MANDATE_REQUESTED,
        recipient,
        None,
        values,
        TEMPLATES[MANDATE_REQUESTED].page,
        body,
    )


async def write_messages(
    planned: Planned, templates: dict[str, Configured], sms: bool
) -> list[int]:
    """The message rows of ``planned`` and their delivery outbox rows; in the caller's
    transaction. Returns the ids of messages created now (none on a rerun)."""
    template = TEMPLATES[planned.event]
    configured = templates[planned.event]
    who = planned.recipient
    channels = ["wechat"] if who.openid else ["inbox"]
    if sms and who.has_phone and template.needs_action and not who.openid:
        channels.append("sms")
    created: list[int] = []
    for channel in channels:
        wechat = channel == "wechat"
        message_id = await store.add_message(
            store.NewMessage(
                key=f"{planned.key}:{who.citizen_id}:{channel}",
                event=planned.event,
                recipient_id=who.citizen_id,
                channel=channel,
                case_number=planned.case.number if planned.case else None,
                title=template.title,
                body=planned.body,
                page=planned.page,
                template_id=configured.template_id if wechat else None,
                template_version=(
                    template.version(configured.template_id, configured.kind) if wechat else None
                ),
                data=template.data(planned.values),
                needs_action=template.needs_action,
                status="delivered" if channel == "inbox" else "created",
                finished=channel == "inbox",
            )
        )
        if message_id is None:
            continue
        created.append(message_id)
        if channel in ("wechat", "sms"):
            await publish(
                kind=DELIVER,
                payload=deliver_payload(message_id),
                dedup_key=f"deliver:{message_id}",
            )
    if "inbox" in channels and template.needs_action and planned.case is not None:
        await fallback.tell_in_person(
            case=planned.case, title=template.title, key=f"{planned.key}:{who.citizen_id}"
        )
    return created


async def handle(ctx: HandlerContext, payload: dict[str, Any], planned: Planned | None) -> None:
    if planned is None:
        return
    services = ctx.services
    async with unit_of_work(services.get("doorbell")):
        created = await write_messages(
            planned, services["templates"], sms=services.get("sms") is not None
        )
    log.info("messages_planned", kind=planned.event, key=planned.key, created=len(created))


async def on_case_event(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    event = await events.read_case_event(payload)
    await handle(ctx, payload, await plan_case_event(event) if event is not None else None)


async def on_mandate_requested(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    await handle(ctx, payload, await plan_mandate(read_mandate_requested(payload)))


HANDLERS: Final = {CASE_EVENT: on_case_event, MANDATE_REQUESTED: on_mandate_requested}

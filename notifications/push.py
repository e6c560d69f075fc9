"""WeChat's message push (消息推送) of the mini-program: the URL check and subscribe-message events.

WeChat calls ``/api/v1/wechat/push``: a GET to check the URL (``echostr`` back when the SHA-1
signature over the sorted ``[token, timestamp, nonce]`` matches), then a POST per event, in JSON
or XML, in plain mode (the same ``signature``) or safe mode (``msg_signature`` over
``[token, timestamp, nonce, Encrypt]`` and an AES body opened with wechatpy's ``PrpCrypto``).
A push that fails any check — signature, msg_signature, body that does not decrypt or parse,
timestamp more than five minutes off — is refused with 401 and changes nothing; the log line
says why, never what the body held.

Events (a popup or change event lists one template as an object, several as a list; XML wraps
the list in ``SubscribeMsgPopupEvent``/``SubscribeMsgChangeEvent``/``SubscribeMsgSentEvent``):

- ``subscribe_msg_popup_event`` / ``subscribe_msg_change_event`` → the consent ledger
  (``source`` ``popup``/``change``); the ledger's same-tap rule keeps the app's report and the
  popup event of one tap to one credit.
- ``subscribe_msg_sent_event`` → the message with that ``MsgID``: ErrorCode 0 confirms it;
  another code makes it a ``permanent_failure`` (43101 also marks the template refused) and,
  when the citizen must act, a task to tell them in person.

Unknown openids, templates and events are acknowledged and change nothing.

Replays. Popup events carry no id, so each list item is claimed once under a hash of
(openid, CreateTime, Event, TemplateId, MsgID) in the idempotency-key table, in the same
transaction as its effect: a push WeChat repeats (or someone replays) finds the claim and adds
nothing. Plain mode signs only the query, not the body, so each (timestamp, nonce) is also
claimed with a hash of the body: the same signed query with another body is refused as forged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import structlog
import xmltodict  # type: ignore[import-untyped]  # wechatpy parses pushes with it too
from wechatpy.crypto import PrpCrypto
from wechatpy.utils import WeChatSigner

from backend import clock
from backend.errors import InvalidInput, ServiceUnavailable, Unauthenticated
from backend.idempotency import service as idempotency
from backend.identity.store import notices as people
from backend.settings import Settings
from notifications import deliver, ledger, texts
from notifications.store import outgoing
from notifications.templates import Configured

log = structlog.get_logger(__name__)

SUCCESS: Final = "success"
MAX_SKEW_S: Final = 300
MAX_BODY: Final = 64 * 1024
CLAIM_TTL_S: Final = 24 * 3600
POPUP: Final = "subscribe_msg_popup_event"
CHANGE: Final = "subscribe_msg_change_event"
SENT: Final = "subscribe_msg_sent_event"
WRAPPERS: Final = {
    POPUP: "SubscribeMsgPopupEvent",
    CHANGE: "SubscribeMsgChangeEvent",
    SENT: "SubscribeMsgSentEvent",
}
SOURCES: Final = {POPUP: "popup", CHANGE: "change"}


@dataclass(frozen=True, slots=True)
class PushConfig:
    token: str
    aes_key: bytes | None
    appid: str

    @classmethod
    def of(cls, settings: Settings) -> PushConfig:
        """The push settings; 503 ``push_not_configured`` while ``WECHAT_PUSH_TOKEN`` is empty."""
        if not settings.wechat_push_token:
            raise ServiceUnavailable(texts.PUSH_NOT_CONFIGURED, code="push_not_configured")
        aes = settings.wechat_push_aes_key
        return cls(
            settings.wechat_push_token,
            base64.b64decode(aes + "=") if aes else None,
            settings.wechat_appid,
        )


@dataclass(frozen=True, slots=True)
class Opened:
    """A push whose signature held: the event, and what claims its (timestamp, nonce)."""

    event: Mapping[str, Any]
    nonce_key: str
    body_hash: str


def _forged(reason: str, timestamp: str) -> Unauthenticated:
    log.warning("wechat_push_forged", reason=reason, timestamp=timestamp)
    return Unauthenticated(texts.PUSH_SIGNATURE_INVALID, code="push_signature_invalid")


def _signed(given: str, *parts: str) -> bool:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return hmac.compare_digest(str(signer.signature).encode(), given.encode())


def _fresh(timestamp: str) -> bool:
    return timestamp.isdigit() and abs(clock.now_utc().timestamp() - int(timestamp)) <= MAX_SKEW_S


def verify_url(
    config: PushConfig, *, signature: str, timestamp: str, nonce: str, echostr: str
) -> str:
    """WeChat's URL check: ``echostr`` back when the signature holds, else 401."""
    if not _fresh(timestamp) or not _signed(signature, config.token, timestamp, nonce):
        raise _forged("url check", timestamp)
    return echostr


def _parse(data: bytes) -> Mapping[str, Any]:
    """A JSON or XML push body (``ValueError`` when it is neither)."""
    text = data.decode("utf-8").strip()
    if text.startswith("<"):
        try:
            parsed = xmltodict.parse(text, disable_entities=True).get("xml")
        except Exception as exc:  # expat's ExpatError, and whatever a hostile body may raise
            raise ValueError("not XML") from exc
    else:
        parsed = json.loads(text)
    if not isinstance(parsed, Mapping):
        raise ValueError("not an object")
    return parsed


def open_push(config: PushConfig, *, query: Mapping[str, str], body: bytes) -> Opened:
    """Check a POST's signature and timestamp and open its body; 401 for anything forged."""
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    if not _fresh(timestamp):
        raise _forged("timestamp", timestamp)
    safe = "msg_signature" in query or query.get("encrypt_type") == "aes"
    if not safe and not _signed(query.get("signature", ""), config.token, timestamp, nonce):
        raise _forged("signature", timestamp)
    try:
        outer = _parse(body)
    except ValueError:
        raise _forged("unreadable body", timestamp) from None
    encrypted = outer.get("Encrypt")
    if safe or encrypted is not None:
        if config.aes_key is None or not isinstance(encrypted, str):
            raise _forged("encrypted push without key or cipher text", timestamp)
        if not _signed(query.get("msg_signature", ""), config.token, timestamp, nonce, encrypted):
            raise _forged("msg_signature", timestamp)
        try:
            event = _parse(PrpCrypto(config.aes_key).decrypt(encrypted, config.appid).encode())
        except Exception:  # a bad key, padding, length or appid: all mean "not from WeChat"
            raise _forged("undecryptable body", timestamp) from None
    else:
        event = outer
    return Opened(event, _digest("nonce", timestamp, nonce), _digest("body", body.hex()))


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _items(event: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    holder = event.get(WRAPPERS[name], event)
    raw = holder.get("List") if isinstance(holder, Mapping) else None
    if raw is None:
        raw = event.get("List")
    listed = [raw] if isinstance(raw, Mapping) else raw if isinstance(raw, list) else []
    return [item for item in listed if isinstance(item, Mapping)]


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


async def _claimed(scope: str, key: str, fingerprint: str, ttl_s: int) -> bool:
    """True when ``key`` was claimed before (a replay); in the caller's transaction."""
    return await idempotency.seen_before(scope=scope, key=key, fingerprint=fingerprint, ttl_s=ttl_s)


async def apply(opened: Opened, *, templates: Mapping[str, Configured]) -> int:
    """What the push means, in the caller's transaction; returns how many items took effect."""
    try:
        if await _claimed("wechat-push-nonce", opened.nonce_key, opened.body_hash, 2 * MAX_SKEW_S):
            return 0
    except InvalidInput:  # the signed (timestamp, nonce) of an earlier push, another body
        raise _forged("nonce reused with another body", "") from None
    event = opened.event
    name = _text(event.get("Event"))
    openid = _text(event.get("FromUserName"))
    if name not in WRAPPERS or not openid:
        return 0
    citizen_id = await people.citizen_by_openid(openid)
    if citizen_id is None:
        return 0
    kinds = {c.template_id: c.kind for c in templates.values()}
    done = 0
    for item in _items(event, name):
        template_id, msgid = _text(item.get("TemplateId")), _text(item.get("MsgID"))
        key = _digest(openid, _text(event.get("CreateTime")), name, template_id, msgid)
        if await _claimed("wechat-push", key, key, CLAIM_TTL_S):
            continue
        if name == SENT:
            done += await _sent(citizen_id, msgid, item)
        elif template_id in kinds:
            await ledger.record(
                citizen_id=citizen_id,
                template_id=template_id,
                status=_text(item.get("SubscribeStatusString")),
                source=SOURCES[name],
                kind=kinds[template_id],
            )
            done += 1
    log.info("wechat_push_applied", push_event=name, items=done)
    return done


async def _sent(citizen_id: str, msgid: str, item: Mapping[str, Any]) -> int:
    """WeChat's word on a message it took: 0 confirms it, any other code means it never came."""
    code = _text(item.get("ErrorCode"))
    if not msgid or not code.lstrip("-").isdigit() or int(code) == 0:
        return 0
    row = await outgoing.lock_sent(citizen_id=citizen_id, msgid=msgid)
    if row is None or row.status != "delivered":
        return 0
    await deliver.undelivered(row, errcode=int(code), error=_text(item.get("ErrorStatus")))
    return 1

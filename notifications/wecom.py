"""Staff notices also pushed to WeCom (企业微信), when a deployment switches it on.

Every notice of the portal's bell (tasks and reminders) is sent as a text message to the WeCom
accounts of the staff it is meant for — the staff member's own notice, or every active window
clerk and supervisor of the township for a township notice; the WeCom userid is the staff
username. A cron sends the notices not yet sent (PostgreSQL is the record: ``wecom_sent_at``),
claiming them with ``FOR UPDATE SKIP LOCKED`` so two workers never send one twice; a failed
send is tried again on the next run, at most ``MAX_ATTEMPTS`` times. Off unless
``WECOM_CORP_ID`` is set; the portal bell is there either way.

wechatpy's ``enterprise.WeChatClient`` is synchronous and reads its token from a hard-coded
URL: it is subclassed to use ``WECOM_API_BASE`` (the local fake in dev and tests), called in a
thread with a timeout, without its own retry loop.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any, Final

import structlog
from wechatpy.enterprise import WeChatClient
from wechatpy.exceptions import WeChatClientException

from backend import db
from backend.clock import now_utc
from backend.http.outbound import OutboundPolicy, OutboundRefused, split_url
from backend.identity.store import notices as people
from notifications.store import inbox
from notifications.store.inbox import Unpushed

log = structlog.get_logger(__name__)

MAX_ATTEMPTS: Final = 5
WINDOW: Final = timedelta(days=1)
"""Notices older than this are not pushed any more (the bell still has them)."""


class _Client(WeChatClient):  # type: ignore[misc]
    def __init__(self, corp_id: str, secret: str, api_base: str, timeout_s: float) -> None:
        super().__init__(corp_id, secret, timeout=timeout_s, auto_retry=False)
        self.API_BASE_URL = api_base

    def fetch_access_token(self) -> Any:
        return self._fetch_access_token(
            url=self.API_BASE_URL + "gettoken",
            params={"corpid": self.corp_id, "corpsecret": self.secret},
        )


class WeComSender:
    """Sends a text message from one WeCom app to a list of userids."""

    def __init__(
        self,
        corp_id: str,
        secret: str,
        agent_id: str,
        api_base: str = "https://qyapi.weixin.qq.com/cgi-bin/",
        *,
        timeout_s: float = 5.0,
        outbound: OutboundPolicy | None = None,
    ) -> None:
        self.agent_id = agent_id
        self.timeout_s = timeout_s
        self.outbound = outbound or OutboundPolicy(dev_mode=True)
        self._client = _Client(corp_id, secret, api_base.rstrip("/") + "/", timeout_s)
        _scheme, self._host, self._port = split_url(api_base)

    async def send_text(self, userids: list[str], text: str) -> None:
        # wechatpy connects through requests, which resolves again: this check before each send
        # refuses a forbidden address, the platform client's transport also pins the address.
        try:
            await self.outbound.checked_addresses(self._host, self._port)
        except OutboundRefused as exc:
            raise ConnectionRefusedError(f"WECOM_API_BASE refused: {exc.code}") from exc
        await asyncio.wait_for(
            asyncio.to_thread(
                self._client.message.send_text, self.agent_id, "|".join(userids), text
            ),
            timeout=self.timeout_s + 1,
        )


async def _recipients(notice: Unpushed) -> list[str]:
    if notice.staff is not None:
        return await people.active_username(notice.staff)
    return await people.desk_usernames(notice.township or "")


async def send_pending(sender: WeComSender, *, limit: int = 200) -> int:
    """Push the notices not yet sent, one short transaction each (a notice's row is locked
    only while it is sent); returns how many were sent now."""
    sent = 0
    after = 0  # each notice once per run: a failed one waits for the next run
    for _ in range(limit):
        async with db.engine().transaction():
            notice = await inbox.claim_unpushed(
                max_attempts=MAX_ATTEMPTS, since=now_utc() - WINDOW, after=after
            )
            if notice is None:
                break
            after = notice.id
            userids = await _recipients(notice)
            try:
                if userids:
                    await sender.send_text(userids, notice.text)
            except (WeChatClientException, OSError, TimeoutError) as exc:
                log.warning("wecom_send_failed", notice_id=notice.id, error=str(exc))
                await inbox.record_push(notice.id, sent=False, error=str(exc))
            else:
                error = "" if userids else "no WeCom account"
                await inbox.record_push(notice.id, sent=True, error=error)
                sent += 1 if userids else 0
    if sent:
        log.info("wecom_notices_sent", count=sent)
    return sent

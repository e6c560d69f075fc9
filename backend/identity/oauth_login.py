"""H5 sign-in inside WeChat (an Official Account web page, 网页授权 with ``snsapi_base``).

The browser asks for the authorize URL with a nonce of its own (``start_oauth``), WeChat sends
it back to our page under ``/m/`` with a one-time code and our ``state``, and the page posts both
with the same nonce (``login_with_oauth``). The state is bound to the nonce and usable once
(``oauth_state``), so a code and state carried to another browser sign nobody in there.
The account is kept under the Official Account's appid; a new one joins the citizen that already
has an account with the same unionid (``store.accounts.login``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

import structlog

from backend import clock, db
from backend.errors import InvalidInput, ServiceUnavailable, Unauthenticated
from backend.identity import texts
from backend.identity.oauth_state import make_state, nonce_ok, spend_state, state_ok
from backend.identity.service import CitizenLogin
from backend.identity.store import accounts
from backend.wechat.ports import WeChatCodeInvalid, WeChatError, WeChatOAuthGateway

log = structlog.get_logger(__name__)

REDIRECT_MAX: Final = 512
_REDIRECT = re.compile(r"/m/[A-Za-z0-9/_.~%=&?-]*")


@dataclass(frozen=True, slots=True)
class OAuthStart:
    url: str
    state: str


def redirect_ok(path: str) -> bool:
    """A path of our own H5 (under ``/m/``): no other origin, no way out of ``/m/``."""
    return (
        len(path) <= REDIRECT_MAX
        and _REDIRECT.fullmatch(path) is not None
        and "//" not in path
        and ".." not in path
        and "%2" not in path.lower()  # no encoded slash or dot to undo the checks above
        and "%5c" not in path.lower()
    )


def start_oauth(
    *, gateway: WeChatOAuthGateway, secret_key: str, base_url: str, redirect: str, nonce: str
) -> OAuthStart:
    """The authorize URL sending the browser back to ``redirect`` on our own origin, with a
    state bound to the browser's ``nonce``."""
    if not redirect_ok(redirect):
        raise InvalidInput(texts.REDIRECT_INVALID, code="redirect_invalid")
    if not nonce_ok(nonce):
        raise InvalidInput(texts.OAUTH_NONCE_INVALID, code="oauth_nonce_invalid")
    state = make_state(secret_key=secret_key, nonce=nonce, now=clock.now_utc())
    url = gateway.authorize_url(redirect_uri=base_url.rstrip("/") + redirect, state=state)
    return OAuthStart(url, state)


async def login_with_oauth(
    *,
    gateway: WeChatOAuthGateway,
    redis: Any,
    redis_prefix: str,
    secret_key: str,
    code: str,
    state: str,
    nonce: str,
) -> CitizenLogin:
    """Exchange the OAuth code for the citizen behind it, creating them on first sign-in.

    The state must be ours, unexpired, made for this ``nonce`` and not used before; it is spent
    before the code is exchanged, so two posts of it at once sign in at most one.
    """
    state, now = state.strip(), clock.now_utc()
    if not state_ok(secret_key=secret_key, state=state, nonce=nonce, now=now):
        raise Unauthenticated(texts.OAUTH_STATE_INVALID, code="oauth_state_invalid")
    if not await spend_state(redis, prefix=redis_prefix, state=state, now=now):
        log.warning("wechat_oauth_state_reused")
        raise Unauthenticated(texts.OAUTH_STATE_INVALID, code="oauth_state_invalid")
    code = code.strip()
    try:
        user = await gateway.exchange_code(code)
    except WeChatCodeInvalid as exc:
        raise Unauthenticated(texts.OAUTH_CODE_INVALID, code="wechat_code_invalid") from exc
    except WeChatError as exc:
        log.warning("wechat_oauth_unavailable", errcode=exc.errcode)
        raise ServiceUnavailable(texts.WECHAT_UNAVAILABLE, code="wechat_unavailable") from exc
    async with db.engine().transaction():
        row = await accounts.login(
            appid=gateway.appid,
            openid=user.openid,
            unionid=user.unionid,
            miniprogram=False,
            now=clock.now_utc(),
        )
    if row.created:
        log.info("citizen_created", citizen_id=row.id, via="wechat_oauth")
    return CitizenLogin(row.id, row.identity_bound, row.created, row.token_version)

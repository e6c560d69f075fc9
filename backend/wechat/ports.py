"""What the rest of the backend may ask of WeChat (微信), and how it can fail.

Standard library only: services, jobs and tests depend on this module, never on wechatpy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

SecSuggest = Literal["pass", "review", "risky"]

# errcodes whose cause is on WeChat's side and may go away by itself: system busy, quota/rate.
RETRYABLE_ERRCODES = frozenset({-1, 45009})
# errcodes that will fail the same way however often the call is repeated: the user refused
# (43101), bad openid (40003), bad template (40037), bad template data (47003), bad or used code
# (40029, 40163).
PERMANENT_ERRCODES = frozenset({43101, 40003, 40037, 47003, 40029, 40163})
CODE_INVALID_ERRCODES = frozenset({40029, 40163})
# The access token was rejected; the gateway refreshes it and retries once by itself.
TOKEN_REJECTED_ERRCODES = frozenset({40001, 40014, 42001})


@dataclass(frozen=True, slots=True)
class WxSession:
    """The answer to ``wx.login()``'s code: who the citizen is, and the key for their data."""

    openid: str
    session_key: str
    unionid: str | None


@dataclass(frozen=True, slots=True)
class PhoneInfo:
    """The phone number a citizen agreed to share through ``getPhoneNumber``."""

    phone_number: str
    pure_phone_number: str
    country_code: str


class WeChatError(Exception):
    """WeChat answered with an error, or could not be reached (``errcode`` is then ``None``)."""

    def __init__(self, errcode: int | None, errmsg: str) -> None:
        super().__init__(errcode, errmsg)
        self.errcode = errcode
        self.errmsg = errmsg

    def __str__(self) -> str:
        return f"WeChat error {self.errcode}: {self.errmsg}"

    @property
    def retryable(self) -> bool:
        """Trying the same call again later may succeed (network, system busy, quota).

        A rejected access token is not retryable here: the gateway already refreshed it and
        retried once, so a second rejection means something is wrong with the credentials.
        """
        return self.errcode is None or self.errcode in RETRYABLE_ERRCODES

    @property
    def permanent(self) -> bool:
        """The same call will never succeed; give up and record why."""
        return self.errcode in PERMANENT_ERRCODES

    @staticmethod
    def from_errcode(errcode: int | None, errmsg: str) -> WeChatError:
        """The most specific exception for an errcode."""
        if errcode is None:
            return WeChatUnavailable(errmsg)
        if errcode in CODE_INVALID_ERRCODES:
            return WeChatCodeInvalid(errcode, errmsg)
        return WeChatError(errcode, errmsg)


class WeChatCodeInvalid(WeChatError):
    """The login or phone code is unknown, expired (40029) or already used (40163)."""


class WeChatUnavailable(WeChatError):
    """No usable answer: network error, timeout or HTTP 5xx."""

    def __init__(self, errmsg: str) -> None:
        super().__init__(None, errmsg)
        self.args = (errmsg,)  # so that pickling (arq keeps job results) rebuilds it


class WeChatGateway(Protocol):
    """The few mini-program server APIs 就近办 uses."""

    async def code_to_session(self, code: str) -> WxSession:
        """Exchange a ``wx.login()`` code; raises ``WeChatCodeInvalid`` for a bad or used code."""
        ...

    async def get_phone_number(self, code: str) -> PhoneInfo:
        """Exchange a ``getPhoneNumber`` code; raises ``WeChatCodeInvalid`` for a bad code."""
        ...

    async def send_subscribe_message(
        self,
        *,
        openid: str,
        template_id: str,
        data: Mapping[str, Mapping[str, str]],
        page: str | None = None,
        miniprogram_state: str | None = None,
        lang: str = "zh_CN",
    ) -> int:
        """Send a subscribe message (订阅消息); returns WeChat's msgid."""
        ...

    async def msg_sec_check(self, *, openid: str, content: str, scene: int = 1) -> SecSuggest:
        """Content security check (v2); returns ``"pass"``, ``"review"`` or ``"risky"``."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


@dataclass(frozen=True, slots=True)
class OAuthUser:
    """Who signed in through an Official Account web page's OAuth (网页授权, snsapi_base)."""

    openid: str
    unionid: str | None


class WeChatOAuthGateway(Protocol):
    """The Official Account web page's OAuth: the authorize URL and the code exchange."""

    @property
    def appid(self) -> str:
        """The Official Account's appid (the H5's accounts are kept under it)."""
        ...

    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        """Where to send the browser so that WeChat hands a code to ``redirect_uri``."""
        ...

    async def exchange_code(self, code: str) -> OAuthUser:
        """Exchange the code; raises ``WeChatCodeInvalid`` for a bad or used code."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...

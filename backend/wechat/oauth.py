"""The Official Account web page's OAuth (网页授权) through wechatpy's ``WeChatOAuth``.

wechatpy hard-codes both of its base URLs as class attributes; they are set per instance here so
the local fake can serve them. With the default ``WECHAT_API_BASE`` the authorize page is
WeChat's own (``open.weixin.qq.com``); with any other base (the fake) it is served by the same
host under ``connect/``. The blocking exchange runs in a thread with a time budget, and errors
become the port's exceptions without the request URL (it carries the secret).
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from wechatpy.oauth import WeChatOAuth

from backend.settings import DEFAULT_WECHAT_API_BASE, Settings
from backend.wechat.client import _guarded, _TimeoutSession
from backend.wechat.ports import OAuthUser, WeChatUnavailable

WECHAT_OAUTH_BASE = "https://open.weixin.qq.com/connect/"


class _OAuth(WeChatOAuth):  # type: ignore[misc]
    def __init__(self, *, appid: str, secret: str, api_base: str, timeout_s: float) -> None:
        super().__init__(appid, secret, redirect_uri="", scope="snsapi_base")
        self.API_BASE_URL = api_base
        self.OAUTH_BASE_URL = (
            WECHAT_OAUTH_BASE if api_base == DEFAULT_WECHAT_API_BASE else f"{api_base}connect/"
        )
        self._http = _TimeoutSession(timeout_s)


class WeChatOAuthApi:
    """The real OAuth gateway (``WeChatOAuthGateway``)."""

    def __init__(self, *, appid: str, secret: str, api_base: str, timeout_s: float) -> None:
        self._appid = appid
        self._secret = secret
        self._api_base = api_base
        self._timeout_s = timeout_s

    @classmethod
    def from_settings(cls, settings: Settings) -> WeChatOAuthApi:
        return cls(
            appid=settings.wechat_h5_appid,
            secret=settings.wechat_h5_secret,
            api_base=settings.wechat_api_base,
            timeout_s=settings.wechat_timeout_s,
        )

    @property
    def appid(self) -> str:
        return self._appid

    def _client(self, redirect_uri: str = "", state: str = "") -> _OAuth:
        client = _OAuth(
            appid=self._appid,
            secret=self._secret,
            api_base=self._api_base,
            timeout_s=self._timeout_s,
        )
        client.redirect_uri = redirect_uri
        client.state = state
        return client

    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        return str(self._client(redirect_uri, state).authorize_url)

    async def exchange_code(self, code: str) -> OAuthUser:
        client = self._client()
        budget = self._timeout_s + 1
        try:
            result: Any = await asyncio.wait_for(
                asyncio.to_thread(_guarded, partial(client.fetch_access_token, code)), budget
            )
        except TimeoutError:
            raise WeChatUnavailable(f"no answer within {budget:g} s") from None
        finally:
            client._http.close()
        openid = result.get("openid") if isinstance(result, dict) else None
        if not isinstance(openid, str) or not openid:
            raise WeChatUnavailable("oauth2/access_token: no openid in the answer")
        unionid = result.get("unionid")
        return OAuthUser(openid, unionid if isinstance(unionid, str) and unionid else None)

    async def close(self) -> None:
        """Nothing is kept open between calls."""

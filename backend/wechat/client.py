"""The real WeChat gateway: wechatpy 1.8.18 (sync) driven from asyncio through threads.

wechatpy is used for its HTTP plumbing, error decoding and token storage only. Three things it
gets wrong for us are handled here:

- its token URL is hard-coded to api.weixin.qq.com, so the local fake could not be used;
- its token refresh has no lock, so cold workers each fetch a token and burn the daily quota;
- its retry on a rejected token recurses without bound, so it is switched off (``auto_retry``)
  and replaced by one bounded refresh-and-retry.

The blocking calls run on the gateway's own threads, enough for every job a worker runs at once
(``WORKER_MAX_JOBS``), and a call's time budget starts when its thread takes it up. On asyncio's
shared pool (a handful of threads) a send could wait its budget away in the queue, be given up
as unanswered while its thread was still sending, and go out again on the retry: a slow WeChat
then received messages twice.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar, cast

import redis
import requests
import structlog
from redis.exceptions import LockError, RedisError
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.redisstorage import RedisStorage

from backend import deadline
from backend.settings import Settings
from backend.wechat.ports import (
    TOKEN_REJECTED_ERRCODES,
    PhoneInfo,
    SecSuggest,
    WeChatCodeInvalid,
    WeChatError,
    WeChatGateway,
    WeChatUnavailable,
    WxSession,
)

log = structlog.get_logger(__name__)

T = TypeVar("T")

# Refresh a cached token this long before WeChat would expire it, so calls in flight still use
# a valid one.
TOKEN_MARGIN_S = 60
MIN_THREADS = 8
SEC_SUGGESTIONS: frozenset[str] = frozenset({"pass", "review", "risky"})


class _TokenRejected(WeChatError):
    """40001/40014/42001: the access token we sent was not accepted."""


class _TimeoutSession(requests.Session):
    """A session with a default timeout: wechatpy's token fetch passes none."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self._timeout_s = timeout_s

    def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout_s
        return super().request(method, url, *args, **kwargs)


class _Client(WeChatClient):  # type: ignore[misc]
    """wechatpy's client pointed at ``api_base``, with a single-flight token kept in Redis.

    Everything here is blocking and runs in worker threads.
    """

    def __init__(
        self,
        *,
        appid: str,
        secret: str,
        api_base: str,
        timeout_s: float,
        redis_client: redis.Redis,
        key_prefix: str,
    ) -> None:
        super().__init__(
            appid,
            secret,
            session=RedisStorage(redis_client, prefix=key_prefix),
            timeout=timeout_s,
            auto_retry=False,
        )
        self._http = _TimeoutSession(timeout_s)
        self._api_base = api_base
        self.API_BASE_URL = f"{api_base}cgi-bin/"
        self.wxa.API_BASE_URL = api_base
        self._redis = redis_client
        self._token_key: str = self.session.key_name(self.access_token_key)
        self._lock_key = f"{key_prefix}:token-lock"
        # A token fetch takes at most about two socket timeouts (connect + read).
        self._lock_ttl_s = 2 * timeout_s + 5
        self.lock_wait_s = timeout_s + 1

    def fetch_access_token(self) -> dict[str, Any]:
        log.info("wechat.token.fetch", appid=self.appid)
        return cast(
            dict[str, Any],
            self._fetch_access_token(
                url=f"{self._api_base}cgi-bin/token",
                params={
                    "grant_type": "client_credential",
                    "appid": self.appid,
                    "secret": self.secret,
                },
            ),
        )

    @property
    def access_token(self) -> str:
        # Anything that reaches wechatpy's own token lookup gets the single-flight one.
        return self.token()

    def _cached(self) -> tuple[str | None, bool]:
        """The cached token and whether it is fresh enough to use."""
        pipe = self._redis.pipeline(transaction=True)
        pipe.get(self._token_key)
        pipe.ttl(self._token_key)
        raw, ttl = pipe.execute()  # type: ignore[no-untyped-call]
        if raw is None or ttl == -2:
            return None, False
        token = json.loads(raw)
        # ttl -1: stored without expiry (a token handed in from outside); trust it.
        fresh = ttl == -1 or ttl >= TOKEN_MARGIN_S
        return (str(token) if token else None), fresh

    def token(self) -> str:
        """A usable access token, fetched at most once at a time across all processes."""
        token, fresh = self._cached()
        if token is not None and fresh:
            return token
        return self.refresh(rejected=None)

    def refresh(self, *, rejected: str | None) -> str:
        """Fetch a new token under the Redis lock, unless someone else already did.

        ``rejected`` is the token WeChat just refused; it is dropped from the cache only if it is
        still the cached one, so a token another worker fetched meanwhile is kept.
        """
        lock = self._redis.lock(
            self._lock_key, timeout=self._lock_ttl_s, blocking_timeout=self.lock_wait_s, sleep=0.02
        )
        if not lock.acquire():
            raise WeChatUnavailable("timed out waiting for the access token lock")
        try:
            token, fresh = self._cached()
            if token is not None and fresh and token != rejected:
                return token
            if token is not None and token == rejected:
                self.session.delete(self.access_token_key)
            result = self.fetch_access_token()
            return str(result["access_token"])
        finally:
            try:
                lock.release()
            except LockError:
                log.warning("wechat.token.lock_expired", lock_ttl_s=self._lock_ttl_s)

    def call_with_token(self, endpoint: str, token: str, body: Mapping[str, Any]) -> Any:
        """One access-token-protected mini-program API call with the given token."""
        return self.wxa._post(endpoint, params={"access_token": token}, data=dict(body))


def _translate(exc: WeChatClientException) -> WeChatError:
    errcode = exc.errcode
    if errcode is None:
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
        return WeChatUnavailable(f"HTTP {status}" if status else "HTTP error")
    errcode = int(errcode)
    errmsg = str(exc.errmsg)
    if errcode in TOKEN_REJECTED_ERRCODES:
        return _TokenRejected(errcode, errmsg)
    return WeChatError.from_errcode(errcode, errmsg)


def _guarded(fn: Callable[[], T]) -> T:
    """Run ``fn`` and turn whatever it raises into the port's exceptions.

    The new exception is raised outside the ``except`` block so it carries no ``__context__``:
    requests' messages contain the request URL, and with it the secret or the access token.
    """
    error: WeChatError
    try:
        return fn()
    except WeChatError:
        raise
    except WeChatClientException as exc:
        error = _translate(exc)
    except requests.RequestException as exc:
        error = WeChatUnavailable(f"network error: {type(exc).__name__}")
    except RedisError as exc:
        error = WeChatUnavailable(f"token cache unavailable: {type(exc).__name__}")
    except (KeyError, TypeError, ValueError) as exc:
        error = WeChatUnavailable(f"unexpected answer: {type(exc).__name__}")
    raise error


def _expect_dict(result: Any, what: str) -> dict[str, Any]:
    if not isinstance(result, dict):
        raise WeChatUnavailable(f"{what}: answer is not a JSON object")
    return cast(dict[str, Any], result)


class WeChatApi(WeChatGateway):
    """The mini-program server APIs over wechatpy, safe to share between tasks and processes."""

    def __init__(
        self,
        *,
        appid: str,
        secret: str,
        api_base: str,
        redis_url: str,
        timeout_s: float = 5.0,
        miniprogram_state: str | None = None,
        key_prefix: str = "jiujinban:wechat",
        threads: int = MIN_THREADS,
    ) -> None:
        self._threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wechat")
        self._redis = redis.Redis.from_url(redis_url)
        self._client = _Client(
            appid=appid,
            secret=secret,
            api_base=api_base.rstrip("/") + "/",
            timeout_s=timeout_s,
            redis_client=self._redis,
            key_prefix=key_prefix,
        )
        self._timeout_s = timeout_s
        self._miniprogram_state = miniprogram_state

    @classmethod
    def from_settings(cls, settings: Settings) -> WeChatApi:
        """The gateway every process builds from its settings (token cache and lock per prefix)."""
        return cls(
            appid=settings.wechat_appid,
            secret=settings.wechat_secret,
            api_base=settings.wechat_api_base,
            redis_url=settings.redis_url,
            timeout_s=settings.wechat_timeout_s,
            miniprogram_state=settings.wechat_miniprogram_state,
            key_prefix=f"{settings.redis_prefix}:wechat",
            # a thread for each job a worker runs at once, and a few for the token's fetch
            threads=max(MIN_THREADS, settings.worker_max_jobs + 4),
        )

    async def _run(
        self, fn: Callable[[], T], *, budget_s: float | None = None, reaches_wechat: bool = False
    ) -> T:
        """Run a blocking step in one of the gateway's threads; give up waiting for it once its
        budget, counted from when the thread took it up, is spent.

        A step still waiting for a thread when the caller is cancelled never runs. A running one
        cannot be stopped; wechatpy's own timeout ends it soon after. So a step that
        ``reaches_wechat`` (a send, which WeChat cannot take back) is not begun by its thread
        unless its whole budget still fits before the job's deadline (``backend.deadline``):
        cut off after WeChat took it, the job's retry would send it again.
        """
        budget = budget_s if budget_s is not None else self._timeout_s + 1
        loop = asyncio.get_running_loop()
        begun = asyncio.Event()
        end = deadline.ends_at() if reaches_wechat else None

        def call() -> T:
            loop.call_soon_threadsafe(begun.set)
            if end is not None:
                try:
                    deadline.ensure_time_for(budget, "WeChat call", end=end)
                except deadline.NoTimeLeft as exc:
                    raise WeChatUnavailable(str(exc)) from None
            return _guarded(fn)

        running = loop.run_in_executor(self._threads, call)
        try:
            await begun.wait()
        except asyncio.CancelledError:
            running.cancel()  # not begun: it never will
            raise
        try:
            return await asyncio.wait_for(running, budget)
        except TimeoutError:
            raise WeChatUnavailable(f"no answer within {budget:g} s") from None

    async def _authed_post(self, endpoint: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST with an access token; on a rejected token, refresh once and retry once."""
        started = time.monotonic()
        # Getting a token may mean waiting for another worker's fetch, then fetching ourselves.
        token_budget = self._client.lock_wait_s + self._timeout_s + 1
        try:
            token = await self._run(self._client.token, budget_s=token_budget)
            try:
                result = await self._run(
                    partial(self._client.call_with_token, endpoint, token, body),
                    reaches_wechat=True,
                )
            except _TokenRejected as exc:
                log.warning("wechat.token.rejected", api=endpoint, errcode=exc.errcode)
                token = await self._run(
                    partial(self._client.refresh, rejected=token), budget_s=token_budget
                )
                try:
                    result = await self._run(
                        partial(self._client.call_with_token, endpoint, token, body),
                        reaches_wechat=True,
                    )
                except _TokenRejected as again:
                    raise WeChatError(again.errcode, again.errmsg) from None
        except WeChatError as exc:
            log.warning(
                "wechat.call.failed",
                api=endpoint,
                errcode=exc.errcode,
                errmsg=exc.errmsg,
                ms=round((time.monotonic() - started) * 1000),
            )
            raise
        log.debug("wechat.call.ok", api=endpoint, ms=round((time.monotonic() - started) * 1000))
        return _expect_dict(result, endpoint)

    async def code_to_session(self, code: str) -> WxSession:
        if not code:
            raise WeChatCodeInvalid(40029, "empty code")
        client = self._client
        params = {
            "appid": client.appid,
            "secret": client.secret,
            "js_code": code,
            "grant_type": "authorization_code",
            # requests drops None params, so wechatpy neither fetches nor sends a token here.
            "access_token": None,
        }
        try:
            raw = await self._run(partial(client.wxa._get, "sns/jscode2session", params=params))
        except WeChatError as exc:
            log.warning("wechat.login.failed", errcode=exc.errcode, errmsg=exc.errmsg)
            raise
        result = _expect_dict(raw, "jscode2session")
        openid, session_key = result.get("openid"), result.get("session_key")
        if not isinstance(openid, str) or not openid or not isinstance(session_key, str):
            raise WeChatUnavailable("jscode2session: no openid or session_key in the answer")
        unionid = result.get("unionid")
        return WxSession(
            openid=openid,
            session_key=session_key,
            unionid=unionid if isinstance(unionid, str) and unionid else None,
        )

    async def get_phone_number(self, code: str) -> PhoneInfo:
        if not code:
            raise WeChatCodeInvalid(40029, "empty code")
        result = await self._authed_post("wxa/business/getuserphonenumber", {"code": code})
        info = result.get("phone_info")
        if not isinstance(info, dict) or not info.get("phoneNumber"):
            raise WeChatUnavailable("getuserphonenumber: no phone_info in the answer")
        return PhoneInfo(
            phone_number=str(info["phoneNumber"]),
            pure_phone_number=str(info.get("purePhoneNumber") or info["phoneNumber"]),
            country_code=str(info.get("countryCode") or "86"),
        )

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
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: dict(value) for key, value in data.items()},
            "lang": lang,
        }
        if page is not None:
            body["page"] = page
        state = miniprogram_state if miniprogram_state is not None else self._miniprogram_state
        if state is not None:
            body["miniprogram_state"] = state
        result = await self._authed_post("cgi-bin/message/subscribe/send", body)
        try:
            msgid = int(result["msgid"])
        except (KeyError, TypeError, ValueError):
            raise WeChatUnavailable("subscribe/send: no msgid in the answer") from None
        log.info("wechat.subscribe.sent", template_id=template_id, msgid=msgid)
        return msgid

    async def msg_sec_check(self, *, openid: str, content: str, scene: int = 1) -> SecSuggest:
        body = {"content": content, "version": 2, "scene": scene, "openid": openid}
        result = await self._authed_post("wxa/msg_sec_check", body)
        verdict = result.get("result")
        suggest = verdict.get("suggest") if isinstance(verdict, dict) else None
        if suggest not in SEC_SUGGESTIONS:
            raise WeChatUnavailable("msg_sec_check: no result.suggest in the answer")
        return cast(SecSuggest, suggest)

    async def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
        self._client._http.close()
        self._redis.close()  # type: ignore[no-untyped-call]

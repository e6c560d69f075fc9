"""What the fake WeChat server knows and how it answers, without the HTTP around it.

Answers are shaped like WeChat's: HTTP 200 with a JSON body whose ``errcode`` says what went
wrong. Everything is guarded by one lock, since the HTTP server answers from many threads.
"""

from __future__ import annotations

import base64
import itertools
import secrets
import threading
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from backend.fakes.wechat_rules import (
    DEFAULT_APPID,
    DEFAULT_REVIEW_WORDS,
    DEFAULT_RISKY_WORDS,
    DEFAULT_SECRET,
    LOGIN_PATH,
    PHONE_PATH,
    SUBSCRIBE_PATH,
    TEST_LOGIN,
    TEST_PHONE,
    TOKEN_PATH,
    TOKEN_PROTECTED,
    Answer,
    error,
    now,
    phone_answer,
    sec_check_answer,
    subscribe_problem,
)


@dataclass(slots=True)
class _Script:
    errcode: int
    errmsg: str | None
    remaining: int


@dataclass(frozen=True, slots=True)
class _Login:
    openid: str
    unionid: str | None


class FakeWeChatState:
    """The fake's memory, its answers and the control methods tests use."""

    def __init__(
        self,
        *,
        appid: str = DEFAULT_APPID,
        secret: str = DEFAULT_SECRET,
        risky_words: Iterable[str] = DEFAULT_RISKY_WORDS,
        review_words: Iterable[str] = DEFAULT_REVIEW_WORDS,
        templates: Iterable[str] | None = None,
    ) -> None:
        self.appid = appid
        self.secret = secret
        self._lock = threading.Lock()
        self._msgids = itertools.count(3_000_000_001)  # beyond int32, as WeChat's are
        self._risky_words: tuple[str, ...] = ()
        self._review_words: tuple[str, ...] = ()
        self._templates: frozenset[str] | None = None
        self._valid_tokens: set[str] = set()
        self._expired_tokens: set[str] = set()
        self.configure(risky_words=risky_words, review_words=review_words, templates=templates)
        self.reset()

    # -- control -------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget codes, scripts, slowness, counters and everything received.

        Issued tokens stay as they are, as on the real WeChat, so a client's cached token keeps
        working across tests; ``invalidate_tokens`` drops them. The config stays too.
        """
        with self._lock:
            self._codes: dict[str, _Login] = {}
            self._phone_codes: dict[str, str] = {}
            self._used_codes: set[str] = set()
            self._scripts: dict[str, deque[_Script]] = {}
            self._delays: dict[str | None, float] = {}
            self._http_error: tuple[int, int | None] | None = None
            self._received: list[dict[str, Any]] = []
            self._messages: list[dict[str, Any]] = []
            self._requests: Counter[str] = Counter()
            self._token_fetches = 0
            self._session_keys: dict[str, str] = {}

    def configure(
        self,
        *,
        risky_words: Iterable[str] | None = None,
        review_words: Iterable[str] | None = None,
        templates: Iterable[str] | None = None,
    ) -> None:
        """Words that make msg_sec_check say risky/review; the known template ids (None: any)."""
        with self._lock:
            if risky_words is not None:
                self._risky_words = tuple(w for w in risky_words if w)
            if review_words is not None:
                self._review_words = tuple(w for w in review_words if w)
            if templates is not None:
                self._templates = frozenset(templates) or None

    def script_error(
        self, path: str, errcode: int, *, times: int = 1, errmsg: str | None = None
    ) -> None:
        """Answer the next ``times`` requests to ``path`` with ``errcode``."""
        if times < 1:
            raise ValueError("times must be at least 1")
        path = "/" + path.lstrip("/")
        with self._lock:
            self._scripts.setdefault(path, deque()).append(_Script(errcode, errmsg, times))

    def set_delay(self, seconds: float, path: str | None = None) -> None:
        """Wait ``seconds`` before answering ``path`` (every API path if None); 0 clears."""
        key = None if path is None else "/" + path.lstrip("/")
        with self._lock:
            if seconds > 0:
                self._delays[key] = float(seconds)
            else:
                self._delays.pop(key, None)

    def set_http_error(self, status: int | None = 500, *, times: int | None = None) -> None:
        """Answer API requests with a bare HTTP ``status`` (``times`` of them, or until cleared)."""
        with self._lock:
            self._http_error = None if not status else (status, times)

    def register_code(self, code: str, openid: str, unionid: str | None = None) -> None:
        """A one-time ``wx.login()`` code; its second use answers 40163."""
        with self._lock:
            self._codes[code] = _Login(openid, unionid)
            self._used_codes.discard(code)

    def register_phone_code(self, code: str, phone: str) -> None:
        """A one-time ``getPhoneNumber`` code; its second use answers 40163."""
        with self._lock:
            self._phone_codes[code] = phone
            self._used_codes.discard(code)

    def expire_tokens(self) -> None:
        """Every token issued so far answers 42001 from now on."""
        with self._lock:
            self._expired_tokens |= self._valid_tokens
            self._valid_tokens = set()

    def invalidate_tokens(self) -> None:
        """Every token issued so far answers 40001 from now on."""
        with self._lock:
            self._valid_tokens = set()
            self._expired_tokens = set()

    def received(self, path: str | None = None) -> list[dict[str, Any]]:
        """API requests received, oldest first, with query and body."""
        with self._lock:
            return [dict(r) for r in self._received if path is None or r["path"] == path]

    def messages(self) -> list[dict[str, Any]]:
        """Subscribe messages accepted, oldest first."""
        with self._lock:
            return [dict(m) for m in self._messages]

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "token_fetches": self._token_fetches,
                "tokens_valid": len(self._valid_tokens),
                "messages": len(self._messages),
                "requests": dict(self._requests),
            }

    @property
    def token_fetches(self) -> int:
        with self._lock:
            return self._token_fetches

    def session_key(self, openid: str) -> str | None:
        """The session_key handed out at ``openid``'s last login."""
        with self._lock:
            return self._session_keys.get(openid)

    # -- serving -------------------------------------------------------------------------------

    def record(self, method: str, path: str, query: dict[str, str], body: Any) -> float:
        """Note an API request; return how long to wait before answering it."""
        with self._lock:
            self._received.append(
                {"at": now(), "method": method, "path": path, "query": query, "body": body}
            )
            self._requests[path] += 1
            return self._delays.get(path, self._delays.get(None, 0.0))

    def answer(self, method: str, path: str, query: dict[str, str], body: Any) -> Answer:
        """HTTP status and JSON body for an API request (status other than 200: no body)."""
        with self._lock:
            if self._http_error is not None:
                status, left = self._http_error
                if left is not None:
                    self._http_error = (status, left - 1) if left > 1 else None
                return status, {}
            script = self._scripts.get(path)
            if script:
                step = script[0]
                step.remaining -= 1
                if step.remaining <= 0:
                    script.popleft()
                return 200, error(step.errcode, step.errmsg)
            if path == TOKEN_PATH:
                return 200, self._token(query)
            if path == LOGIN_PATH:
                return 200, self._login(query)
            if path in TOKEN_PROTECTED:
                token = query.get("access_token")
                if not token:
                    return 200, error(41001)
                if token in self._expired_tokens:
                    return 200, error(42001)
                if token not in self._valid_tokens:
                    return 200, error(40001)
                if method != "POST":
                    return 405, {}
                if not isinstance(body, dict):
                    return 200, error(47001)
                if path == PHONE_PATH:
                    return 200, self._phone(body)
                if path == SUBSCRIBE_PATH:
                    return 200, self._subscribe(body)
                return 200, self._sec_check(body)
            return 404, {}

    def _token(self, query: dict[str, str]) -> dict[str, Any]:
        self._token_fetches += 1
        if query.get("grant_type") != "client_credential":
            return error(40002)
        if query.get("appid") != self.appid:
            return error(40013)
        if query.get("secret") != self.secret:
            return error(40125)
        token = "FAKE_" + secrets.token_urlsafe(48)
        self._valid_tokens.add(token)
        return {"access_token": token, "expires_in": 7200}

    def _login(self, query: dict[str, str]) -> dict[str, Any]:
        if query.get("appid") != self.appid:
            return error(40013)
        if query.get("secret") != self.secret:
            return error(40125)
        if query.get("grant_type") != "authorization_code":
            return error(40002)
        code = query.get("js_code", "")
        if not code:
            return error(41008)
        if code in self._used_codes:
            return error(40163)
        if code in self._codes:
            login = self._codes.pop(code)
            self._used_codes.add(code)
        elif match := TEST_LOGIN.fullmatch(code):
            login = _Login(match.group(1), f"u_{match.group(1)}")
        else:
            return error(40029)
        session_key = base64.b64encode(secrets.token_bytes(16)).decode()
        self._session_keys[login.openid] = session_key
        answer = {"openid": login.openid, "session_key": session_key}
        if login.unionid:
            answer["unionid"] = login.unionid
        return answer

    def _phone(self, body: dict[str, Any]) -> dict[str, Any]:
        code = body.get("code")
        if not isinstance(code, str) or not code:
            return error(41008)
        if code in self._used_codes:
            return error(40163)
        if code in self._phone_codes:
            phone = self._phone_codes.pop(code)
            self._used_codes.add(code)
        elif match := TEST_PHONE.fullmatch(code):
            phone = match.group(1)
        else:
            return error(40029)
        return phone_answer(phone, self.appid)

    def _subscribe(self, body: dict[str, Any]) -> dict[str, Any]:
        problem = subscribe_problem(body, self._templates)
        if problem is not None:
            return problem
        msgid = next(self._msgids)
        self._messages.append(
            {
                "at": now(),
                "msgid": msgid,
                "touser": body["touser"],
                "template_id": body["template_id"],
                "page": body.get("page"),
                "data": body["data"],
                "miniprogram_state": body.get("miniprogram_state", "formal"),
                "lang": body.get("lang", "zh_CN"),
            }
        )
        return {"errcode": 0, "errmsg": "ok", "msgid": msgid}

    def _sec_check(self, body: dict[str, Any]) -> dict[str, Any]:
        return sec_check_answer(body, self._risky_words, self._review_words)

"""The fake WeChat's web-page OAuth (网页授权) for the H5: an authorize page and the code exchange.

``GET /connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope&state`` shows a page
(Chinese, phone-sized, no external assets) listing test users; each one's button goes back to
``redirect_uri?code=…&state=…``. A test may add a user by its openid: either with the extra query
parameter ``openid`` on the authorize URL, or ``add_user(openid, name, unionid)`` (control
endpoint ``POST /_fake/oauth-users``). Give a user the unionid the mini-program login gives the
same person (``u_<openid>`` for the ``test:<openid>`` login code) to have WeChat link the two.

``GET /sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code`` answers
``{access_token, expires_in, refresh_token, openid, scope, unionid?}``; codes are single-use
(40163 once used), live five minutes and belong to the Official Account's appid (40029 else).
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlencode, urlsplit

from backend.fakes.wechat_rules import error

DEFAULT_H5_APPID = "wx-dev-h5-appid"
DEFAULT_H5_SECRET = "dev-insecure-placeholder-change-me-0123456789"  # noqa: S105 (the settings' dev placeholder)
AUTHORIZE_PATH = "/connect/oauth2/authorize"
ACCESS_TOKEN_PATH = "/sns/oauth2/access_token"  # noqa: S105 (a URL path)
CODE_LIFE_S = 300
SCOPES = frozenset({"snsapi_base", "snsapi_userinfo"})
_OPENID = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True, slots=True)
class OAuthUser:
    openid: str
    name: str
    unionid: str | None = None


TEST_USERS = (
    OAuthUser("h5-tester-1", "测试用户一（新用户）"),
    OAuthUser("h5-tester-2", "测试用户二"),
    OAuthUser("h5-tester-3", "测试用户三（有 unionid）", "u_h5-tester-3"),
)


@dataclass(frozen=True, slots=True)
class _Code:
    openid: str
    unionid: str | None
    expires: float


class FakeOAuth:
    """What the fake remembers of the web-page OAuth; guarded by its own lock."""

    def __init__(self, *, appid: str = DEFAULT_H5_APPID, secret: str = DEFAULT_H5_SECRET) -> None:
        self.appid = appid
        self.secret = secret
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._users: dict[str, OAuthUser] = {u.openid: u for u in TEST_USERS}
            self._codes: dict[str, _Code] = {}
            self._used: set[str] = set()

    def add_user(self, openid: str, name: str | None = None, unionid: str | None = None) -> None:
        if not _OPENID.fullmatch(openid):
            raise ValueError("openid: 1-64 letters, digits, _ or -")
        with self._lock:
            self._users[openid] = OAuthUser(openid, name or f"测试用户 {openid}", unionid)

    def issue_code(self, openid: str) -> str:
        """A fresh code for ``openid`` (as if the user had tapped its button)."""
        with self._lock:
            user = self._users.get(openid) or OAuthUser(openid, openid)
            code = "fakeoauth" + secrets.token_hex(12)
            self._codes[code] = _Code(user.openid, user.unionid, time.monotonic() + CODE_LIFE_S)
            return code

    def expire_codes(self) -> None:
        """Every code handed out so far is past its five minutes."""
        with self._lock:
            self._codes = {c: _Code(v.openid, v.unionid, 0.0) for c, v in self._codes.items()}

    # -- serving -------------------------------------------------------------------------------

    def authorize_page(self, query: dict[str, str]) -> tuple[int, str]:
        """The authorize page (status, HTML)."""
        problem = self._authorize_problem(query)
        if problem is not None:
            return 400, _page("授权请求有误", f'<p class="err">{escape(problem)}</p>')
        extra = query.get("openid")
        if extra:
            self.add_user(extra, query.get("name"), query.get("unionid"))
        with self._lock:
            users = list(self._users.values())
        buttons = []
        for user in users:
            target = _with_query(
                query["redirect_uri"],
                {"code": self.issue_code(user.openid), "state": query.get("state", "")},
            )
            buttons.append(
                f'<li><a class="btn" data-openid="{escape(user.openid)}"'
                f' href="{escape(target)}">{escape(user.name)}</a>'
                f'<span class="id">openid：{escape(user.openid)}</span></li>'
            )
        body = (
            "<p>这是本地模拟的微信网页授权页。请选择以哪位测试用户的身份登录"
            "（真实微信会静默授权，不显示本页）：</p>"
            f'<ul class="users">{"".join(buttons)}</ul>'
        )
        return 200, _page("模拟微信 · 网页授权", body)

    def _authorize_problem(self, query: dict[str, str]) -> str | None:
        if query.get("appid") != self.appid:
            return "appid 不是本公众号的 AppID（40013）。"
        if query.get("response_type") != "code":
            return "response_type 须为 code。"
        if query.get("scope") not in SCOPES:
            return "scope 须为 snsapi_base 或 snsapi_userinfo。"
        redirect = urlsplit(query.get("redirect_uri", ""))
        if redirect.scheme not in {"http", "https"} or not redirect.netloc:
            return "redirect_uri 须为完整的 http(s) 地址。"
        return None

    def access_token(self, query: dict[str, str]) -> dict[str, Any]:
        if query.get("appid") != self.appid:
            return error(40013)
        if query.get("secret") != self.secret:
            return error(40125)
        if query.get("grant_type") != "authorization_code":
            return error(40002)
        code = query.get("code", "")
        if not code:
            return error(41008)
        with self._lock:
            if code in self._used:
                return error(40163)
            found = self._codes.pop(code, None)
            if found is None or found.expires < time.monotonic():
                return error(40029)
            self._used.add(code)
        answer: dict[str, Any] = {
            "access_token": "FAKE_OAUTH_" + secrets.token_urlsafe(32),
            "expires_in": 7200,
            "refresh_token": "FAKE_REFRESH_" + secrets.token_urlsafe(32),
            "openid": found.openid,
            "scope": "snsapi_base",
        }
        if found.unionid:
            answer["unionid"] = found.unionid
        return answer


def _with_query(url: str, params: dict[str, str]) -> str:
    base, _, fragment = url.partition("#")
    joiner = "&" if "?" in base else "?"
    return base + joiner + urlencode(params) + (f"#{fragment}" if fragment else "")


_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, "PingFang SC", "Noto Sans CJK SC", sans-serif; margin: 0;
  padding: 1.2rem; font-size: 18px; line-height: 1.5; color: #1a1a1a; background: #f5f5f5; }}
h1 {{ font-size: 1.3rem; }}
ul.users {{ list-style: none; padding: 0; }}
ul.users li {{ margin: 0 0 1rem; }}
a.btn {{ display: flex; align-items: center; justify-content: center; box-sizing: border-box;
  min-height: 48px; padding: .8rem 1rem; border-radius: 8px;
  background: #07883c; color: #fff; text-decoration: none; text-align: center; }}
.id {{ display: block; color: #555; font-size: .85rem; margin-top: .2rem; }}
.err {{ color: #b00020; }}
</style>
</head>
<body>
<h1>{title}</h1>
{body}
</body>
</html>
"""


def _page(title: str, body: str) -> str:
    return _PAGE.format(title=escape(title), body=body)

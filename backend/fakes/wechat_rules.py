"""How WeChat shapes its answers: errmsg texts, paths, dev rules and body checks.

Pure functions of a request; ``wechat_state`` adds what the fake remembers between requests.
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any

DEFAULT_APPID = "wx-dev-appid"
DEFAULT_SECRET = "dev-insecure-change-me"  # noqa: S105 (backend.settings' dev placeholder)
DEFAULT_RISKY_WORDS = ("违禁",)
DEFAULT_REVIEW_WORDS = ("待审",)

# WeChat's own errmsg texts (it appends " rid: …" to each).
ERRMSGS: dict[int, str] = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40013: "invalid appid",
    40014: "invalid access_token",
    40029: "invalid code",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    40163: "code been used",
    41001: "access_token missing",
    41008: "missing code",
    42001: "access_token expired",
    43101: "user refuse to accept the msg",
    45009: "reach max api daily quota limit",
    47001: "data format error",
    47003: "argument invalid!",
}

TOKEN_PATH = "/cgi-bin/token"  # noqa: S105 (a URL path)
LOGIN_PATH = "/sns/jscode2session"
PHONE_PATH = "/wxa/business/getuserphonenumber"
SUBSCRIBE_PATH = "/cgi-bin/message/subscribe/send"
SEC_CHECK_PATH = "/wxa/msg_sec_check"
TOKEN_PROTECTED = frozenset({PHONE_PATH, SUBSCRIBE_PATH, SEC_CHECK_PATH})

MINIPROGRAM_STATES = frozenset({"developer", "trial", "formal"})
TEST_LOGIN = re.compile(r"test:([A-Za-z0-9_-]{1,64})")
TEST_PHONE = re.compile(r"phone:(\d{11})")

Answer = tuple[int, dict[str, Any]]


def error(errcode: int, errmsg: str | None = None) -> dict[str, Any]:
    rid = "-".join(secrets.token_hex(4) for _ in range(3))
    return {"errcode": errcode, "errmsg": f"{errmsg or ERRMSGS.get(errcode, 'error')} rid: {rid}"}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def phone_answer(phone: str, appid: str) -> dict[str, Any]:
    info = {
        "phoneNumber": phone,
        "purePhoneNumber": phone,
        "countryCode": "86",
        "watermark": {"timestamp": int(time.time()), "appid": appid},
    }
    return {"errcode": 0, "errmsg": "ok", "phone_info": info}


def subscribe_problem(
    body: dict[str, Any], templates: frozenset[str] | None
) -> dict[str, Any] | None:
    """The error WeChat would give for this subscribe message, or None if it is fine."""
    touser, template_id, data = body.get("touser"), body.get("template_id"), body.get("data")
    if not isinstance(touser, str) or not touser:
        return error(40003)
    if not isinstance(template_id, str) or not template_id:
        return error(47003, "argument invalid! template_id is empty")
    if templates is not None and template_id not in templates:
        return error(40037)
    if not isinstance(data, dict) or not data:
        return error(47003, "argument invalid! data is empty")
    for key, item in data.items():
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            return error(47003, f"argument invalid! data.{key}.value invalid")
    if body.get("miniprogram_state", "formal") not in MINIPROGRAM_STATES:
        return error(47003, "argument invalid! miniprogram_state invalid")
    return None


def sec_check_answer(
    body: dict[str, Any], risky_words: tuple[str, ...], review_words: tuple[str, ...]
) -> dict[str, Any]:
    content, openid, scene = body.get("content"), body.get("openid"), body.get("scene")
    if not isinstance(openid, str) or not openid:
        return error(40003)
    if not isinstance(content, str) or body.get("version") != 2 or scene not in {1, 2, 3, 4}:
        return error(47003)
    if any(word in content for word in risky_words):
        suggest, label = "risky", 21000
    elif any(word in content for word in review_words):
        suggest, label = "review", 21000
    else:
        suggest, label = "pass", 100
    return {
        "errcode": 0,
        "errmsg": "ok",
        "result": {"suggest": suggest, "label": label},
        "detail": [{"strategy": "content_model", "errcode": 0, "suggest": suggest}],
        "trace_id": secrets.token_hex(12),
    }

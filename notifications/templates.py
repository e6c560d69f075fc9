"""Subscribe-message templates: which WeChat template each event uses, and its field rules.

WeChat checks every field of a subscribe message against its type (``thing`` ≤ 20 characters,
``character_string`` ≤ 32 letters/digits/symbols, ``phrase`` ≤ 5 Chinese characters, ``time``,
``date``, ``number``, ``name`` …) and answers 47003 for a value that breaks it — a message lost
for a too-long item name. So every value is fitted to its type here (safely truncated, with
``…`` where a cut is visible) before it is sent, and each message records the template version
it used. Template ids are configuration (``WECHAT_TEMPLATES``): one-time templates (a credit per
user's accept) and long-term ones (政务民生 mini-programs) are both supported.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from backend.clock import SHANGHAI

Kind = Literal["one_time", "long_term"]

_CJK = re.compile(r"[\u3400-\u9fff]")
_ASCII_VISIBLE = re.compile(r"[\x21-\x7e]")
_DIGITS = re.compile(r"[0-9.]")

MAX_LEN: Final[dict[str, int]] = {
    "thing": 20,
    "character_string": 32,
    "phrase": 5,
    "number": 32,
    "letter": 32,
    "name": 10,
    "phone_number": 17,
    "car_number": 8,
    "symbol": 5,
}
"""WeChat's length limit per field type (``time`` and ``date`` have formats instead)."""


def field_type(key: str) -> str:
    """``thing2`` → ``thing``; ``character_string1`` → ``character_string``."""
    return key.rstrip("0123456789")


def _cut(value: str, limit: int, *, mark: bool) -> str:
    if len(value) <= limit:
        return value
    return value[: limit - 1] + "…" if mark else value[:limit]


def fit(key: str, value: object) -> str:
    """``value`` made acceptable for the field ``key`` (never empty, never over the limit)."""
    kind = field_type(key)
    if isinstance(value, datetime):
        local = value.astimezone(SHANGHAI)
        if kind == "date":
            return f"{local.year}年{local.month}月{local.day}日"
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    text = " ".join(str(value if value is not None else "").split())
    if kind == "phrase":
        text = "".join(_CJK.findall(text))[:5]
        return text or "通知"
    if kind in ("character_string", "letter", "symbol"):
        text = "".join(_ASCII_VISIBLE.findall(text))
        return _cut(text, MAX_LEN[kind], mark=False) or "-"
    if kind == "number":
        return "".join(_DIGITS.findall(text))[:32] or "0"
    if kind in ("date", "time"):
        return text or "-"
    limit = MAX_LEN.get(kind, 20)
    return _cut(text, limit, mark=True) or "无"


@dataclass(frozen=True, slots=True)
class Template:
    """One event's message: the WeChat template and how its fields are filled."""

    event: str
    title: str  # also the inbox title
    fields: tuple[tuple[str, str], ...]  # (WeChat key, name of the value it shows)
    page: str  # the mini-program page it opens, {number} filled in
    needs_action: bool  # the citizen must do something: falls back to an agent or the desk

    def version(self, template_id: str, kind: Kind) -> str:
        spec = json.dumps([template_id, kind, self.fields], ensure_ascii=False)
        return hashlib.sha256(spec.encode()).hexdigest()[:12]

    def data(self, values: Mapping[str, object]) -> dict[str, dict[str, str]]:
        return {key: {"value": fit(key, values.get(name))} for key, name in self.fields}


_CASE_FIELDS = (
    ("character_string1", "number"),
    ("thing2", "item"),
    ("phrase3", "status"),
    ("time4", "at"),
    ("thing5", "note"),
)

TEMPLATES: Final[dict[str, Template]] = {
    t.event: t
    for t in (
        Template(
            "case.received", "申请已提交", _CASE_FIELDS, "pages/case/index?number={number}", False
        ),
        Template(
            "case.accepted", "申请已受理", _CASE_FIELDS, "pages/case/index?number={number}", False
        ),
        Template(
            "case.supplement",
            "请补正材料",
            _CASE_FIELDS,
            "pages/case/index?number={number}",
            True,
        ),
        Template(
            "case.result_ready",
            "出件可领取",
            _CASE_FIELDS,
            "pages/case/index?number={number}",
            True,
        ),
        Template(
            "case.rejected", "办件未通过", _CASE_FIELDS, "pages/case/index?number={number}", True
        ),
        Template(
            "case.delivered",
            "已办结，请评价",
            _CASE_FIELDS,
            "pages/case/index?number={number}",
            False,
        ),
        Template(
            "mandate.requested",
            "代办委托待确认",
            (("name1", "agent"), ("thing2", "scope"), ("date3", "expires"), ("thing4", "note")),
            "pages/mandate/list",
            True,
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Configured:
    template_id: str
    kind: Kind


def parse_config(raw: str) -> dict[str, Configured]:
    """``WECHAT_TEMPLATES``: JSON ``{"case.accepted": {"id": "…", "kind": "long_term"}}`` or
    ``{"case.accepted": "…"}`` (one-time). Events not named use ``jjb-<event>`` (the fake's)."""
    configured = {
        event: Configured("jjb-" + event.replace(".", "-"), "one_time") for event in TEMPLATES
    }
    if not raw.strip():
        return configured
    try:
        given = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"WECHAT_TEMPLATES is not JSON: {exc}") from exc
    if not isinstance(given, dict):
        raise ValueError("WECHAT_TEMPLATES must be a JSON object of event → template")
    for event, value in given.items():
        if event not in TEMPLATES:
            raise ValueError(f"WECHAT_TEMPLATES: unknown event {event!r}")
        if isinstance(value, str):
            configured[event] = Configured(value, "one_time")
        elif isinstance(value, dict) and isinstance(value.get("id"), str):
            kind = value.get("kind", "one_time")
            if kind not in ("one_time", "long_term"):
                raise ValueError(f"WECHAT_TEMPLATES: {event}: kind must be one_time or long_term")
            configured[event] = Configured(value["id"], kind)
        else:
            raise ValueError(f"WECHAT_TEMPLATES: {event}: give a template id or {{id, kind}}")
    return configured

"""Checking a submission's form data against the item's form (standard library only)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from backend.catalogue.model import MAX_FIELD_LENGTH, FormField
from backend.catalogue.model import merge_fields as merge_fields
from backend.textrules import has_hidden_chars

_PHONE = re.compile(r"^1[3-9]\d{9}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
MAX_TEXT = 500
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)
"""The dates a form accepts: a birth, an issue or an expiry date, never year 1 or 9999."""


def id_number_ok(value: str) -> bool:
    """GB 11643 shape, birth date and check digit of an 18-digit resident ID number."""
    value = value.strip().upper()
    if not re.match(r"^\d{17}[\dX]$", value):
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > date.today():  # noqa: DTZ011 - a calendar date, not a moment
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def check_form(
    fields: Iterable[FormField], data: Mapping[str, Any]
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The cleaned data and every problem at once, each as ``{"field", "message"}``."""
    fields = list(fields)
    known = {f.name for f in fields}
    problems: list[dict[str, str]] = [
        {"field": name, "message": "表单中没有这一项"} for name in data if name not in known
    ]
    clean: dict[str, Any] = {}
    for f in fields:
        value = data.get(f.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if f.required:
                problems.append({"field": f.name, "message": f"请填写“{f.label}”"})
            continue
        message = _check(f, value) or _rules(f, value)
        if message:
            problems.append({"field": f.name, "message": f"“{f.label}”{message}"})
        else:
            clean[f.name] = value.strip() if isinstance(value, str) else value
    return clean, problems


def _check(f: FormField, value: Any) -> str | None:
    if f.datatype == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            try:
                float(str(value))
            except ValueError:
                return "应为数字"
        return None
    if not isinstance(value, str):
        return "应为文字"
    if has_hidden_chars(value):
        return "含有看不见的控制字符或文字方向字符（常见于从别处复制的文字），请删除后重新填写"
    text = value.strip()
    if len(text) > MAX_TEXT:
        return f"不能超过 {MAX_TEXT} 个字"
    if f.datatype == "date":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return "应为日期，例如 2026-01-31"
        if not FIRST_DAY <= day <= LAST_DAY:
            return f"日期应在 {FIRST_DAY.year} 年至 {LAST_DAY.year} 年之间"
    elif f.datatype == "choice" and text not in f.values:
        return "应为以下之一：" + "、".join(f.values)
    elif f.datatype == "id_number" and not id_number_ok(text):
        return "不是有效的身份证号码"
    elif f.datatype == "phone" and not _PHONE.match(text):
        return "不是有效的手机号码"
    return None


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _rules(f: FormField, value: Any) -> str | None:
    """The field's own rules (最大长度, 格式), on the value as it will be stored.

    The catalogue accepts only patterns without nested repeats, and the value is at most
    ``max_length`` (else ``MAX_FIELD_LENGTH``) characters before it is matched.
    """
    if f.max_length is None and not f.pattern:
        return None
    text = value.strip() if isinstance(value, str) else str(value)
    limit = f.max_length or MAX_FIELD_LENGTH
    if len(text) > limit:
        return f"不能超过 {limit} 个字"
    compiled = _compiled(f.pattern) if f.pattern else None
    if compiled is not None and compiled.fullmatch(text) is None:
        return f"格式不对：{f.pattern_hint or '请按要求填写'}"
    return None

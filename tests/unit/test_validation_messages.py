"""Validation errors reach a citizen's screen in Chinese, naming the field."""

from __future__ import annotations

import pytest

from backend.http.problems import field_error

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("key", "message", "expected"),
    [
        ("data", "Object missing required field `reason`", ("reason", "此项为必填项")),
        ("delivery", "Object missing required field `method`", ("delivery.method", "此项为必填项")),
        ("data", "Object contains unknown field `zz`", ("zz", "不认识的字段，请删去")),
        ("score", "Expected `int`, got `str`", ("score", "类型不对，应为整数")),
        ("note", "Expected `str | null`, got `int`", ("note", "类型不对，应为文本 或 空值")),
        ("reason", "Expected `str` of length <= 500", ("reason", "不能超过 500 个字符")),
        ("reason", "Expected `str` of length >= 1", ("reason", "不能为空")),
        ("case_numbers", "Expected `array` of length <= 50", ("case_numbers", "最多 50 项")),
        ("score", "Expected `int` <= 5", ("score", "不能大于 5")),
        ("score", "Expected `int` >= 1", ("score", "不能小于 1")),
        ("mode", "Invalid enum value 'plane'", ("mode", "不是允许的取值")),
        ("on", "Invalid RFC3339 encoded date", ("on", "日期格式不正确，应为 YYYY-MM-DD")),
        ("on", "Expected `date`, got `int`", ("on", "类型不对，应为日期（YYYY-MM-DD）")),
        ("x", "Expected `str` matching regex '^[0-9]+$'", ("x", "格式不正确")),
        ("x", "something new", ("x", "格式不正确")),
    ],
)
def test_every_decoder_message_is_translated(
    key: str, message: str, expected: tuple[str, str]
) -> None:
    field, text = expected
    assert field_error(key, message) == {"field": field, "message": text}


def test_a_signed_link_token_never_reaches_the_log() -> None:
    from backend.http.log_paths import logged_path

    assert logged_path("/api/v1/files/up_Zk3v9.1765100000.c2ln") == "/api/v1/files/…"
    assert logged_path("/api/v1/cases/XS20261207000123") == "/api/v1/cases/XS20261207000123"


def test_control_characters_in_a_path_are_escaped_in_the_log() -> None:
    from backend.http.log_paths import logged_path

    assert logged_path("/api/v1/items/x\x1b[2Jy") == "/api/v1/items/x\\x1b[2Jy"
    assert logged_path("/api/v1/admin/calendar/\x00") == "/api/v1/admin/calendar/\\x00"
    assert logged_path("/api/v1/items/户口簿") == "/api/v1/items/户口簿"


def test_a_verification_token_never_reaches_the_log() -> None:
    from backend.http.log_paths import logged_path

    assert logged_path("/verify/Zk3v9abcdefghijklmnopqrstuvwxyz012345") == "/verify/…"

"""Every value is fitted to WeChat's field rules before it is sent (a 47003 loses a message)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from notifications.templates import TEMPLATES, fit, parse_config

pytestmark = pytest.mark.unit


def test_thing_is_cut_to_20_characters_with_a_visible_mark() -> None:
    long_name = "城乡居民基本医疗保险参保登记及缴费档次变更申请（含新生儿）"
    fitted = fit("thing2", long_name)
    assert len(fitted) == 20 and fitted.endswith("…")
    assert fit("thing2", "出生登记") == "出生登记"
    assert fit("thing5", "") == "无" and fit("thing5", None) == "无"


def test_phrase_keeps_at_most_five_chinese_characters() -> None:
    assert fit("phrase3", "已受理") == "已受理"
    assert fit("phrase3", "Accepted 已受理 ok") == "已受理"
    assert fit("phrase3", "审批已经全部通过了") == "审批已经全"
    assert fit("phrase3", "OK") == "通知"


def test_character_string_keeps_32_visible_ascii_characters() -> None:
    assert fit("character_string1", "XS20261127000123") == "XS20261127000123"
    assert fit("character_string1", "XS2026 办件 0001") == "XS20260001"
    assert len(fit("character_string1", "A" * 50)) == 32


def test_times_and_dates_are_shown_in_shanghai() -> None:
    moment = datetime(2026, 9, 30, 16, 5, tzinfo=UTC)
    assert fit("time4", moment) == "2026年10月1日 00:05"
    assert fit("date3", moment) == "2026年10月1日"


def test_number_and_name() -> None:
    assert fit("number1", "共 12 件") == "12"
    assert fit("name1", "欧阳娜娜娜娜娜娜娜娜娜") == "欧阳娜娜娜娜娜娜娜…"


def test_every_template_fills_every_field_within_its_limit() -> None:
    values = {
        "number": "XS20261127000123",
        "item": "很长的事项名称" * 5,
        "status": "已受理",
        "at": datetime(2026, 11, 27, 1, 0, tzinfo=UTC),
        "note": "说明" * 30,
        "agent": "陈代办",
        "scope": "出生登记",
        "expires": "2026-12-31",
    }
    for template in TEMPLATES.values():
        data = template.data(values)
        assert set(data) == {key for key, _ in template.fields}
        for key, item in data.items():
            assert item["value"], (template.event, key)
            assert len(item["value"]) <= 32


def test_template_configuration() -> None:
    default = parse_config("")
    assert default["case.accepted"].template_id == "jjb-case-accepted"
    assert default["case.accepted"].kind == "one_time"
    given = parse_config(
        '{"case.accepted": {"id": "T-1", "kind": "long_term"}, "case.received": "T-2"}'
    )
    assert (given["case.accepted"].template_id, given["case.accepted"].kind) == ("T-1", "long_term")
    assert (given["case.received"].template_id, given["case.received"].kind) == ("T-2", "one_time")
    for bad in ("[1]", '{"nope": "T"}', '{"case.accepted": {"id": "T", "kind": "x"}}', "{"):
        with pytest.raises(ValueError):
            parse_config(bad)
    version = TEMPLATES["case.accepted"].version("T-1", "one_time")
    assert version != TEMPLATES["case.accepted"].version("T-2", "one_time")

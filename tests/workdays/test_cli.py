"""``jiujinban calendar due|check --offline`` (pure: python-holidays only)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from backend.workdays.cli import EXIT_NEEDS_ATTENTION, calendar

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """Pure tests: no database at all."""


def run(*args: str):
    return CliRunner().invoke(calendar, [*args, "--offline"])


def test_due_prints_the_date_then_the_days_skipped_and_why():
    result = run("due", "2026-09-24", "5")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "2026-10-09 (周五)"
    assert "2026-09-24 (周四)" in lines[1]
    assert "跳过 10 天：" in lines
    assert "  2026-09-25 (周五) 节假日：中秋节（国务院通知）" in lines
    assert "  2026-10-04 (周日) 周末：国庆节" in lines
    assert "  2026-10-07 (周三) 节假日：国庆节（国务院通知）" in lines
    assert "注意" not in result.output


def test_due_zero_days_is_the_start():
    result = run("due", "2026-10-10", "0")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "2026-10-10 (周六)"
    assert "期间没有跳过的日子。" in result.output


def test_due_into_2027_warns_that_the_year_is_not_settled():
    result = run("due", "2026-12-28", "5")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "2027-01-05 (周二)"
    assert "  2027-01-01 (周五) 节假日：元旦（按法定节日推算）" in lines
    assert "2027 年的节假日安排未收录国务院通知" in lines[-1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("due", "2026-02-30", "1"), "日期格式应为 YYYY-MM-DD"),
        (("due", "2026/09/24", "1"), "日期格式应为 YYYY-MM-DD"),
        (("due", "2026-W40-4", "1"), "日期格式应为 YYYY-MM-DD"),
        (("due", "20260924", "1"), "日期格式应为 YYYY-MM-DD"),
        (("due", "1999-12-31", "1"), "日期须在 2000–2100 年之间"),
        (("due", "2026-09-24", "five"), "须为整数"),
        (("due", "2026-09-24", "-1"), "工作日天数须在 0–3650 之间"),
        (("due", "2026-09-24", "3651"), "工作日天数须在 0–3650 之间"),
        (("check", "twenty"), "须为整数"),
        (("check", "2101"), "年份须在 2000–2100 之间"),
    ],
)
def test_bad_input_is_a_usage_error_in_chinese(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_check_an_announced_year():
    result = run("check", "2026")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2026 年：已收录国务院办公厅节假日安排通知。")
    assert "调休上班日（6 天）：" in result.output
    assert "  2026-09-20 (周日) 调休上班：国庆节（国务院通知）" in result.output
    assert "  2026-10-01 (周四) 节假日：国庆节（国务院通知）" in result.output


def test_check_a_year_that_needs_attention():
    result = run("check", "2027")
    assert result.exit_code == EXIT_NEEDS_ATTENTION == 3
    assert result.output.startswith("2027 年：需要处理")
    assert "  2027-01-01 (周五) 节假日：元旦（按法定节日推算）" in result.output
    assert "调休上班日（0 天）：\n  无" in result.output

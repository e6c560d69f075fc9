"""Every Chinese text the working-day calendar shows to people, kept in one place for review."""

from __future__ import annotations

from datetime import date
from typing import Final, Literal, TypeAlias

WeekdayLabel: TypeAlias = Literal["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
WEEKDAYS: Final[tuple[WeekdayLabel, ...]] = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

REASONS: Final[dict[str, str]] = {
    "weekday": "工作日",
    "weekend": "周末",
    "holiday": "节假日",
    "makeup_workday": "调休上班",
    "admin_holiday": "管理员设为休息日",
    "admin_workday": "管理员设为工作日",
}

SOURCES: Final[dict[str, str]] = {
    "official": "国务院通知",
    "computed": "按法定节日推算",
    "admin": "管理员调整",
    "default": "常规作息",
}

NO_SOURCE: Final = "管理员调整（未注明依据）"

AUDIT_NOTES: Final[dict[str, str]] = {
    "calendar_set_day": "设定休息日或工作日",
    "calendar_remove_day": "删除管理员设定的日子",
    "calendar_confirm_year": "确认年度节假日安排",
}

# --- errors (problem documents and the command line) ------------------------------------------

DATE_INVALID: Final = "日期格式应为 YYYY-MM-DD，且须是有效日期：{value}。"
YEAR_OUT_OF_RANGE: Final = "年份须在 {low}–{high} 之间。"
DAY_OUT_OF_RANGE: Final = "日期须在 {low}–{high} 年之间。"
DAYS_OUT_OF_RANGE: Final = "工作日天数须在 0–{high} 之间。"
KIND_INVALID: Final = "类型须为 holiday（休息日）或 workday（工作日）。"
NOTE_TOO_LONG: Final = "备注不能超过 {high} 个字。"
SOURCE_TOO_LONG: Final = "依据（通知名称和文号）不能超过 {high} 个字。"
DAY_NOT_FOUND: Final = "{day} 没有管理员调整记录。"
NOT_AN_INTEGER: Final = "须为整数：{value}。"

# --- command line ----------------------------------------------------------------------------

CLI_START: Final = "起算日 {start}，{days} 个工作日（起算日当天不计）"
CLI_SKIPPED: Final = "跳过 {count} 天："
CLI_NOTHING_SKIPPED: Final = "期间没有跳过的日子。"
CLI_ATTENTION: Final = (
    "注意：{years} 年的节假日安排未收录国务院通知，也未经管理员确认，期限按法定节日推算，"
    "公布后请核对。"
)
CLI_DB_UNREACHABLE: Final = "数据库不可用（{error}），仅用 python-holidays 计算，未读取管理员调整。"
CLI_YEAR_OFFICIAL: Final = "{year} 年：已收录国务院办公厅节假日安排通知。"
CLI_YEAR_CONFIRMED: Final = "{year} 年：未收录国务院通知，已由管理员确认。"
CLI_YEAR_ATTENTION: Final = (
    "{year} 年：需要处理 — 未收录国务院通知，管理员也未确认；节假日按法定节日推算，没有调休上班日。"
)
CLI_YEAR_ALSO_CONFIRMED: Final = "管理员也已确认。"
CLI_HOLIDAYS: Final = "节假日（{count} 天）："
CLI_MAKEUP: Final = "调休上班日（{count} 天）："
CLI_ADMIN: Final = "管理员调整（{count} 天）："
CLI_NONE: Final = "  无"


def weekday_label(day: date) -> WeekdayLabel:
    """周一 … 周日."""
    return WEEKDAYS[day.weekday()]

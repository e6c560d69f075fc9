"""Request and response bodies of the working-day calendar routes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, TypeAlias

import msgspec
from msgspec import Meta

from backend.http.fields import Day, Timestamp, Total
from backend.workdays.calendar import OverrideKind, Reason, Source
from backend.workdays.checks import NOTE_LENGTH, SOURCE_LENGTH
from backend.workdays.texts import WeekdayLabel

Note: TypeAlias = Annotated[
    str,
    Meta(
        max_length=NOTE_LENGTH,
        description=f"说明（不超过 {NOTE_LENGTH} 个字）。",
        examples=["区政府临时安排"],
    ),
]
Weekday: TypeAlias = Annotated[
    WeekdayLabel,
    Meta(description="星期几。", examples=["周六"]),
]
NoticeSource: TypeAlias = Annotated[
    str,
    Meta(
        max_length=SOURCE_LENGTH,
        description=(
            f"依据：这一天出自的通知（名称和文号）或本地决定（不超过 {SOURCE_LENGTH} 个字）。"
        ),
        examples=["国务院办公厅关于2026年部分节假日安排的通知"],
    ),
]
KIND_TEXT = "类型：holiday 休息日、workday 工作日（调休上班）。"


class CalendarDayIn(msgspec.Struct, forbid_unknown_fields=True):
    """管理员设定的一天：休息日或工作日；同一天再设定则替换之前的。"""

    date: Annotated[
        dt.date,
        Meta(description="日期（YYYY-MM-DD），须在 2000–2100 年之间。", examples=["2026-09-28"]),
    ]
    kind: Annotated[OverrideKind, Meta(description=KIND_TEXT, examples=["holiday"])]
    note: Note | None = None
    source: NoticeSource | None = None


class CalendarDayOut(msgspec.Struct):
    """管理员设定的一天。"""

    date: Day
    kind: Annotated[OverrideKind, Meta(description=KIND_TEXT, examples=["holiday"])]
    note: Annotated[str, Meta(description="说明；没有为空字符串。", examples=["区政府临时安排"])]
    source: Annotated[
        str,
        Meta(
            description="依据的通知（名称和文号）；没有为空字符串。",
            examples=["国务院办公厅关于2026年部分节假日安排的通知"],
        ),
    ]
    updated_by: Annotated[
        str | None,
        Meta(
            description="最后设定的管理员账号编号；无从查考为 null。",
            examples=["5f0c8e2a-3b1d-4c6e-9a7f-2d8b1e0c4a63"],
        ),
    ]
    updated_at: Annotated[Timestamp, Meta(description="最后设定的时间。")]


class YearOut(msgspec.Struct):
    """一年的节假日安排是否可靠：已收录国务院通知，或已由管理员确认。"""

    year: Annotated[int, Meta(description="年份。", examples=[2027])]
    official: Annotated[
        bool, Meta(description="是否已收录国务院办公厅的节假日安排通知。", examples=[False])
    ]
    confirmed: Annotated[bool, Meta(description="管理员是否已核对确认。", examples=[True])]
    needs_attention: Annotated[
        bool,
        Meta(
            description="需要处理：既未收录国务院通知，也未经管理员确认（期限按法定节日推算）。",
            examples=[False],
        ),
    ]


class CalendarPage(msgspec.Struct):
    """管理员设定的日子，一页，按日期排序；以及所涉年份的状态。"""

    items: Annotated[list[CalendarDayOut], Meta(description="本页设定的日子。")]
    total: Total
    years: Annotated[
        list[YearOut],
        Meta(
            description=(
                "所涉年份的状态：指定 year 时只有该年；否则为今年、明年和有设定或确认记录的各年。"
            )
        ),
    ]


class ConfirmYearIn(msgspec.Struct):
    """确认一年的节假日安排已与国务院通知核对。"""

    note: Note | None = None


class DayInfoOut(msgspec.Struct):
    """工作日历对某一天的判断及其依据。"""

    date: Day
    weekday: Weekday
    working: Annotated[bool, Meta(description="是否工作日。", examples=[True])]
    reason: Annotated[
        Reason,
        Meta(
            description=(
                "原因：weekday 工作日、weekend 周末、holiday 节假日、makeup_workday 调休上班、"
                "admin_holiday 管理员设为休息日、admin_workday 管理员设为工作日。"
            ),
            examples=["makeup_workday"],
        ),
    ]
    name: Annotated[
        str | None, Meta(description="节日名称；不是节日为 null。", examples=["国庆节"])
    ]
    source: Annotated[
        Source,
        Meta(
            description=(
                "依据：official 国务院通知、computed 按法定节日推算、admin 管理员调整、"
                "default 常规作息。"
            ),
            examples=["official"],
        ),
    ]


class DueOut(msgspec.Struct):
    """从起算日起第 days 个工作日（起算日当天不计），以及途中跳过的日子。"""

    start: Annotated[dt.date, Meta(description="起算日。", examples=["2026-12-28"])]
    days: Annotated[int, Meta(ge=0, description="工作日天数。", examples=[5])]
    due: Annotated[dt.date, Meta(description="到期日。", examples=["2027-01-05"])]
    due_weekday: Weekday
    skipped: Annotated[list[DayInfoOut], Meta(description="途中跳过的非工作日。")]
    years_needing_attention: Annotated[
        list[int],
        Meta(
            description="途经的、节假日安排尚未收录国务院通知也未经确认的年份（到期日可能有变）。",
            examples=[[2027]],
        ),
    ]

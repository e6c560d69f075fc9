"""The official notices the calendar's years come from (standard library only).

python-holidays carries each announced year's days but not the notice that announced them: the
State Council General Office's 国务院办公厅关于 YYYY 年部分节假日安排的通知. Its number and date
are listed here for the years they were checked against the published text; a year the library
carries without an entry is named by its title alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Notice:
    """国务院办公厅关于 YYYY 年部分节假日安排的通知: the year it arranges, its number and date."""

    year: int
    number: str = ""  # 国办发明电〔2024〕12号; empty while not checked
    issued: dt.date | None = None

    @property
    def title(self) -> str:
        return f"国务院办公厅关于{self.year}年部分节假日安排的通知"

    @property
    def label(self) -> str:
        """《title》（number，issued date）, leaving out what is not known."""
        details = [self.number] if self.number else []
        if self.issued is not None:
            details.append(f"{self.issued.year}年{self.issued.month}月{self.issued.day}日")
        return f"《{self.title}》" + (f"（{'，'.join(details)}）" if details else "")


KNOWN: Final[dict[int, Notice]] = {
    2024: Notice(2024, "国办发明电〔2023〕7号", dt.date(2023, 10, 25)),
    2025: Notice(2025, "国办发明电〔2024〕12号", dt.date(2024, 11, 12)),
    2026: Notice(2026, "国办发明电〔2025〕7号", dt.date(2025, 11, 4)),
}

STATUTORY: Final = "按《全国年节及纪念日放假办法》推算（该年国务院通知尚未收录）"
PLAIN_WEEK: Final = "常规作息"


def notice_of(year: int) -> Notice:
    return KNOWN.get(year) or Notice(year)

"""User-facing text of the statistics package (Simplified Chinese)."""

from __future__ import annotations

from typing import Final

TOWNSHIP_NOT_FOUND: Final = "找不到该镇街。"
RANGE_REVERSED: Final = "开始日期不能晚于结束日期。"
RANGE_TOO_LONG: Final = "统计区间最长为 {days} 天。"
DATE_INVALID: Final = "日期格式应为 YYYY-MM-DD。"

"""Time: stored in UTC, shown and reasoned about in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now_utc() -> datetime:
    return datetime.now(UTC)


def local(moment: datetime) -> datetime:
    """``moment`` in Asia/Shanghai; a naive datetime is taken to be Shanghai time already."""
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment.astimezone(SHANGHAI)


def local_iso(moment: datetime | None) -> str | None:
    """``moment`` in Asia/Shanghai as ISO 8601 to the second (how answers show a time)."""
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds") if moment else None


def today() -> date:
    """Today's date in Asia/Shanghai."""
    return datetime.now(SHANGHAI).date()

"""Opening hours of service points (standard library only).

Hours are kept per ISO weekday ("1" = Monday … "7" = Sunday) as lists of ``["HH:MM", "HH:MM"]``.
Whether a point is open also depends on the day: closed on statutory holidays unless it keeps
holiday hours (the key ``"holiday"``, the same list of intervals), open on make-up workdays (with
Monday's hours), by the working-day calendar.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Final

Hours = Mapping[str, Sequence[Sequence[str]]]

HOLIDAY: Final = "holiday"
CLOSED_WORDS: Final = frozenset({"", "休息", "闭馆", "不开放", "关闭"})
WEEKDAY_NAMES: Final = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class HoursError(ValueError):
    """Opening hours text that cannot be read; the message is Chinese."""


def _day(token: str) -> int:
    token = token.strip().removeprefix("周").removeprefix("星期")
    if token.isdigit() and 1 <= int(token) <= 7:
        return int(token)
    if token in WEEKDAY_NAMES:
        return WEEKDAY_NAMES[token]
    raise HoursError(f"无法识别星期“{token}”")


def _days(spec: str) -> list[int]:
    spec = spec.strip()
    for sep in ("至", "-", "~"):
        if sep in spec:
            first, last = (_day(p) for p in spec.split(sep, 1))
            if last < first:
                raise HoursError(f"星期范围“{spec}”有误")
            return list(range(first, last + 1))
    return [_day(p) for p in re.split(r"[、,]", spec) if p.strip()]


def _span(text: str) -> list[str]:
    match = _SPAN.match(text.strip())
    if not match:
        raise HoursError(f"时段“{text.strip()}”应写作 08:30-12:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if not (0 <= h1 <= 24 and 0 <= h2 <= 24 and m1 < 60 and m2 < 60) or (h1, m1) >= (h2, m2):
        raise HoursError(f"时段“{text.strip()}”无效")
    return [f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"]


def parse_hours(text: str) -> dict[str, list[list[str]]]:
    """Read ``周一至周五 08:30-12:00,13:30-17:00；周六 09:00-12:00`` (or ``1-5 …; 6 …``).

    ``全天`` / ``24小时`` means always open. An empty text means no regular hours.
    """
    text = text.strip()
    if not text:
        return {}
    if text in {"全天", "24小时", "24h", "00:00-24:00"}:
        return {str(d): [["00:00", "24:00"]] for d in range(1, 8)}
    hours: dict[str, list[list[str]]] = {}
    for part in re.split(r"[;；]", text):
        part = part.strip()
        if not part:
            continue
        match = re.match(r"^(\S+)\s+(.+)$", part)
        if not match:
            raise HoursError(f"“{part}”应写作“周一至周五 08:30-12:00”")
        days, spans = match.groups()
        parsed = [_span(s) for s in re.split(r"[,，、]", spans) if s.strip()]
        for day in _days(days):
            hours.setdefault(str(day), []).extend(parsed)
    return hours


def parse_holiday_hours(text: str) -> list[list[str]]:
    """Read the hours kept on statutory holidays: ``09:00-12:00,13:00-16:00``; empty (or 休息,
    闭馆) means closed on holidays."""
    text = text.strip()
    if text in CLOSED_WORDS:
        return []
    return [_span(s) for s in re.split(r"[,，、]", text) if s.strip()]


def format_hours(hours: Hours) -> str:
    """The weekly hours as ``周一 08:30-12:00；…`` (holiday hours not included)."""
    names = "一二三四五六日"
    parts = [
        f"周{names[int(d) - 1]} " + ",".join(f"{a}-{b}" for a, b in spans)
        for d, spans in sorted(
            ((d, s) for d, s in hours.items() if d.isdigit()), key=lambda kv: int(kv[0])
        )
        if spans
    ]
    return "；".join(parts)


def format_weekly(hours: Hours) -> str:
    """The weekly hours as the form's text: equal weekdays run together (``周一至周五 …``)."""
    names = "一二三四五六日"
    runs: list[tuple[int, int, str]] = []
    for day in range(1, 8):
        spans = ",".join(f"{a}-{b}" for a, b in hours.get(str(day), []))
        if spans and runs and runs[-1][1] == day - 1 and runs[-1][2] == spans:
            runs[-1] = (runs[-1][0], day, spans)
        elif spans:
            runs.append((day, day, spans))
    return "；".join(
        (f"周{names[a - 1]}" if a == b else f"周{names[a - 1]}至周{names[b - 1]}") + f" {spans}"
        for a, b, spans in runs
    )


def format_holiday(hours: Hours) -> str:
    """The holiday hours as the form's text; empty when closed on holidays."""
    return ",".join(f"{a}-{b}" for a, b in hours.get(HOLIDAY, []))


def _within(spans: Sequence[Sequence[str]], moment: time) -> bool:
    now = f"{moment.hour:02d}:{moment.minute:02d}"
    return any(start <= now < end for start, end in spans)


def is_open(hours: Hours, local_moment: datetime, *, working_day: bool, holiday: bool) -> bool:
    """Whether a point with ``hours`` is open at ``local_moment`` (Asia/Shanghai wall time).

    ``working_day`` and ``holiday`` come from the working-day calendar for that date: a
    statutory holiday closes it (or keeps its holiday hours); a make-up workday on a weekend
    opens it with Monday's hours.
    Always-open points (self-service terminals) ignore holidays.
    """
    day: date = local_moment.date()
    weekday = day.isoweekday()
    spans = hours.get(str(weekday), [])
    always = all(hours.get(str(d)) == [["00:00", "24:00"]] for d in range(1, 8))
    if always:
        return True
    if holiday:
        return _within(hours.get(HOLIDAY, []), local_moment.time())
    if working_day and weekday >= 6:
        spans = hours.get("1", [])
    return _within(spans, local_moment.time())

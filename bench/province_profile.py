"""A province's day, pinned: the figures of the load and the schedule built from them.

Every number the ``province`` profile uses lives here, with the arithmetic that derives it,
so that no option of ``python -m bench.run --profile province`` can make the load smaller
(``tests/unit/test_province_profile.py`` pins them). Options only choose how long a trial runs
(``--minutes``, ``--soak-minutes``) and how many processes serve it; a shortened trial keeps
the rates, the per-case mix and at least one burst minute.

The day (the issue's words):

- 200,000 cases a day (about 30× a district's 6,000+); 15 % of them in the peak hour:
  30,000 cases/h ≈ 8.33 cases/s; bursts of 3× that mean (25 cases/s) for a minute;
- per case: 3 phone photos of ≈ 300 KB uploaded, 1 submission, about 20 citizen reads
  (timeline, catalogue, nearby), 6 window or review actions, 4 notifications;
- supervisors open the dashboard throughout.

Everything here is pure (no I/O), so the unit tests read it directly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

# --- the day -------------------------------------------------------------------------------

CASES_PER_DAY: Final = 200_000
DISTRICT_CASES_PER_DAY: Final = 6_000
"""A district's day (the demo district handles 6,000+); the province is ≈ 30× that."""
PEAK_HOUR_SHARE: Final = 0.15
PEAK_CASES_PER_HOUR: Final = round(CASES_PER_DAY * PEAK_HOUR_SHARE)  # 30,000
PEAK_CASES_PER_S: Final = PEAK_CASES_PER_HOUR / 3600  # 8.333…
BURST_FACTOR: Final = 3
BURST_CASES_PER_S: Final = BURST_FACTOR * PEAK_CASES_PER_S  # 25.0
BURST_SECONDS: Final = 60

# --- one case ------------------------------------------------------------------------------

PHOTOS_PER_CASE: Final = 3
PHOTO_TARGET_BYTES: Final = 300_000
PHOTO_SIZE: Final = (1088, 816)
"""``bench.citizens.phone_photo`` at this size is ≈ 290 KB (0.89 MP, quality 92, EXIF)."""
SUBMISSIONS_PER_CASE: Final = 1
SUBSCRIBES_PER_CASE: Final = 1
"""The mini-program reports the subscribe popup in the tap of 提交: one credit per template."""
NOTIFICATIONS_PER_CASE: Final = 4
NOTIFIED_EVENTS: Final = ("case.received", "case.accepted", "case.result_ready", "case.delivered")
"""The case's own status changes the citizen hears of: submit, accept, result, deliver."""

Op = Literal[
    "items_search",
    "items_list",
    "item_detail",
    "nearby",
    "case_detail",
    "my_cases",
    "upload",
    "subscribe",
    "submit",
    "queue_read",
    "accept",
    "transfer",
    "approve",
    "result",
    "deliver",
    "dashboard",
]
READ_OPS: Final[tuple[Op, ...]] = (
    "items_search",
    "items_list",
    "item_detail",
    "nearby",
    "case_detail",
    "my_cases",
)
STAFF_OPS: Final[tuple[Op, ...]] = (
    "queue_read",
    "accept",
    "transfer",
    "approve",
    "result",
    "deliver",
)
"""The window clerk finds the case in the township's queue (searched by its number), accepts
it (受理), transfers it to the back office, the back office approves it (审批通过), the window
issues the result (出件) and hands it over at the window (送达, the collector checked)."""
MIRRORED_OPS: Final[frozenset[Op]] = frozenset(
    {"upload", "submit", "case_detail", "my_cases", "item_detail"}
)
"""The routes ``bench/baseline_citizen.py`` answers as the app does: the bare baseline's part."""

Dependency = Literal["none", "uploads", "submit", "staff"]


@dataclass(frozen=True, slots=True)
class Step:
    """One request of a case, ``at`` seconds after the case's arrival.

    ``after``: ``uploads`` waits for the case's uploads (the submission names them), ``submit``
    for its number, ``staff`` for the previous staff step (the chain of the window). A step
    whose dependency is not done at ``at`` starts when it is; its latency is counted from then
    (the lateness of the step it waited for is that step's own latency).
    """

    at: float
    op: Op
    after: Dependency = "none"


CASE_STEPS: Final[tuple[Step, ...]] = (
    # looking for the service: catalogue and nearby (8 reads)
    Step(0.0, "items_search"),
    Step(1.0, "item_detail"),
    Step(2.0, "nearby"),
    Step(3.0, "items_list"),
    Step(4.0, "item_detail"),
    Step(5.0, "nearby"),
    Step(6.0, "items_search"),
    Step(7.0, "item_detail"),
    # the application: 3 photos, the subscribe popup, the submission
    Step(8.0, "upload"),
    Step(10.0, "upload"),
    Step(12.0, "upload"),
    Step(13.0, "subscribe"),
    Step(14.0, "submit", "uploads"),
    # following it (12 reads) while the window and the back office work it (6 actions)
    Step(15.0, "case_detail", "submit"),
    Step(16.0, "my_cases", "submit"),
    Step(19.0, "queue_read", "submit"),
    Step(20.0, "case_detail", "submit"),
    Step(21.0, "accept", "staff"),
    Step(22.0, "item_detail", "submit"),
    Step(23.0, "transfer", "staff"),
    Step(24.0, "case_detail", "submit"),
    Step(25.0, "approve", "staff"),
    Step(26.0, "nearby", "submit"),
    Step(27.0, "result", "staff"),
    Step(28.0, "case_detail", "submit"),
    Step(29.0, "deliver", "staff"),
    Step(30.0, "case_detail", "submit"),
    Step(31.0, "my_cases", "submit"),
    Step(32.0, "item_detail", "submit"),
    Step(33.0, "nearby", "submit"),
    Step(34.0, "case_detail", "submit"),
)
CASE_LIFE_S: Final = max(s.at for s in CASE_STEPS) + 1.0
"""From a case's first request to a second after its last (35 s)."""
QUEUE_POLL_S: Final = 1.0
"""A clerk who does not find the case in the queue yet (the worker has not forwarded it)
looks again after this; each look is a real ``queue_read``."""
QUEUE_WAIT_S: Final = 60.0
"""A case not in its township's queue this long after its submission is an error."""

DASHBOARD_EVERY_S: Final = 3.0
"""Supervisors open the dashboard (``/portal/dashboard``) once every 3 s, the whole run."""


def per_case(op: Op) -> int:
    return sum(1 for s in CASE_STEPS if s.op == op)


READS_PER_CASE: Final = sum(per_case(op) for op in READ_OPS)  # 20
STAFF_ACTIONS_PER_CASE: Final = sum(per_case(op) for op in STAFF_OPS)  # 6
REQUESTS_PER_CASE: Final = len(CASE_STEPS)  # 31

# --- the run -------------------------------------------------------------------------------

RUN_MINUTES: Final = 10
BURST_EVERY_MINUTES: Final = 4
BURST_AT_MINUTE: Final = 3
"""Burst minutes are the 4th and the 8th of the ten (minutes 3 and 7, counting from 0): every
minute ``m`` with ``m % 4 == 3``. A trial shorter than 4 minutes bursts in its last minute."""
SOAK_MINUTES: Final = 60
SOAK_SAMPLE_S: Final = 30.0
STEP_SECONDS: Final = 120.0
STEP_LADDER: Final = (2.0, 1.5, 1.0, 0.75, 0.5, 0.35, 0.25, 0.15, 0.1, 0.05)
"""Multiples of the peak mean tried, highest first, when the profile misses the goal."""
NOTIFY_SEND_RATE: Final = 200
"""``NOTIFY_SEND_RATE`` of the run: the burst's 100 messages/s fit under it, so WeChat's
shared rate limit (20/s by default, an account setting) is not what is measured."""

# --- the goal ------------------------------------------------------------------------------

GOAL_P99_MS: Final = 250.0
GOAL_ERRORS: Final = 0
GOAL_CPU_RATIO: Final = 1.3


def burst_minutes(minutes: int) -> tuple[int, ...]:
    """The minutes (from 0) that run at ``BURST_FACTOR`` × the peak mean."""
    if minutes <= 0:
        return ()
    found = tuple(m for m in range(minutes) if m % BURST_EVERY_MINUTES == BURST_AT_MINUTE)
    if found:
        return found
    return (minutes - 1,) if minutes >= 2 else ()


@dataclass(frozen=True, slots=True)
class Segment:
    start_s: float
    end_s: float
    cases_per_s: float
    burst: bool


def segments(minutes: int, *, multiple: float = 1.0, bursts: bool = True) -> list[Segment]:
    """The run's case arrival rate, minute by minute: the peak mean × ``multiple``, and in the
    burst minutes ``BURST_FACTOR`` times that (``bursts=False``: the soak and the step search,
    the mean only)."""
    hot = set(burst_minutes(minutes)) if bursts else set()
    rate = PEAK_CASES_PER_S * multiple
    return [
        Segment(
            m * 60.0,
            (m + 1) * 60.0,
            rate * BURST_FACTOR if m in hot else rate,
            m in hot,
        )
        for m in range(minutes)
    ]


def arrivals(parts: Sequence[Segment]) -> list[float]:
    """When each case arrives: evenly spaced at each segment's rate (open loop)."""
    out: list[float] = []
    for part in parts:
        n = math.floor((part.end_s - part.start_s) * part.cases_per_s + 1e-9)
        out += [part.start_s + k / part.cases_per_s for k in range(n)]
    return out


def expected_cases(parts: Sequence[Segment]) -> int:
    return len(arrivals(parts))


Window = Literal["ramp", "peak", "burst", "tail"]


def window_of(due_s: float, parts: Sequence[Segment]) -> Window:
    """Where a request due at ``due_s`` falls: ``ramp`` while the first cases' lives fill the
    pipeline (the first ``CASE_LIFE_S``), ``burst`` from a burst minute's start until the
    lives of its cases end (``CASE_LIFE_S`` after it), ``tail`` after the last arrival,
    ``peak`` otherwise."""
    end = parts[-1].end_s if parts else 0.0
    for part in parts:
        if part.burst and part.start_s <= due_s < part.end_s + CASE_LIFE_S:
            return "burst"
    if due_s < CASE_LIFE_S:
        return "ramp"
    if due_s >= end:
        return "tail"
    return "peak"


@dataclass(frozen=True, slots=True)
class Figures:
    """The derived figures, for the report's header and the docs."""

    peak_cases_per_hour: int
    peak_cases_per_s: float
    burst_cases_per_s: float
    requests_per_case: int
    peak_requests_per_s: float
    burst_requests_per_s: float
    peak_uploads_per_s: float
    burst_uploads_per_s: float
    peak_notifications_per_s: float
    burst_notifications_per_s: float
    cases_in_run: int


def figures(minutes: int = RUN_MINUTES) -> Figures:
    dash = 1 / DASHBOARD_EVERY_S
    return Figures(
        peak_cases_per_hour=PEAK_CASES_PER_HOUR,
        peak_cases_per_s=round(PEAK_CASES_PER_S, 3),
        burst_cases_per_s=round(BURST_CASES_PER_S, 3),
        requests_per_case=REQUESTS_PER_CASE,
        peak_requests_per_s=round(PEAK_CASES_PER_S * REQUESTS_PER_CASE + dash, 1),
        burst_requests_per_s=round(BURST_CASES_PER_S * REQUESTS_PER_CASE + dash, 1),
        peak_uploads_per_s=round(PEAK_CASES_PER_S * PHOTOS_PER_CASE, 2),
        burst_uploads_per_s=round(BURST_CASES_PER_S * PHOTOS_PER_CASE, 2),
        peak_notifications_per_s=round(PEAK_CASES_PER_S * NOTIFICATIONS_PER_CASE, 2),
        burst_notifications_per_s=round(BURST_CASES_PER_S * NOTIFICATIONS_PER_CASE, 2),
        cases_in_run=expected_cases(segments(minutes)),
    )

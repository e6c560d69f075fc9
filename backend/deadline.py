"""The time the current unit of work has left, for steps that must not be cut off halfway.

The outbox runner gives each handler ``JOB_TIMEOUT_SECONDS`` and cancels it after that. A send
to WeChat or to the SMS gateway cannot be taken back once its request has left: if the handler
were cancelled between the gateway's answer and our commit, the retry would send the message a
second time. So a step like that first asks :func:`ensure_time_for` whether it can still finish
in the time left, and if not, fails before it starts; the retry gets a full budget.

Outside a handler (an API request) there is no deadline and every check passes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

COMMIT_MARGIN_S: Final = 1.0
"""Kept back after a send's own worst case for recording its answer."""

_deadline: ContextVar[float | None] = ContextVar("jiujinban_deadline", default=None)


class NoTimeLeft(Exception):
    """The step could not finish before the unit of work is cut off; it was not started."""


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Everything run in this block (and the tasks it starts) must end ``seconds`` from now."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def ends_at() -> float | None:
    """The current deadline (``time.monotonic()``'s clock), or ``None`` when there is none: for
    a thread, which does not see this context's variables."""
    return _deadline.get()


def time_left() -> float | None:
    """Seconds until the current deadline, or ``None`` when there is none."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


def ensure_time_for(seconds: float, what: str, *, end: float | None = None) -> None:
    """Raise :class:`NoTimeLeft` unless ``seconds`` (plus the commit margin) are left before
    ``end`` (by default the current deadline)."""
    end = _deadline.get() if end is None else end
    left = None if end is None else end - time.monotonic()
    if left is not None and left < seconds + COMMIT_MARGIN_S:
        raise NoTimeLeft(
            f"{what}: {max(left, 0):.1f} s left of this attempt, "
            f"{seconds + COMMIT_MARGIN_S:g} s needed; not started"
        )

"""Citizens submitting cases the way the mini-program does, while something breaks.

``miniprogram/src/api/client.ts`` sends a POST with an ``Idempotency-Key`` and, when nothing came
back (a network failure) or the answer was 502/503/504, sends the same request with the same key
again: after ``Retry-After`` seconds when the answer says so (at most 10), else after 0.4, 1.2
and 3 s; then it gives up and the page shows the error. The citizen taps 提交 again — with the
same key, as the apply page keeps it for an answer that may not be final — until the case is
filed. Every answer is counted by status (and problem code), with when it came, so a scenario
can tell what the API answered while its fault lasted.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from bench.faults.common import Submission

RETRY_DELAYS_S = (0.4, 1.2, 3.0)
"""``RETRY_DELAYS_MS`` of client.ts."""
MAX_RETRY_AFTER_S = 10.0
REQUEST_TIMEOUT_S = 15.0
"""client.ts's ``timeout``."""
TAP_AGAIN_S = 1.0
"""How long a citizen looks at the error before tapping 提交 again."""
SUBMIT = "/api/v1/cases"
ONE_ADDRESS: dict[str, str] = {
    "ID_LOOKUP_LIMIT_PER_ADDRESS": "1000000",
    "ID_LOOKUP_LIMIT_PER_ACCOUNT": "1000000",
}
"""Settings for an API all of whose citizens come from 127.0.0.1: binding 1,000 identities from
one address would otherwise be refused as an ID-number lookup run (429)."""


@dataclass
class Seen:
    """Every answer the clients got: ``(monotonic time, label)``; the label is the status,
    ``503 database_unavailable`` for a problem document, ``network`` when nothing came back."""

    answers: list[tuple[float, str]] = field(default_factory=list)
    without_retry_after: int = 0
    """503 answers that did not say when to try again."""
    replayed: int = 0
    """2xx answers replayed from the stored first answer (``Idempotent-Replayed``)."""
    in_flight: int = 0
    """Requests sent and not answered yet (a kill mid-request waits for one)."""

    def add(self, label: str) -> None:
        self.answers.append((time.monotonic(), label))

    def count(self, start: float = 0.0, end: float = float("inf")) -> Counter[str]:
        return Counter(label for at, label in self.answers if start <= at <= end)

    def errors(self) -> Counter[str]:
        """Answers the issue forbids: any 5xx but a 503 with ``Retry-After``, any 4xx but a 409
        ``request_in_progress`` (a retry arriving while its first request still runs)."""
        bad = Counter(
            label
            for _at, label in self.answers
            if label[0] in "45"
            and not label.startswith("503 database_unavailable")
            and label != "409 request_in_progress"
        )
        if self.without_retry_after:
            bad["503 without Retry-After"] = self.without_retry_after
        return bad


@dataclass
class Filed:
    """What one citizen's submission came to."""

    submission: Submission
    number: str | None = None
    """The case number of the 2xx answer (None: never acknowledged)."""
    taps: int = 0
    sends: int = 0
    acknowledged_at: float | None = None


def _label(answer: httpx.Response) -> str:
    label = str(answer.status_code)
    if answer.status_code >= 400 and "problem+json" in answer.headers.get("content-type", ""):
        with contextlib.suppress(ValueError):
            label += f" {answer.json().get('code', '')}"
    return label


async def _send(api: httpx.AsyncClient, filed: Filed, seen: Seen) -> httpx.Response | None:
    """client.ts ``request()``: one tap, its retries with the same key; None if nothing came
    back the last time."""
    sub = filed.submission
    answer: httpx.Response | None = None
    for attempt in range(len(RETRY_DELAYS_S) + 1):
        filed.sends += 1
        seen.in_flight += 1
        try:
            answer = await api.post(
                SUBMIT, json=sub.body, headers=sub.headers, timeout=REQUEST_TIMEOUT_S
            )
        except httpx.TransportError:
            seen.in_flight -= 1
            seen.add("network")
            answer = None
            if attempt < len(RETRY_DELAYS_S):
                await asyncio.sleep(RETRY_DELAYS_S[attempt])
                continue
            return None
        seen.in_flight -= 1
        label = _label(answer)
        seen.add(label)
        if answer.is_success:
            if answer.headers.get("Idempotent-Replayed") == "true":
                seen.replayed += 1
            return answer
        if answer.status_code in (502, 503, 504) and attempt < len(RETRY_DELAYS_S):
            after = answer.headers.get("Retry-After", "")
            if answer.status_code == 503 and not after:
                seen.without_retry_after += 1
            try:
                wait = min(float(after), MAX_RETRY_AFTER_S) if after else 0.0
            except ValueError:
                wait = 0.0
            await asyncio.sleep(wait if wait > 0 else RETRY_DELAYS_S[attempt])
            continue
        return answer
    return answer


def _may_tap_again(answer: httpx.Response | None) -> bool:
    """Nothing came back, the server was away, or the first request still runs: the case may
    or may not be filed, so the same key goes again. Anything else is a final answer."""
    return (
        answer is None
        or answer.status_code >= 500
        or _label(answer).endswith("request_in_progress")
    )


async def file_case(
    api: httpx.AsyncClient, filed: Filed, seen: Seen, *, give_up_at: float
) -> Filed:
    """Tap 提交 until the case is acknowledged, a final refusal comes, or ``give_up_at``."""
    while time.monotonic() < give_up_at:
        filed.taps += 1
        answer = await _send(api, filed, seen)
        if answer is not None and answer.is_success:
            filed.number = str(answer.json()["number"])
            filed.acknowledged_at = time.monotonic()
            return filed
        if not _may_tap_again(answer):
            return filed
        await asyncio.sleep(TAP_AGAIN_S)
    return filed


async def file_paced(
    api_url: str,
    submissions: list[Submission],
    seen: Seen,
    *,
    rate_per_s: float,
    give_up_after_s: float,
) -> list[Filed]:
    """Start one submission every ``1 / rate_per_s`` seconds (each its own citizen), each
    retrying as the mini-program does; return when every one is filed or gave up."""
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    async with httpx.AsyncClient(base_url=api_url, limits=limits) as api:
        began = time.monotonic()

        async def one(n: int, sub: Submission) -> Filed:
            await asyncio.sleep(max(0.0, began + n / rate_per_s - time.monotonic()))
            return await file_case(
                api, Filed(sub), seen, give_up_at=time.monotonic() + give_up_after_s
            )

        return list(await asyncio.gather(*(one(n, s) for n, s in enumerate(submissions))))

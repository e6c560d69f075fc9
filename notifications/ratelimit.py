"""A send rate shared by every worker process (Redis counts sends per second)."""

from __future__ import annotations

import asyncio
import time
from typing import Any


class SendRate:
    """At most ``per_second`` sends per wall-clock second across processes.

    Redis losing the counters (a flush) only lets one second's sends through unthrottled.
    """

    def __init__(
        self, redis: Any, *, per_second: float, key: str = "jiujinban:notify:rate"
    ) -> None:
        self._redis = redis
        self._key = key
        # a fractional rate (0.5/s) becomes whole sends per window of several seconds
        self._window_s = max(1, round(1 / per_second)) if per_second < 1 else 1
        self._per_window = max(1, int(per_second * self._window_s))

    async def wait(self) -> None:
        while True:
            now = time.time()
            window = int(now // self._window_s)
            key = f"{self._key}:{window}"
            count = await self._redis.incr(key)
            if count == 1:
                await self._redis.expire(key, self._window_s + 2)
            if count <= self._per_window:
                return
            await asyncio.sleep((window + 1) * self._window_s - now + 0.001)

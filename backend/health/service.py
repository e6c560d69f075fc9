"""Readiness checks of the services the app depends on."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from backend.health import store


async def check_postgres(timeout_s: float = 2.0) -> tuple[bool, float]:
    start = time.perf_counter()
    try:
        await asyncio.wait_for(store.ping(), timeout=timeout_s)
    except Exception:
        return False, time.perf_counter() - start
    return True, time.perf_counter() - start


async def check_redis(redis: Redis, timeout_s: float = 1.0) -> tuple[bool, float]:
    start = time.perf_counter()
    try:
        await asyncio.wait_for(redis.ping(), timeout=timeout_s)
    except Exception:
        return False, time.perf_counter() - start
    return True, time.perf_counter() - start

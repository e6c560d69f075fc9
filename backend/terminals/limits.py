"""Failed terminal logins counted per client address in Redis (a fixed window).

Redis losing the counters only forgets recent failures; a terminal secret has 256 bits, so the
limit is there to keep a misconfigured device or a scanner from hammering the login, not to
protect a guessable secret.
"""

from __future__ import annotations

import math
import time
from typing import Any

import structlog
from redis.exceptions import RedisError

from backend.errors import RateLimited
from backend.terminals import texts

log = structlog.get_logger(__name__)


def _key(prefix: str, address: str, window_s: int) -> tuple[str, float]:
    now = time.time()
    window = int(now // window_s)
    wait = (window + 1) * window_s - now
    return f"{prefix}:ratelimit:terminal_login:{address}:{window}", wait


async def refuse_if_over(
    redis: Any, *, prefix: str, address: str, most: int, window_s: int
) -> None:
    """429 ``rate_limited`` while this address has ``most`` failures in the current window."""
    key, wait = _key(prefix, address, window_s)
    try:
        count = int(await redis.get(key) or 0)
    except (RedisError, OSError) as exc:
        log.warning("rate_limit_unavailable", route="terminal_login", error=str(exc))
        return
    if count >= most:
        raise RateLimited(
            texts.LOGIN_LIMITED.format(minutes=max(1, math.ceil(wait / 60))),
            code="rate_limited",
            retry_after_s=max(1, math.ceil(wait)),
        )


async def count_failure(redis: Any, *, prefix: str, address: str, window_s: int) -> None:
    key, _ = _key(prefix, address, window_s)
    try:
        pipe = redis.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, window_s + 5)
        await pipe.execute()
    except (RedisError, OSError) as exc:
        log.warning("rate_limit_unavailable", route="terminal_login", error=str(exc))

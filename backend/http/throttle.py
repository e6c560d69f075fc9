"""Limits on lookups by ID number (binding, registering a villager, a window walk-in), per
account and per client address, counted in Redis (fixed windows, ``<prefix>:ratelimit:…``).

While Redis is away a route either lets requests through (``fail_open``: a log line each) or
answers 503 ``rate_limit_unavailable``; docs/personal-data.md says which route does what, and why.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import structlog
from litestar import Request
from redis.exceptions import RedisError

from backend.errors import RateLimited, ServiceUnavailable
from backend.http.client import client_address

log = structlog.get_logger(__name__)

LIMITED = "尝试次数过多，请 {minutes} 分钟后再试。"
UNAVAILABLE = "暂时无法处理身份核对请求，请稍后再试。"


@dataclass(frozen=True, slots=True)
class Limit:
    per_account: int
    per_address: int
    window_s: int


async def hit(
    redis: Any,
    *,
    prefix: str,
    route: str,
    account: str | None,
    address: str | None,
    limit: Limit,
    fail_open: bool,
    message: str = LIMITED,
) -> None:
    """Count one attempt; 429 with ``Retry-After`` when a counter is over its limit.

    ``account`` or ``address`` None: that counter is not kept (a public page has no account, and
    counting its lookups on one shared account would let one client block everyone; a per-user
    limit does not count a whole office behind one address). ``message`` may hold
    ``{minutes}``."""
    now = time.time()
    window = int(now // limit.window_s)
    base = f"{prefix}:ratelimit:{route}"
    counted = [
        (by, f"{base}:{by}:{who}:{window}", most)
        for by, who, most in (
            ("account", account, limit.per_account),
            ("address", address, limit.per_address),
        )
        if who is not None
    ]
    try:
        pipe = redis.pipeline(transaction=False)
        for _, key, _ in counted:
            pipe.incr(key)
            pipe.expire(key, limit.window_s + 5)
        counts = (await pipe.execute())[::2]
    except (RedisError, OSError) as exc:
        log.warning("rate_limit_unavailable", route=route, fail_open=fail_open, error=str(exc))
        if fail_open:
            return
        raise ServiceUnavailable(UNAVAILABLE, code="rate_limit_unavailable") from exc
    over = [by for (by, _, most), count in zip(counted, counts, strict=True) if count > most]
    if over:
        wait = max(1, math.ceil((window + 1) * limit.window_s - now))
        log.info("rate_limited", route=route, by=over[0])
        raise RateLimited(
            message.format(minutes=max(1, math.ceil(wait / 60))),
            code="rate_limited",
            retry_after_s=wait,
        )


async def limit_id_lookup(
    request: Request[Any, Any, Any], *, route: str, account: str, fail_open: bool
) -> None:
    """The ID-number lookup limits of ``settings`` for this request's account and address."""
    state = request.app.state
    settings = state.settings
    await hit(
        state.redis,
        prefix=settings.redis_prefix,
        route=route,
        account=account,
        address=client_address(request, settings),
        limit=Limit(
            per_account=settings.id_lookup_limit_per_account,
            per_address=settings.id_lookup_limit_per_address,
            window_s=settings.id_lookup_window_s,
        ),
        fail_open=fail_open,
    )

"""Running a create under an ``Idempotency-Key`` header (see ``backend.idempotency``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import Request, Response

from backend.idempotency import service as idempotency
from backend.outbox.service import Doorbell, unit_of_work

HEADER = "Idempotency-Key"


async def replay(request: Request[Any, Any, Any], *, scope: str) -> Response[Any] | None:
    """The first answer to this request if it was already answered under its key, else None."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    fingerprint = idempotency.request_hash(request.method, request.url.path, await request.body())
    stored = await idempotency.peek(scope=scope, key=key, fingerprint=fingerprint)
    if stored is None:
        return None
    return Response(stored.body, status_code=stored.status, headers={"Idempotent-Replayed": "true"})


async def run_idempotent(
    request: Request[Any, Any, Any],
    *,
    scope: str,
    ttl_s: int,
    create: Callable[[], Awaitable[Any]],
    status_code: int = 201,
) -> Response[Any]:
    """Call ``create`` at most once per key; must run inside the handler's transaction."""
    key = request.headers.get(HEADER)
    if key is None:
        return Response(await create(), status_code=status_code)
    fingerprint = idempotency.request_hash(request.method, request.url.path, await request.body())
    stored = await idempotency.begin(scope=scope, key=key, fingerprint=fingerprint, ttl_s=ttl_s)
    if stored is not None:
        return Response(
            stored.body, status_code=stored.status, headers={"Idempotent-Replayed": "true"}
        )
    body = msgspec.to_builtins(await create())
    await idempotency.finish(scope=scope, key=key, status=status_code, body=body)
    return Response(body, status_code=status_code)


async def create_once(
    request: Request[Any, Any, Any],
    *,
    doorbell: Doorbell | None,
    ttl_s: int,
    create: Callable[[], Awaitable[Any]],
    status_code: int = 201,
) -> Response[Any]:
    """A create route's whole answer: the first answer again for a replayed key, else
    ``create`` run once in one unit of work (its outbox rows rung after commit)."""
    scope = request.user.scope_key
    replayed = await replay(request, scope=scope)
    if replayed is not None:
        return replayed
    async with unit_of_work(doorbell):
        return await run_idempotent(
            request, scope=scope, ttl_s=ttl_s, create=create, status_code=status_code
        )

"""The ``Idempotency-Key`` header in and out of :func:`backend.idempotency.service.run_once`."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from litestar import Request, Response

from backend.idempotency import service as idempotency

HEADER = "Idempotency-Key"

T = TypeVar("T")


async def claim_of(request: Request[Any, Any, Any]) -> idempotency.Claim | None:
    """The request's claim under its key, scoped to the caller (None without the header)."""
    return idempotency.claim(
        scope=request.user.scope_key,
        key=request.headers.get(HEADER),
        method=request.method,
        path=request.url.path,
        body=await request.body(),
        secret=request.app.state.settings.secret_key.encode(),
    )


def respond(answer: idempotency.Answer, shape: type[T]) -> Response[T]:
    """The answer as sent, as the operation's type; a stored first answer says so in
    ``Idempotent-Replayed``."""
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
    body = msgspec.convert(answer.body, shape)
    return Response(body, status_code=answer.status, headers=headers)

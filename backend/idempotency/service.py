"""Idempotency keys: the one helper every create route and portal form runs through.

:func:`run_once` is the whole protocol, for the API (``Idempotency-Key`` header) and the
portal's forms (a hidden submission key) alike:

1. A stored answer to the same request is replayed before anything else runs: the checks
   before the transaction may answer differently now that the first request's effects exist.
2. ``prepare`` runs outside the transaction (shared-data lookups, upload checks).
3. One unit of work claims the key, runs ``create`` and stores its answer; all of it commits
   together. A concurrent request with the same key blocks on the key's unique index until the
   first commits, then finds the stored answer and replays it. One that waited
   :data:`WAIT_S` in vain answers 409 ``request_in_progress`` with ``Retry-After``.
4. A domain error raised by ``prepare`` or ``create`` while the key is given is checked against
   the key once more. Everything the first request changed committed together with its stored
   answer, so a refusal caused by its effects (an upload already attached to the case it
   created) is replaced by that answer: a retry never gets a misleading domain error.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, TypeVar, overload

import msgspec
from asyncpg.exceptions import LockNotAvailableError

from backend import db
from backend.errors import Conflict, DomainError, InvalidInput
from backend.idempotency import store
from backend.outbox.service import Doorbell, unit_of_work

MAX_KEY_LENGTH: Final = 200
_KEY: Final = re.compile(r"[\x21-\x7e]+")
"""Visible ASCII, no space: what the API description states (a UUID fits)."""
WAIT_S: Final = 10
"""How long a request waits for a concurrent one with the same key before answering 409."""
RETRY_AFTER_S: Final = 1

P = TypeVar("P")


class RequestInProgress(Conflict):
    """The same key's first request is still running; the client retries after a moment."""

    default_code = "request_in_progress"
    default_detail = "相同的请求正在处理中，请稍后重试。"

    def __init__(self) -> None:
        super().__init__()
        self.retry_after_s = RETRY_AFTER_S


@dataclass(frozen=True, slots=True)
class Claim:
    """A request made under a key: whose (``scope``), the key, and a hash of what was asked."""

    scope: str
    key: str
    fingerprint: str

    @property
    def scoped_key(self) -> str:
        return f"{self.scope}|{self.key}"


@dataclass(frozen=True, slots=True)
class Answer:
    """What a create answered (JSON-ready), and whether it is a stored first answer."""

    status: int
    body: Any
    replayed: bool = False


def request_hash(method: str, path: str, body: bytes, *, secret: bytes) -> str:
    """A keyed hash of what was asked; JSON bodies are canonicalised so key order does not matter.

    Keyed (HMAC with the deployment's secret) because bodies carry ID numbers and phones: a plain
    hash stored beside the answer could be confirmed against guesses offline.
    """
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    message = method.encode() + b" " + path.encode() + b"\n" + canonical
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def claim(
    *, scope: str, key: str | None, method: str, path: str, body: bytes, secret: bytes
) -> Claim | None:
    """The claim of a request carrying ``key`` (None without a key); 422 for a malformed key."""
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key):
        raise InvalidInput(
            f"Idempotency-Key 须为 1–{MAX_KEY_LENGTH} 个可见的 ASCII 字符（不含空格），如 UUID。",
            code="idempotency_key_invalid",
        )
    return Claim(scope=scope, key=key, fingerprint=request_hash(method, path, body, secret=secret))


def _reused() -> InvalidInput:
    return InvalidInput(
        "该 Idempotency-Key 已用于另一个不同的请求，请换一个新的键。",
        code="idempotency_key_reused",
    )


@overload
async def run_once(
    claimed: Claim | None,
    *,
    ttl_s: int,
    doorbell: Doorbell | None,
    create: Callable[[], Awaitable[Any]],
    status: int = 201,
) -> Answer: ...


@overload
async def run_once(
    claimed: Claim | None,
    *,
    ttl_s: int,
    doorbell: Doorbell | None,
    prepare: Callable[[], Awaitable[P]],
    create: Callable[[P], Awaitable[Any]],
    status: int = 201,
) -> Answer: ...


async def run_once(
    claimed: Claim | None,
    *,
    ttl_s: int,
    doorbell: Doorbell | None,
    create: Callable[..., Awaitable[Any]],
    prepare: Callable[[], Awaitable[Any]] | None = None,
    status: int = 201,
) -> Answer:
    """Run a create at most once per key and answer every request with the first answer.

    ``prepare`` (optional) runs before the transaction and its result is passed to ``create``,
    which runs inside one unit of work (its outbox rows rung after commit). Without a key the
    create simply runs.
    """
    if claimed is not None:
        stored = await _stored(claimed)
        if stored is not None:
            return stored
    try:
        args = () if prepare is None else (await prepare(),)
        async with unit_of_work(doorbell):
            if claimed is not None:
                stored = await _begin(claimed, ttl_s=ttl_s)
                if stored is not None:
                    return stored
            body = msgspec.to_builtins(await create(*args))
            if claimed is not None:
                await _finish(claimed, status=status, body=body)
    except DomainError as exc:
        if claimed is None or isinstance(exc, RequestInProgress):
            raise
        stored = await _stored(claimed)
        if stored is None:
            raise
        return stored
    return Answer(status=status, body=body)


async def seen_before(*, scope: str, key: str, fingerprint: str, ttl_s: int) -> bool:
    """Record ``key`` in the caller's transaction; True when it was recorded before.

    For deduplicating pushed events that carry no answer to replay; 422
    ``idempotency_key_reused`` when the key was recorded with another fingerprint.
    """
    found = await _begin(Claim(scope=scope, key=key, fingerprint=fingerprint), ttl_s=ttl_s)
    return found is not None


async def _begin(claimed: Claim, *, ttl_s: int) -> Answer | None:
    """Claim the key inside the caller's transaction; the stored answer if it was answered."""
    now = datetime.now(UTC)
    scoped = claimed.scoped_key
    await store.forget_expired(scoped_key=scoped, now=now)
    was = await store.set_lock_timeout(f"{WAIT_S}s")
    try:
        inserted = await store.claim(
            scoped_key=scoped,
            request_hash=claimed.fingerprint,
            now=now,
            expires_at=now + timedelta(seconds=ttl_s),
        )
    except LockNotAvailableError:
        raise RequestInProgress() from None
    await store.restore_lock_timeout(was)
    if inserted:
        return None
    row = await store.stored(scoped_key=scoped)
    if row is None or row.request_hash != claimed.fingerprint:
        raise _reused()
    return Answer(status=row.status or 200, body=row.body, replayed=True)


async def _stored(claimed: Claim) -> Answer | None:
    """The stored answer for the key if the same request was answered (no write, no lock)."""
    row = await store.stored(scoped_key=claimed.scoped_key, unexpired_at=datetime.now(UTC))
    if row is None or row.status is None:
        return None
    if row.request_hash != claimed.fingerprint:
        raise _reused()
    return Answer(status=row.status, body=row.body, replayed=True)


async def _finish(claimed: Claim, *, status: int, body: Any) -> None:
    await store.answer(scoped_key=claimed.scoped_key, status=status, body=body)


async def purge_expired() -> int:
    """Delete keys past their 24 h; run by the worker's cron."""
    return await store.purge_expired()


ANSWERS_TABLE: Final = store.TABLE
"""Where stored answers live (for maintenance such as ``VACUUM FULL`` after a rewrite)."""


async def rewrite_stored_answers(
    *,
    having: str,
    rewrite: Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]],
    batch_size: int,
) -> int:
    """Rewrite stored answers whose body holds the key ``having``, batch by batch.

    ``rewrite`` gets the decoded body and returns the body to store, or None to leave it. Each
    batch is one transaction (rows locked, so a replay never sees half a rewrite). Returns how
    many answers were rewritten. Used when what answers may hold changes (e.g. masking a form).
    """
    rewritten, after = 0, 0
    while True:
        async with db.engine().transaction():
            rows = await store.answers_having(key=having, after=after, limit=batch_size)
            for row in rows:
                new = await rewrite(row.body)
                if new is not None:
                    await store.replace_body(key_id=row.id, body=new)
                    rewritten += 1
        if not rows:
            return rewritten
        after = rows[-1].id

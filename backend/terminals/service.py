"""Use cases of the self-service terminals: register, reissue, disable, list, log in, and a
citizen's session opened by reading their ID card.

A terminal's device credential is its id and a random 256-bit secret, shown once when issued;
only the secret's SHA-256 is kept (a random secret of that length needs no slow hash) and it is
compared in constant time. Reissuing replaces the hash and moves ``credential_issued_at`` on,
which every terminal token carries as its version: the old credential and its tokens stop
working at once. Every issue, reissue and disabling is written to the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from litestar.security.jwt import JWTAuth, Token

from backend import clock, db
from backend.audit.service import Actor, AuditLog
from backend.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from backend.geo import points as geo
from backend.http.auth import Principal, TerminalSeat
from backend.identity import offline
from backend.identity.sessions import citizen_token_version
from backend.security.fieldcrypt import FieldCipher
from backend.settings import Settings
from backend.terminals import limits, store, texts

log = structlog.get_logger(__name__)

KIND = "self_service_terminal"
SUBJECT = "terminal"
TERMINAL_ISSUE = "terminal.issue"
TERMINAL_REISSUE = "terminal.reissue"
TERMINAL_DISABLE = "terminal.disable"
SECRET_BYTES = 32


@dataclass(frozen=True, slots=True)
class TerminalView:
    """A terminal as an administrator sees it (never its credential)."""

    id: str
    name: str
    service_point_id: str
    service_point_name: str
    township_code: str
    active: bool
    last_seen_at: datetime | None
    credential_issued_at: datetime
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Credential:
    """What is shown once when a terminal's credential is issued: entered on the device."""

    terminal: TerminalView
    secret: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def version_of(issued_at: datetime) -> int:
    """The token version of a credential: its issue time in microseconds."""
    return int(issued_at.timestamp() * 1_000_000)


async def _point(code: str) -> geo.PointView:
    snap = await geo.snapshot()
    point = snap.points.get(code.strip())
    if point is None:
        raise InvalidInput(texts.POINT_UNKNOWN.format(code=code), code="service_point_unknown")
    if point.kind != KIND:
        raise InvalidInput(texts.POINT_NOT_TERMINAL, code="service_point_not_terminal")
    return point


async def _view(row: store.TerminalRow) -> TerminalView:
    snap = await geo.snapshot()
    point = snap.points.get(row.point)
    return TerminalView(
        id=row.id,
        name=row.name,
        service_point_id=row.point,
        service_point_name=point.name if point else row.point,
        township_code=point.township_code if point else "",
        active=row.disabled_at is None,
        last_seen_at=row.last_seen_at,
        credential_issued_at=row.credential_issued_at,
        created_at=row.created_at,
    )


async def terminal_points() -> list[tuple[str, str]]:
    """The service points a terminal may be registered at: (id, name), by id."""
    snap = await geo.snapshot()
    return sorted((p.code, p.name) for p in snap.points.values() if p.kind == KIND)


def _clean_name(name: str) -> str:
    clean = " ".join(name.split())
    if not 1 <= len(clean) <= 100 or any(not c.isprintable() for c in clean):
        raise InvalidInput(texts.NAME_INVALID, code="terminal_name_invalid")
    return clean


async def issue(*, audit: AuditLog, actor: Actor, point_code: str, name: str) -> Credential:
    """Register a terminal at a self-service-terminal point; its credential, shown once."""
    clean = _clean_name(name)
    point = await _point(point_code)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    async with db.engine().transaction():
        row = await store.insert(
            terminal_id=str(uuid.uuid4()),
            name=clean,
            point=point.code,
            credential_hash=_hash(secret),
            by=f"{actor.kind}:{actor.id}"[:64],
            at=clock.now_utc(),
        )
        await audit.record(
            actor=actor,
            action=TERMINAL_ISSUE,
            subject_kind=SUBJECT,
            subject_id=row.id,
            reason=f"登记自助终端“{clean}”（办事点 {point.code}）并签发凭证",
        )
    return Credential(await _view(row), secret)


async def _load(terminal_id: str, *, for_update: bool = False) -> store.TerminalRow:
    row = None
    if _is_uuid(terminal_id):
        row = await store.get(terminal_id=terminal_id, for_update=for_update)
    if row is None:
        raise NotFound(texts.TERMINAL_NOT_FOUND, code="terminal_not_found")
    return row


async def reissue(*, audit: AuditLog, actor: Actor, terminal_id: str) -> Credential:
    """A new credential for a terminal; the old one and every token issued under it end."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    async with db.engine().transaction():
        row = await _load(terminal_id, for_update=True)
        if row.disabled_at is not None:
            raise Conflict(texts.ALREADY_DISABLED, code="terminal_disabled")
        await store.set_credential(
            terminal_id=row.id, credential_hash=_hash(secret), at=clock.now_utc()
        )
        await audit.record(
            actor=actor,
            action=TERMINAL_REISSUE,
            subject_kind=SUBJECT,
            subject_id=row.id,
            reason=f"重新签发自助终端“{row.name}”的凭证，旧凭证作废",
        )
        row = await _load(terminal_id)
    return Credential(await _view(row), secret)


async def disable(*, audit: AuditLog, actor: Actor, terminal_id: str) -> TerminalView:
    """Disable a terminal: its tokens and every session open at it stop working at once."""
    async with db.engine().transaction():
        row = await _load(terminal_id, for_update=True)
        if row.disabled_at is not None:
            raise Conflict(texts.ALREADY_DISABLED, code="terminal_disabled")
        await store.disable(terminal_id=row.id, at=clock.now_utc())
        await audit.record(
            actor=actor,
            action=TERMINAL_DISABLE,
            subject_kind=SUBJECT,
            subject_id=row.id,
            reason=f"停用自助终端“{row.name}”，其令牌和正在进行的会话全部失效",
        )
        row = await _load(terminal_id)
    return await _view(row)


async def list_terminals(*, page: int, page_size: int) -> tuple[list[TerminalView], int]:
    rows, total = await store.page(offset=(page - 1) * page_size, limit=page_size)
    return [await _view(r) for r in rows], total


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# --- the terminal's own login ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TerminalLogin:
    access_token: str
    expires_in: int
    terminal: TerminalView


def _invalid() -> Unauthenticated:
    return Unauthenticated(texts.CREDENTIAL_INVALID, code="terminal_credential_invalid")


async def authenticate(*, terminal_id: str, secret: str) -> store.TerminalRow:
    """The active terminal whose credential this is; 401 ``terminal_credential_invalid`` for
    an unknown terminal, a wrong secret or a disabled terminal alike."""
    row = await store.get(terminal_id=terminal_id) if _is_uuid(terminal_id) else None
    expected = row.credential_hash if row is not None else _hash(secrets.token_urlsafe(8))
    matched = hmac.compare_digest(expected.encode(), _hash(secret).encode())
    if row is None or not matched or row.disabled_at is not None:
        raise _invalid()
    return row


async def login(
    *, terminal_id: str, secret: str, auth: JWTAuth[Principal, Token], ttl_s: int
) -> TerminalLogin:
    """A terminal token for a good credential (the rate limit is the caller's)."""
    row = await authenticate(terminal_id=terminal_id, secret=secret)
    view = await _view(row)
    await store.seen(terminal_id=row.id, at=clock.now_utc())
    token = auth.create_token(
        identifier=f"terminal:{row.id}",
        token_expiration=timedelta(seconds=ttl_s),
        token_extras={"kind": "terminal", "ver": version_of(row.credential_issued_at)},
    )
    log.info("terminal_login", terminal_id=row.id)
    return TerminalLogin(token, ttl_s, view)


async def login_from(
    *,
    terminal_id: str,
    secret: str,
    address: str,
    redis: Any,
    settings: Settings,
    auth: JWTAuth[Principal, Token],
) -> TerminalLogin:
    """:func:`login`, refused while ``address`` has too many recent failures; a failure counts."""
    window, prefix = settings.terminal_login_window_s, settings.redis_prefix
    await limits.refuse_if_over(
        redis,
        prefix=prefix,
        address=address,
        most=settings.terminal_login_max_failures,
        window_s=window,
    )
    try:
        return await login(
            terminal_id=terminal_id, secret=secret, auth=auth, ttl_s=settings.terminal_token_ttl_s
        )
    except Unauthenticated:
        await limits.count_failure(redis, prefix=prefix, address=address, window_s=window)
        raise


def _seat(view: TerminalView) -> TerminalSeat:
    return TerminalSeat(view.id, view.service_point_id, view.township_code)


def _revoked() -> Unauthenticated:
    return Unauthenticated(texts.CREDENTIAL_INVALID, code="token_revoked")


async def terminal_principal(ident: str, token: Token) -> Principal | None:
    """The terminal behind a terminal token (the JWT loader of kind ``terminal``)."""
    row = await store.get(terminal_id=ident) if _is_uuid(ident) else None
    if row is None:
        return None
    if row.disabled_at is not None or token.extras.get("ver") != version_of(
        row.credential_issued_at
    ):
        raise _revoked()
    return Principal("terminal", row.id, terminal=_seat(await _view(row)))


# --- a citizen's session at a terminal -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionOpened:
    access_token: str
    expires_in: int
    citizen_id: str
    name: str
    id_number_masked: str


async def open_session(
    *,
    terminal: TerminalSeat,
    name: str,
    id_number: str,
    reader_serial: str,
    cipher: FieldCipher,
    auth: JWTAuth[Principal, Token],
    ttl_s: int,
) -> SessionOpened:
    """The person whose card was read, found by the number's lookup hash or registered without
    WeChat, and a short session token for them at this terminal (channel ``self_service``)."""
    snap = await geo.snapshot()
    point = snap.points.get(terminal.service_point_id)
    village = point.area_code if point is not None else None
    citizen_id, masked = await offline.find_or_register_card(
        name=name, id_number=id_number, village_code=village, cipher=cipher
    )
    version = await citizen_token_version(citizen_id=citizen_id)
    session_id = str(uuid.uuid4())
    now = clock.now_utc()
    await store.open_session(
        session_id=session_id,
        terminal_id=terminal.id,
        citizen_id=citizen_id,
        reader_serial=reader_serial[:64],
        at=now,
        expires_at=now + timedelta(seconds=ttl_s),
    )
    await store.seen(terminal_id=terminal.id, at=now)
    token = auth.create_token(
        identifier=f"kiosk:{session_id}",
        token_expiration=timedelta(seconds=ttl_s),
        token_extras={
            "kind": "kiosk",
            "ver": version or 0,
            "ch": "self_service",
            "term": terminal.id,
        },
    )
    log.info("terminal_session_opened", terminal_id=terminal.id, session_id=session_id)
    return SessionOpened(token, ttl_s, citizen_id, " ".join(name.split()), masked)


async def kiosk_principal(ident: str, token: Token) -> Principal | None:
    """The citizen behind a session token (the JWT loader of kind ``kiosk``): refused once the
    session ended, expired, its terminal was disabled or the citizen's tokens were revoked."""
    found = await store.session(session_id=ident) if _is_uuid(ident) else None
    if found is None:
        return None
    if (
        found.ended_at is not None
        or found.terminal_disabled
        or found.expires_at <= clock.now_utc()
        or await citizen_token_version(citizen_id=found.citizen) != token.extras.get("ver")
    ):
        raise Unauthenticated(texts.SESSION_ENDED, code="token_revoked")
    row = await store.get(terminal_id=found.terminal)
    assert row is not None
    return Principal(
        "citizen", found.citizen, terminal=_seat(await _view(row)), session_id=found.id
    )


async def end_session(*, session_id: str) -> None:
    """End a session at once (its token is refused from now on)."""
    await store.end_session(session_id=session_id, at=clock.now_utc())
    log.info("terminal_session_ended", session_id=session_id)

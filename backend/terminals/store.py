"""The only SQL of the terminals: ``terminal`` and ``terminal_session``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from backend import db

_COLUMNS = (
    "id::text AS id, name, service_point AS point, credential_hash, credential_issued_at,"
    " disabled_at, last_seen_at, created_by, created_at"
)


@dataclass(frozen=True, slots=True)
class TerminalRow:
    id: str
    name: str
    point: str
    credential_hash: str
    credential_issued_at: datetime
    disabled_at: datetime | None
    last_seen_at: datetime | None
    created_by: str
    created_at: datetime


_INSERT = (
    "INSERT INTO terminal (id, name, service_point, credential_hash, credential_issued_at,"
    " created_by, created_at) VALUES ($1::uuid, $2, $3, $4, $5, $6, $5) RETURNING id::text AS id,"
    " name, service_point AS point, credential_hash, credential_issued_at, disabled_at,"
    " last_seen_at, created_by, created_at"
)


def _row(r: asyncpg.Record) -> TerminalRow:
    return TerminalRow(**dict(r))


async def insert(
    *, terminal_id: str, name: str, point: str, credential_hash: str, by: str, at: datetime
) -> TerminalRow:
    row = await db.fetchrow(
        _INSERT,
        terminal_id,
        name,
        point,
        credential_hash,
        at,
        by,
    )
    assert row is not None
    return _row(row)


async def get(*, terminal_id: str, for_update: bool = False) -> TerminalRow | None:
    lock = " FOR UPDATE" if for_update else ""
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM terminal WHERE id = $1::uuid{lock}",  # noqa: S608 - fixed
        terminal_id,
    )
    return None if row is None else _row(row)


async def page(*, offset: int, limit: int) -> tuple[list[TerminalRow], int]:
    """Active terminals first, newest first; and how many there are."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM terminal"  # noqa: S608 - a fixed column list
        " ORDER BY disabled_at IS NOT NULL, created_at DESC, id OFFSET $1 LIMIT $2",
        offset,
        limit,
    )
    total = int(await db.fetchval("SELECT count(*) FROM terminal"))
    return [_row(r) for r in rows], total


async def set_credential(*, terminal_id: str, credential_hash: str, at: datetime) -> None:
    await db.execute(
        "UPDATE terminal SET credential_hash = $2, credential_issued_at = $3 WHERE id = $1::uuid",
        terminal_id,
        credential_hash,
        at,
    )


async def disable(*, terminal_id: str, at: datetime) -> None:
    await db.execute(
        "UPDATE terminal SET disabled_at = $2 WHERE id = $1::uuid AND disabled_at IS NULL",
        terminal_id,
        at,
    )
    await db.execute(
        "UPDATE terminal_session SET ended_at = $2 WHERE terminal = $1::uuid AND ended_at IS NULL",
        terminal_id,
        at,
    )


async def seen(*, terminal_id: str, at: datetime) -> None:
    await db.execute("UPDATE terminal SET last_seen_at = $2 WHERE id = $1::uuid", terminal_id, at)


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: str
    terminal: str
    citizen: str
    expires_at: datetime
    ended_at: datetime | None
    terminal_disabled: bool


async def open_session(
    *,
    session_id: str,
    terminal_id: str,
    citizen_id: str,
    reader_serial: str,
    at: datetime,
    expires_at: datetime,
) -> None:
    await db.execute(
        "INSERT INTO terminal_session (id, terminal, citizen, reader_serial, started_at,"
        " expires_at) VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6)",
        session_id,
        terminal_id,
        citizen_id,
        reader_serial,
        at,
        expires_at,
    )


async def session(*, session_id: str) -> SessionRow | None:
    row = await db.fetchrow(
        "SELECT s.id::text AS id, s.terminal::text AS terminal, s.citizen::text AS citizen,"
        " s.expires_at, s.ended_at, t.disabled_at IS NOT NULL AS terminal_disabled"
        " FROM terminal_session s JOIN terminal t ON t.id = s.terminal WHERE s.id = $1::uuid",
        session_id,
    )
    return None if row is None else SessionRow(**dict(row))


async def end_session(*, session_id: str, at: datetime) -> None:
    await db.execute(
        "UPDATE terminal_session SET ended_at = $2 WHERE id = $1::uuid AND ended_at IS NULL",
        session_id,
        at,
    )

"""``case_event``: the append-only timeline of a case."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import asyncpg

from backend import db
from backend.cases.schemas import ActorRole, CaseStatus, TimelineAction
from backend.cases.store.cases import decode_json


@dataclass(frozen=True, slots=True)
class EventRecord:
    """A whole timeline row (``data`` decoded), as the case views read it."""

    id: int
    case: int
    at: datetime
    action: TimelineAction
    from_status: CaseStatus | None
    to_status: CaseStatus
    actor_kind: str
    actor_id: str | None
    actor_role: ActorRole
    on_behalf_of: str | None
    channel: str | None
    note: str
    data: dict[str, Any]


_COLUMNS: Final = (
    'id, "case", at, action, from_status, to_status, actor_kind, actor_id, actor_role,'
    " on_behalf_of, channel, note, data"
)
TIMELINE: Final = f'SELECT {_COLUMNS} FROM case_event WHERE "case" = $1 ORDER BY id'  # noqa: S608
STEPS: Final = (
    'SELECT "case", at, action, from_status, to_status FROM case_event'
    ' WHERE "case" = ANY($1::bigint[]) ORDER BY id'
)
INSERT: Final = (
    'INSERT INTO case_event ("case", at, action, from_status, to_status, actor_kind, actor_id,'  # noqa: S608 - a constant column list
    " actor_role, on_behalf_of, channel, note, data)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb)"
    f" RETURNING {_COLUMNS}"
)


@dataclass(frozen=True, slots=True)
class Step:
    """What the statutory clock needs of a timeline row."""

    case: int
    at: datetime
    action: str
    from_status: str | None
    to_status: str

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Step:
        return cls(int(row["case"]), row["at"], row["action"], row["from_status"], row["to_status"])


def event_record(row: asyncpg.Record) -> EventRecord:
    return EventRecord(
        id=row["id"],
        case=row["case"],
        at=row["at"],
        action=row["action"],
        from_status=row["from_status"],
        to_status=row["to_status"],
        actor_kind=row["actor_kind"],
        actor_id=row["actor_id"],
        actor_role=row["actor_role"],
        on_behalf_of=row["on_behalf_of"],
        channel=row["channel"],
        note=row["note"],
        data=decode_json(row["data"]),
    )


async def timeline(conn: asyncpg.Connection, case_id: int) -> list[EventRecord]:
    return [event_record(r) for r in await conn.fetch(TIMELINE, case_id)]


async def steps(
    case_ids: list[int], conn: asyncpg.Connection | None = None
) -> dict[int, list[Step]]:
    """The clock's steps of each case, in order (every id present, maybe with none)."""
    out: dict[int, list[Step]] = {i: [] for i in case_ids}
    if not case_ids:
        return out
    if conn is None:
        rows = await db.fetch(STEPS, case_ids)
    else:
        rows = await conn.fetch(STEPS, case_ids)
    for row in rows:
        out[int(row["case"])].append(Step.of(row))
    return out


@dataclass(frozen=True, slots=True)
class NewEvent:
    case: int
    at: datetime
    action: str
    from_status: str | None
    to_status: str
    actor_kind: str
    actor_id: str | None
    actor_role: str
    on_behalf_of: str | None
    channel: str | None
    note: str
    data: Mapping[str, Any]


async def insert(event: NewEvent) -> EventRecord:
    """Append one timeline row; returns it as :func:`timeline` would read it."""
    row = await db.fetchrow(
        INSERT,
        event.case,
        event.at,
        event.action,
        event.from_status,
        event.to_status,
        event.actor_kind,
        event.actor_id,
        event.actor_role,
        event.on_behalf_of,
        event.channel,
        event.note,
        json.dumps(dict(event.data), ensure_ascii=False),
    )
    assert row is not None  # INSERT … RETURNING always returns the row
    return event_record(row)

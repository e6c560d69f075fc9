"""The fixed SQL of the citizen hot paths: reading a case, a citizen's list, filing a case.

Sent through asyncpg (``backend.db``) rather than Piccolo's query builder, which costs about three
times the CPU per statement; the rows are plain dicts with the same keys and values Piccolo's
``Case.select()`` and friends return (JSONB as text, foreign keys as ids).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import asyncpg

from backend import db

# Column lists are spelled out in each statement (all literal SQL, values always bound).
CASE_BY_NUMBER = (
    "SELECT id, number, parent, bundle_code, item_code, item_version, applicant, filed_by_kind,"
    " filed_by_staff, mandate_id, channel, status, resume_status, township, service_point,"
    " department, form, delivery_method, delivery_address, committed_days, deadline,"
    " accepted_at, closed_at, created_at, updated_at FROM case_record WHERE number = $1"
    " AND restricted_at IS NULL"  # a restricted file opens only through cases.erase.open_restricted
)
CHILDREN = (
    "SELECT id, number, parent, bundle_code, item_code, item_version, applicant, filed_by_kind,"
    " filed_by_staff, mandate_id, channel, status, resume_status, township, service_point,"
    " department, form, delivery_method, delivery_address, committed_days, deadline,"
    " accepted_at, closed_at, created_at, updated_at FROM case_record WHERE parent = $1"
    " ORDER BY number"
)
EVENTS = (
    'SELECT id, "case", at, action, from_status, to_status, actor_kind, actor_id, actor_role,'
    ' on_behalf_of, channel, note, data FROM case_event WHERE "case" = $1 ORDER BY id'
)
EVENTS_OF_CASES = (
    'SELECT "case", at, action, from_status, to_status FROM case_event'
    ' WHERE "case" = ANY($1::bigint[]) ORDER BY id'
)
MATERIALS = (
    'SELECT id, "case", material_type, source, upload_id, shared_ref, supplement, created_at'
    ' FROM case_material WHERE "case" = $1 ORDER BY id'
)
OPEN_SUPPLEMENT = (
    'SELECT id, "case", missing, note, requested_at, requested_by, answered_at, answer_note'
    ' FROM case_supplement WHERE "case" = $1 AND answered_at IS NULL ORDER BY id DESC LIMIT 1'
)
EVALUATIONS = 'SELECT score FROM evaluation WHERE "case" = $1 ORDER BY round'
MY_CASES = (
    "SELECT id, number, parent, bundle_code, item_code, item_version, status, committed_days,"
    " created_at, count(*) OVER () AS total FROM case_record"
    " WHERE applicant = $1 AND parent IS NULL ORDER BY id DESC LIMIT $2 OFFSET $3"
)
MY_CASES_COUNT = "SELECT count(*) FROM case_record WHERE applicant = $1 AND parent IS NULL"
CHILDREN_OF_CASES = (
    "SELECT id, parent, committed_days FROM case_record WHERE parent = ANY($1::bigint[])"
)
INSERT_CASE = (
    "INSERT INTO case_record (number, parent, bundle_code, item_code, item_version, applicant,"
    " filed_by_kind, filed_by_staff, mandate_id, channel, status, service_point, department,"
    " form, delivery_method, delivery_address, committed_days, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15, $16,"
    " $17, $18, $18) RETURNING id, number, parent, bundle_code, item_code, item_version,"
    " applicant, filed_by_kind, filed_by_staff, mandate_id, channel, status, resume_status,"
    " township, service_point, department, form, delivery_method, delivery_address,"
    " committed_days, deadline, accepted_at, closed_at, created_at, updated_at"
)
INSERT_MATERIALS = (
    'INSERT INTO case_material ("case", material_type, source, upload_id, shared_ref,'
    " created_at) SELECT $1, m.material_type, m.source, m.upload_id, m.shared_ref, $2"
    " FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY"
    " AS m(material_type, source, upload_id, shared_ref, n) ORDER BY m.n"
    ' RETURNING id, "case", material_type, source, upload_id, shared_ref, supplement,'
    " created_at"
)
INSERT_EVENT = (
    'INSERT INTO case_event ("case", at, action, from_status, to_status, actor_kind, actor_id,'
    " actor_role, on_behalf_of, channel, note, data)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb)"
    ' RETURNING id, "case", at, action, from_status, to_status, actor_kind, actor_id,'
    " actor_role, on_behalf_of, channel, note, data"
)


def as_dicts(rows: list[asyncpg.Record]) -> list[dict[str, Any]]:
    return [dict(r) for r in rows]


async def case_by_number(number: str) -> dict[str, Any] | None:
    row = await db.fetchrow(CASE_BY_NUMBER, number)
    return dict(row) if row is not None else None


async def my_cases(*, citizen_id: str, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """A page of a citizen's cases (the columns a list shows) and how many there are."""
    async with db.connection() as conn:
        rows = await conn.fetch(MY_CASES, citizen_id, limit, offset)
        if rows:
            total = int(rows[0]["total"])
        else:  # past the last page (or none at all): the window function saw no row
            total = int(await conn.fetchval(MY_CASES_COUNT, citizen_id)) if offset else 0
    page = []
    for r in rows:
        row = dict(r)
        del row["total"]
        page.append(row)
    return page, total


async def insert_case(
    conn: asyncpg.Connection, *, values: dict[str, Any], at: datetime
) -> dict[str, Any]:
    """Insert one case row (status, form… in ``values``); returns it as a read would."""
    row = await conn.fetchrow(
        INSERT_CASE,
        values["number"],
        values.get("parent"),
        values.get("bundle_code"),
        values.get("item_code"),
        values.get("item_version"),
        values["applicant"],
        values["filed_by_kind"],
        values.get("filed_by_staff"),
        values.get("mandate_id"),
        values["channel"],
        values["status"],
        values.get("service_point"),
        values.get("department"),
        json.dumps(values.get("form") or {}, ensure_ascii=False),
        values["delivery_method"],
        values.get("delivery_address") or "",
        values.get("committed_days") or 0,
        at,
    )
    return dict(row)


async def insert_materials(
    conn: asyncpg.Connection,
    *,
    case_id: int,
    rows: list[tuple[str, str, str | None, str | None]],
    at: datetime,
) -> list[dict[str, Any]]:
    """Insert (type, source, upload id, shared ref) rows in one statement, returned by id."""
    if not rows:
        return []
    types, sources, uploads, refs = (list(column) for column in zip(*rows, strict=True))
    inserted = await conn.fetch(INSERT_MATERIALS, case_id, at, types, sources, uploads, refs)
    return sorted(as_dicts(inserted), key=lambda r: int(r["id"]))

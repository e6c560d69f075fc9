"""``case_record``: reading a case, a citizen's list, filing a case, writing a move.

Hot paths send fixed SQL through asyncpg (``backend.db``), which costs about a third of the CPU
of Piccolo's query builder per statement; simple writes by key use the query builder. A case
row is a :data:`CaseRecord` with every column and its ``form`` decoded once, here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Protocol
from uuid import UUID

import asyncpg

from backend import db
from backend.cases.schemas import CaseChannel, CaseStatus, DeliveryMethod, FiledByKind
from backend.cases.tables import Case, Evaluation


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """A whole case row (foreign keys as ids, ``form`` a dict), as views and staff desks read it."""

    id: int
    number: str
    parent: int | None
    bundle_code: str | None
    item_code: str | None
    item_version: int | None
    applicant: UUID
    filed_by_kind: FiledByKind
    filed_by_staff: UUID | None
    mandate_id: str | None
    channel: CaseChannel
    status: CaseStatus
    resume_status: CaseStatus | None
    township: str | None
    service_point: str | None
    department: str | None
    form: dict[str, Any]
    delivery_method: DeliveryMethod
    delivery_address: str
    committed_days: int
    deadline: date | None
    accepted_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CaseListRow:
    """A case as a citizen's list shows it."""

    id: int
    number: str
    parent: int | None
    bundle_code: str | None
    item_code: str | None
    item_version: int | None
    status: CaseStatus
    committed_days: int
    created_at: datetime
    filed_by_kind: FiledByKind
    filed_by_staff: UUID | None
    evaluated: bool


class CaseItems(Protocol):
    """What finds the item versions a case was filed under: its id, and a single item's version
    (a bundle's are its children's)."""

    @property
    def id(self) -> int: ...
    @property
    def item_version(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class ItemsOf:
    """A :class:`CaseItems` from a case's id and item version alone."""

    id: int
    item_version: int | None


class CaseForm(CaseItems, Protocol):
    """A case's number and stored form with what finds its fields (``cases.formreveal``)."""

    @property
    def number(self) -> str: ...
    @property
    def form(self) -> dict[str, Any]: ...


def decode_json(value: Any) -> dict[str, Any]:
    """A JSONB value as asyncpg hands it over (text) or Piccolo does (a dict), as a dict."""
    return dict((json.loads(value) if isinstance(value, str) else value) or {})


COLUMNS: Final = (
    "id, number, parent, bundle_code, item_code, item_version, applicant, filed_by_kind,"
    " filed_by_staff, mandate_id, channel, status, resume_status, township, service_point,"
    " department, form, delivery_method, delivery_address, committed_days, deadline,"
    " accepted_at, closed_at, created_at, updated_at"
)
C_COLUMNS: Final = ", ".join(f"c.{name.strip()}" for name in COLUMNS.split(","))
""":data:`COLUMNS` of ``case_record AS c``, for joins."""
_BY_NUMBER: Final = f"SELECT {COLUMNS} FROM case_record WHERE number = $1"  # noqa: S608
OPEN_BY_NUMBER: Final = _BY_NUMBER + " AND restricted_at IS NULL"
"""A restricted file opens only through ``restricted_by_number`` (``backend.cases.erase``)."""
_RESTRICTED_BY_NUMBER: Final = _BY_NUMBER + " AND restricted_at IS NOT NULL"
CHILDREN: Final = f"SELECT {COLUMNS} FROM case_record WHERE parent = $1 ORDER BY number"  # noqa: S608
_CHILD_VERSIONS: Final = (
    "SELECT item_version FROM case_record WHERE parent = $1 AND item_version IS NOT NULL"
    " ORDER BY number"
)
_CHILDREN_OF_CASES: Final = (
    "SELECT id, parent, committed_days FROM case_record WHERE parent = ANY($1::bigint[])"
)
MY_CASES: Final = (
    "SELECT id, number, parent, bundle_code, item_code, item_version, status, committed_days,"
    " created_at, filed_by_kind, filed_by_staff,"
    ' EXISTS (SELECT 1 FROM evaluation e WHERE e."case" = case_record.id) AS evaluated,'
    " count(*) OVER () AS total FROM case_record"
    " WHERE applicant = $1 AND parent IS NULL ORDER BY id DESC LIMIT $2 OFFSET $3"
)
_MY_CASES_COUNT: Final = "SELECT count(*) FROM case_record WHERE applicant = $1 AND parent IS NULL"
INSERT: Final = (
    "INSERT INTO case_record (number, parent, bundle_code, item_code, item_version, applicant,"  # noqa: S608 - a constant column list
    " filed_by_kind, filed_by_staff, mandate_id, channel, status, service_point, department,"
    " form, delivery_method, delivery_address, committed_days, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15, $16,"
    f" $17, $18, $18) RETURNING {COLUMNS}"
)
_BUNDLE_DEADLINE: Final = (
    "UPDATE case_record SET deadline = (SELECT max(deadline) FROM case_record"
    " WHERE parent = $1) WHERE id = $1"
)


def record(row: asyncpg.Record) -> CaseRecord:
    """A case row selected with :data:`COLUMNS` as a :class:`CaseRecord` (its form decoded)."""
    return CaseRecord(
        id=row["id"],
        number=row["number"],
        parent=row["parent"],
        bundle_code=row["bundle_code"],
        item_code=row["item_code"],
        item_version=row["item_version"],
        applicant=row["applicant"],
        filed_by_kind=row["filed_by_kind"],
        filed_by_staff=row["filed_by_staff"],
        mandate_id=row["mandate_id"],
        channel=row["channel"],
        status=row["status"],
        resume_status=row["resume_status"],
        township=row["township"],
        service_point=row["service_point"],
        department=row["department"],
        form=decode_json(row["form"]),
        delivery_method=row["delivery_method"],
        delivery_address=row["delivery_address"],
        committed_days=row["committed_days"],
        deadline=row["deadline"],
        accepted_at=row["accepted_at"],
        closed_at=row["closed_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def by_number(number: str) -> CaseRecord | None:
    """The case with this number, unless it is a restricted file."""
    row = await db.fetchrow(OPEN_BY_NUMBER, number)
    return record(row) if row is not None else None


async def restricted_by_number(number: str) -> CaseRecord | None:
    row = await db.fetchrow(_RESTRICTED_BY_NUMBER, number)
    return record(row) if row is not None else None


async def children(parent_id: int) -> list[CaseRecord]:
    """A bundle's children by number (unlocked: :func:`locks.lock_family` locks them)."""
    return [record(r) for r in await db.fetch(CHILDREN, parent_id)]


async def child_item_versions(parent_id: int) -> list[int]:
    """The item versions a bundle's children were filed under, by child number."""
    return [int(r["item_version"]) for r in await db.fetch(_CHILD_VERSIONS, parent_id)]


@dataclass(frozen=True, slots=True)
class ChildClock:
    """What a list page needs of a bundle's child to show the bundle's deadline."""

    id: int
    parent: int
    committed_days: int


async def children_of_cases(conn: asyncpg.Connection, parent_ids: list[int]) -> list[ChildClock]:
    if not parent_ids:
        return []
    rows = await conn.fetch(_CHILDREN_OF_CASES, parent_ids)
    return [ChildClock(int(r["id"]), int(r["parent"]), int(r["committed_days"])) for r in rows]


async def my_cases(*, citizen_id: str, limit: int, offset: int) -> tuple[list[CaseListRow], int]:
    """A page of a citizen's cases (the columns a list shows) and how many there are."""
    async with db.connection() as conn:
        rows = await conn.fetch(MY_CASES, citizen_id, limit, offset)
        if rows:
            total = int(rows[0]["total"])
        else:  # past the last page (or none at all): the window function saw no row
            total = int(await conn.fetchval(_MY_CASES_COUNT, citizen_id)) if offset else 0
    page = [
        CaseListRow(
            id=r["id"],
            number=r["number"],
            parent=r["parent"],
            bundle_code=r["bundle_code"],
            item_code=r["item_code"],
            item_version=r["item_version"],
            status=r["status"],
            committed_days=r["committed_days"],
            created_at=r["created_at"],
            filed_by_kind=r["filed_by_kind"],
            filed_by_staff=r["filed_by_staff"],
            evaluated=r["evaluated"],
        )
        for r in rows
    ]
    return page, total


@dataclass(frozen=True, slots=True)
class NewCase:
    """The columns a submission writes (the rest take their defaults)."""

    number: str
    applicant: str
    filed_by_kind: str
    channel: str
    status: str
    delivery_method: str
    form: dict[str, Any]
    parent: int | None = None
    bundle_code: str | None = None
    item_code: str | None = None
    item_version: int | None = None
    filed_by_staff: str | None = None
    mandate_id: str | None = None
    service_point: str | None = None
    department: str | None = None
    delivery_address: str = ""
    committed_days: int = 0


async def insert(new: NewCase, *, at: datetime) -> CaseRecord:
    """Insert one case row; returns it as a read would."""
    row = await db.fetchrow(
        INSERT,
        new.number,
        new.parent,
        new.bundle_code,
        new.item_code,
        new.item_version,
        new.applicant,
        new.filed_by_kind,
        new.filed_by_staff,
        new.mandate_id,
        new.channel,
        new.status,
        new.service_point,
        new.department,
        json.dumps(new.form, ensure_ascii=False),
        new.delivery_method,
        new.delivery_address,
        new.committed_days,
        at,
    )
    assert row is not None  # INSERT … RETURNING always returns the row
    return record(row)


async def next_sequence() -> int:
    """The next case sequence number; never handed out twice, even across a rollback."""
    return int(await db.fetchval("SELECT nextval('case_number_seq')"))


@dataclass(frozen=True, slots=True)
class MoveWrite:
    """The columns one state-machine move writes (None: left as they are)."""

    status: str
    resume_status: str | None
    updated_at: datetime
    accepted_at: datetime | None = None
    closed_at: datetime | None = None
    deadline: date | None = None
    set_deadline: bool = False
    """Write ``deadline`` (also when None: the clock no longer gives one)."""
    township: str | None = None
    department: str | None = None
    delivery_method: str | None = None
    delivery_address: str | None = None


async def write_move(case_id: int, move: MoveWrite) -> None:
    values: dict[Any, Any] = {
        Case.status: move.status,
        Case.resume_status: move.resume_status,
        Case.updated_at: move.updated_at,
    }
    optional: dict[Any, Any] = {
        Case.accepted_at: move.accepted_at,
        Case.closed_at: move.closed_at,
        Case.township: move.township,
        Case.department: move.department,
        Case.delivery_method: move.delivery_method,
        Case.delivery_address: move.delivery_address,
    }
    values.update({column: value for column, value in optional.items() if value is not None})
    if move.set_deadline:
        values[Case.deadline] = move.deadline
    await Case.update(values).where(Case.id == case_id).run()


async def refresh_bundle_deadline(parent_id: int) -> None:
    """A bundle's parent sorts by its latest child deadline (the copy kept for queues only)."""
    await db.execute(_BUNDLE_DEADLINE, parent_id)


@dataclass(frozen=True, slots=True)
class ExportedCase:
    number: str
    item_code: str | None
    bundle_code: str | None
    status: str
    channel: str
    created_at: datetime


async def of_applicant(citizen_id: str) -> list[ExportedCase]:
    """Every case of the citizen (for the personal-data export), oldest first."""
    rows = (
        await Case.select(
            Case.number,
            Case.item_code,
            Case.bundle_code,
            Case.status,
            Case.channel,
            Case.created_at,
        )
        .where(Case.applicant == citizen_id)
        .order_by(Case.id)
        .run()
    )
    return [ExportedCase(**r) for r in rows]


async def move_to_applicant(from_id: str, into_id: str) -> None:
    """The cases and ratings of one citizen record now belong to another."""
    await Case.update({Case.applicant: into_id}).where(Case.applicant == from_id).run()
    await (
        Evaluation.update({Evaluation.citizen: into_id}).where(Evaluation.citizen == from_id).run()
    )

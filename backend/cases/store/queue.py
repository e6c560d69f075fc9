"""The case tables as the staff desks read and lock them: queues, lists, one case for an action.

The window context (``backend.window``) works cases it does not own; every statement it sends to
the case tables is here, through asyncpg (``backend.db``). A list page is one statement with its
count (``count(*) OVER ()``) joining what a line shows — applicant name, live claim, filer's name
— so a page costs the same whatever its length. Case rows for an action are plain dicts in the
shape of ``cases.queries.case_by_number`` (the shape ``cases.transitions`` and ``cases.bundles``
take), locked parent first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from backend import db
from backend.cases import views as case_views
from backend.cases.store import cases

QUEUE_ORDER: Final = "c.deadline NULLS LAST, c.created_at, c.id"
"""Most urgent first: the earliest deadline, then the oldest case."""

_NOT_PUSHED: Final = (
    'NOT EXISTS (SELECT 1 FROM platform_push pp WHERE pp."case" = c.id'
    " AND pp.pushed_at IS NOT NULL)"
)
"""Not pushed to the township's external one-window platform, which works the case itself."""

_QUEUED: Final = "c.township = $1 AND c.status = 'queued' AND c.parent IS NULL AND " + _NOT_PUSHED
"""What the front desk works: queued cases and bundles (as their parent) of one township."""

_LINE = (
    "SELECT c.id, c.number, c.parent, p.number AS parent_number, c.item_code, c.bundle_code,"
    " c.status, c.filed_by_kind, c.channel, c.township, c.department, c.created_at, c.deadline,"
    " z.name AS applicant_name, f.display_name AS filed_by_name, k.staff AS claimed_by,"
    " s.display_name AS claimed_by_name, k.claimed_at, k.expires_at AS claimed_until,"
    " count(*) OVER () AS total"
    " FROM case_record c"
    " JOIN citizen z ON z.id = c.applicant"
    " LEFT JOIN case_record p ON p.id = c.parent"
    " LEFT JOIN staff_user f ON f.id = c.filed_by_staff"
    ' LEFT JOIN claim k ON k."case" = c.id AND k.expires_at > $2'
    " LEFT JOIN staff_user s ON s.id = k.staff"
    " WHERE c.restricted_at IS NULL AND "  # a restricted file is never listed
)
_COUNT = "SELECT count(*) FROM case_record c WHERE c.restricted_at IS NULL AND "
_CANDIDATE = "SELECT c.id, c.number FROM case_record c WHERE "
_PAGE = " ORDER BY " + QUEUE_ORDER + " LIMIT $3 OFFSET $4"

_IN_REVIEW = (
    "c.department = $1 AND EXISTS (SELECT 1 FROM case_event e"
    " WHERE e.\"case\" = c.id AND e.action = 'transfer') AND c.status = {status}::text"
    " AND ({township}::text IS NULL OR c.township = {township}::text)"
)
REVIEW_PAGE: Final = _LINE + _IN_REVIEW.format(status="$5", township="$6") + _PAGE
REVIEW_COUNT: Final = _COUNT + _IN_REVIEW.format(status="$2", township="$3")
_UNCLAIMED = (
    ' AND NOT EXISTS (SELECT 1 FROM claim k WHERE k."case" = c.id AND k.expires_at > $2)'
    " AND NOT (c.id = ANY($3::bigint[])) ORDER BY "
)
NEXT_UNCLAIMED: Final = (
    _CANDIDATE + _QUEUED + _UNCLAIMED + QUEUE_ORDER + " LIMIT 1 FOR UPDATE OF c SKIP LOCKED"
)
CASE_BY_ID: Final = f"SELECT {cases.COLUMNS} FROM case_record WHERE id = $1"  # noqa: S608 - a constant column list
STATUS_OF: Final = "SELECT status FROM case_record WHERE id = $1"
PUSHED: Final = 'SELECT 1 FROM platform_push WHERE "case" = $1 AND pushed_at IS NOT NULL'
TRANSFERRED: Final = "SELECT 1 FROM case_event WHERE \"case\" = $1 AND action = 'transfer' LIMIT 1"


_NUMBER: Final = (
    "(strpos(c.number, {0}) > 0 OR (c.parent IS NULL AND c.bundle_code IS NOT NULL"
    " AND {0} ~ '-[0-9]+$' AND strpos(c.number, regexp_replace({0}, '-[0-9]+$', '')) > 0))"
)
"""The case number containing what was typed — or, for a bundle (its parent), the root of a
child's number typed (``XS…000123-02`` finds ``XS…000123``: the queue lists a bundle only as
its parent)."""


@dataclass(frozen=True, slots=True)
class Search:
    """What a clerk looks for in the queue or the township's cases; None = any.

    Personal values arrive already in their stored form: ``phone_hash`` is the lookup hash of
    the phone (``citizen.phone_hash``), ``id_last4`` the last four characters of the masked ID
    number (``citizen.id_number_masked`` shows them to staff anyway). ``filed_from`` and
    ``filed_until`` are instants (the service turns Asia/Shanghai days into them).
    """

    number: str | None = None
    applicant_name: str | None = None
    id_last4: str | None = None
    phone_hash: str | None = None
    item_code: str | None = None
    status: str | None = None
    filed_from: datetime | None = None
    filed_until: datetime | None = None

    def conditions(self, first: int) -> tuple[list[str], list[Any]]:
        """SQL conditions on ``c`` (the case) and ``z`` (its applicant), numbered from
        ``$first``, and their arguments (a filter not set adds nothing)."""
        wanted: list[tuple[str, Any]] = [
            (_NUMBER, self.number),
            ("strpos(z.name, {}) > 0", self.applicant_name),
            ("right(z.id_number_masked, 4) = {}", self.id_last4),
            ("z.phone_hash = {}", self.phone_hash),
            ("(c.item_code = {0} OR c.bundle_code = {0})", self.item_code),
            ("c.status = {}", self.status),
            ("c.created_at >= {}", self.filed_from),
            ("c.created_at < {}", self.filed_until),
        ]
        conds: list[str] = []
        args: list[Any] = []
        for sql, value in wanted:
            if value is None:
                continue
            args.append(value)
            conds.append(sql.format(f"${first + len(args) - 1}"))
        return conds, args


_SEARCH_BASE: Final[dict[str, str]] = {
    "queue": _QUEUED,
    "township": "c.township = $1",
}
_SEARCH_COUNT = (
    "SELECT count(*) FROM case_record c JOIN citizen z ON z.id = c.applicant"
    " WHERE c.restricted_at IS NULL AND "
)


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a staff list: the case, its applicant's name, filer and live claim."""

    id: int
    number: str
    parent: int | None
    parent_number: str | None
    item_code: str | None
    bundle_code: str | None
    status: str
    filed_by_kind: str
    channel: str
    township: str | None
    department: str | None
    created_at: datetime
    deadline: date | None
    applicant_name: str | None
    filed_by_name: str | None
    claimed_by: str | None
    claimed_by_name: str | None
    claimed_at: datetime | None
    claimed_until: datetime | None


@dataclass(frozen=True, slots=True)
class Lines:
    """A page of lines and how many there are in all."""

    rows: list[Line]
    total: int


def _line(row: Any) -> Line:
    return Line(
        id=int(row["id"]),
        number=row["number"],
        parent=row["parent"],
        parent_number=row["parent_number"],
        item_code=row["item_code"],
        bundle_code=row["bundle_code"],
        status=row["status"],
        filed_by_kind=row["filed_by_kind"],
        channel=row["channel"],
        township=row["township"],
        department=row["department"],
        created_at=row["created_at"],
        deadline=row["deadline"],
        applicant_name=row["applicant_name"],
        filed_by_name=row["filed_by_name"],
        claimed_by=str(row["claimed_by"]) if row["claimed_by"] is not None else None,
        claimed_by_name=row["claimed_by_name"],
        claimed_at=row["claimed_at"],
        claimed_until=row["claimed_until"],
    )


async def _lines(
    page_sql: str, count_sql: str, args: list[Any], *, now: datetime, limit: int, offset: int
) -> Lines:
    async with db.connection() as conn:
        rows = await conn.fetch(page_sql, args[0], now, limit, offset, *args[1:])
        if rows:
            total = int(rows[0]["total"])
        else:  # past the last page (or none at all): the window function saw no row
            total = int(await conn.fetchval(count_sql, *args)) if offset else 0
    return Lines([_line(r) for r in rows], total)


async def search(
    *,
    scope: str,
    township_code: str,
    search: Search,
    now: datetime,
    limit: int,
    offset: int,
) -> Lines:
    """The township's queue (``scope`` ``queue``) or all its cases (``township``) that match
    every filter of ``search``, most urgent first — one statement a page, the count with it."""
    base = _SEARCH_BASE[scope]
    conds, args = search.conditions(5)
    where = " AND ".join([base, *conds])
    async with db.connection() as conn:
        rows = await conn.fetch(_LINE + where + _PAGE, township_code, now, limit, offset, *args)
        if rows:
            total = int(rows[0]["total"])
        elif offset:  # past the last page: the window function saw no row
            count_conds, count_args = search.conditions(2)
            count_where = " AND ".join([base, *count_conds])
            count_sql = _SEARCH_COUNT + count_where
            total = int(await conn.fetchval(count_sql, township_code, *count_args))
        else:
            total = 0
    return Lines([_line(r) for r in rows], total)


async def review_cases(
    *,
    department_code: str,
    township_code: str | None,
    status: str,
    now: datetime,
    limit: int,
    offset: int,
) -> Lines:
    """Cases of ``status`` transferred to the department (in one township, if given)."""
    return await _lines(
        REVIEW_PAGE,
        REVIEW_COUNT,
        [department_code, status, township_code],
        now=now,
        limit=limit,
        offset=offset,
    )


async def next_unclaimed(
    *, township_code: str, now: datetime, skipped: list[int]
) -> tuple[int, str] | None:
    """The most urgent queued case of the township without a live claim, row-locked (others
    claiming at the same moment skip it); its id and number."""
    row = await db.fetchrow(NEXT_UNCLAIMED, township_code, now, skipped)
    return (int(row["id"]), str(row["number"])) if row is not None else None


async def case_row(*, number: str) -> cases.CaseRecord | None:
    """The case as the cases context reads it (None for an unknown or restricted number)."""
    return await case_views.case_row(number=number)


async def case_by_id(case_id: int) -> cases.CaseRecord | None:
    row = await db.fetchrow(CASE_BY_ID, case_id)
    return cases.record(row) if row is not None else None


async def status_of(case_id: int) -> str | None:
    row = await db.fetchrow(STATUS_OF, case_id)
    return str(row["status"]) if row is not None else None


async def pushed_to_platform(case_id: int) -> bool:
    """The case went to its township's external one-window platform, which works it."""
    return await db.fetchrow(PUSHED, case_id) is not None


async def was_transferred(case_id: int) -> bool:
    """The case was transferred to a back office at some point (a ``transfer`` event)."""
    return await db.fetchrow(TRANSFERRED, case_id) is not None

"""The lists staff work from: the township queue, the township's cases, the review list.

One query per page joins what a row needs (applicant name, live claim, filer's name), so a list
costs the same whatever its length. Names of items and bundles come from the cached catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.cases.states import Status
from backend.catalogue import service as catalogue
from backend.clock import now_utc
from backend.errors import InvalidInput
from backend.window.claims import QUEUE_ORDER, QUEUED_IN_TOWNSHIP
from backend.window.tables import Claim

_COLUMNS = (
    "SELECT c.id, c.number, c.parent, p.number AS parent_number, c.item_code, c.bundle_code,"
    " c.status, c.filed_by_kind, c.channel, c.township, c.department, c.created_at, c.deadline,"
    " z.name AS applicant_name, f.display_name AS filed_by_name, k.staff AS claimed_by,"
    " s.display_name AS claimed_by_name, k.claimed_at, k.expires_at AS claimed_until"
    " FROM case_record c"
    " JOIN citizen z ON z.id = c.applicant"
    " LEFT JOIN case_record p ON p.id = c.parent"
    " LEFT JOIN staff_user f ON f.id = c.filed_by_staff"
    ' LEFT JOIN claim k ON k."case" = c.id AND k.expires_at > {}'
    " LEFT JOIN staff_user s ON s.id = k.staff"
)


@dataclass(frozen=True, slots=True)
class Listed:
    rows: list[dict[str, Any]]
    total: int


def status_filter(raw: str | None) -> Status | None:
    if raw is None or raw == "":
        return None
    try:
        return Status(raw)
    except ValueError as exc:
        raise InvalidInput(f"状态 {raw} 不存在。", code="status_invalid") from exc


async def _page(
    where: str, args: list[Any], *, order: str, page: int, page_size: int, now: datetime
) -> Listed:
    # ``where`` and ``order`` are built from constants of this module; values are parameters.
    where = "c.restricted_at IS NULL AND " + where  # a restricted file is never listed
    count = await Claim.raw(
        "SELECT count(*) AS n FROM case_record c WHERE " + where,  # noqa: S608
        *args,
    ).run()
    rows = await Claim.raw(
        _COLUMNS + " WHERE " + where + " ORDER BY " + order + " LIMIT {} OFFSET {}",
        now,
        *args,
        page_size,
        (page - 1) * page_size,
    ).run()
    return Listed(rows, int(count[0]["n"]))


async def queue(*, township_code: str, page: int, page_size: int) -> Listed:
    """The township's queue: queued cases and bundles, most urgent first, with their claims."""
    return await _page(
        QUEUED_IN_TOWNSHIP,
        [township_code],
        order=QUEUE_ORDER,
        page=page,
        page_size=page_size,
        now=now_utc(),
    )


async def township_cases(
    *, township_code: str, status: Status | None, page: int, page_size: int
) -> Listed:
    """Every case of the township (bundle children too), optionally of one status."""
    where, args = "c.township = {}", [township_code]
    if status is not None:
        where, args = where + " AND c.status = {}", [*args, status.value]
    return await _page(
        where, args, order=QUEUE_ORDER, page=page, page_size=page_size, now=now_utc()
    )


async def review_cases(
    *,
    department_code: str,
    township_code: str | None,
    status: Status | None,
    page: int,
    page_size: int,
) -> Listed:
    """Cases transferred to the department (in one township for a township-level approver)."""
    where = (
        "c.department = {} AND EXISTS (SELECT 1 FROM case_event e"
        " WHERE e.\"case\" = c.id AND e.action = 'transfer') AND c.status = {}"
    )
    args: list[Any] = [department_code, (status or Status.IN_REVIEW).value]
    if township_code is not None:
        where, args = where + " AND c.township = {}", [*args, township_code]
    return await _page(
        where, args, order=QUEUE_ORDER, page=page, page_size=page_size, now=now_utc()
    )


async def names_of(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Item and bundle names by code, from the cached catalogue (codes unknown to it kept)."""
    snap = await catalogue.snapshot()
    names: dict[str, str] = {}
    for row in rows:
        for code, table in ((row["item_code"], "item"), (row["bundle_code"], "bundle")):
            if not code:
                continue
            if table == "item" and code in snap.items:
                names[code] = snap.items[code].spec.name
            elif table == "bundle" and code in snap.bundles:
                names[code] = snap.bundles[code].name
            else:
                names.setdefault(code, code)
    return names

"""The window context's own tables: claims on queued cases and the routing table.

The only module that imports ``backend.window.tables``. Plain single-table reads and writes go
through Piccolo's query builder; the claim's ``ON CONFLICT`` arbitration and the rule's upsert
through asyncpg (``backend.db``). What the desks read of the case tables is in
``backend.cases.store.queue``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from backend import db
from backend.window.tables import Claim, RoutingRule

TAKE_CLAIM: Final = (
    'INSERT INTO claim ("case", staff, claimed_at, expires_at) VALUES ($1, $2, $3, $4)'
    ' ON CONFLICT ("case") DO UPDATE SET staff = EXCLUDED.staff,'
    " claimed_at = EXCLUDED.claimed_at, expires_at = EXCLUDED.expires_at"
    " WHERE claim.expires_at <= EXCLUDED.claimed_at RETURNING id"
)
"""The claim row is the arbiter: a claim committed by another transaction after our snapshot
is never overwritten, only a lapsed one."""

LIVE_CLAIM: Final = (
    'SELECT staff, claimed_at, expires_at FROM claim WHERE "case" = $1 AND expires_at > $2'
)
UPSERT_RULE: Final = (
    "INSERT INTO routing_rule (township, item, department, send_method, updated_by,"
    " updated_at) VALUES ($1, $2, $3, $4, $5, $6)"
    " ON CONFLICT (item, (COALESCE(township, ''))) DO UPDATE SET"
    " department = EXCLUDED.department, send_method = EXCLUDED.send_method,"
    " updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at"
    " RETURNING id, township, item, department, send_method, updated_at"
)


@dataclass(frozen=True, slots=True)
class LiveClaim:
    """A clerk's claim on a case that has not lapsed."""

    staff_id: str
    claimed_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Rule:
    """分类审批规则 — a row of the routing table (``township_code`` None: district default)."""

    id: int
    township_code: str | None
    item_code: str
    department_code: str
    send_method: str
    updated_at: datetime


async def take_claim(*, case_id: int, staff_id: str, now: datetime, expires_at: datetime) -> bool:
    """Claim the case unless another clerk's claim is still live; True when taken."""
    return await db.fetchrow(TAKE_CLAIM, case_id, staff_id, now, expires_at) is not None


async def live_claim(case_id: int, *, now: datetime) -> LiveClaim | None:
    row = await db.fetchrow(LIVE_CLAIM, case_id, now)
    if row is None:
        return None
    return LiveClaim(str(row["staff"]), row["claimed_at"], row["expires_at"])


async def extend_claim(*, case_id: int, staff_id: str, now: datetime, until: datetime) -> None:
    """The holder's live claim now runs until ``until`` (a lapsed or another's is left)."""
    await (
        Claim.update({Claim.expires_at: until})
        .where((Claim.case == case_id) & (Claim.staff == staff_id) & (Claim.expires_at > now))
        .run()
    )


async def drop_claim(case_id: int) -> None:
    await Claim.delete().where(Claim.case == case_id).run()


async def release_claim(*, case_id: int, staff_id: str, now: datetime) -> bool:
    """Delete the holder's live claim; False when they hold none."""
    released = (
        await Claim.delete()
        .where((Claim.case == case_id) & (Claim.staff == staff_id) & (Claim.expires_at > now))
        .returning(Claim.id)
        .run()
    )
    return bool(released)


def _rule(row: Any) -> Rule:
    return Rule(
        id=int(row["id"]),
        township_code=row["township"],
        item_code=row["item"],
        department_code=row["department"],
        send_method=row["send_method"],
        updated_at=row["updated_at"],
    )


async def rules_for_item(item_code: str) -> list[Rule]:
    """Every rule of the item: the townships' own and the district default."""
    return [_rule(r) for r in await RoutingRule.select().where(RoutingRule.item == item_code).run()]


async def rule_by_id(rule_id: int) -> Rule | None:
    row = await RoutingRule.select().where(RoutingRule.id == rule_id).first().run()
    return None if row is None else _rule(row)


async def list_rules(
    *,
    township_code: str | None,
    item_code: str | None,
    limit: int,
    offset: int,
    district_only: bool = False,
) -> tuple[list[Rule], int]:
    """A page of the routing table by item, then township, and how many rules match
    (``district_only``: the district-wide rules alone)."""
    select = RoutingRule.select().order_by(RoutingRule.item).order_by(RoutingRule.township)
    count = RoutingRule.count()
    if district_only:
        select = select.where(RoutingRule.township.is_null())
        count = count.where(RoutingRule.township.is_null())
    elif township_code is not None:
        select = select.where(RoutingRule.township == township_code)
        count = count.where(RoutingRule.township == township_code)
    if item_code is not None:
        select = select.where(RoutingRule.item == item_code)
        count = count.where(RoutingRule.item == item_code)
    total = await count.run()
    rows = await select.limit(limit).offset(offset).run()
    return [_rule(r) for r in rows], total


async def upsert_rule(
    *,
    township_code: str | None,
    item_code: str,
    department_code: str,
    send_method: str,
    staff_id: str | None,
    now: datetime,
) -> Rule:
    """Create or replace the rule of (township, item)."""
    row = await db.fetchrow(
        UPSERT_RULE, township_code, item_code, department_code, send_method, staff_id, now
    )
    assert row is not None  # an upsert always returns its row
    return _rule(row)


async def delete_rule(rule_id: int) -> bool:
    removed = (
        await RoutingRule.delete().where(RoutingRule.id == rule_id).returning(RoutingRule.id).run()
    )
    return bool(removed)

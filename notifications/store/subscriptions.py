"""The consent ledger's rows: one citizen × one template, what they last said and the credits
left (``notifications.ledger`` holds the rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend import db
from backend.clock import now_utc
from notifications.tables import Subscription


@dataclass(frozen=True, slots=True)
class Consent:
    id: int
    template_id: str
    status: str | None
    credits: int
    updated_at: datetime
    source: str


def _consent(row: Any) -> Consent:
    return Consent(
        id=int(row["id"]),
        template_id=str(row["template_id"]),
        status=row["status"],
        credits=int(row["credits"]),
        updated_at=row["updated_at"],
        source=str(row["source"]),
    )


async def lock(citizen_id: str, template_id: str) -> Consent | None:
    """The citizen's consent for a template, locked for the caller's transaction."""
    row = (
        await Subscription.select()
        .where((Subscription.citizen == citizen_id) & (Subscription.template_id == template_id))
        .lock_rows()
        .first()
        .run()
    )
    return _consent(row) if row is not None else None


async def ensure(
    *, citizen_id: str, template_id: str, status: str, at: datetime, source: str
) -> None:
    """The citizen's row for a template, written with no credit if there was none."""
    await db.fetch(
        "INSERT INTO subscription (citizen, template_id, status, credits, updated_at, source)"
        " VALUES ($1::uuid, $2, $3, 0, $4, $5) ON CONFLICT (citizen, template_id) DO NOTHING",
        citizen_id,
        template_id,
        status,
        at,
        source,
    )


async def save(consent_id: int, *, status: str, credits: int, at: datetime, source: str) -> None:
    await (
        Subscription.update(
            {
                Subscription.status: status,
                Subscription.credits: credits,
                Subscription.updated_at: at,
                Subscription.source: source,
            }
        )
        .where(Subscription.id == consent_id)
        .run()
    )


async def of_templates(citizen_id: str, template_ids: list[str]) -> dict[str, Consent]:
    """The citizen's consents for these templates, by template id."""
    rows = (
        await Subscription.select()
        .where((Subscription.citizen == citizen_id) & Subscription.template_id.is_in(template_ids))
        .run()
    )
    return {str(r["template_id"]): _consent(r) for r in rows}


async def spend_one(consent_id: int) -> None:
    await (
        Subscription.update({Subscription.credits: Subscription.credits - 1})
        .where(Subscription.id == consent_id)
        .run()
    )


async def give_back(citizen_id: str, template_id: str) -> None:
    await (
        Subscription.update({Subscription.credits: Subscription.credits + 1})
        .where((Subscription.citizen == citizen_id) & (Subscription.template_id == template_id))
        .run()
    )


async def refuse(citizen_id: str, template_id: str) -> None:
    await (
        Subscription.update(
            {
                Subscription.status: "reject",
                Subscription.credits: 0,
                Subscription.updated_at: now_utc(),
            }
        )
        .where((Subscription.citizen == citizen_id) & (Subscription.template_id == template_id))
        .run()
    )


async def erase_citizen(citizen_id: str) -> None:
    await Subscription.delete().where(Subscription.citizen == citizen_id).run()

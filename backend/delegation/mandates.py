"""委托 — an agent's mandate from a citizen: scope (items or a bundle), expiry and consent.

Consent comes one of two ways. The agent asks in the system and the citizen confirms in the
mini-program (``pending`` until then; the request is an outbox event ``mandate.requested`` that
notifications turn into a WeChat message), or the agent uploads the signed paper form and the
citizen's ID photo, and the mandate is ``active`` at once — a share of those is sampled for a
supervisor's spot check. A revoked or expired mandate stops new actions at once: every check
reads the stored status *and* the expiry date (:func:`effective_status`).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from backend import clock
from backend.catalogue import service as catalogue
from backend.delegation import texts
from backend.delegation.events import (
    REQUESTED_EVENT,
    REVOKED_EVENT,
    mandate_requested_payload,
    mandate_revoked_payload,
)
from backend.delegation.scope import Agent, citizen_of
from backend.delegation.store import mandates as store
from backend.delegation.store.mandates import MandateRow, Term
from backend.errors import Conflict, InvalidInput, NotAllowed, NotFound
from backend.outbox.service import publish
from backend.uploads import service as uploads

EVIDENCE_TYPES = ("委托书", "身份证")
"""The paper evidence of a mandate: the signed authorization form and the citizen's ID card."""

LIVE = "active"


class HasTerm(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def expires_on(self) -> date: ...


def effective_status(row: HasTerm, today: date | None = None) -> str:
    """The stored status, or ``expired`` once a pending or active mandate's day has passed."""
    status = row.status
    if status in ("pending", "active") and row.expires_on < (today or clock.today()):
        return "expired"
    return status


def not_found() -> NotFound:
    return NotFound(texts.MANDATE_NOT_FOUND, code="mandate_not_found")


@dataclass(frozen=True, slots=True)
class Scope:
    item_codes: list[str]
    bundle_code: str | None
    names: list[str]


async def check_scope(item_codes: list[str], bundle_code: str | None) -> Scope:
    codes = list(dict.fromkeys(c.strip() for c in item_codes if c.strip()))
    if bool(codes) == (bundle_code is not None):
        raise InvalidInput(texts.SCOPE_REQUIRED, code="mandate_scope_required")
    if bundle_code is not None:
        try:
            bundle = await catalogue.get_bundle(code=bundle_code)
        except Exception as exc:
            raise InvalidInput(
                texts.BUNDLE_UNKNOWN.format(code=bundle_code), code="bundle_unknown"
            ) from exc
        views = list(bundle.items)
    else:
        views = []
        for code in codes:
            try:
                views.append(await catalogue.get_item(code=code))
            except Exception as exc:
                raise InvalidInput(
                    texts.ITEM_UNKNOWN.format(code=code), code="item_unknown"
                ) from exc
    for view in views:
        if not view.spec.delegable:
            raise InvalidInput(
                texts.ITEM_NOT_DELEGABLE.format(name=view.spec.name), code="item_not_delegable"
            )
    return Scope(codes, bundle_code, [v.spec.name for v in views])


def check_expiry(expires_on: date, *, max_days: int, today: date | None = None) -> None:
    now = today or clock.today()
    if expires_on <= now:
        raise InvalidInput(texts.EXPIRY_PAST, code="mandate_expiry_invalid")
    last = now + timedelta(days=max_days)
    if expires_on > last:
        raise InvalidInput(
            texts.EXPIRY_TOO_FAR.format(days=max_days, last=last.isoformat()),
            code="mandate_expiry_invalid",
        )


async def create(
    *,
    agent: Agent,
    citizen_id: str,
    item_codes: list[str],
    bundle_code: str | None,
    expires_on: date,
    evidence_upload_ids: list[str],
    max_days: int,
    spot_check_rate: float,
) -> str:
    """Record a mandate; in the caller's transaction. Returns its id."""
    citizen = await citizen_of(agent, citizen_id)
    scope = await check_scope(item_codes, bundle_code)
    check_expiry(expires_on, max_days=max_days)
    if not evidence_upload_ids and not citizen.has_wechat:
        raise InvalidInput(texts.NEEDS_EVIDENCE, code="mandate_evidence_required")
    mandate_id = str(uuid.uuid4())
    evidence = list(dict.fromkeys(evidence_upload_ids))
    if evidence:
        claimed = await uploads.claim_uploads(
            upload_ids=evidence, owner_kind="staff", owner_id=agent.id
        )
        missing = [t for t in EVIDENCE_TYPES if t not in {u.material_type for u in claimed}]
        if missing:
            raise InvalidInput(
                texts.EVIDENCE_INCOMPLETE.format(missing="、".join(missing)),
                code="mandate_evidence_incomplete",
                extra={"missing": missing},
            )
    now = clock.now_utc()
    sampled = bool(evidence) and secrets.randbelow(1_000_000) < spot_check_rate * 1_000_000
    await store.insert(
        mandate_id=mandate_id,
        agent_id=agent.id,
        citizen_id=citizen_id,
        item_codes=scope.item_codes,
        bundle_code=scope.bundle_code,
        expires_on=expires_on,
        status="active" if evidence else "pending",
        consent="paper" if evidence else "miniprogram",
        evidence_upload_ids=evidence,
        spot_check=sampled,
        created_at=now,
        decided_at=now if evidence else None,
    )
    if evidence:
        await uploads.attach(upload_ids=evidence, kind="mandate", target_id=mandate_id)
    else:
        await publish(
            kind=REQUESTED_EVENT,
            payload=mandate_requested_payload(
                mandate_id=mandate_id, citizen_id=citizen_id, agent_id=agent.id
            ),
            dedup_key=f"{REQUESTED_EVENT}:{mandate_id}",
        )
    return mandate_id


# --- reading --------------------------------------------------------------------------------


async def get(mandate_id: str) -> MandateRow | None:
    return await store.get(mandate_id)


async def for_citizen(
    citizen_id: str, *, page: int, page_size: int
) -> tuple[list[MandateRow], int]:
    return await store.page("citizen", citizen_id, page=page, page_size=page_size)


async def for_agent(
    agent_id: str, *, citizen_id: str | None, page: int, page_size: int
) -> tuple[list[MandateRow], int]:
    if citizen_id:
        return await store.page(
            "agent_citizen", agent_id, citizen_id, page=page, page_size=page_size
        )
    return await store.page("agent", agent_id, page=page, page_size=page_size)


async def scope_names(row: MandateRow) -> list[str]:
    if row.bundle_code:
        try:
            bundle = await catalogue.get_bundle(code=row.bundle_code)
        except Exception:
            return [row.bundle_code]
        return [bundle.spec.name]
    names = []
    for code in row.item_codes:
        try:
            names.append((await catalogue.get_item(code=code)).spec.name)
        except Exception:
            names.append(code)
    return names


# --- the citizen decides --------------------------------------------------------------------


async def _locked_for_citizen(mandate_id: str, citizen_id: str) -> Term:
    if not store.is_id(mandate_id):
        raise not_found()
    row = await store.lock_for_citizen(mandate_id, citizen_id)
    if row is None:
        raise not_found()
    return row


async def confirm(*, mandate_id: str, citizen_id: str) -> None:
    row = await _locked_for_citizen(mandate_id, citizen_id)
    status = effective_status(row)
    if status == "expired":
        raise Conflict(texts.MANDATE_EXPIRED_NOW, code="mandate_expired")
    if status != "pending":
        raise Conflict(texts.MANDATE_NOT_PENDING, code="mandate_not_pending")
    await store.set_status(mandate_id=mandate_id, status="active", decided_at=clock.now_utc())


async def refuse(*, mandate_id: str, citizen_id: str) -> None:
    row = await _locked_for_citizen(mandate_id, citizen_id)
    if effective_status(row) != "pending":
        raise Conflict(texts.MANDATE_NOT_PENDING, code="mandate_not_pending")
    await store.set_status(mandate_id=mandate_id, status="refused", decided_at=clock.now_utc())


async def revoke(*, mandate_id: str, citizen_id: str) -> None:
    """Revoking stops new actions at once; cases already filed stay readable to the agent until
    what they hold has been handed back (``standing``)."""
    row = await _locked_for_citizen(mandate_id, citizen_id)
    if effective_status(row) not in ("pending", "active"):
        raise Conflict(texts.MANDATE_NOT_REVOCABLE, code="mandate_not_revocable")
    await store.set_status(mandate_id=mandate_id, status="revoked", revoked_at=clock.now_utc())
    await publish(
        kind=REVOKED_EVENT,
        payload=mandate_revoked_payload(mandate_id=mandate_id, agent_id=row.agent_id),
        dedup_key=f"{REVOKED_EVENT}:{mandate_id}",
    )


# --- acting under a mandate -----------------------------------------------------------------


async def require_live(
    *,
    mandate_id: str,
    agent: Agent,
    citizen_id: str | None,
    item_codes: list[str],
    bundle_code: str | None,
) -> MandateRow:
    """The mandate, when it lets this agent act now for its citizen on these items.

    404 ``mandate_not_found`` for a mandate that is not this agent's; 403 ``mandate_required``
    (with ``reason``) when it is not live or does not cover the items.
    """
    row = await get(mandate_id)
    if row is None or row.agent_id != agent.id:
        raise not_found()
    status = effective_status(row)
    if status != LIVE:
        raise NotAllowed(texts.NOT_LIVE[status], code="mandate_required", extra={"reason": status})
    if citizen_id is not None and row.citizen_id != citizen_id:
        raise NotAllowed(texts.OTHER_CITIZEN, code="mandate_required", extra={"reason": "citizen"})
    await citizen_of(agent, row.citizen_id)
    if bundle_code is not None:
        if row.bundle_code != bundle_code:
            bundle = await catalogue.get_bundle(code=bundle_code)
            raise NotAllowed(
                texts.OUT_OF_SCOPE.format(name=bundle.spec.name),
                code="mandate_required",
                extra={"reason": "out_of_scope"},
            )
        return row
    covered = set(row.item_codes)
    if row.bundle_code:
        bundle = await catalogue.get_bundle(code=row.bundle_code)
        covered |= {v.spec.code for v in bundle.items}
    for code in item_codes:
        if code not in covered:
            view = await catalogue.get_item(code=code)
            raise NotAllowed(
                texts.OUT_OF_SCOPE.format(name=view.spec.name),
                code="mandate_required",
                extra={"reason": "out_of_scope"},
            )
    return row


async def hold_live(*, mandate_id: str) -> None:
    """Share-lock a mandate for the rest of the transaction; 403 unless it is live."""
    row = await store.share_lock(mandate_id)
    status = effective_status(row) if row else "revoked"
    if status != LIVE:
        raise NotAllowed(texts.NOT_LIVE[status], code="mandate_required", extra={"reason": status})


async def live_among(mandate_ids: list[str]) -> set[str]:
    """Which of these mandates are live now, in one query (an errand list's mandates)."""
    wanted = sorted({m for m in mandate_ids if m})
    if not wanted:
        return set()
    rows = await store.terms(wanted)
    return {r.id for r in rows if effective_status(r) == LIVE}


async def is_live(mandate_id: str | None) -> bool:
    return bool(mandate_id) and mandate_id in await live_among([mandate_id or ""])


# --- supervisors' spot checks ---------------------------------------------------------------


async def sampled(
    *, area_code: str, pending: bool, page: int, page_size: int
) -> tuple[list[MandateRow], int]:
    """Paper mandates sampled for a spot check, of agents within the supervisor's area."""
    return await store.page("sampled", pending, area_code, page=page, page_size=page_size)


async def spot_check(*, mandate_id: str, ok: bool, note: str, by: str, area_code: str) -> None:
    """A supervisor's verdict on a sampled paper mandate within their area (404 for any other:
    outside the area, not sampled, or not on paper)."""
    found, _ = (
        await store.page("sampled_one", mandate_id, area_code, page=1, page_size=1)
        if mandate_id
        else ([], 0)
    )
    if not found:
        raise not_found()
    await store.lock(mandate_id)
    await store.record_spot_check(
        mandate_id=mandate_id, ok=ok, note=note, by=by, at=clock.now_utc()
    )

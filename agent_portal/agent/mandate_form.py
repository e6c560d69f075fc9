"""The mandate form (委托): scope, expiry, and the paper evidence or a request to confirm.

Paper evidence is two photos — the signed 委托书 and the citizen's 身份证 — saved through the
upload service under those material types; ``service.record_mandate`` (the use case of
``POST /api/v1/agent/mandates``) checks both are there and makes the mandate active at once.
Without evidence it is pending until the citizen confirms in the mini-program. Photos already
uploaded are kept across a refusal (hidden upload ids).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

from litestar.datastructures import FormMultiDict, MultiDict
from litestar.response import Template

from agent_portal.common import desk, item_form, texts
from backend.catalogue import service as catalogue
from backend.clock import today
from backend.delegation import mandates, service
from backend.delegation import texts as delegation_texts
from backend.delegation.scope import Agent
from backend.deps import Deps
from backend.errors import DomainError, InvalidInput
from backend.idempotency import service as idempotency
from backend.settings import Settings

SEARCH_STEP: Final = "search"
PAPER: Final = "paper"
REQUEST: Final = "request"
SEARCH_FROM: Final = 8
"""Show the search box above the item check boxes once there are more items than this."""
DEFAULT_DAYS: Final = 90
EXPIRY_INVALID: Final = "请选择委托到期日。"


@dataclass
class Posted:
    key: str
    q: str = ""
    item_codes: list[str] = field(default_factory=list)
    bundle_code: str = ""
    expires_on: str = ""
    mode: str = PAPER
    kept: dict[str, tuple[str, str]] = field(default_factory=dict)  # type -> (upload id, name)
    files: dict[str, Any] = field(default_factory=dict)  # type -> UploadFile chosen now


def read_query(params: MultiDict[Any]) -> Posted:
    return Posted(
        key="",
        q=str(params.get("q") or "").strip()[:20],
        item_codes=[str(c) for c in params.getall("item_codes", [])][:50],
    )


def read(form: FormMultiDict) -> Posted:
    posted = Posted(
        key=item_form.value(form, "submission_key", 60) or item_form.new_key("mandate"),
        q=item_form.value(form, "q", 20),
        item_codes=desk.choices(form, "item_codes"),
        bundle_code=item_form.value(form, "bundle_code", 40),
        expires_on=item_form.value(form, "expires_on", 10),
        mode=REQUEST if form.get("mode") == REQUEST else PAPER,
    )
    for index, kind in enumerate(mandates.EVIDENCE_TYPES):
        chosen = item_form.chosen_file(form, f"evidence-{index}-file")
        if chosen is not None:
            posted.files[kind] = chosen
            continue
        upload_id = item_form.value(form, f"evidence-{index}-upload", 40)
        if upload_id:
            posted.kept[kind] = (upload_id, item_form.value(form, f"evidence-{index}-name", 100))
    return posted


async def items_context(posted: Posted) -> dict[str, Any]:
    """The delegable items (matching the search, plus those already ticked) and the bundles."""
    everything, _ = await catalogue.list_items(
        q=None, department=None, channel=None, page=1, page_size=1000
    )
    delegable = [v for v in everything if v.spec.delegable]
    shown = delegable
    if posted.q:
        matched, _ = await catalogue.list_items(
            q=posted.q, department=None, channel=None, page=1, page_size=1000
        )
        codes = {v.spec.code for v in matched} | set(posted.item_codes)
        shown = [v for v in delegable if v.spec.code in codes]
    return {
        "items": [(v.spec.code, v.spec.name) for v in shown],
        "ticked": posted.item_codes,
        "searchable": len(delegable) > SEARCH_FROM,
        "q": posted.q,
    }


async def page(
    person: dict[str, Any],
    posted: Posted,
    *,
    settings: Settings,
    error: str | None = None,
    problems: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    snap = await catalogue.snapshot()
    now = today()
    default = now + timedelta(days=min(DEFAULT_DAYS, settings.mandate_max_days))
    return Template(
        "agent/mandate.html",
        context={
            "person": person,
            "posted": posted,
            "bundles": sorted((code, b.name) for code, b in snap.bundles.items()),
            "expires_default": posted.expires_on or default.isoformat(),
            "expires_min": (now + timedelta(days=1)).isoformat(),
            "expires_max": (now + timedelta(days=settings.mandate_max_days)).isoformat(),
            "evidence": list(enumerate(mandates.EVIDENCE_TYPES)),
            "error": error,
            "problems": problems or {},
            **await items_context(posted),
        },
        status_code=status_code,
    )


def problems_of(exc: DomainError) -> dict[str, str]:
    """Which part of the form a refusal is about (by its stable code)."""
    where = {
        "mandate_scope_required": "scope",
        "item_unknown": "scope",
        "item_not_delegable": "scope",
        "bundle_unknown": "scope",
        "mandate_expiry_invalid": "expires_on",
    }.get(exc.code or "")
    out = {where: exc.detail} if where else {}
    for kind in exc.extra.get("missing", []):
        if isinstance(kind, str):
            out[f"evidence:{kind}"] = texts.EVIDENCE_PHOTO_MISSING
    return out


def _expiry(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(EXPIRY_INVALID, code="mandate_expiry_invalid") from None


async def _evidence(deps: Deps, agent: Agent, posted: Posted) -> list[str]:
    """The photos' upload ids (saved now if just chosen); all of them named if any is missing."""
    for kind, chosen in list(posted.files.items()):
        saved = await item_form.save_file(
            deps, owner_id=agent.id, material_type=kind, chosen=chosen
        )
        posted.kept[kind] = (saved.id, saved.original_name or kind)
        del posted.files[kind]
    missing = [t for t in mandates.EVIDENCE_TYPES if t not in posted.kept]
    if missing:
        raise InvalidInput(
            delegation_texts.EVIDENCE_INCOMPLETE.format(missing="、".join(missing)),
            code="mandate_evidence_incomplete",
            extra={"missing": missing},
        )
    return [upload_id for upload_id, _ in posted.kept.values()]


async def record(deps: Deps, *, agent: Agent, citizen_id: str, posted: Posted) -> str:
    """Record the mandate (once per form, however often it is posted); its status."""
    expires_on = _expiry(posted.expires_on)
    body = {
        "citizen": citizen_id,
        "items": sorted(posted.item_codes),
        "bundle": posted.bundle_code,
        "expires_on": posted.expires_on,
        "mode": posted.mode,
    }
    settings = deps.settings

    async def evidence() -> list[str]:
        return await _evidence(deps, agent, posted) if posted.mode == PAPER else []

    answer = await service.record_mandate(
        agent=agent,
        citizen_id=citizen_id,
        item_codes=posted.item_codes,
        bundle_code=posted.bundle_code or None,
        expires_on=expires_on,
        evidence=evidence,
        claim=idempotency.claim(
            scope=f"portal:staff:{agent.id}",
            key=posted.key,
            method="POST",
            path="/portal/agent/mandate",
            body=json.dumps(body, sort_keys=True, ensure_ascii=False).encode(),
            secret=settings.secret_key.encode(),
        ),
        max_days=settings.mandate_max_days,
        spot_check_rate=settings.mandate_spot_check_rate,
        doorbell=deps.doorbell,
        ttl_s=settings.idempotency_ttl_s,
    )
    return str(answer.body["status"])

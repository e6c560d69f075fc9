"""Handover batches (材料交接) on a page: the manifest both sides print and sign, the receipt
form with its "missing" ticks, and the cases waiting to go into a batch.

Everything here reads ``delegation.custody`` (and ``delegation.errands`` for the agent's side);
the rules — what may go into a batch, one township or one agent per batch, what may be recorded
missing — stay in the domain, which checks them again when a batch is sent or received.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from litestar.datastructures import FormMultiDict
from litestar.response import Template
from markupsafe import Markup

from agent_portal.common import desk, texts
from agent_portal.common.casepage import when
from backend.cases import views as case_views
from backend.cases.clock import Calendar
from backend.cases.present import shanghai
from backend.cases.store.cases import ItemsOf
from backend.catalogue import service as catalogue
from backend.delegation import custody, errands
from backend.delegation.scope import Agent
from backend.delegation.store.handovers import Batch, BatchSummary, Line
from backend.window import listing

MAX_CANDIDATES: Final = 100
AGENT_BASE: Final = "/portal/agent/handovers"
WINDOW_BASE: Final = "/portal/window/handovers"
SEPARATOR: Final = "|"


@dataclass(frozen=True, slots=True)
class ManifestLine:
    number: str
    applicant_name: str
    applicant_id_masked: str
    item_name: str
    items: list[tuple[str, str]]  # (material type or "result", shown name)
    missing: list[str]


@dataclass(frozen=True, slots=True)
class Candidate:
    number: str
    citizen_name: str
    name: str
    items: list[str]
    again: bool = False  # sent before and found missing


@dataclass
class AgentGroup:
    """Results waiting to go back to one agent (one batch per agent)."""

    agent_name: str
    lines: list[Candidate] = field(default_factory=list)


def _item_name(line: Line, snap: catalogue.Snapshot) -> str:
    if line.bundle_code:
        bundle = snap.bundles.get(line.bundle_code)
        return bundle.name if bundle else str(line.bundle_code)
    item = snap.items.get(line.item_code or "")
    return item.spec.name if item else str(line.item_code or "")


async def manifest(batch: Batch) -> dict[str, Any]:
    """The batch as its printed manifest shows it, with the QR code as inline SVG."""
    snap = await catalogue.snapshot()
    lines = []
    for line in await custody.lines(batch.id):
        # Names from the case's own item version: a type names other papers in other items.
        case = ItemsOf(line.case_id, line.item_version)
        names = {**await case_views.material_names(case), custody.RESULT: texts.RESULT_ITEM}
        lines.append(
            ManifestLine(
                number=line.number,
                applicant_name=line.applicant_name or "",
                applicant_id_masked=line.applicant_id_masked or "",
                item_name=_item_name(line, snap),
                items=[(kind, names.get(kind, kind)) for kind in line.items],
                missing=list(line.missing),
            )
        )
    return {
        "batch": batch,
        "lines": lines,
        "qr_svg": Markup(custody.qr_svg(batch.code)),  # noqa: S704 - segno's own SVG
        "qr_payload": custody.qr_payload(batch.code),
        "direction": texts.HANDOVER_DIRECTIONS.get(batch.direction, batch.direction),
        "status_label": texts.HANDOVER_STATUS.get(batch.status, batch.status),
        "created_at": when(shanghai(batch.created_at)),
        "received_at": when(shanghai(batch.received_at)),
        "receivable": batch.status == "sent",
    }


def summaries(rows: list[BatchSummary]) -> list[dict[str, Any]]:
    return [
        {
            **asdict(r),
            "direction_label": texts.HANDOVER_DIRECTIONS.get(r.direction, r.direction),
            "status_label": texts.HANDOVER_STATUS.get(r.status, r.status),
            "created": when(shanghai(r.created_at)),
        }
        for r in rows
    ]


def missing_of(form: FormMultiDict) -> dict[str, list[str]]:
    """The ticked "missing" boxes (``<case number>|<material type>``) by case number."""
    out: dict[str, list[str]] = defaultdict(list)
    for raw in form.getall("missing", []):
        if isinstance(raw, str) and SEPARATOR in raw:
            number, kind = raw.split(SEPARATOR, 1)
            out[number.strip()].append(kind.strip())
    return dict(out)


async def originals_to_send(agent: Agent, calendar: Calendar) -> list[Candidate]:
    """The agent's cases holding paper originals not yet in a batch (or found missing)."""
    found, _ = await errands.errands(
        agent=agent, open_only=False, page=1, page_size=MAX_CANDIDATES, calendar=calendar
    )
    out = []
    for e in found:
        held = e.custody
        if held.originals_to_send or held.originals_missing:
            out.append(
                Candidate(
                    number=e.row.number,
                    citizen_name=e.citizen_name,
                    name=e.name,
                    items=[*held.originals_to_send, *held.originals_missing],
                    again=bool(held.originals_missing),
                )
            )
    return out


async def results_to_send(township_code: str) -> list[AgentGroup]:
    """Results of this township for citizens who chose delivery through the agent who filed
    the case, not yet in a batch; grouped by agent."""
    rows, _ = await custody.results_to_send(
        township_code=township_code, page=1, page_size=MAX_CANDIDATES
    )
    names = await listing.names_of(
        [{"item_code": r.item_code, "bundle_code": r.bundle_code} for r in rows]
    )
    groups: dict[str, AgentGroup] = {}
    for row in rows:
        group = groups.setdefault(row.agent_id, AgentGroup(row.agent_name or ""))
        name = names.get(row.item_code or row.bundle_code or "", row.number)
        group.lines.append(Candidate(row.number, row.applicant_name or "", name, []))
    return list(groups.values())


def numbers(form: FormMultiDict, limit: int) -> list[str]:
    """The cases ticked for a new batch."""
    return desk.choices(form, "numbers", limit=limit)


async def batch_page(
    batch: Batch,
    *,
    side: str,
    done: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Template:
    """The manifest of a batch, with the receipt form for the side that receives it."""
    context = await manifest(batch)
    base = AGENT_BASE if side == "agent" else WINDOW_BASE
    receiving = custody.TO_VILLAGE if side == "agent" else custody.TO_TOWNSHIP
    context.update(
        side=side,
        base=base,
        action=f"{base}/{batch.id}/receive",
        may_receive=context["receivable"] and batch.direction == receiving,
        done=texts.AGENT_DONE.get(done or "")
        if side == "agent"
        else texts.WINDOW_DONE.get(done or ""),
        error=error,
    )
    return Template("common/handover_batch.html", context=context, status_code=status)

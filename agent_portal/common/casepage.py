"""The case page both desks share: what ``CaseForStaff`` says, in Chinese, with the action forms.

Only the actions the state machine allows now (``CaseForStaff.allowed_actions``) are offered,
and of those only the ones this desk takes: the window never approves, the back office never
issues a result. Handing a case to another township is offered only for 全区通办 items.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from litestar import Request
from litestar.datastructures import FormMultiDict
from litestar.response import Template

from agent_portal.common import desk as desks
from agent_portal.common import paper, texts, urgency
from backend.cases import views as case_views
from backend.cases.forms import merge_fields
from backend.cases.store.cases import CaseRecord
from backend.cases.submission import required_materials
from backend.catalogue import service as catalogue
from backend.catalogue.service import ItemView
from backend.deps import Deps
from backend.errors import DomainError
from backend.geo import points as geo
from backend.identity import roles
from backend.window import routing
from backend.window.access import Clerk
from backend.window.schemas import CaseForStaff
from backend.window.service import views

WINDOW: Final = "window"
REVIEW: Final = "review"
SUPERVISION: Final = "supervision"  # read-only: a supervisor only urges (督办催办)

# Page action (URL segment) -> the state machine's action name, in the order they are shown.
DESK_ACTIONS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    WINDOW: (
        ("accept", "accept"),
        ("transfer", "transfer"),
        ("result", "issue_result"),
        ("deliver", "deliver"),
        ("supplement", "request_supplement"),
        ("handoff", "handoff"),
        ("reject", "reject"),
    ),
    REVIEW: (
        ("approve", "approve"),
        ("supplement", "request_supplement"),
        ("deny", "deny"),
    ),
    SUPERVISION: (),
}
THROUGH_AGENT: Final = "agent"
BASE: Final = {
    WINDOW: "/portal/window/cases/",
    REVIEW: "/portal/review/cases/",
    SUPERVISION: "/portal/supervision/cases/",
}


@dataclass(frozen=True, slots=True)
class Step:
    at: str
    action: str
    actor: str
    detail: str
    note: str


@dataclass(frozen=True, slots=True)
class Refused:
    """An action the domain refused: what to say, and what was posted (to fill the form again)."""

    action: str
    detail: str
    problems: list[str]
    posted: dict[str, str]
    ticked: list[str]


@dataclass(frozen=True, slots=True)
class FormRow:
    """One answer of the case's form; ``masked`` ones offer 查看完整号码 (``revealed``: shown)."""

    name: str
    label: str
    value: Any
    masked: bool
    revealed: str | None = None


@dataclass(frozen=True, slots=True)
class Material:
    type: str
    name: str
    source: str
    upload_id: str | None
    supplement: int | None
    added_at: str


def when(iso: str | None) -> str:
    """``2026-11-27T09:05:00+08:00`` (already Asia/Shanghai) as ``2026-11-27 09:05``."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")


async def items_of(row: CaseRecord) -> list[ItemView]:
    """The item versions the case (or each item of a bundle) was filed under."""
    return await case_views.item_versions(row)


def _detail(
    action: str, data: dict[str, Any], names: dict[str, str], *, spot_begins: bool = False
) -> str:
    """What the event's data adds to its note: where it went, how it was delivered.
    ``spot_begins``: the first step of a 即办办结 (its 2 or 3 steps say so once)."""
    if spot_begins:
        return texts.STEP_ON_THE_SPOT
    if action == "transfer" and data.get("department"):
        return texts.step_transfer(names.get(data["department"], data["department"]))
    if action == "handoff" and data.get("to"):
        return texts.step_handoff(names.get(data["to"], data["to"]))
    if action == "request_supplement" and data.get("missing"):
        return texts.step_missing(list(data["missing"]))
    if action == "urge" and data.get("supervisor_note"):
        return texts.step_urge(str(data["supervisor_note"]))
    if action == "deliver" and data.get("method"):
        method = texts.DELIVERY.get(data["method"], data["method"])
        delivered = texts.step_delivered(method, data.get("tracking_no"))
        if data.get("address"):
            delivered += texts.step_mailed_to(str(data["address"]))
        collector = data.get("collector") or {}
        if collector.get("name"):
            delivered += texts.step_collector(collector["name"], bool(collector.get("id_checked")))
        return delivered
    return ""


def _steps(view: CaseForStaff, names: dict[str, str]) -> list[Step]:
    """The timeline in Chinese. The steps of one 即办办结 (accept, approve, issue result, each
    marked ``on_the_spot`` and carrying the clerk's one note) read as one: the mark and the
    note on the first of them only."""
    out = []
    spot_note: str | None = None  # the note of the 即办办结 run we are in (None: not in one)
    for e in view.timeline:
        on_the_spot = bool(e.data.get("on_the_spot"))
        spot_begins = on_the_spot and spot_note is None
        note = e.note or ""
        if not on_the_spot:
            spot_note = None
        elif spot_begins:
            spot_note = note
        elif note == spot_note:
            note = ""
        actor = texts.ACTOR_ROLES.get(e.actor_role, e.actor_role)
        if e.actor is not None and e.actor.name:
            actor = f"{actor} {e.actor.name}"
        # Only an agent acts for the applicant; a window clerk receiving an agent's batch
        # carries the applicant's id too, but did nothing in the applicant's name.
        if e.on_behalf_of and e.actor_role == roles.AGENT:
            actor += texts.ON_BEHALF
        label = texts.ACTION_LABELS.get(e.action, e.action)
        if note == label:  # 督办催办 says no more than its label
            note = ""
        detail = _detail(e.action, e.data, names, spot_begins=spot_begins)
        out.append(Step(when(e.at), label, actor, detail, note))
    return out


def on_the_spot(view: CaseForStaff, items: list[ItemView]) -> bool:
    """即办办结 is offered: one item (not a bundle's parent) with no committed days, queued or
    accepted as far as the machine and the bundle rules say (``front_desk.finish_on_the_spot``
    decides again under the lock)."""
    if len(items) != 1 or items[0].spec.committed_days != 0:
        return False
    if view.bundle_code and view.parent_number is None:
        return False
    allowed = set(view.allowed_actions)
    return (view.status == "queued" and "accept" in allowed) or (
        view.status == "accepted" and "approve" in allowed
    )


def on_the_spot_children(view: CaseForStaff, items: list[ItemView]) -> list[str]:
    """A bundle's items that are 即办件 and can be finished now, each on its own page (the
    parent is never finished whole): the bundle accepted, the item accepted and not yet sent
    to a back office. Their numbers, in the bundle's order."""
    if not (view.bundle_code and view.parent_number is None and view.accepted_at):
        return []
    same_day = {v.spec.code for v in items if v.spec.committed_days == 0}
    return [
        c.number for c in view.children or [] if c.item_code in same_day and c.status == "accepted"
    ]


def offered(view: CaseForStaff, desk: str, items: list[ItemView]) -> list[str]:
    allowed = set(view.allowed_actions)
    out = [page for page, action in DESK_ACTIONS[desk] if action in allowed]
    if "handoff" in out and not (items and all(v.spec.district_wide for v in items)):
        out.remove("handoff")
    if desk == WINDOW and on_the_spot(view, items):
        out.insert(0, "finish")
    return out


async def _transfer_default(view: CaseForStaff) -> str | None:
    """Where the routing table sends the case (a bundle goes item by item: none to choose)."""
    if view.item_code is None or (view.bundle_code and view.parent_number is None):
        return None
    route = await routing.department_for(
        township_code=view.township_code, item_code=view.item_code, fallback=view.department_code
    )
    return route.department_code


async def context(
    view: CaseForStaff,
    *,
    row: CaseRecord,
    desk: str,
    done: str | None = None,
    refused: Refused | None = None,
    revealed: tuple[str, str] | None = None,
) -> dict[str, Any]:
    items = await items_of(row)
    snap = await catalogue.snapshot()
    places = await geo.snapshot()
    materials = required_materials(items)
    names = {m.type: m.name for m in materials}
    labels = {f.name: f.label for f in merge_fields(v.spec.form for v in items)}
    actions = offered(view, desk, items)
    return {
        "case": view,
        "desk": desk,
        "base": BASE[desk] + view.number,
        "done": texts.DONE.get(done or ""),
        "error": refused.detail if refused else None,
        "problems": refused.problems if refused else [],
        "failed": refused.action if refused else None,
        "posted": refused.posted if refused else {},
        "ticked": refused.ticked if refused else [],
        "clock": urgency.by_days_left(view.working_days_left, paused=view.clock_paused),
        "township": places.townships.get(view.township_code or "", view.township_code or ""),
        "department": snap.departments.get(view.department_code or "", view.department_code),
        "channel": texts.channel_unless_filed_by(view.channel, view.filed_by.kind),
        "filed_by": texts.FILED_BY.get(view.filed_by.kind, view.filed_by.kind),
        "delivery": texts.DELIVERY.get(view.delivery_method, view.delivery_method),
        "submitted_at": when(view.submitted_at),
        "accepted_at": when(view.accepted_at),
        "form_rows": [
            FormRow(
                k,
                labels.get(k, k),
                v,
                k in view.masked_fields,
                revealed[1] if revealed and revealed[0] == k else None,
            )
            for k, v in view.form.items()
        ],
        "materials": [
            Material(
                m.type,
                names.get(m.type, m.type),
                texts.MATERIAL_SOURCES.get(m.source, m.source),
                m.upload_id if m.source == "upload" else None,
                m.supplement,
                when(m.added_at),
            )
            for m in view.materials
        ],
        "material_choices": [(m.type, m.name) for m in materials],
        "children": [
            (
                c,
                urgency.by_days_left(c.working_days_left),
                snap.departments.get(c.department_code or ""),
            )
            for c in view.children or []
        ],
        "spot_children": on_the_spot_children(view, items) if desk == WINDOW else [],
        "steps": _steps(view, {**snap.departments, **places.townships}),
        "actions": actions,
        "departments": sorted(snap.departments.items()),
        "transfer_default": await _transfer_default(view) if "transfer" in actions else None,
        "townships": [
            (code, name)
            for code, name in sorted(places.townships.items())
            if code != view.township_code
        ],
        # Through the agent is a results batch (材料交接), never a form here (only 窗口领取 and
        # 邮寄 are): the domain refuses it (409 deliver_through_agent), the agent records it.
        "through_agent": view.delivery_method == THROUGH_AGENT,
        "delivery_labels": texts.DELIVERY,
        # mailed only when every item of the case may be (window.delivery refuses it otherwise)
        "mail_allowed": all("mail" in v.spec.delivery_methods for v in items),
        "when": when,
        "paper": await paper.card(row, BASE[desk] + view.number),
    }


async def page(
    view: CaseForStaff,
    *,
    row: CaseRecord,
    desk: str,
    done: str | None = None,
    refused: Refused | None = None,
    status_code: int = 200,
    revealed: tuple[str, str] | None = None,
) -> Template:
    ctx = await context(view, row=row, desk=desk, done=done, refused=refused, revealed=revealed)
    return Template("window/case.html", context=ctx, status_code=status_code)


def refusal(action: str, exc: DomainError, form: FormMultiDict) -> Refused:
    return Refused(
        action=action,
        detail=exc.detail,
        problems=[str(p.get("message", "")) for p in exc.extra.get("errors", [])],
        posted={
            k: v
            for k, v in form.items()
            if isinstance(v, str) and k not in ("_csrf_token", "missing")
        },
        ticked=[v for v in form.getall("missing", []) if isinstance(v, str)],
    )


async def reveal_page(
    request: Request[Any, Any, Any],
    deps: Deps,
    *,
    clerk: Clerk,
    row: CaseRecord,
    number: str,
    field: str,
    desk: str,
    view: Callable[[], Awaitable[CaseForStaff]],
) -> Template:
    """查看完整号码 on a staff case page: the page again with that one value in full (the read
    audited), or with the refusal; the same for the window's and the back office's page."""
    form = await request.form()
    try:
        value = await views.reveal(
            number=number,
            field=field,
            clerk=clerk,
            reason=desks.text(form, "reason", label="理由", limit=200),
            doorbell=deps.doorbell,
            audit=deps.audit,
        )
    except DomainError as exc:
        return await page(
            await view(),
            row=row,
            desk=desk,
            refused=refusal("reveal", exc, form),
            status_code=exc.status,
        )
    shown = await page(await view(), row=row, desk=desk, revealed=(field, value))
    shown.headers["Cache-Control"] = "no-store"
    return shown

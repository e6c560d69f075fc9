"""The supervisors' pages (督办): bad-rating follow-ups, the weekly call-back
sample, agents' workload and the audit log.

The same use cases (``backend.supervision.service``) and scope as the API: a township supervisor
sees their township, a district one and an administrator the district; a follow-up or call of
another township is the 404 page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Final

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import Parameter
from litestar.response import Redirect, Response, Template

from agent_portal.common import desk
from agent_portal.common.errors import PageNotFound, WrongRole
from agent_portal.common.lists import Pages
from agent_portal.supervision import audit_changes, texts, workload_view
from backend.audit.store import AuditEntry
from backend.catalogue import service as catalogue
from backend.clock import local
from backend.deps import Deps
from backend.errors import DomainError, InvalidInput, NotAllowed, NotFound
from backend.identity import roles
from backend.identity.service import StaffAccount
from backend.supervision import service
from backend.supervision import texts as domain_texts
from backend.supervision.audit_view import AuditFilter, staff_names
from backend.supervision.scope import Scope, require_district


async def _scope(staff: StaffAccount) -> Scope:
    try:
        return await service.scope_of(staff_id=staff.id, role=staff.role, area_code=staff.area_code)
    except NotAllowed as exc:
        raise WrongRole(roles.SUPERVISOR) from exc


def _pages(page: int, total: int) -> Pages:
    return Pages(page, max(1, -(-total // desk.PAGE_SIZE)), total)


def _int_or_none(raw: Any) -> int | None:
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return -1  # out of range: the domain refuses it with its own message


def _when(moment: datetime | None) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _note(form: FormMultiDict) -> str:
    note = form.get("note")
    return note if isinstance(note, str) else ""


@dataclass(frozen=True, slots=True)
class CallAnswer:
    """What the supervisor typed in about one call-back."""

    reached: bool
    satisfied: int | None
    trips: int | None
    note: str


def _call_answer(form: FormMultiDict) -> CallAnswer:
    """The call as the form gives it; whether the citizen was reached must be chosen."""
    if form.get("reached") not in ("yes", "no"):
        raise InvalidInput(texts.CALL_REACHED_REQUIRED, code="validation_failed")
    return CallAnswer(
        reached=form.get("reached") == "yes",
        satisfied=_int_or_none(form.get("satisfied")),
        trips=_int_or_none(form.get("trips")),
        note=_note(form),
    )


def _audit_filter(*, actor: str, citizen: str, start: str, end: str) -> AuditFilter:
    return AuditFilter(
        actor=actor.strip()[:64] or None,
        citizen=citizen.strip()[:40] or None,
        start=_day(start),
        end=_day(end),
    )


FOLLOW_UP_ACTS: Final = {
    "contact": service.contact_follow_up,
    "resolve": service.resolve_follow_up,
}


async def _follow_up_in(scope: Scope, follow_up_id: int) -> None:
    """The 404 page for a follow-up outside the scope."""
    try:
        await service.follow_up(scope=scope, follow_up_id=follow_up_id)
    except NotFound as exc:
        raise PageNotFound from exc


async def _call_week(scope: Scope, call_id: int) -> str:
    """The week of a call of the sample in the scope, or the 404 page."""
    try:
        found = await service.call(scope=scope, call_id=call_id)
    except NotFound as exc:
        raise PageNotFound from exc
    return found.week.isoformat()


async def _record_call(deps: Deps, scope: Scope, call_id: int, answer: CallAnswer) -> None:
    await service.record_call(
        doorbell=deps.doorbell,
        scope=scope,
        call_id=call_id,
        reached=answer.reached,
        satisfied=answer.satisfied,
        trips=answer.trips,
        note=answer.note,
    )


@dataclass(frozen=True, slots=True)
class AuditPage:
    """A page of the audit log, the staff it names, or none and why (a bad filter)."""

    rows: list[AuditEntry]
    total: int
    error: str | None
    staff: dict[str, str]


async def _audit_entries(scope: Scope, where: AuditFilter, page: int) -> AuditPage:
    try:
        rows, total = await service.audit_entries(
            scope=scope, where=where, page=page, page_size=desk.PAGE_SIZE
        )
    except DomainError as exc:
        return AuditPage([], 0, exc.detail, {})
    ids = audit_changes.staff_ids((e.subject_kind, e.subject_id, e.reason) for e in rows)
    return AuditPage(rows, total, None, await staff_names(ids) if ids else {})


async def _form_labels() -> dict[str, str]:
    """The catalogue's form fields' Chinese labels by field name (for 办件表单 entries)."""
    snap = await catalogue.snapshot()
    return {f.name: f.label for item in snap.items.values() for f in item.spec.form}


@dataclass(frozen=True, slots=True)
class AuditLine:
    """One entry as the log shows it: who, about what, and the reason with its changes."""

    entry: AuditEntry
    actor: str
    subject: str
    reason: audit_changes.Reason


def _audit_line(e: AuditEntry, field_labels: dict[str, str], staff: dict[str, str]) -> AuditLine:
    return AuditLine(
        e,
        audit_changes.visible(e.actor_name or e.actor_id),
        audit_changes.visible(
            texts.audit_subject(e.subject_kind, e.subject_id, field_labels, staff)
        ),
        audit_changes.reason(e.subject_kind, e.reason, staff),
    )


def _audit_context(
    found: AuditPage, page: int, filters: dict[str, str], field_labels: dict[str, str]
) -> dict[str, Any]:
    return {
        "entries": [_audit_line(e, field_labels, found.staff) for e in found.rows],
        "pages": _pages(page, found.total),
        "filters": filters,
        "when": _when,
        "action_labels": domain_texts.AUDIT_ACTION_LABELS,
        "error": found.error,
        "intro": texts.AUDIT_INTRO,
        "raw_label": texts.AUDIT_RAW,
        "visible": audit_changes.visible,
    }


class SupervisionPages(Controller):
    path = "/supervision"
    include_in_schema = False

    @get("/", name="portal:supervision")
    async def home(self, staff: StaffAccount) -> Template:
        scope = await _scope(staff)
        sections = list(texts.SECTIONS) + ([texts.AUDIT_SECTION] if scope.district_wide else [])
        return Template("supervision/home.html", context={"sections": sections, "staff": staff})

    async def _follow_ups_page(
        self,
        staff: StaffAccount,
        *,
        state: str,
        page: int,
        done: str | None = None,
        error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        scope = await _scope(staff)
        if state not in dict(texts.FOLLOW_UP_TABS):
            raise PageNotFound
        page = desk.page_number(page)
        views, total = await service.follow_ups(
            scope=scope, state=state, page=page, page_size=desk.PAGE_SIZE
        )
        return Template(
            "supervision/follow_ups.html",
            context={
                "views": views,
                "pages": _pages(page, total),
                "tabs": texts.FOLLOW_UP_TABS,
                "state": state,
                "states": texts.FOLLOW_UP_STATES,
                "done": texts.DONE.get(done or ""),
                "error": error,
                "when": _when,
            },
            status_code=status_code,
        )

    @get("/follow-ups", name="portal:supervision-follow-ups")
    async def follow_ups(
        self,
        staff: StaffAccount,
        which: Annotated[str, Parameter(query="state")] = "open",
        page: int = 1,
        done: str | None = None,
    ) -> Template:
        return await self._follow_ups_page(staff, state=which, page=page, done=done)

    @post("/follow-ups/{follow_up_id:int}/{action:str}", name="portal:supervision-follow-up-act")
    async def follow_up_act(
        self,
        request: Request[Any, Any, Any],
        deps: Deps,
        staff: StaffAccount,
        follow_up_id: int,
        action: str,
    ) -> Response[Any]:
        scope = await _scope(staff)
        await _follow_up_in(scope, follow_up_id)
        act = FOLLOW_UP_ACTS.get(action)
        if act is None:
            raise PageNotFound
        note = _note(await request.form())
        try:
            await act(doorbell=deps.doorbell, scope=scope, follow_up_id=follow_up_id, note=note)
        except DomainError as exc:
            return await self._follow_ups_page(
                staff, state="open", page=1, error=exc.detail, status_code=exc.status
            )
        return Redirect(f"/portal/supervision/follow-ups?done={action}", status_code=303)

    async def _calls_page(
        self,
        staff: StaffAccount,
        *,
        week: str | None,
        page: int,
        done: str | None = None,
        error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        scope = await _scope(staff)
        try:
            monday = service.week_of(week)
        except DomainError as exc:  # a week typed wrong: last week's sample, and why
            monday, error, status_code = service.week_of(None), exc.detail, 422
        page = desk.page_number(page)
        rows, total = await service.calls(
            scope=scope, week=monday, page=page, page_size=desk.PAGE_SIZE
        )
        return Template(
            "supervision/callbacks.html",
            context={
                "calls": rows,
                "week": monday,
                "pages": _pages(page, total),
                "status": texts.STATUS,
                "done": texts.DONE.get(done or ""),
                "error": error,
                "when": _when,
            },
            status_code=status_code,
        )

    @get("/callbacks", name="portal:supervision-callbacks")
    async def calls(
        self,
        staff: StaffAccount,
        week: str | None = None,
        page: int = 1,
        done: str | None = None,
    ) -> Template:
        return await self._calls_page(staff, week=week, page=page, done=done)

    @post("/callbacks/{call_id:int}", name="portal:supervision-call")
    async def record_call(
        self, request: Request[Any, Any, Any], deps: Deps, staff: StaffAccount, call_id: int
    ) -> Response[Any]:
        scope = await _scope(staff)
        week = await _call_week(scope, call_id)
        form = await request.form()
        try:
            await _record_call(deps, scope, call_id, _call_answer(form))
        except DomainError as exc:
            return await self._calls_page(
                staff, week=week, page=1, error=exc.detail, status_code=exc.status
            )
        return Redirect(f"/portal/supervision/callbacks?week={week}&done=call", status_code=303)

    @get("/agents", name="portal:supervision-agents")
    async def agents(self, request: Request[Any, Any, Any], staff: StaffAccount) -> Template:
        scope = await _scope(staff)
        query = workload_view.Query.parse(request.query_params)
        page = desk.page_number(query.page)
        found, total = await service.agent_workloads(
            scope=scope, page=page, page_size=desk.PAGE_SIZE, where=query.where
        )
        ctx = await workload_view.context(scope, query, found)
        ctx["pages"] = _pages(page, total)
        return Template("supervision/agents.html", context=ctx)

    @get("/audit", name="portal:supervision-audit")
    async def audit(
        self,
        staff: StaffAccount,
        actor: str = "",
        citizen: str = "",
        start: str = "",
        end: str = "",
        page: int = 1,
    ) -> Template:
        scope = await _scope(staff)
        try:
            require_district(scope)
        except NotAllowed as exc:
            raise WrongRole(roles.ADMIN) from exc
        page = desk.page_number(page)
        where = _audit_filter(actor=actor, citizen=citizen, start=start, end=end)
        found = await _audit_entries(scope, where, page)
        filters = {"actor": actor, "citizen": citizen, "start": start, "end": end}
        return Template(
            "supervision/audit.html",
            context=_audit_context(found, page, filters, await _form_labels()),
        )

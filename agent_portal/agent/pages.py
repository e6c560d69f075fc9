"""The agent's pages (代办员): the errands on the home page, villagers and their mandates.

Each page calls the use cases ``backend.delegation.routes`` calls: ``service.register_citizen``
and ``service.record_mandate`` (paper evidence through the upload service → active at once;
none → pending until the citizen confirms in the mini-program); a refusal shows its Chinese
detail next to the fields and saves nothing.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Final

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Response, Template

from agent_portal.agent import desk as agent_desk
from agent_portal.agent import mandate_form
from agent_portal.common import desk, item_form, texts
from agent_portal.common.desk import PAGE_SIZE
from agent_portal.common.errors import PageNotFound
from agent_portal.common.lists import Pages
from agent_portal.window.walkin_form import villages_of
from backend.delegation import citizens, errands, mandates, service
from backend.delegation.scope import Agent, citizen_of
from backend.deps import Deps
from backend.errors import DomainError, RateLimited
from backend.http.throttle import limit_id_lookup
from backend.identity.offline import Applicant
from backend.identity.service import StaffAccount
from backend.settings import Settings
from backend.workdays.service import load_calendar

BASE: Final = "/portal/agent"


def _pages(page: int, total: int) -> Pages:
    return Pages(page, max(1, -(-total // PAGE_SIZE)), total)


async def home(staff: StaffAccount, *, show: str, page: int, warnings: list[str]) -> Template:
    """The agent's home page: every errand, what it needs now, most urgent first."""
    agent = await agent_desk.agent_of(staff)
    page = desk.page_number(page)
    calendar = await load_calendar()
    found, total = await errands.errands(
        agent=agent, open_only=show != "all", page=page, page_size=PAGE_SIZE, calendar=calendar
    )
    return Template(
        "agent/home.html",
        context={
            "staff": staff,
            "warnings": warnings,
            "lines": [agent_desk.line(e, calendar) for e in found],
            "pages": _pages(page, total),
            "tabs": texts.AGENT_ERRAND_TABS,
            "show": show if show == "all" else "",
            "tasks": texts.ROLE_TASKS[staff.role],
        },
    )


async def _villager(agent: Agent, citizen_id: str) -> dict[str, Any]:
    """A citizen the agent serves (the 404 page for anyone else)."""
    await citizen_of(agent, citizen_id)
    rows, _ = await citizens.search(agent=agent, q="", page=1, page_size=1, only=citizen_id)
    if not rows:
        raise PageNotFound
    row = rows[0]
    return {**asdict(row), "about": texts.sex_year(row.sex, row.birth_year)}


def _villages(staff: StaffAccount, agent: Agent) -> list[tuple[str, str]]:
    return [(agent.area_code, staff.area_name)] if agent.level == "village" else []


async def _search_page(
    staff: StaffAccount,
    agent: Agent,
    *,
    q: str,
    page: int,
    posted: dict[str, str] | None = None,
    error: str | None = None,
    problems: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    page = desk.page_number(page)
    rows, total = await citizens.search(agent=agent, q=q[:20], page=page, page_size=PAGE_SIZE)
    villages = _villages(staff, agent)
    if not villages:  # a bank clerk registers villagers of the outlet's township
        villages = [(v.code, v.name) for v in await villages_of(agent.area_code)]
    return Template(
        "agent/villagers.html",
        context={
            "q": q,
            "rows": [{**asdict(r), "about": texts.sex_year(r.sex, r.birth_year)} for r in rows],
            "pages": _pages(page, total),
            "villages": villages,
            "posted": posted or {"village_code": agent.area_code},
            "error": error,
            "problems": problems or {},
            "open_register": bool(posted) or total == 0,
        },
        status_code=status_code,
    )


def _registration(form: FormMultiDict, agent: Agent) -> dict[str, str]:
    return {
        "name": item_form.value(form, "name", 64),
        "id_number": item_form.value(form, "id_number", 32).upper(),
        "phone": item_form.value(form, "phone", 20),
        "village_code": item_form.value(form, "village_code", 12) or agent.area_code,
    }


async def _register(deps: Deps, agent: Agent, posted: dict[str, str]) -> str:
    """Register the villager through the use case; their citizen id."""
    answer = await service.register_citizen(
        agent=agent,
        applicant=Applicant(
            posted["name"], posted["id_number"], posted["village_code"], posted["phone"] or None
        ),
        claim=None,
        verifier=deps.identity_verifier,
        cipher=deps.cipher,
        doorbell=deps.doorbell,
        ttl_s=deps.settings.idempotency_ttl_s,
    )
    return str(answer.body["id"])


async def _mandate_refused(
    person: dict[str, Any], posted: mandate_form.Posted, settings: Settings, exc: DomainError
) -> Template:
    """The mandate form again, the refusal beside its fields."""
    return await mandate_form.page(
        person,
        posted,
        settings=settings,
        error=exc.detail,
        problems=mandate_form.problems_of(exc),
        status_code=exc.status,
    )


async def _registration_refused(
    staff: StaffAccount, agent: Agent, posted: dict[str, str], exc: DomainError
) -> Template:
    """The villagers page again, the refusal beside the registration's fields."""
    problems = {  # the registration's fields, named as its form names them
        str(p.get("field", "")): str(p.get("message", "")) for p in exc.extra.get("errors", [])
    }
    page = await _search_page(
        staff,
        agent,
        q="",
        page=1,
        posted=posted,
        error=exc.detail,
        problems=problems,
        status_code=exc.status,
    )
    if isinstance(exc, RateLimited):
        page.headers["Retry-After"] = str(exc.retry_after_s)
    return page


class AgentPages(Controller):
    path = "/agent"
    include_in_schema = False

    @get("/villagers", name="portal:agent-villagers")
    async def villagers(self, staff: StaffAccount, q: str = "", page: int = 1) -> Template:
        agent = await agent_desk.agent_of(staff)
        return await _search_page(staff, agent, q=q.strip(), page=page)

    @post("/villagers", name="portal:agent-register")
    async def register(
        self, request: Request[Any, Any, Any], staff: StaffAccount, deps: Deps
    ) -> Response[Any]:
        agent = await agent_desk.agent_of(staff)
        posted = _registration(await request.form(), agent)
        try:
            await limit_id_lookup(
                request, route="register", account=f"staff:{staff.id}", fail_open=False
            )
            citizen_id = await _register(deps, agent, posted)
        except DomainError as exc:
            return await _registration_refused(staff, agent, posted, exc)
        return Redirect(f"{BASE}/villagers/{citizen_id}?done=registered", status_code=303)

    @get("/villagers/{citizen_id:str}", name="portal:agent-villager")
    async def villager(self, staff: StaffAccount, citizen_id: str, done: str = "") -> Template:
        agent = await agent_desk.agent_of(staff)
        person = await _villager(agent, citizen_id)
        rows, _ = await mandates.for_agent(
            agent.id, citizen_id=citizen_id, page=1, page_size=agent_desk.MAX_PAGE
        )
        lines = [await agent_desk.mandate_line(r) for r in rows]
        notice = texts.REGISTERED if done == "registered" else texts.MANDATE_DONE.get(done)
        return Template(
            "agent/villager.html",
            context={"person": person, "mandates": lines, "done": notice},
        )

    @get("/villagers/{citizen_id:str}/mandate", name="portal:agent-mandate")
    async def mandate(
        self, staff: StaffAccount, settings: Settings, citizen_id: str, q: str = ""
    ) -> Template:
        agent = await agent_desk.agent_of(staff)
        person = await _villager(agent, citizen_id)
        posted = mandate_form.Posted(key=item_form.new_key("mandate"), q=q.strip())
        return await mandate_form.page(person, posted, settings=settings)

    @get("/mandate-items", name="portal:agent-mandate-items")
    async def mandate_items(self, request: Request[Any, Any, Any], staff: StaffAccount) -> Template:
        """The item check boxes filtered by the search box (HTMX), ticked ones kept."""
        await agent_desk.agent_of(staff)
        posted = mandate_form.read_query(request.query_params)
        return Template(
            "agent/mandate_items.html", context=await mandate_form.items_context(posted)
        )

    @post("/villagers/{citizen_id:str}/mandate", name="portal:agent-mandate-submit")
    async def record_mandate(
        self,
        request: Request[Any, Any, Any],
        staff: StaffAccount,
        settings: Settings,
        deps: Deps,
        citizen_id: str,
    ) -> Response[Any]:
        agent = await agent_desk.agent_of(staff)
        person = await _villager(agent, citizen_id)
        form = await request.form()
        posted = mandate_form.read(form)
        if form.get("_step") == mandate_form.SEARCH_STEP:
            return await mandate_form.page(person, posted, settings=settings)
        try:
            status = await mandate_form.record(
                deps, agent=agent, citizen_id=citizen_id, posted=posted
            )
        except DomainError as exc:
            return await _mandate_refused(person, posted, settings, exc)
        return Redirect(f"{BASE}/villagers/{citizen_id}?done={status}", status_code=303)

"""Routes of the delegation context.

- ``/api/v1/agent/…`` — village agents and bank clerks (role ``agent``): villagers, mandates,
  filing on behalf, errands, custody batches, the hand-over of results.
- ``/api/v1/mandates/…`` — the citizen sees, confirms, refuses and revokes mandates.
- ``/api/v1/window/handovers/…`` — the township receives originals and sends results back.
- ``/api/v1/supervision/mandates/…`` — supervisors' spot checks of paper mandates.

Object-level checks come first: a case, mandate, citizen or batch the caller has no standing
for is 404 before the body is read.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.handlers.base import BaseRouteHandler
from litestar.params import JSONBody

from backend.cases import present as case_present
from backend.cases import service as cases
from backend.cases import views as case_views
from backend.cases.schemas import SupplementIn
from backend.cases.service import Submitter
from backend.cases.submission import Plan
from backend.cases.transitions import Actor
from backend.delegation import citizens, custody, errands, filing, mandates, present, referrals
from backend.delegation.schemas import (
    AgentCaseOut,
    AgentCaseSubmission,
    AgentCitizenIn,
    CitizenOut,
    CitizenPage,
    ErrandPage,
    HandOverIn,
    HandoverIn,
    HandoverOut,
    HandoverPage,
    MandateIn,
    MandateOut,
    MandatePage,
    ReceiveIn,
    ReferralPage,
    ReferralResolveIn,
    SpotCheckIn,
    SpotCheckOut,
    SpotCheckPage,
)
from backend.delegation.scope import Agent, load_agent
from backend.http.auth import Principal, citizen_only, principal_of, staff_roles
from backend.http.idempotent import claim_of, respond
from backend.http.pagination import Page, PageSize
from backend.http.throttle import limit_id_lookup
from backend.idempotency.service import run_once
from backend.identity import roles as R
from backend.identity.offline import Applicant
from backend.outbox.service import unit_of_work
from backend.workdays.service import load_calendar

agent_only = staff_roles(R.AGENT)
window_only = staff_roles(R.WINDOW)
supervisors = staff_roles(R.SUPERVISOR, R.ADMIN)


def staff_actor(who: Principal) -> Actor:
    return Actor("staff", who.id, who.role or R.WINDOW, channel="window")


async def agent_of(who: Principal) -> Agent:
    return await load_agent(
        staff_id=who.id,
        name=who.account.display_name if who.account else "",
        area_code=who.area_code or "",
    )


async def agent_case(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    who = principal_of(connection)
    if who.kind != "staff" or who.role != R.AGENT:
        raise cases.not_found()
    number = str(connection.path_params.get("number", ""))
    if await errands.readable_case(number=number, agent=await agent_of(who)) is None:
        raise cases.not_found()


async def agent_batch(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    who = principal_of(connection)
    found = await custody.batch(str(connection.path_params.get("handover_id", "")))
    if found is None or who.kind != "staff" or found["agent_id"] != who.id:
        raise custody.not_found()


async def township_batch(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    who = principal_of(connection)
    found = await custody.batch(str(connection.path_params.get("handover_id", "")))
    if found is None or who.kind != "staff" or found["township"] != who.area_code:
        raise custody.not_found()


async def own_mandate(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    who = principal_of(connection)
    found = await mandates.get(str(connection.path_params.get("mandate_id", "")))
    if found is None or who.kind != "citizen" or found["citizen_id"] != who.id:
        raise mandates.not_found()


async def _case_out(number: str, agent: Agent) -> AgentCaseOut:
    row = await case_views.case_row(number=number)
    if row is None:
        raise cases.not_found()
    calendar = await load_calendar()
    view = await case_views.view(row=row, calendar=calendar)
    root = row if row["parent"] is None else await errands.case_by_id(row["parent"])
    page, _ = await errands.errands_for_roots(agent=agent, roots=[root], calendar=calendar)
    errand = page[0]
    return AgentCaseOut(
        case=case_present.for_citizen(view),
        mandate_id=row["mandate_id"],
        mandate_live=errand.mandate_live,
        needs=[present.need(n) for n in errand.needs if n.case_number == number]
        if row["parent"] is not None
        else [present.need(n) for n in errand.needs],
        custody=present.custody(errand.custody),
    )


async def _batch_out(handover_id: str) -> HandoverOut:
    found = await custody.batch(handover_id)
    if found is None:
        raise custody.not_found()
    return present.handover(found, await custody.lines(handover_id))


async def _receive(
    state: State, handover_id: str, data: ReceiveIn, direction: str, actor: Actor
) -> HandoverOut:
    """Confirm a batch arrived (the guard checked the caller's standing), with what was missing."""
    async with unit_of_work(state.doorbell):
        await custody.receive(
            handover_id=handover_id,
            direction=direction,
            actor=actor,
            missing={m.case_number: list(m.items) for m in data.missing},
        )
    return await _batch_out(handover_id)


class AgentController(Controller):
    path = "/api/v1/agent"
    tags = ["agents"]
    guards = [agent_only]

    # --- villagers ----------------------------------------------------------------------------

    @post("/citizens", summary="Register a villager without WeChat (or find them by ID number)")
    async def register_citizen(
        self, request: Request[Principal, Any, Any], state: State, data: JSONBody[AgentCitizenIn]
    ) -> Response[Any]:
        agent = await agent_of(request.user)
        applicant = Applicant(data.name, data.id_number, data.village_code, data.phone)
        await limit_id_lookup(
            request, route="register", account=request.user.scope_key, fail_open=False
        )
        prepared = await citizens.prepare(
            agent=agent, applicant=applicant, verifier=state.get("identity_verifier")
        )

        async def create() -> CitizenOut:
            found = await citizens.register(agent=agent, prepared=prepared, cipher=state.cipher)
            rows, _ = await citizens.search(
                agent=agent, q="", page=1, page_size=1, only=found["id"]
            )
            return present.citizen(rows[0])

        try:
            return respond(
                await run_once(
                    await claim_of(request),
                    ttl_s=state.settings.idempotency_ttl_s,
                    doorbell=state.doorbell,
                    create=create,
                )
            )
        except citizens.ReferredToTownship as referred:
            await citizens.refer(agent=agent, referred=referred)
            raise

    @get("/citizens", summary="Citizens of my village: name, pinyin initials or last 4 ID digits")
    async def find_citizens(
        self,
        request: Request[Principal, Any, Any],
        q: str = "",
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> CitizenPage:
        agent = await agent_of(request.user)
        rows, total = await citizens.search(agent=agent, q=q[:20], page=page, page_size=page_size)
        return CitizenPage(items=[present.citizen(r) for r in rows], total=total)

    # --- mandates -----------------------------------------------------------------------------

    @post("/mandates", summary="Record a mandate: active at once with paper evidence, else pending")
    async def create_mandate(
        self, request: Request[Principal, Any, Any], state: State, data: JSONBody[MandateIn]
    ) -> Response[Any]:
        agent = await agent_of(request.user)
        settings = state.settings

        async def create() -> MandateOut:
            mandate_id = await mandates.create(
                agent=agent,
                citizen_id=data.citizen_id,
                item_codes=list(data.item_codes),
                bundle_code=data.bundle_code,
                expires_on=data.expires_on,
                evidence_upload_ids=list(data.evidence_upload_ids),
                max_days=settings.mandate_max_days,
                spot_check_rate=settings.mandate_spot_check_rate,
            )
            row = await mandates.get(mandate_id)
            assert row is not None
            return await present.mandate(row)

        return respond(
            await run_once(
                await claim_of(request),
                ttl_s=settings.idempotency_ttl_s,
                doorbell=state.doorbell,
                create=create,
            )
        )

    @get("/mandates", summary="My mandates (optionally for one citizen)")
    async def my_mandates(
        self,
        request: Request[Principal, Any, Any],
        citizen_id: str | None = None,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> MandatePage:
        rows, total = await mandates.for_agent(
            request.user.id, citizen_id=citizen_id, page=page, page_size=page_size
        )
        return MandatePage(items=[await present.mandate(r) for r in rows], total=total)

    # --- cases --------------------------------------------------------------------------------

    @post("/cases", summary="File a case for a citizen under a live mandate (Idempotency-Key)")
    async def file_case(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        data: JSONBody[AgentCaseSubmission],
    ) -> Response[Any]:
        agent = await agent_of(request.user)

        async def prepare() -> tuple[Plan, Submitter]:
            return await filing.prepare(
                agent=agent,
                mandate_id=data.mandate_id,
                body=data.submission(),
                shared_data=state.shared_data,
            )

        async def create(ready: tuple[Plan, Submitter]) -> Any:
            number = await filing.create(plan=ready[0], by=ready[1])
            calendar = await load_calendar()
            row = await case_views.case_row(number=number)
            assert row is not None
            return case_present.for_citizen(await case_views.view(row=row, calendar=calendar))

        return respond(
            await run_once(
                await claim_of(request),
                ttl_s=state.settings.idempotency_ttl_s,
                doorbell=state.doorbell,
                prepare=prepare,
                create=create,
            )
        )

    @get("/cases", summary="My errands: each case with its deadline and what it needs from me")
    async def my_errands(
        self,
        request: Request[Principal, Any, Any],
        open_only: bool = True,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> ErrandPage:
        agent = await agent_of(request.user)
        listed, total = await errands.errands(
            agent=agent,
            open_only=open_only,
            page=page,
            page_size=page_size,
            calendar=await load_calendar(),
        )
        return ErrandPage(items=[present.errand(e) for e in listed], total=total)

    @get("/cases/{number:str}", guards=[agent_case], summary="A case I filed, with my part in it")
    async def case_detail(self, request: Request[Principal, Any, Any], number: str) -> AgentCaseOut:
        return await _case_out(number, await agent_of(request.user))

    @post(
        "/cases/{number:str}/supplements",
        guards=[agent_case],
        status_code=200,
        summary="Answer a supplement request for the citizen (needs a live mandate)",
    )
    async def supply(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        number: str,
        data: JSONBody[SupplementIn],
    ) -> AgentCaseOut:
        agent = await agent_of(request.user)
        calendar = await load_calendar()
        async with unit_of_work(state.doorbell):
            row = await case_views.case_row(number=number)
            assert row is not None
            await errands.require_live_mandate(row)
            by = filing.submitter(
                agent=agent, citizen_id=str(row["applicant"]), mandate_id=row["mandate_id"]
            )
            await cases.supply(
                row=row, materials=list(data.materials), note=data.note, by=by, calendar=calendar
            )
        return await _case_out(number, agent)

    @post(
        "/cases/{number:str}/handover-to-citizen",
        guards=[agent_case],
        status_code=200,
        summary="The result reached the citizen (with a photo as proof)",
    )
    async def hand_over(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        number: str,
        data: JSONBody[HandOverIn],
    ) -> AgentCaseOut:
        agent = await agent_of(request.user)
        calendar = await load_calendar()
        async with unit_of_work(state.doorbell):
            row = await case_views.case_row(number=number)
            assert row is not None
            if row["parent"] is not None:  # lock the bundle before its child
                await errands.lock_case(row["parent"])
            await errands.lock_case(row["id"])
            row = await case_views.case_row(number=number)
            assert row is not None
            await custody.hand_over_to_citizen(
                agent=agent, row=row, photo_upload_id=data.photo_upload_id, calendar=calendar
            )
        return await _case_out(number, agent)

    # --- custody batches ----------------------------------------------------------------------

    @post("/handovers", summary="A batch of paper originals for the township, with its manifest")
    async def send_originals(
        self, request: Request[Principal, Any, Any], state: State, data: JSONBody[HandoverIn]
    ) -> Response[Any]:
        agent = await agent_of(request.user)

        async def create() -> HandoverOut:
            handover_id = await custody.send_originals(
                agent=agent,
                numbers=list(data.case_numbers),
                limit=state.settings.handover_max_cases,
            )
            return await _batch_out(handover_id)

        return respond(
            await run_once(
                await claim_of(request),
                ttl_s=state.settings.idempotency_ttl_s,
                doorbell=state.doorbell,
                create=create,
            )
        )

    @get("/handovers", summary="My handover batches, both directions")
    async def my_batches(
        self,
        request: Request[Principal, Any, Any],
        status: str | None = None,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> HandoverPage:
        rows, total = await custody.list_batches(
            agent_id=request.user.id, township=None, status=status, page=page, page_size=page_size
        )
        return HandoverPage(items=[present.handover_summary(r) for r in rows], total=total)

    @get("/handovers/{handover_id:str}", guards=[agent_batch], summary="A batch's manifest")
    async def my_batch(self, handover_id: str) -> HandoverOut:
        return await _batch_out(handover_id)

    @post(
        "/handovers/{handover_id:str}/receive",
        guards=[agent_batch],
        status_code=200,
        summary="Confirm results from the township arrived (recording anything missing)",
    )
    async def receive_results(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        handover_id: str,
        data: JSONBody[ReceiveIn],
    ) -> HandoverOut:
        agent = await agent_of(request.user)
        return await _receive(state, handover_id, data, custody.TO_VILLAGE, agent.actor(None))


class CitizenMandateController(Controller):
    path = "/api/v1/mandates"
    tags = ["citizen mandates"]
    guards = [citizen_only]

    @get("/", summary="Agents' requests and mandates to act for me")
    async def mine(
        self, request: Request[Principal, Any, Any], page: Page = 1, page_size: PageSize = 20
    ) -> MandatePage:
        rows, total = await mandates.for_citizen(request.user.id, page=page, page_size=page_size)
        return MandatePage(items=[await present.mandate(r) for r in rows], total=total)

    async def _decide(
        self, request: Request[Principal, Any, Any], state: State, mandate_id: str, act: Any
    ) -> MandateOut:
        async with unit_of_work(state.doorbell):
            await act(mandate_id=mandate_id, citizen_id=request.user.id)
        row = await mandates.get(mandate_id)
        assert row is not None
        return await present.mandate(row)

    @post("/{mandate_id:str}/confirm", guards=[own_mandate], status_code=200, summary="Consent")
    async def confirm(
        self, request: Request[Principal, Any, Any], state: State, mandate_id: str
    ) -> MandateOut:
        return await self._decide(request, state, mandate_id, mandates.confirm)

    @post("/{mandate_id:str}/refuse", guards=[own_mandate], status_code=200, summary="Refuse")
    async def refuse(
        self, request: Request[Principal, Any, Any], state: State, mandate_id: str
    ) -> MandateOut:
        return await self._decide(request, state, mandate_id, mandates.refuse)

    @post(
        "/{mandate_id:str}/revoke",
        guards=[own_mandate],
        status_code=200,
        summary="Revoke: no new actions from now on",
    )
    async def revoke(
        self, request: Request[Principal, Any, Any], state: State, mandate_id: str
    ) -> MandateOut:
        return await self._decide(request, state, mandate_id, mandates.revoke)


class WindowHandoverController(Controller):
    path = "/api/v1/window/handovers"
    tags = ["window staff"]
    guards = [window_only]

    @get("/", summary="This township's handover batches (code= finds a scanned one)")
    async def batches(
        self,
        request: Request[Principal, Any, Any],
        status: str | None = None,
        code: str | None = None,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> HandoverPage:
        if code:
            found = await custody.find_by_code(code[:40])
            rows = []
            if found:
                listed, _ = await custody.list_batches(
                    agent_id=None,
                    township=request.user.area_code,
                    status=None,
                    page=1,
                    page_size=100,
                )
                rows = [r for r in listed if r["id"] == found]
            return HandoverPage(items=[present.handover_summary(r) for r in rows], total=len(rows))
        rows, total = await custody.list_batches(
            agent_id=None,
            township=request.user.area_code,
            status=status,
            page=page,
            page_size=page_size,
        )
        return HandoverPage(items=[present.handover_summary(r) for r in rows], total=total)

    @post("/", summary="A batch of results for an agent to hand to citizens")
    async def send_results(
        self, request: Request[Principal, Any, Any], state: State, data: JSONBody[HandoverIn]
    ) -> Response[Any]:
        who = request.user
        clerk = staff_actor(who)

        async def create() -> HandoverOut:
            handover_id = await custody.send_results(
                township_code=who.area_code or "",
                clerk=clerk,
                numbers=list(data.case_numbers),
                limit=state.settings.handover_max_cases,
            )
            return await _batch_out(handover_id)

        return respond(
            await run_once(
                await claim_of(request),
                ttl_s=state.settings.idempotency_ttl_s,
                doorbell=state.doorbell,
                create=create,
            )
        )

    @get("/{handover_id:str}", guards=[township_batch], summary="A batch's manifest")
    async def batch(self, handover_id: str) -> HandoverOut:
        return await _batch_out(handover_id)

    @post(
        "/{handover_id:str}/receive",
        guards=[township_batch],
        status_code=200,
        summary="Confirm paper originals arrived, recording anything missing",
    )
    async def receive(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        handover_id: str,
        data: JSONBody[ReceiveIn],
    ) -> HandoverOut:
        return await _receive(
            state, handover_id, data, custody.TO_TOWNSHIP, staff_actor(request.user)
        )


class SpotCheckController(Controller):
    path = "/api/v1/supervision/mandates"
    tags = ["supervision"]
    guards = [supervisors]

    @get("/", summary="Paper mandates sampled for a spot check (pending ones first)")
    async def sampled(
        self,
        request: Request[Principal, Any, Any],
        pending: bool = True,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> SpotCheckPage:
        rows, total = await mandates.sampled(
            area_code=request.user.area_code or "",
            pending=pending,
            page=page,
            page_size=page_size,
        )
        return SpotCheckPage(items=[await present.spot_check(r) for r in rows], total=total)

    @post("/{mandate_id:str}/spot-check", status_code=200, summary="Record a spot check")
    async def spot_check(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        mandate_id: str,
        data: JSONBody[SpotCheckIn],
    ) -> SpotCheckOut:
        async with unit_of_work(state.doorbell):
            await mandates.spot_check(
                mandate_id=mandate_id,
                ok=data.ok,
                note=data.note,
                by=request.user.id,
                area_code=request.user.area_code or "",
            )
        row = await mandates.get(mandate_id)
        assert row is not None
        return await present.spot_check(row)


class WindowReferralController(Controller):
    """Registrations this township settles (待乡镇核实), see docs/personal-data.md."""

    path = "/api/v1/window/referrals"
    tags = ["window staff"]
    guards = [window_only]

    @get("/", summary="This township's registrations to settle (status=pending|moved|refused)")
    async def referrals_list(
        self,
        request: Request[Principal, Any, Any],
        status: str | None = None,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> ReferralPage:
        rows, total = await referrals.list_for_township(
            township=str(request.user.area_code),
            status=(status or "")[:16] or None,
            page=page,
            page_size=page_size,
        )
        return ReferralPage(items=[present.referral(r) for r in rows], total=total)

    @post("/{referral_id:str}/resolve", status_code=200, summary="Settle one: moved or refused")
    async def referral_resolve(
        self, request: Request[Principal, Any, Any], referral_id: str, data: ReferralResolveIn
    ) -> dict[str, Any]:
        return await referrals.resolve(
            referral_id=referral_id[:40],
            township=str(request.user.area_code),
            staff_id=request.user.id,
            outcome=data.outcome,
            note=data.note,
        )

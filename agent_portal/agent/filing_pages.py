"""Filing a case on a villager's behalf (代为申请), step by step under a live mandate.

1. choose the mandate (only live ones are offered), 2. the item or bundle in its scope, 3. the
item's form, its materials (a photo, or "paper original collected") and the delivery method.
Submitting calls the use case ``POST /api/v1/agent/cases`` calls, ``service.file_case`` (the
mandate first, then the submission — a missing material is a 422 naming every one). The hidden
submission key makes a double click file one case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Response, Template

from agent_portal.agent import desk as agent_desk
from agent_portal.common import item_form, texts
from agent_portal.common.item_form import ItemForm, Posted
from backend.cases.schemas import CaseSubmission
from backend.catalogue import service as catalogue
from backend.delegation import mandates, service
from backend.delegation.schemas import AgentCaseSubmission
from backend.delegation.scope import Agent
from backend.delegation.store.mandates import MandateRow
from backend.deps import Deps
from backend.errors import DomainError, InvalidInput, NotAllowed
from backend.idempotency import service as idempotency
from backend.identity.service import StaffAccount

PATH: Final = "/portal/agent/file"
KEY_PREFIX: Final = "agent-file"
MATERIALS_HINT: Final = (
    "逐项拍照上传；收取了纸质原件的，勾选“已收取纸质原件”，并在材料交接时送交镇街。"
    "标注“可电子证照核验”的材料，未上传时系统自动向电子证照库核验。"
)


@dataclass(frozen=True, slots=True)
class Choice:
    kind: str  # item | bundle
    code: str
    name: str


async def _mandate(agent: Agent, mandate_id: str) -> MandateRow:
    """The mandate when this agent may file under it now (404 page otherwise; 403 not live)."""
    return await mandates.require_live(
        mandate_id=mandate_id, agent=agent, citizen_id=None, item_codes=[], bundle_code=None
    )


async def _choices(row: MandateRow) -> list[Choice]:
    """What the mandate covers: its bundle (and the bundle's items one by one), or its items."""
    if row.bundle_code:
        bundle = await catalogue.get_bundle(code=row.bundle_code)
        return [Choice("bundle", bundle.spec.code, bundle.spec.name)] + [
            Choice("item", v.spec.code, v.spec.name) for v in bundle.items
        ]
    out = []
    for code in row.item_codes:
        view = await catalogue.get_item(code=code)
        out.append(Choice("item", code, view.spec.name))
    return out


async def _form(choice: Choice | None) -> ItemForm:
    if choice is None:
        return ItemForm()
    if choice.kind == "bundle":
        bundle = await catalogue.get_bundle(code=choice.code)
        return item_form.form_of(choice.code, choice.name, bundle.items)
    view = await catalogue.get_item(code=choice.code)
    return item_form.form_of(choice.code, choice.name, [view])


def _pick(choices: list[Choice], item: str, bundle: str) -> Choice | None:
    wanted = ("bundle", bundle) if bundle else ("item", item)
    return next((c for c in choices if (c.kind, c.code) == wanted), None)


async def _page(
    agent: Agent,
    *,
    mandate_id: str = "",
    item: str = "",
    bundle: str = "",
    posted: Posted | None = None,
    refused: DomainError | None = None,
) -> Template:
    """The filing page at its step; a refusal shown beside the fields it is about."""
    status_code = refused.status if refused else 200
    context: dict[str, Any] = {
        "error": refused.detail if refused else None,
        "problems": item_form.problems_of(refused) if refused else {},
        "mandate": None,
        "choices": [],
        "choice": None,
        "chosen": ItemForm(),
        "hint": MATERIALS_HINT,
        "no_mandate": texts.NO_LIVE_MANDATE,
    }
    row = None
    if mandate_id:
        try:
            row = await _mandate(agent, mandate_id)
        except NotAllowed as exc:
            context["error"], status_code = exc.detail, exc.status
    if row is None:
        context["step"] = 1
        context["mandates"] = await agent_desk.live_mandates(agent)
        return Template("agent/file.html", context=context, status_code=status_code)
    choices = await _choices(row)
    choice = _pick(choices, item, bundle)
    context.update(
        mandate=await agent_desk.mandate_line(row),
        choices=choices,
        choice=choice,
        chosen=await _form(choice),
        step=3 if choice else 2,
        posted=posted or Posted(key=item_form.new_key(KEY_PREFIX)),
    )
    return Template("agent/file.html", context=context, status_code=status_code)


class FilingPages(Controller):
    path = "/agent/file"
    include_in_schema = False

    @get("/", name="portal:agent-file")
    async def form(
        self, staff: StaffAccount, mandate: str = "", item: str = "", bundle: str = ""
    ) -> Template:
        agent = await agent_desk.agent_of(staff)
        return await _page(agent, mandate_id=mandate[:40], item=item[:40], bundle=bundle[:40])

    @post("/", name="portal:agent-file-submit")
    async def submit(
        self, request: Request[Any, Any, Any], staff: StaffAccount, deps: Deps
    ) -> Response[Any]:
        agent = await agent_desk.agent_of(staff)
        form = await request.form()
        mandate_id, item, bundle = _picked(form)
        try:
            chosen = await _form(await _choice(agent, mandate_id, item, bundle))
        except InvalidInput as exc:
            return await _page(agent, mandate_id=mandate_id, refused=exc)
        posted = item_form.read(form, chosen.materials, key_prefix=KEY_PREFIX)
        try:
            number = await _file(deps, agent, mandate_id, posted, chosen)
        except DomainError as exc:
            return await _page(
                agent, mandate_id=mandate_id, item=item, bundle=bundle, posted=posted, refused=exc
            )
        return Redirect(f"/portal/agent/cases/{number}?done=filed", status_code=303)


async def _choice(agent: Agent, mandate_id: str, item: str, bundle: str) -> Choice:
    """What the posted form files under the mandate, or 422 naming what was not chosen."""
    if not mandate_id:
        raise InvalidInput(texts.MANDATE_REQUIRED, code="validation_failed")
    choice = _pick(await _choices(await _mandate(agent, mandate_id)), item, bundle)
    if choice is None:
        raise InvalidInput(texts.ITEM_REQUIRED, code="validation_failed")
    return choice


def _picked(form: FormMultiDict) -> tuple[str, str, str]:
    """The mandate, item and bundle the form was filled for."""
    return (
        item_form.value(form, "mandate_id", 40),
        item_form.value(form, "item_code", 40),
        item_form.value(form, "bundle_code", 40),
    )


def _body(mandate_id: str, posted: Posted, chosen: ItemForm) -> dict[str, Any]:
    """The body of ``POST /api/v1/agent/cases`` for this form."""
    return {
        "mandate_id": mandate_id,
        "item_code": posted.item_code or None,
        "bundle_code": posted.bundle_code or None,
        "form": item_form.form_data(posted, chosen.fields),
        "delivery": {"method": posted.delivery_method, "address": posted.delivery_address or None},
        "materials": item_form.materials_of(posted),
        "paper_originals": posted.paper,
    }


async def _file(deps: Deps, agent: Agent, mandate_id: str, posted: Posted, chosen: ItemForm) -> str:
    """File the case; its number (the first one's, for a repeated post)."""

    async def body() -> CaseSubmission:
        await item_form.save_files(posted, owner_id=agent.id, state=deps)
        try:
            data = msgspec.convert(
                _body(mandate_id, posted, chosen), AgentCaseSubmission, strict=True
            )
        except msgspec.ValidationError as exc:
            raise InvalidInput(texts.FORM_INVALID, code="agent_case_invalid") from exc
        return data.submission()

    answer = await service.file_case(
        agent=agent,
        mandate_id=mandate_id,
        body=body,
        claim=idempotency.claim(
            scope=f"portal:staff:{agent.id}",
            key=posted.key,
            method="POST",
            path=PATH,
            body=mandate_id.encode() + posted.fingerprint_body(),
            secret=deps.settings.secret_key.encode(),
        ),
        shared_data=deps.shared_data,
        doorbell=deps.doorbell,
        ttl_s=deps.settings.idempotency_ttl_s,
    )
    return str(answer.body["number"])

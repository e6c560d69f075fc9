"""Every event kind the code publishes to the outbox has a handler in the worker, and a typed,
versioned payload its publisher defines.

A kind without a handler waits in ``outbox_event`` forever (``mandate.revoked`` and
``citizen.takeover_refused`` did). The published kinds are found by reading the source: every
``publish(kind=…)`` call, its kind resolved to the string constant it names (in the module or
imported from another). The handlers are those the worker's composition root registers.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from backend.cases import events as cases_events
from backend.delegation import events as delegation_events
from backend.identity import events as identity_events
from backend.outbox.payloads import UnknownVersion, encode
from backend.supervision import events as supervision_events
from backend.worker import domain_handlers
from notifications import events as notification_events

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("backend", "agent_portal", "notifications")


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


class _Module:
    def __init__(self, path: Path) -> None:
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.constants: dict[str, str] = {}
        self.imported: dict[str, tuple[str, str | None]] = {}  # local → (module, name)
        for node in self.tree.body:
            target, value = None, None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign):
                target, value = node.target, node.value
            if (
                isinstance(target, ast.Name)
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                self.constants[target.id] = value.value
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    self.imported[alias.asname or alias.name] = (node.module, alias.name)
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.imported[alias.asname or alias.name] = (alias.name, None)


def _modules() -> dict[str, _Module]:
    return {
        _module_name(path): _Module(path)
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
    }


def _resolve(modules: dict[str, _Module], module: str, node: ast.expr) -> str | None:
    here = modules.get(module)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if here is None:
        return None
    if isinstance(node, ast.Name):
        if node.id in here.constants:
            return here.constants[node.id]
        source = here.imported.get(node.id)
        if source and source[1] is not None:
            return _resolve(modules, source[0], ast.Name(id=source[1]))
        return None
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        source = here.imported.get(node.value.id)
        if source is None:
            return None
        target = source[0] if source[1] is None else f"{source[0]}.{source[1]}"
        return _resolve(modules, target, ast.Name(id=node.attr))
    return None


def _published() -> tuple[set[str], list[str]]:
    """The kinds published, and the calls whose kind could not be read (named by place)."""
    modules = _modules()
    kinds: set[str] = set()
    unread: list[str] = []
    for name, module in modules.items():
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called != "publish":
                continue
            kind = next((k.value for k in node.keywords if k.arg == "kind"), None)
            resolved = _resolve(modules, name, kind) if kind is not None else None
            if resolved is None:
                unread.append(f"{name}:{node.lineno}")
            else:
                kinds.add(resolved)
    return kinds, unread


def test_every_published_event_kind_has_a_handler() -> None:
    kinds, unread = _published()
    assert unread == [], "publish calls whose kind is not a readable constant"
    assert {"case.forward", "case.event", "mandate.revoked", "citizen.takeover_refused"} <= kinds
    assert sorted(kinds - set(domain_handlers())) == []


def test_the_scan_resolves_imported_and_qualified_constants() -> None:
    modules = _modules()
    module = "notifications.planner"
    assert _resolve(modules, module, ast.Name(id="DELIVER")) == "message.deliver"
    assert _resolve(modules, "backend.cases.filing", ast.Name(id="FORWARD_EVENT")) == (
        "case.forward"
    )


# --- payloads -------------------------------------------------------------------------------
# Every published kind has a typed, versioned payload defined by its publisher's
# ``events.py`` (``PAYLOADS``); publishers build it, handlers read it (a newer version raises,
# an unversioned row of the old shape reads as version 1).

EVENTS_MODULES = (
    cases_events,
    delegation_events,
    identity_events,
    supervision_events,
    notification_events,
)

_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
_CITIZEN = "0b9c1f52-3f5e-4c3e-9d35-6a1f0f7d2c11"
_AGENT = "7f1e4a10-9a41-4b8e-8f0b-2b6d0a3c9e42"
_MANDATE = "c3a2f4d0-5b6e-4f71-8a9c-1d2e3f4a5b6c"
_REQUEST = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"

SAMPLES: dict[str, msgspec.Struct] = {
    "case.event": cases_events.CaseEventV1(
        event_id=41,
        action="supplement",
        at=_AT,
        missing=("户口簿",),
        case=cases_events.NoticeCase(
            case_id=7,
            number="JB20260302-0007",
            parent_id=None,
            applicant_id=_CITIZEN,
            item_code="GA-CSDJ",
            bundle_code=None,
            township="330102001",
            filed_by_kind="agent",
            filed_by_staff=_AGENT,
            delivery_method="window",
            committed_days=5,
        ),
    ),
    "case.forward": cases_events.ForwardV1(case_id=7),
    "case.notice": cases_events.NoticeDueV1(
        event_id=41, case_id=7, action="accept", actor_role="window"
    ),
    "evaluation.bad": cases_events.BadRatingV1(
        case_id=7, number="JB20260302-0007", score=1, round=2
    ),
    "mandate.requested": delegation_events.MandateRequestedV1(
        mandate_id=_MANDATE, citizen_id=_CITIZEN, agent_id=_AGENT
    ),
    "mandate.revoked": delegation_events.MandateRevokedV1(mandate_id=_MANDATE, agent_id=_AGENT),
    "citizen.takeover_refused": delegation_events.TakeoverRefusedV1(
        citizen_id=_CITIZEN, agent_id=_AGENT, reason="name_mismatch"
    ),
    "supervision.escalated": supervision_events.EscalatedV1(
        escalation_id=3,
        case_number="JB20260302-0007",
        level="township",
        area="330102001",
        text="办件JB20260302-0007已超期2个工作日",
    ),
    "supervision.follow_up_opened": supervision_events.FollowUpOpenedV1(
        follow_up_id=4, case_number="JB20260302-0007", area="330102001", text="差评回访"
    ),
    "supervision.urged": supervision_events.UrgedV1(
        urge_id=3,
        case_number="JB20260302-0007",
        holder_kind="department",
        holder_id=None,
        township="330102001",
        department="GA",
        text="督办催办",
    ),
    "supervision.rectification_step": supervision_events.RectificationStepV1(
        order_id=5,
        step_id=9,
        step="issue",
        target_kind="township",
        township="330102001",
        department=None,
        issued_by="00000000-0000-0000-0000-000000000001",
        case_number=None,
        text="整改通知",
    ),
    "privacy.deletion_decided": identity_events.DeletionDecidedV1(
        request_id=_REQUEST, citizen_id=_CITIZEN, outcome="approved", erase_after_s=600
    ),
    "privacy.erase": identity_events.EraseV1(request_id=_REQUEST),
    "identity.wechat_account_joined": identity_events.AccountJoinedV1(
        citizen_id=_CITIZEN, joined_id="00000000-0000-0000-0000-000000000002"
    ),
    "message.deliver": notification_events.DeliverV1(message_id=12),
}

Reader = Callable[[Mapping[str, Any]], Any]

READERS: dict[str, Reader] = {
    "case.forward": cases_events.read_forward,
    "evaluation.bad": cases_events.read_bad_rating,
    "mandate.requested": delegation_events.read_mandate_requested,
    "mandate.revoked": delegation_events.read_mandate_revoked,
    "citizen.takeover_refused": delegation_events.read_takeover_refused,
    "supervision.escalated": supervision_events.read_escalated,
    "supervision.follow_up_opened": supervision_events.read_follow_up_opened,
    "supervision.urged": supervision_events.read_urged,
    "supervision.rectification_step": supervision_events.read_rectification,
    "privacy.deletion_decided": identity_events.read_deletion_decided,
    "privacy.erase": identity_events.read_erase,
    "identity.wechat_account_joined": identity_events.read_account_joined,
    "message.deliver": notification_events.read_deliver,
}
"""The synchronous readers (``case.event``'s reads the case for rows of its oldest shape)."""

PERSONAL_FIELDS = {"name", "phone", "id_number", "openid", "comment", "address", "note", "reason"}
"""Field names of plain personal values (``reason`` is allowed as a code: see below)."""
REASON_CODES = {"citizen.takeover_refused"}


def _payloads() -> dict[str, type[msgspec.Struct]]:
    found: dict[str, type[msgspec.Struct]] = {}
    for module in EVENTS_MODULES:
        for kind, struct in module.PAYLOADS.items():
            assert kind not in found, f"{kind} defined twice"
            found[kind] = struct
    return found


def _events_modules_on_disk() -> set[str]:
    return {
        _module_name(path)
        for package in PACKAGES
        for path in (ROOT / package).rglob("events.py")
        if "PAYLOADS" in path.read_text(encoding="utf-8")
    }


def test_every_events_module_is_checked() -> None:
    assert _events_modules_on_disk() == {m.__name__ for m in EVENTS_MODULES}


def test_every_published_kind_has_a_versioned_payload_struct() -> None:
    kinds, _ = _published()
    payloads = _payloads()
    assert sorted(kinds - set(payloads)) == []
    assert set(SAMPLES) == set(payloads)
    for kind, struct in payloads.items():
        assert isinstance(SAMPLES[kind], struct), kind
        assert "version" in struct.__struct_fields__, kind
        assert struct.__name__.endswith(f"V{SAMPLES[kind].version}"), kind  # type: ignore[attr-defined]


def test_publishers_build_their_payloads_rather_than_write_dicts() -> None:
    literal: list[str] = []
    for name, module in _modules().items():
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called != "publish":
                continue
            payload = next((k.value for k in node.keywords if k.arg == "payload"), None)
            if isinstance(payload, ast.Dict):
                literal.append(f"{name}:{node.lineno}")
    assert literal == []


@pytest.mark.parametrize("kind", sorted(READERS))
def test_a_payload_round_trips_through_the_outbox(kind: str) -> None:
    sample = SAMPLES[kind]
    stored = json.loads(json.dumps(encode(sample)))  # as the outbox row keeps it
    assert READERS[kind](stored) == sample


@pytest.mark.parametrize("kind", sorted(READERS))
def test_an_unversioned_row_of_the_old_shape_is_read_as_version_1(kind: str) -> None:
    sample = SAMPLES[kind]
    old = {k: v for k, v in json.loads(json.dumps(encode(sample))).items() if k != "version"}
    assert READERS[kind](old) == sample


@pytest.mark.parametrize("kind", sorted(READERS))
def test_a_newer_version_is_left_for_a_later_run(kind: str) -> None:
    newer = {**encode(SAMPLES[kind]), "version": SAMPLES[kind].version + 1}  # type: ignore[attr-defined]
    with pytest.raises(UnknownVersion):
        READERS[kind](newer)


async def test_a_case_event_round_trips_through_the_outbox() -> None:
    sample = SAMPLES["case.event"]
    stored = json.loads(json.dumps(encode(sample)))
    assert await cases_events.read_case_event(stored) == sample
    with pytest.raises(UnknownVersion):
        await cases_events.read_case_event({**stored, "version": 2})


def _field_names(struct: type[msgspec.Struct]) -> set[str]:
    names: set[str] = set()
    for field in msgspec.structs.fields(struct):
        names.add(field.name)
        kind = field.type
        if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
            names |= _field_names(kind)
    return names


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_payloads_hold_no_field_for_a_plain_personal_value(kind: str) -> None:
    allowed = {"reason"} if kind in REASON_CODES else set()
    names = _field_names(_payloads()[kind])
    personal = {n for n in names if n in PERSONAL_FIELDS or n.endswith("_name")} - allowed
    assert personal == set(), kind

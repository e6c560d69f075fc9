"""Who may call each operation of the API, and how to make its rightful call succeed.

HOW TO ADD A ROUTE. ``tests/access/test_access.py`` lists every operation of the OpenAPI
document and fails for any that has no entry in ``RULES`` below (and for any entry that no
longer matches an operation). Add one ``"METHOD /path"`` entry, spelled as in the OpenAPI
document (``GET /api/v1/cases/{number}``), in the place of the lifecycle where its object exists:

- ``Rule(who=..., ...)``: the rightful principal (a name of ``world.PRINCIPALS``: ``citizen_a``,
  ``agent_a``, ``window_a``, ``approver_a``, ``supervisor_a``, ``admin``). Every other principal
  (the ``*_b`` strangers of the same role, the other roles, no token) calls the same request and
  must get 401/403/404 with no row of any table changed; then the rightful call must get a 2xx.
  - ``path`` / ``query`` / ``body`` / ``files``: functions of the ``World`` (or constants) giving
    the owner's object ids and a minimal valid request.
  - ``prepare``: makes the fresh object a state-changing call needs (a queued case, a pending
    mandate …) before anyone calls; it stores ids in ``world.objects``.
  - ``peers``: principals of the same kind who legitimately answer with *their own* data (a
    list of "my cases"): on reads they are called and ``marker`` (an id of the owner's object)
    must not appear in their answer; on writes they are not called.
  - ``wider``: principals whose role reaches further (an administrator, a district-wide
    supervisor): not called.
  - An operation on the caller's own account that ends or changes its sessions (logout, a
    password change, an administrator disabling or resetting an account) runs on a throwaway
    account a ``prepare`` step adds to ``world.who`` (``_throwaway_staff``), never on one of the
    ``PRINCIPALS`` whose tokens the sweep shares; principals who would do it to themselves are
    ``peers`` (not called on writes).
- ``PUBLIC(...)``: no token needed; anyone's call succeeds (``ok`` checks the answer).
- ``SIGNED``: the caller proves itself by a signature, not a token (WeChat push, the external
  platform, signed file links): every unsigned call must be refused and change nothing.

Rules run in the order written, each on the world the ones above left, in one app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from backend.clock import today
from backend.platform.tables import PlatformPush
from notifications.tables import Message, StaffNotice
from tests.access.world import ANON, PRINCIPALS, World
from tests.delegation.support import BIRTH_FORM, FILING, OTHER_VILLAGE
from tests.factories import DEFAULT_PASSWORD, DISTRICT, make_id_number
from tests.support import VILLAGE, CitizenClient, citizen
from tests.window.support import INSURANCE, OTHER_TOWNSHIP, SINGLE, TOWNSHIP, forward, staff

Value = Callable[[World], Any] | dict[str, Any] | None
Step = Callable[[World], Awaitable[None]]

CITIZENS = ("citizen_b",)
STAFF = (
    "agent_a",
    "agent_b",
    "window_a",
    "window_b",
    "approver_a",
    "approver_b",
    "supervisor_a",
    "supervisor_b",
    "admin",
)


@dataclass(frozen=True)
class Rule:
    who: str
    path: Value = None
    query: Value = None
    body: Value = None
    files: Value = None
    prepare: Step | None = None
    peers: tuple[str, ...] = ()
    wider: tuple[str, ...] = ()
    marker: Callable[[World], str] | None = None
    public: bool = False
    signed: bool = False
    ok: tuple[int, ...] = (200, 201, 202, 204)
    extra: dict[str, Any] = field(default_factory=dict)


def PUBLIC(**kw: Any) -> Rule:
    return Rule(who="anonymous", public=True, **kw)


SIGNED = Rule(who="anonymous", signed=True)


def o(key: str) -> Callable[[World], Any]:
    """The owner's object ``key`` (as stored by a ``prepare`` step or the world)."""
    return lambda w: w.objects[key]


def number(key: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"number": w.objects[key]}


# --- prepare steps ---------------------------------------------------------------------------


def store(key: str, make: Callable[[World], Awaitable[Any]]) -> Step:
    async def step(w: World) -> None:
        w.objects[key] = await make(w)

    return step


SMS_PHONE = "13812345679"


async def _oauth_code(w: World) -> None:
    """A fresh web-page OAuth code from the fake WeChat's authorize page, its state and the
    nonce the state was made for."""
    from tests.wechat_accounts.support import authorize_links, code_and_state, new_nonce

    w.objects["oauth_nonce"] = new_nonce()
    links = await authorize_links(w.api, nonce=w.objects["oauth_nonce"])
    _, w.objects["oauth_code"], w.objects["oauth_state"] = code_and_state(links["h5-tester-2"])


async def _sms_code(w: World) -> None:
    """Citizen A's newest SMS code (the sms-code rule above sent one), read from the gateway."""
    import re

    texts = [m["text"] for m in w.objects["fake_sms"].messages() if m["phone"] == SMS_PHONE]
    found = re.search(r"\d{6}", texts[-1])
    assert found is not None
    w.objects["sms_code"] = found.group(0)


async def _with_material(w: World) -> None:
    """A case of citizen A with a supplied material, accepted and transferred to GA."""
    number_ = await w.queued()
    await w.act("window_a", f"/api/v1/window/cases/{number_}/supplement", {"missing": ["户口簿"]})
    upload = await w.client("citizen_a").upload("户口簿")
    await w.act(
        "citizen_a",
        f"/api/v1/cases/{number_}/supplements",
        {"materials": [{"type": "户口簿", "upload_id": upload}]},
    )
    w.objects["mat_case"], w.objects["mat_upload"] = number_, upload


def _card(seq: int) -> dict[str, Any]:
    """An ID card on the terminal's reader (a person the world does not know yet)."""
    return {
        "name": "钱阿婆",
        "id_number": make_id_number(seq=seq, birth="19380704", male=False),
        "reader": {"serial": "SR-ACCESS", "read_at": "2026-12-07T09:30:00+08:00"},
    }


async def _kiosk_session(w: World) -> None:
    """Citizen A's session at the terminal (``kiosk_a``), opened by reading their card."""
    a = w.client("citizen_a")
    body = {**_card(seq=0), "name": a.name, "id_number": a.id_number}
    opened = await w.act("terminal_a", "/api/v1/terminal/sessions", body)
    token = opened["access_token"]
    w.who["kiosk_a"] = CitizenClient(w.api, {"Authorization": f"Bearer {token}"}, a.id)


async def _asked(w: World) -> None:
    number_ = await w.queued()
    await w.act("window_a", f"/api/v1/window/cases/{number_}/supplement", {"missing": ["户口簿"]})
    w.objects["asked"] = number_
    w.objects["asked_upload"] = await w.client("citizen_a").upload("户口簿")


async def _claimed(w: World) -> None:
    await w.queued()
    claimed = await w.client("window_a").post("/api/v1/window/queue/claim")
    assert claimed.status_code == 200, claimed.text
    w.objects["claimed"] = claimed.json()["number"]


async def _notice_of(number_: str) -> dict[str, str]:
    """The case's notices issued (the worker's ``case.notice`` handler, run here) and the path
    parameters of its first one."""
    from backend.notices.tables import Notice
    from tests.notices.support import run_notice_jobs
    from tests.window.support import row

    case_id = (await row(number_)).id
    await run_notice_jobs(case_ids=[case_id])
    first = await Notice.select(Notice.id).where(Notice.case == case_id).first().run()
    assert first is not None, number_
    return {"number": number_, "notice": f"{first['id']}.pdf"}


async def _noticed(w: World) -> None:
    """A case of citizen A accepted at window A, its 受理通知书 issued."""
    w.objects["noticed"] = await _notice_of(await w.accepted())


async def _noticed_review(w: World) -> None:
    """A case of citizen A transferred to GA, its 受理通知书 issued."""
    w.objects["noticed_review"] = await _notice_of(await w.transferred())


async def _noticed_errand(w: World) -> None:
    """Agent A's errand, a supplement asked at window A: its 补正材料通知书 issued."""
    errand = await _errand(w)
    await w.act("window_a", f"/api/v1/window/cases/{errand}/supplement", {"missing": ["户口簿"]})
    w.objects["noticed_errand"] = await _notice_of(errand)


async def _villager(w: World) -> None:
    body = {"name": "张阿大", "id_number": w.objects["villager_id_number"], "village_code": VILLAGE}
    w.objects["villager"] = (await w.act("agent_a", "/api/v1/agent/citizens", body))["id"]


async def _paper_mandate_body(w: World) -> dict[str, Any]:
    agent = w.client("agent_a")
    evidence = [await agent.upload("委托书"), await agent.upload("身份证")]
    return {
        "citizen_id": w.objects["villager"],
        "item_codes": ["GA-CSDJ"],
        "expires_on": (today() + dt.timedelta(days=30)).isoformat(),
        "evidence_upload_ids": evidence,
    }


async def _mandate_body(w: World) -> None:
    w.objects["mandate_body"] = await _paper_mandate_body(w)


async def _paper_mandate(w: World) -> None:
    made = await w.act("agent_a", "/api/v1/agent/mandates", await _paper_mandate_body(w))
    w.objects["mandate"] = made["id"]


async def _errand(w: World) -> str:
    body = {**FILING, "paper_originals": ["出生医学证明"], "mandate_id": w.objects["mandate"]}
    filed = await w.act("agent_a", "/api/v1/agent/cases", body)
    await forward(filed["number"])
    return str(filed["number"])


async def _sent_to_township(w: World) -> None:
    errand = await _errand(w)
    sent = await w.act("agent_a", "/api/v1/agent/handovers", {"case_numbers": [errand]})
    w.objects["errand_sent"], w.objects["batch_up"] = errand, sent["id"]


async def _result_at_township(w: World) -> None:
    """The errand whose originals the window received, decided and its result issued."""
    errand = w.objects["errand_sent"]
    for path, body in (
        (f"/api/v1/window/cases/{errand}/accept", {}),
        (f"/api/v1/window/cases/{errand}/transfer", {"department_code": "GA"}),
    ):
        await w.act("window_a", path, body)
    await w.act("approver_a", f"/api/v1/review/cases/{errand}/approve")
    await w.act("window_a", f"/api/v1/window/cases/{errand}/result")


async def _delivery_photo(w: World) -> None:
    w.objects["photo"] = await w.client("agent_a").upload("交付照片")


async def _asked_errand(w: World) -> None:
    errand = await _errand(w)
    await w.act("window_a", f"/api/v1/window/cases/{errand}/supplement", {"missing": ["户口簿"]})
    w.objects["asked_errand"] = errand
    w.objects["errand_upload"] = await w.client("agent_a").upload("户口簿")


async def _pending_mandate(w: World) -> None:
    made = await w.act(
        "agent_a",
        "/api/v1/agent/mandates",
        {
            "citizen_id": w.client("citizen_a").id,
            "item_codes": ["GA-CSDJ"],
            "expires_on": (today() + dt.timedelta(days=10)).isoformat(),
        },
    )
    w.objects["pending_mandate"] = made["id"]


async def _live_mandate(w: World) -> None:
    await _pending_mandate(w)
    await w.act("citizen_a", f"/api/v1/mandates/{w.objects['pending_mandate']}/confirm")
    w.objects["live_mandate"] = w.objects["pending_mandate"]


async def _follow_up(w: World) -> None:
    """A bad rating of a delivered case opens a follow-up in township A."""
    closed = await w.delivered()
    await w.act("citizen_a", f"/api/v1/cases/{closed}/evaluation", {"score": 1})
    await _run_bad_rating_events()  # what the worker does with ``evaluation.bad``
    found = await w.client("supervisor_a").get("/api/v1/supervision/follow-ups")
    assert found.status_code == 200, found.text
    w.objects["follow_up"] = max(f["id"] for f in found.json()["items"])
    w.objects["rated"] = closed


async def _run_bad_rating_events() -> None:
    import json

    from backend.outbox.runner import HandlerContext
    from backend.outbox.tables import OutboxEvent
    from backend.supervision import jobs as supervision_jobs

    events = await OutboxEvent.select().where(OutboxEvent.kind == "evaluation.bad").run()
    for event in events:
        await supervision_jobs.on_bad_rating(
            HandlerContext(event["id"], event["kind"], 1), json.loads(event["payload"])
        )


async def _callback(w: World) -> None:
    from backend.supervision import callbacks

    await w.delivered()
    week = today()
    await callbacks.sample(week=week, size=5)
    listed = await w.client("supervisor_a").get(
        "/api/v1/supervision/callbacks", params={"week": week.isoformat()}
    )
    assert listed.status_code == 200 and listed.json()["items"], listed.text
    w.objects["week"] = week.isoformat()
    w.objects["call"] = listed.json()["items"][0]["id"]


async def _message(w: World) -> None:
    row = await Message.insert(
        Message(
            key=f"access:{w.client('citizen_a').id}",
            event="case.accepted",
            recipient_kind="citizen",
            recipient_id=w.client("citizen_a").id,
            channel="inbox",
            title="办件已受理",
            body="您的办件已受理。",
            status="delivered",
        )
    ).run()
    w.objects["message"] = row[0]["id"]


async def _notice(w: World, key: str = "api") -> None:
    row = await StaffNotice.insert(
        StaffNotice(
            key=f"access:{key}:{w.client('window_a').id}",
            staff=w.client("window_a").id,
            township=TOWNSHIP,
            kind="tell_citizen",
            text="请告知群众领取结果。",
        )
    ).run()
    w.objects["notice"] = row[0]["id"]


async def _failed_push(w: World) -> None:
    from backend.cases.tables import Case
    from backend.clock import now_utc

    number_ = await w.submitted()
    case = await Case.select(Case.id).where(Case.number == number_).first().run()
    assert case is not None
    await PlatformPush.insert(
        PlatformPush(
            case=case["id"],
            township_code=TOWNSHIP,
            app_id="xs-platform-test",
            attempts=1,
            last_status="failed",
            failed_at=now_utc(),
        )
    ).run()
    w.objects["failed_push"] = number_


async def _calendar_day(w: World) -> None:
    await w.act("admin", "/api/v1/admin/calendar", {"date": "2027-03-03", "kind": "holiday"})
    w.objects["calendar_day"] = "2027-03-03"


async def _routing_rule(w: World) -> None:
    rule = await w.client("admin").api.put(
        "/api/v1/admin/routing-rules",
        json={"item_code": "GA-CSDJ", "department_code": "GA", "township_code": OTHER_TOWNSHIP},
        headers=w.headers("admin"),
    )
    assert rule.status_code == 200, rule.text
    w.objects["routing_rule"] = rule.json()["id"]


def steps(*parts: Step) -> Step:
    async def step(w: World) -> None:
        for part in parts:
            await part(w)

    return step


def _catalogue_file(w: World) -> dict[str, Any]:
    from tests.conftest import FIXTURES

    return {"file": ("departments.csv", (FIXTURES / "departments.csv").read_bytes(), "text/csv")}


def _png(w: World) -> dict[str, Any]:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 40)).save(buffer, format="PNG")
    return {"file": ("photo.png", buffer.getvalue(), "image/png")}


# --- sealed form fields, referrals, deletion, accounts ---------------------------------------

GUARDIAN_ID = make_id_number(seq=89, birth="19800101")
SEALED_FORM = {**SINGLE, "form": {**SINGLE["form"], "guardian_id": GUARDIAN_ID}}
"""A birth registration naming the guardian's ID number: sealed, masked for staff."""


async def _sealed_in_queue(w: World) -> str:
    return await w.queued(SEALED_FORM)


async def _sealed_in_review(w: World) -> str:
    return await w.transferred(SEALED_FORM)


async def _referral(w: World) -> None:
    """Agent A registers a number held in agent B's village while verification is down: the
    township (A) is asked to settle it (``registered_elsewhere`` would need a verified pair)."""
    held = make_id_number(seq=90, birth="19480808")
    elsewhere = {"name": "吴阿根", "id_number": held, "village_code": OTHER_VILLAGE}
    await w.act("agent_b", "/api/v1/agent/citizens", elsewhere)
    w.idverify.set_unavailable(True)
    try:
        referred = await w.client("agent_a").post(
            "/api/v1/agent/citizens", json={**elsewhere, "village_code": VILLAGE}
        )
    finally:
        w.idverify.set_unavailable(False)
    assert referred.status_code == 409, referred.text
    assert referred.json()["code"] == "referred_to_township", referred.text
    listed = await w.client("window_a").get(
        "/api/v1/window/referrals", params={"status": "pending"}
    )
    assert listed.status_code == 200 and listed.json()["items"], listed.text
    w.objects["referral"] = listed.json()["items"][0]["id"]


async def _deletion_requests(w: World) -> None:
    """Two pending requests of citizens of village A (``w.who``, not among the callers): one of
    a person whose only case is delivered (it may be approved: nothing is open), one to refuse."""
    w.who["leaver"] = await citizen(w.api, "access-leaver", seq=91, name="周远")
    w.who["stayer"] = await citizen(w.api, "access-stayer", seq=92, name="郑留")
    w.objects["leaver_case"] = await w.delivered(applicant="leaver")
    for name, key in (("leaver", "to_approve"), ("stayer", "to_refuse")):
        asked = await w.client(name).post(
            "/api/v1/me/deletion-request", json={"reason": "不再使用"}
        )
        assert asked.status_code == 202, asked.text
        w.objects[key] = asked.json()["id"]


async def _run_events(kind: str, handler: Any, services: dict[str, Any], key: str) -> None:
    """What the worker does with the outbox events ``kind`` whose payload names ``key``."""
    import json

    from backend.outbox.runner import HandlerContext
    from backend.outbox.tables import OutboxEvent

    for event in await OutboxEvent.select().where(OutboxEvent.kind == kind).run():
        payload = event["payload"]
        payload = json.loads(payload) if isinstance(payload, str) else payload
        if key in payload.values():
            await handler(HandlerContext(event["id"], event["kind"], 1, services), payload)


async def _erased(w: World) -> None:
    """The approved request carried out (the citizen told, then erased): the delivered case is
    kept, restricted."""
    from backend.audit.service import AuditLog
    from backend.identity.erasure import ERASE_EVENT
    from backend.identity.service.deletions import DECIDED_EVENT
    from backend.uploads.storage import build_store, close_store
    from backend.worker import erase_person, register_erasers
    from notifications import privacy

    register_erasers()
    store_ = build_store(w.settings)
    services = {"audit": AuditLog(w.settings.audit_key), "file_store": store_}
    request_id = w.objects["to_approve"]
    try:
        await _run_events(DECIDED_EVENT, privacy.on_deletion_decided, services, request_id)
        await _run_events(ERASE_EVENT, erase_person, services, request_id)
    finally:
        await close_store(store_)
    seen = await w.client("window_a").get(f"/api/v1/window/cases/{w.objects['leaver_case']}")
    assert seen.status_code == 404, seen.text  # restricted: out of every desk's sight


async def _throwaway_staff(w: World, name: str, username: str) -> None:
    """A window clerk of township A (``w.who[name]``) whose sessions a rule may end: not one of
    the callers, so the sweep's own tokens live on."""
    w.who[name] = await staff(w.api, username=username, area_code=TOWNSHIP)
    w.objects[name] = w.client(name).id


def _staff_id(name: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"staff_id": w.objects[name]}


EVERYONE_SIGNED_IN = tuple(p for p in PRINCIPALS if p != ANON)
"""For operations on the caller's own session or account: anyone signed in does it to
themselves (so they are not called with it); without a token it must be refused."""
NEW_PASSWORD = "Xin-Mima-2026-qiang"


ALL_STAFF_BUT = lambda *names: tuple(s for s in STAFF if s not in names)  # noqa: E731
SUPERVISION = {"peers": ("supervisor_b",), "wider": ("admin",)}
IDENTITY = {
    "name": "王秀英",
    "id_number": make_id_number(seq=81, birth="19560312", male=False),
    "village_code": VILLAGE,
    "consent_version": "2026-01",
}

RULES: dict[str, Rule] = {
    # --- public: health, catalogue, login --------------------------------------------------
    "GET /healthz": PUBLIC(),
    "GET /readyz": PUBLIC(),
    "GET /api/v1/areas": PUBLIC(query={"level": "village"}),
    "GET /api/v1/items": PUBLIC(),
    "GET /api/v1/items/{code}": PUBLIC(path={"code": "GA-CSDJ"}),
    "GET /api/v1/bundles": PUBLIC(),
    "GET /api/v1/bundles/{code}": PUBLIC(path=lambda w: {"code": w.objects["bundle"]}),
    "GET /api/v1/coverage": PUBLIC(query={"item": "GA-CSDJ"}),
    "GET /api/v1/service-points/nearby": PUBLIC(
        query={"lat": 30.2, "lng": 120.6, "item": "GA-CSDJ"}
    ),
    "POST /api/v1/auth/staff/login": PUBLIC(
        body={"username": "window-a", "password": DEFAULT_PASSWORD}
    ),
    "POST /api/v1/auth/wechat/login": PUBLIC(body={"code": "test:access-a"}),
    "POST /api/v1/auth/terminal/login": PUBLIC(
        body=lambda w: {
            "terminal_id": w.objects["terminal_id"],
            "secret": w.objects["terminal_secret"],
        }
    ),
    "POST /api/v1/terminal/sessions": Rule(who="terminal_a", body=lambda w: _card(seq=84)),
    "POST /api/v1/terminal/sessions/end": Rule(who="kiosk_a", prepare=_kiosk_session),
    "GET /api/v1/auth/wechat/oauth-url": PUBLIC(
        query={"redirect": "/m/", "nonce": "access-rule-nonce-0123456789"}
    ),
    "POST /api/v1/auth/wechat/oauth": PUBLIC(
        prepare=_oauth_code,
        body=lambda w: {
            "code": w.objects["oauth_code"],
            "state": w.objects["oauth_state"],
            "nonce": w.objects["oauth_nonce"],
        },
    ),
    "GET /api/v1/wechat/push": SIGNED,
    "POST /api/v1/wechat/push": SIGNED,
    "POST /api/v1/platform/callbacks": SIGNED,
    "GET /api/v1/files/{token}": SIGNED,
    # --- the citizen's own account -----------------------------------------------------------
    "GET /api/v1/me": Rule(
        who="citizen_a", peers=CITIZENS, marker=lambda w: w.client("citizen_a").id
    ),
    "PUT /api/v1/me/identity": Rule(who="citizen_a", body=IDENTITY, peers=CITIZENS),
    "POST /api/v1/me/phone": Rule(
        who="citizen_a", body={"code": "phone:13812345678"}, peers=CITIZENS
    ),
    "POST /api/v1/me/phone/sms-code": Rule(
        who="citizen_a", body={"phone": SMS_PHONE}, peers=CITIZENS
    ),
    "POST /api/v1/me/phone/sms-verify": Rule(
        who="citizen_a",
        prepare=_sms_code,
        body=lambda w: {"phone": SMS_PHONE, "code": w.objects["sms_code"]},
        peers=CITIZENS,
    ),
    "GET /api/v1/me/export": Rule(
        who="citizen_a", peers=CITIZENS, marker=lambda w: w.client("citizen_a").id
    ),
    # --- uploads ---------------------------------------------------------------------------
    "POST /api/v1/uploads": Rule(
        who="citizen_a", files=_png, body={"material_type": "照片"}, peers=CITIZENS + STAFF
    ),
    "GET /api/v1/uploads/{upload_id}": Rule(
        who="citizen_a",
        prepare=steps(_asked),
        path=lambda w: {"upload_id": w.objects["asked_upload"]},
    ),
    # --- the citizen's cases ---------------------------------------------------------------
    "POST /api/v1/cases": Rule(who="citizen_a", body=SINGLE, peers=CITIZENS),
    "GET /api/v1/cases": Rule(who="citizen_a", peers=CITIZENS, marker=o("asked")),
    "GET /api/v1/cases/{number}": Rule(who="citizen_a", path=number("asked")),
    "GET /api/v1/cases/{number}/notices": Rule(
        who="citizen_a", prepare=_noticed, path=lambda w: {"number": w.objects["noticed"]["number"]}
    ),
    "GET /api/v1/cases/{number}/notices/{notice}": Rule(
        who="citizen_a", prepare=_noticed, path=o("noticed")
    ),
    "POST /api/v1/cases/{number}/supplements": Rule(
        who="citizen_a",
        path=number("asked"),
        body=lambda w: {"materials": [{"type": "户口簿", "upload_id": w.objects["asked_upload"]}]},
    ),
    "POST /api/v1/cases/{number}/evaluation": Rule(
        who="citizen_a",
        prepare=store("to_rate", World.delivered),
        path=number("to_rate"),
        body={"score": 5, "comment": "办得快"},
    ),
    "POST /api/v1/cases/{number}/withdraw": Rule(
        who="citizen_a", prepare=store("to_withdraw", World.submitted), path=number("to_withdraw")
    ),
    "POST /api/v1/cases/{number}/materials/{upload_id}/link": Rule(
        who="citizen_a",
        prepare=_with_material,
        path=lambda w: {"number": w.objects["mat_case"], "upload_id": w.objects["mat_upload"]},
    ),
    # --- the window --------------------------------------------------------------------------
    "GET /api/v1/window/queue": Rule(
        who="window_a",
        prepare=store("in_queue", World.queued),
        peers=("window_b",),
        marker=o("in_queue"),
    ),
    "GET /api/v1/window/cases": Rule(who="window_a", peers=("window_b",), marker=o("in_queue")),
    "GET /api/v1/window/cases/{number}": Rule(who="window_a", path=number("in_queue")),
    "POST /api/v1/window/queue/claim": Rule(who="window_a", peers=("window_b",)),
    "POST /api/v1/window/cases/{number}/release": Rule(
        who="window_a", prepare=_claimed, path=number("claimed")
    ),
    "POST /api/v1/window/cases/{number}/supplement": Rule(
        who="window_a",
        prepare=store("to_ask", World.queued),
        path=number("to_ask"),
        body={"missing": ["户口簿"], "note": "请补户口簿"},
    ),
    "POST /api/v1/window/cases/{number}/supplements": Rule(
        who="window_a",
        prepare=steps(
            store("window_asked", lambda w: _asked_number(w)),
            store("window_upload", lambda w: w.client("window_a").upload("户口簿")),
        ),
        path=number("window_asked"),
        body=lambda w: {"materials": [{"type": "户口簿", "upload_id": w.objects["window_upload"]}]},
    ),
    "POST /api/v1/window/cases/{number}/accept": Rule(
        who="window_a", prepare=store("to_accept", World.queued), path=number("to_accept")
    ),
    "POST /api/v1/window/cases/{number}/reject": Rule(
        who="window_a",
        prepare=store("to_reject", World.queued),
        path=number("to_reject"),
        body={"reason": "申请人不在本辖区"},
    ),
    "POST /api/v1/window/cases/{number}/handoff": Rule(
        who="window_a",
        prepare=store("to_hand_off", lambda w: _queued_insurance(w)),
        path=number("to_hand_off"),
        body={"township_code": OTHER_TOWNSHIP},
    ),
    "POST /api/v1/window/cases/{number}/transfer": Rule(
        who="window_a",
        prepare=store("to_transfer", World.accepted),
        path=number("to_transfer"),
        body={"department_code": "GA"},
    ),
    "POST /api/v1/window/cases/{number}/materials/{upload_id}/link": Rule(
        who="window_a",
        path=lambda w: {"number": w.objects["mat_case"], "upload_id": w.objects["mat_upload"]},
    ),
    "POST /api/v1/window/cases/{number}/result": Rule(
        who="window_a",
        prepare=store("to_issue", World.approved),
        path=number("to_issue"),
        body={"note": "户口已登记"},
    ),
    "POST /api/v1/window/cases/{number}/finish": Rule(
        who="window_a",
        prepare=store("to_finish", lambda w: _queued_insurance(w)),
        path=number("to_finish"),
        body={"note": "当场办结"},
    ),
    "POST /api/v1/window/cases/{number}/deliver": Rule(
        who="window_a",
        prepare=store("to_deliver", World.issued),
        path=number("to_deliver"),
        body=lambda w: w.pickup(),
    ),
    "POST /api/v1/window/cases": Rule(
        who="window_a",
        peers=("window_b",),
        body={
            **SINGLE,
            "applicant": {
                "name": "赵老伯",
                "id_number": make_id_number(seq=85, birth="19400101"),
                "village_code": VILLAGE,
            },
        },
    ),
    "POST /api/v1/window/cases/{number}/form/{field}/reveal": Rule(
        who="window_a",
        prepare=store("sealed_queued", _sealed_in_queue),
        path=lambda w: {"number": w.objects["sealed_queued"], "field": "guardian_id"},
        body={"reason": "核对监护人身份"},
    ),
    # --- review (the department) -------------------------------------------------------------
    "GET /api/v1/review/cases": Rule(
        who="approver_a",
        prepare=store("in_review", World.transferred),
        peers=("approver_b",),
        marker=o("in_review"),
    ),
    "GET /api/v1/review/cases/{number}": Rule(who="approver_a", path=number("in_review")),
    "POST /api/v1/review/cases/{number}/form/{field}/reveal": Rule(
        who="approver_a",
        prepare=store("sealed_review", _sealed_in_review),
        path=lambda w: {"number": w.objects["sealed_review"], "field": "guardian_id"},
        body={"reason": "核对监护人身份"},
    ),
    "POST /api/v1/review/cases/{number}/materials/{upload_id}/link": Rule(
        who="approver_a",
        prepare=lambda w: _transfer_material_case(w),
        path=lambda w: {"number": w.objects["mat_case"], "upload_id": w.objects["mat_upload"]},
    ),
    "POST /api/v1/review/cases/{number}/supplement": Rule(
        who="approver_a",
        prepare=store("review_ask", World.transferred),
        path=number("review_ask"),
        body={"missing": ["户口簿"], "note": "请补户口簿"},
    ),
    "POST /api/v1/review/cases/{number}/approve": Rule(
        who="approver_a", path=number("in_review"), body={"note": "符合条件"}
    ),
    "POST /api/v1/review/cases/{number}/deny": Rule(
        who="approver_a",
        prepare=store("to_deny", World.transferred),
        path=number("to_deny"),
        body={"reason": "不符合条件"},
    ),
    # --- agents --------------------------------------------------------------------------------
    "POST /api/v1/agent/citizens": Rule(
        who="agent_a",
        peers=("agent_b",),
        body={
            "name": "钱阿婆",
            "id_number": make_id_number(seq=86, birth="19420303", male=False),
            "village_code": VILLAGE,
        },
    ),
    "GET /api/v1/agent/citizens": Rule(
        who="agent_a",
        prepare=_villager,
        peers=("agent_b",),
        query={"q": "张"},
        marker=o("villager"),
    ),
    "POST /api/v1/agent/mandates": Rule(
        who="agent_a", prepare=_mandate_body, body=o("mandate_body"), peers=("agent_b",)
    ),
    "GET /api/v1/agent/mandates": Rule(
        who="agent_a", prepare=_paper_mandate, peers=("agent_b",), marker=o("mandate")
    ),
    "POST /api/v1/agent/cases": Rule(
        who="agent_a",
        body=lambda w: {**FILING, "mandate_id": w.objects["mandate"]},
        peers=("agent_b",),
    ),
    "POST /api/v1/agent/handovers": Rule(
        who="agent_a",
        prepare=store("errand", _errand),
        body=lambda w: {"case_numbers": [w.objects["errand"]]},
        peers=("agent_b",),
    ),
    "GET /api/v1/agent/cases": Rule(who="agent_a", peers=("agent_b",), marker=o("errand")),
    "GET /api/v1/agent/cases/{number}": Rule(who="agent_a", path=number("errand")),
    "GET /api/v1/agent/handovers": Rule(
        who="agent_a", prepare=_sent_to_township, peers=("agent_b",), marker=o("batch_up")
    ),
    "GET /api/v1/agent/handovers/{handover_id}": Rule(
        who="agent_a", path=lambda w: {"handover_id": w.objects["batch_up"]}
    ),
    "GET /api/v1/window/handovers": Rule(who="window_a", peers=("window_b",), marker=o("batch_up")),
    "GET /api/v1/window/handovers/{handover_id}": Rule(
        who="window_a", path=lambda w: {"handover_id": w.objects["batch_up"]}
    ),
    "POST /api/v1/window/handovers/{handover_id}/receive": Rule(
        who="window_a", path=lambda w: {"handover_id": w.objects["batch_up"]}, body={}
    ),
    "POST /api/v1/window/handovers": Rule(
        who="window_a",
        prepare=_result_at_township,
        body=lambda w: {"case_numbers": [w.objects["errand_sent"]]},
        peers=("window_b",),
        extra={"keep": "batch_down"},
    ),
    "POST /api/v1/agent/handovers/{handover_id}/receive": Rule(
        who="agent_a",
        path=lambda w: {"handover_id": w.objects["batch_down"]},
        body={},
    ),
    "POST /api/v1/agent/cases/{number}/handover-to-citizen": Rule(
        who="agent_a",
        prepare=_delivery_photo,
        path=number("errand_sent"),
        body=lambda w: {"photo_upload_id": w.objects["photo"]},
    ),
    "POST /api/v1/agent/cases/{number}/supplements": Rule(
        who="agent_a",
        prepare=_asked_errand,
        path=number("asked_errand"),
        body=lambda w: {"materials": [{"type": "户口簿", "upload_id": w.objects["errand_upload"]}]},
    ),
    # --- registrations the township settles -------------------------------------------------
    "GET /api/v1/window/referrals": Rule(
        who="window_a",
        prepare=_referral,
        query={"status": "pending"},
        peers=("window_b",),
        marker=o("referral"),
    ),
    "POST /api/v1/window/referrals/{referral_id}/resolve": Rule(
        who="window_a",
        path=lambda w: {"referral_id": w.objects["referral"]},
        body={"outcome": "moved", "note": "查验身份证，已迁入群围村"},
    ),
    # --- the citizen's mandates --------------------------------------------------------------
    "GET /api/v1/mandates": Rule(
        who="citizen_a", prepare=_pending_mandate, peers=CITIZENS, marker=o("pending_mandate")
    ),
    "POST /api/v1/mandates/{mandate_id}/refuse": Rule(
        who="citizen_a", path=lambda w: {"mandate_id": w.objects["pending_mandate"]}
    ),
    "POST /api/v1/mandates/{mandate_id}/confirm": Rule(
        who="citizen_a",
        prepare=_pending_mandate,
        path=lambda w: {"mandate_id": w.objects["pending_mandate"]},
    ),
    "POST /api/v1/mandates/{mandate_id}/revoke": Rule(
        who="citizen_a", path=lambda w: {"mandate_id": w.objects["pending_mandate"]}
    ),
    # --- notifications -----------------------------------------------------------------------
    "GET /api/v1/messages": Rule(
        who="citizen_a", prepare=_message, peers=CITIZENS, marker=lambda w: "您的办件已受理"
    ),
    "POST /api/v1/messages/{message_id}/read": Rule(
        who="citizen_a", path=lambda w: {"message_id": w.objects["message"]}
    ),
    "GET /api/v1/notifications/subscriptions": Rule(who="citizen_a", peers=CITIZENS),
    "POST /api/v1/notifications/subscriptions": Rule(
        who="citizen_a",
        body={"results": {"errMsg": "requestSubscribeMessage:ok"}},
        peers=CITIZENS,
    ),
    "GET /api/v1/staff/notices": Rule(
        who="window_a",
        prepare=_notice,
        peers=ALL_STAFF_BUT("window_a"),
        marker=lambda w: "请告知群众领取结果",
    ),
    "POST /api/v1/staff/notices/{notice_id}/read": Rule(
        who="window_a", path=lambda w: {"notice_id": w.objects["notice"]}
    ),
    # --- staff accounts, calendar, routing, catalogue, platform --------------------------------
    "GET /api/v1/staff/me": Rule(
        who="window_a", peers=ALL_STAFF_BUT("window_a"), marker=lambda w: "window-a"
    ),
    "GET /api/v1/admin/users": Rule(who="admin"),
    "POST /api/v1/admin/users": Rule(
        who="admin",
        body={
            "username": "window-new",
            "password": "pw-new-clerk-2026",
            "role": "window",
            "area_code": TOWNSHIP,
        },
    ),
    "POST /api/v1/admin/users/{staff_id}/disable": Rule(
        who="admin",
        prepare=lambda w: _throwaway_staff(w, "managed", "window-managed"),
        path=_staff_id("managed"),
        body={"reason": "调离岗位"},
    ),
    "POST /api/v1/admin/users/{staff_id}/enable": Rule(
        who="admin", path=_staff_id("managed"), body={"reason": "返回岗位"}
    ),
    "POST /api/v1/admin/users/{staff_id}/unlock": Rule(
        who="admin", path=_staff_id("managed"), body={"reason": "本人来电核实"}
    ),
    "POST /api/v1/admin/users/{staff_id}/reset-password": Rule(
        who="admin", path=_staff_id("managed"), body={"reason": "本人忘记密码"}
    ),
    "GET /api/v1/calendar/days/{day}": Rule(
        who="window_a", path={"day": "2026-10-01"}, peers=ALL_STAFF_BUT("window_a")
    ),
    "GET /api/v1/calendar/due": Rule(
        who="window_a", query={"start": "2026-10-08", "days": 5}, peers=ALL_STAFF_BUT("window_a")
    ),
    "POST /api/v1/admin/calendar": Rule(
        who="admin", body={"date": "2027-03-02", "kind": "holiday", "note": "测试"}
    ),
    "GET /api/v1/admin/calendar": Rule(
        who="admin", query={"year": 2027}, wider=("supervisor_a", "supervisor_b")
    ),
    "DELETE /api/v1/admin/calendar/{day}": Rule(
        who="admin", prepare=_calendar_day, path=lambda w: {"day": w.objects["calendar_day"]}
    ),
    "POST /api/v1/admin/calendar/years/{year}/confirm": Rule(
        who="admin", path={"year": 2027}, body={"note": "已核对国务院通知"}
    ),
    "GET /api/v1/admin/routing-rules": Rule(
        who="admin", prepare=_routing_rule, wider=("supervisor_a", "supervisor_b")
    ),
    "PUT /api/v1/admin/routing-rules": Rule(
        who="admin",
        body={"item_code": "GA-CSDJ", "department_code": "GA", "township_code": TOWNSHIP},
    ),
    "DELETE /api/v1/admin/routing-rules/{rule_id}": Rule(
        who="admin", path=lambda w: {"rule_id": w.objects["routing_rule"]}
    ),
    "POST /api/v1/admin/catalogue/import": Rule(
        who="admin", files=_catalogue_file, body={"dry_run": "true"}
    ),
    "GET /api/v1/platform/townships": Rule(who="supervisor_a", **SUPERVISION),
    "PUT /api/v1/platform/townships/{code}": Rule(
        who="admin",
        path={"code": TOWNSHIP},
        body=lambda w: {  # the sweep's fake platform; dev mode lets the app reach 127.0.0.1
            "base_url": w.objects["platform_url"],
            "app_id": "xs-platform-test",
            "active": False,
        },
    ),
    "GET /api/v1/platform/failures": Rule(
        who="supervisor_a", prepare=_failed_push, marker=o("failed_push"), **SUPERVISION
    ),
    "POST /api/v1/platform/failures/{number}/retry": Rule(
        who="supervisor_a", path=number("failed_push"), wider=("admin",)
    ),
    # --- supervision -------------------------------------------------------------------------
    "GET /api/v1/supervision/mandates": Rule(
        who="supervisor_a", marker=o("mandate"), **SUPERVISION
    ),
    "POST /api/v1/supervision/mandates/{mandate_id}/spot-check": Rule(
        who="supervisor_a",
        path=lambda w: {"mandate_id": w.objects["mandate"]},
        body={"ok": True, "note": "电话回访本人确认"},
        wider=("admin",),
    ),
    "GET /api/v1/supervision/agents": Rule(
        who="supervisor_a", marker=lambda w: w.client("agent_a").id, **SUPERVISION
    ),
    "GET /api/v1/supervision/overdue": Rule(who="supervisor_a", **SUPERVISION),
    "GET /api/v1/supervision/escalations": Rule(who="supervisor_a", **SUPERVISION),
    "GET /api/v1/supervision/follow-ups": Rule(
        who="supervisor_a",
        prepare=_follow_up,
        marker=lambda w: f'"id":{w.objects["follow_up"]},',
        **SUPERVISION,
    ),
    "GET /api/v1/supervision/evaluations": Rule(
        who="supervisor_a", marker=o("rated"), **SUPERVISION
    ),
    "GET /api/v1/supervision/follow-ups/{follow_up_id}": Rule(
        who="supervisor_a",
        path=lambda w: {"follow_up_id": w.objects["follow_up"]},
        wider=("admin",),
    ),
    "POST /api/v1/supervision/follow-ups/{follow_up_id}/contact": Rule(
        who="supervisor_a",
        path=lambda w: {"follow_up_id": w.objects["follow_up"]},
        body={"note": "已电话联系群众"},
        wider=("admin",),
    ),
    "POST /api/v1/supervision/follow-ups/{follow_up_id}/resolve": Rule(
        who="supervisor_a",
        path=lambda w: {"follow_up_id": w.objects["follow_up"]},
        body={"note": "已补办完成"},
        wider=("admin",),
    ),
    "GET /api/v1/supervision/callbacks": Rule(
        who="supervisor_a",
        prepare=_callback,
        query=lambda w: {"week": w.objects["week"]},
        marker=lambda w: f'"id":{w.objects["call"]},',
        **SUPERVISION,
    ),
    "POST /api/v1/supervision/callbacks/{call_id}": Rule(
        who="supervisor_a",
        path=lambda w: {"call_id": w.objects["call"]},
        body={"reached": True, "satisfied": 5},
        wider=("admin",),
    ),
    "GET /api/v1/supervision/audit": Rule(who="admin"),
    "GET /api/v1/stats/overview": Rule(who="supervisor_a", **SUPERVISION),
    # --- deletion requests (PIPL art. 47) and the restricted files they leave ------------------
    "GET /api/v1/admin/deletion-requests": Rule(
        who="admin", prepare=_deletion_requests, query={"status": "pending"}
    ),
    "POST /api/v1/admin/deletion-requests/{request_id}/approve": Rule(
        who="admin",
        path=lambda w: {"request_id": w.objects["to_approve"]},
        body={"reason": "核实无误"},
    ),
    "POST /api/v1/admin/deletion-requests/{request_id}/refuse": Rule(
        who="admin",
        path=lambda w: {"request_id": w.objects["to_refuse"]},
        body={"reason": "经核实，申请人仍在办理业务"},
    ),
    "POST /api/v1/admin/restricted-cases/{number}/open": Rule(
        who="admin",
        prepare=_erased,
        path=number("leaver_case"),
        body={"reason": "法院调取档案"},
    ),
    # --- one's own session and password: throwaway accounts, the sweep's tokens live on --------
    "POST /api/v1/staff/me/password": Rule(
        who="changer",
        prepare=lambda w: _throwaway_staff(w, "changer", "window-changer"),
        body={"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        peers=STAFF,  # each would change their own password (citizens must be refused)
    ),
    "POST /api/v1/auth/logout": Rule(
        who="leaving_clerk",
        prepare=lambda w: _throwaway_staff(w, "leaving_clerk", "window-leaving"),
        peers=EVERYONE_SIGNED_IN,  # each would end their own sessions: only no token is tried
    ),
    # --- last: the citizen asks for deletion ---------------------------------------------------
    "POST /api/v1/me/deletion-request": Rule(
        who="citizen_a", body={"reason": "不再使用"}, peers=CITIZENS
    ),
}


async def _asked_number(w: World) -> str:
    await _asked(w)
    return str(w.objects["asked"])


async def _queued_insurance(w: World) -> str:
    number_ = await w.submitted(INSURANCE)
    await forward(number_)
    return number_


async def _transfer_material_case(w: World) -> None:
    number_ = w.objects["mat_case"]
    await w.act("window_a", f"/api/v1/window/cases/{number_}/accept")
    await w.act("window_a", f"/api/v1/window/cases/{number_}/transfer", {"department_code": "GA"})


__all__ = ["BIRTH_FORM", "DISTRICT", "RULES", "Rule"]

"""Self-service terminals: issuing, the terminal's login, citizens' sessions opened by a card
read, what a session may do, and a case filed at a kiosk (channel ``self_service``)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from backend import db
from backend.audit.service import AuditLog
from backend.cases.tables import Case
from backend.clock import today
from backend.errors import Conflict, InvalidInput, Unauthenticated
from backend.stats import rollup
from backend.terminals import service
from backend.workdays.calendar import ChinaCalendar
from tests.api.test_login import assert_problem
from tests.factories import make_id_number
from tests.notices.support import run_notice_jobs
from tests.support import citizen
from tests.terminals.support import (
    ADMIN,
    HALL,
    POINT,
    POINT_TOWNSHIP,
    card,
    issued,
    kiosk_catalogue,
    session,
    terminal_login,
)
from tests.window.support import SINGLE, forward, staff

pytestmark = pytest.mark.api


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


async def _audit_actions(terminal_id: str) -> list[str]:
    rows = await db.fetch(
        "SELECT action FROM audit_event WHERE subject_kind = 'terminal' AND subject_id = $1"
        " ORDER BY id",
        terminal_id,
    )
    return [r["action"] for r in rows]


async def test_issue_login_reissue_and_disable(api, small_catalogue: Path, settings):
    with pytest.raises(InvalidInput) as wrong_kind:
        await service.issue(
            audit=AuditLog(settings.audit_key), actor=ADMIN, point_code=HALL, name="大厅"
        )
    assert wrong_kind.value.code == "service_point_not_terminal"
    credential = await issued(settings.audit_key)
    assert len(base64.urlsafe_b64decode(credential.secret + "==")) >= 16  # ≥ 128 bits
    stored = await db.fetchval(
        "SELECT credential_hash FROM terminal WHERE id = $1::uuid", credential.terminal.id
    )
    assert credential.secret not in stored

    device = await terminal_login(api, credential)
    login = await api.post(
        "/api/v1/auth/terminal/login",
        json={"terminal_id": credential.terminal.id, "secret": credential.secret},
    )
    body = login.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    assert body["terminal"] == {
        "id": credential.terminal.id,
        "name": "1号自助机",
        "service_point_id": POINT,
        "township_code": POINT_TOWNSHIP,
    }
    wrong = {"terminal_id": credential.terminal.id, "secret": credential.secret + "x"}
    assert_problem(
        await api.post("/api/v1/auth/terminal/login", json=wrong),
        401,
        "terminal_credential_invalid",
    )
    unknown = {"terminal_id": "not-a-terminal", "secret": credential.secret}
    assert_problem(
        await api.post("/api/v1/auth/terminal/login", json=unknown),
        401,
        "terminal_credential_invalid",
    )
    # the terminal's own token opens sessions and nothing else
    assert_problem(await device.get("/api/v1/me"), 403, "terminal_not_allowed")
    assert_problem(await device.get("/api/v1/cases"), 403, "terminal_not_allowed")

    again = await service.reissue(
        audit=AuditLog(settings.audit_key), actor=ADMIN, terminal_id=credential.terminal.id
    )
    assert again.secret != credential.secret
    assert_problem(
        await api.post(
            "/api/v1/auth/terminal/login",
            json={"terminal_id": credential.terminal.id, "secret": credential.secret},
        ),
        401,
        "terminal_credential_invalid",
    )
    person = make_id_number(seq=301, birth="19500101")
    old = await device.post("/api/v1/terminal/sessions", json=card("赵大", person))
    assert_problem(old, 401, "token_revoked")
    device = await terminal_login(api, again)

    await service.disable(
        audit=AuditLog(settings.audit_key), actor=ADMIN, terminal_id=credential.terminal.id
    )
    with pytest.raises(Conflict):
        await service.disable(
            audit=AuditLog(settings.audit_key), actor=ADMIN, terminal_id=credential.terminal.id
        )
    assert_problem(
        await device.post("/api/v1/terminal/sessions", json=card("赵大", person)),
        401,
        "token_revoked",
    )
    assert_problem(
        await api.post(
            "/api/v1/auth/terminal/login",
            json={"terminal_id": again.terminal.id, "secret": again.secret},
        ),
        401,
        "terminal_credential_invalid",
    )
    assert await _audit_actions(credential.terminal.id) == [
        "terminal.issue",
        "terminal.reissue",
        "terminal.disable",
    ]
    listed, total = await service.list_terminals(page=1, page_size=10)
    assert total == 1 and not listed[0].active and listed[0].last_seen_at is not None


async def test_failed_logins_are_limited_per_address(api, small_catalogue: Path, settings):
    client = aioredis.from_url(settings.redis_url)
    pattern = f"{settings.redis_prefix}:ratelimit:terminal_login:*"
    async for key in client.scan_iter(match=pattern):  # other tests' failures from this address
        await client.delete(key)
    try:
        credential = await issued(settings.audit_key)
        wrong = {"terminal_id": credential.terminal.id, "secret": "guess"}
        for _ in range(settings.terminal_login_max_failures):
            response = await api.post("/api/v1/auth/terminal/login", json=wrong)
            assert response.status_code == 401
        limited = await api.post("/api/v1/auth/terminal/login", json=wrong)
        assert_problem(limited, 429, "rate_limited")
        assert int(limited.headers["retry-after"]) >= 1
    finally:
        async for key in client.scan_iter(match=pattern):
            await client.delete(key)
        await client.aclose()


async def test_a_card_read_opens_a_session_for_a_known_or_a_new_person(
    api, small_catalogue: Path, settings, wechat
):
    device = await terminal_login(api, await issued(settings.audit_key))
    known = await citizen(api, "kiosk-known", seq=302)
    kiosk, body = await session(device, "王秀英", str(known.id_number))
    assert body["citizen"] == {
        "id": known.id,
        "name": "王秀英",
        "id_number_masked": f"{known.id_number[:3]}{'*' * 11}{known.id_number[-4:]}",
    }
    assert 0 < body["expires_in"] <= 600
    claims = _claims(body["access_token"])
    extras = claims.get("extras", claims)
    assert claims["exp"] - claims["iat"] <= 600 and extras["ch"] == "self_service"
    assert extras["term"] == device.id
    assert (await kiosk.get("/api/v1/me")).json()["id"] == known.id

    number = make_id_number(seq=303, birth="19380704", male=False)
    stranger, first = await session(device, "钱阿婆", number)
    me = (await stranger.get("/api/v1/me")).json()
    assert me["identity_bound"] is True and me["name"] == "钱阿婆"
    _, second = await session(device, "钱阿婆", number)
    assert second["citizen"]["id"] == first["citizen"]["id"]  # found again, not registered twice
    assert await db.fetchval("SELECT openid FROM citizen WHERE id = $1::uuid", me["id"]) is None

    bad = number[:-1] + ("0" if number[-1] != "0" else "1")
    before = await db.fetchval("SELECT count(*) FROM citizen")
    response = await device.post("/api/v1/terminal/sessions", json=card("钱阿婆", bad))
    assert_problem(response, 422, "id_number_invalid")
    assert await db.fetchval("SELECT count(*) FROM citizen") == before
    mismatch = await device.post("/api/v1/terminal/sessions", json=card("孙阿公", number))
    assert_problem(mismatch, 409, "applicant_name_mismatch")
    # a session token does not open sessions
    assert_problem(
        await kiosk.post("/api/v1/terminal/sessions", json=card("钱阿婆", number)),
        403,
        "kiosk_not_allowed",
    )


async def test_what_a_session_may_not_do(api, small_catalogue: Path, settings, wechat):
    device = await terminal_login(api, await issued(settings.audit_key))
    known = await citizen(api, "kiosk-limits", seq=304)
    kiosk, _ = await session(device, "王秀英", str(known.id_number))
    refused = [
        ("PUT", "/api/v1/me/identity"),
        ("POST", "/api/v1/me/phone"),
        ("GET", "/api/v1/me/export"),
        ("POST", "/api/v1/me/deletion-request"),
        ("GET", "/api/v1/mandates"),
        ("POST", "/api/v1/notifications/subscriptions"),
        ("GET", "/api/v1/messages"),
        ("POST", "/api/v1/auth/logout"),
    ]
    for method, path in refused:
        response = await api.request(method, path, headers=kiosk.headers, json={})
        assert_problem(response, 403, "kiosk_not_allowed")
    assert (await kiosk.get("/api/v1/cases")).status_code == 200
    assert (await known.get("/api/v1/me")).status_code == 200  # the phone's own login is untouched


async def test_a_case_filed_at_a_kiosk(api, small_catalogue: Path, settings, elicense, tmp_path):
    await kiosk_catalogue(small_catalogue, tmp_path)
    device = await terminal_login(api, await issued(settings.audit_key))
    kiosk, _ = await session(device, "周桂英", make_id_number(seq=305, birth="19600202"))
    body = {**SINGLE, "service_point_id": "HALL-330109110"}  # the terminal's point wins
    filed = await kiosk.post("/api/v1/cases", json=body)
    assert filed.status_code == 201, filed.text
    case = filed.json()
    assert case["channel"] == "self_service"
    assert case["filed_by"]["kind"] == "self"
    await forward(case["number"])
    row = (
        await Case.select(Case.service_point, Case.township, Case.channel)
        .where(Case.number == case["number"])
        .first()
        .run()
    )
    assert row == {"service_point": POINT, "township": POINT_TOWNSHIP, "channel": "self_service"}
    listed = (await kiosk.get("/api/v1/cases")).json()
    assert [c["number"] for c in listed["items"]] == [case["number"]]

    await rollup.rebuild(calendar=ChinaCalendar(), today=today())  # what the cron does
    supervisor = await staff(api, role="supervisor", username="sup-kiosk")
    overview = (await supervisor.get("/api/v1/stats/overview")).json()
    assert overview["by_channel"].get("self_service") == 1

    desk = await staff(api, username="window-gl", area_code=POINT_TOWNSHIP)
    accepted = await desk.post(f"/api/v1/window/cases/{case['number']}/accept", json={})
    assert accepted.status_code == 200, accepted.text
    case_id = await db.fetchval("SELECT id FROM case_record WHERE number = $1", case["number"])
    await run_notice_jobs(case_ids=[case_id])
    notices = await kiosk.get(f"/api/v1/cases/{case['number']}/notices")
    assert notices.status_code == 200 and notices.json(), notices.text
    pdf = await kiosk.get(notices.json()[0]["pdf_path"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_ending_or_expiry_ends_a_session(api, small_catalogue: Path, settings, wechat):
    device = await terminal_login(api, await issued(settings.audit_key))
    known = await citizen(api, "kiosk-end", seq=306)
    kiosk, _ = await session(device, "王秀英", str(known.id_number))
    assert_problem(await device.post("/api/v1/terminal/sessions/end"), 403, "terminal_not_allowed")
    assert (await kiosk.post("/api/v1/terminal/sessions/end")).status_code == 204
    assert_problem(await kiosk.get("/api/v1/me"), 401, "token_revoked")

    later, _ = await session(device, "王秀英", str(known.id_number))
    assert (await later.get("/api/v1/me")).status_code == 200
    # the session's time is up (as if ten minutes had passed): refused like an expired token
    await db.execute(
        "UPDATE terminal_session SET expires_at = now() - interval '1 second'"
        " WHERE ended_at IS NULL"
    )
    assert_problem(await later.get("/api/v1/me"), 401, "token_revoked")


async def test_unknown_terminal_ids_are_refused_by_the_service(small_catalogue: Path):
    with pytest.raises(Unauthenticated):
        await service.authenticate(terminal_id="00000000-0000-0000-0000-000000000000", secret="x")

"""Findings of an outside test of the formal notices: the verification page's limit is per client
address, a bundle's 补正 and 不予受理 issue notices, a bundle item's list matches what its PDF
route serves, PDF names take ASCII digits only, a supplement after acceptance is worded as one,
PDF reads are limited per reader, verification tokens stay out of the log, and the verification
page has the portal's security headers, no cookie, and answers HEAD."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import httpx
import pypdfium2 as pdfium
import pytest
from structlog.testing import capture_logs

from backend import db
from backend.app import create_app
from backend.devservices import free_port
from backend.http.throttle import Limit
from backend.notices import limits
from backend.notices.tables import Notice
from backend.settings import Settings
from tests.api.test_login import assert_problem
from tests.notices.support import run_notice_jobs
from tests.support import CitizenClient, citizen, screenshots
from tests.window.support import BIRTH, approver, clerk, forward, ok, queued

pytestmark = pytest.mark.api

SHOTS = screenshots("noticefix")
SUPPLEMENT = {"missing": ["户口簿"], "note": "户口簿照片不清晰"}


def _pdf_text(pdf: bytes, shot: str | None = None) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        if shot is not None:
            SHOTS.mkdir(parents=True, exist_ok=True)
            document[0].render(scale=2).to_pil().save(SHOTS / f"{shot}.png")
        return "".join("".join(page.get_textpage().get_text_range().split()) for page in document)
    finally:
        document.close()


@contextlib.asynccontextmanager
async def in_process(settings: Settings) -> AsyncIterator[Callable[[str], httpx.AsyncClient]]:
    """The app in this process (limits can be lowered here), with clients by address: httpx's
    ASGI transport sets the client address the app sees; no proxy is trusted."""
    own = replace(
        settings, trusted_proxies="", redis_prefix=f"{settings.redis_prefix}-nf-{free_port()}"
    )
    saved = db.engine()
    app = create_app(own, configure_logs=False)
    try:
        async with app.lifespan():

            def client(address: str) -> httpx.AsyncClient:
                transport = httpx.ASGITransport(app=app, client=(address, 40000))
                return httpx.AsyncClient(transport=transport, base_url="http://test")

            yield client
    finally:
        db.use_engine(saved)


async def _one_accepted(api: httpx.AsyncClient, login: str) -> tuple[CitizenClient, str]:
    me = await citizen(api, login, name="王秀英")
    number = await queued(me)
    await ok(await clerk(api), number, "accept")
    await run_notice_jobs()
    return me, number


# 1 ------------------------------------------------------------------------------------------


async def test_a_flood_from_one_address_never_blocks_another(
    api, small_catalogue: Path, elicense, wechat, settings: Settings, monkeypatch
):
    await _one_accepted(api, "nf-flood")
    token = (await Notice.select(Notice.token).first().run())["token"]
    # The limits lowered: 5 a minute per address (and, before the fix, 8 on the shared account).
    monkeypatch.setattr(limits, "VERIFY_LIMIT", Limit(per_account=8, per_address=5, window_s=60))
    async with in_process(settings) as client:
        flooder, other = client("127.0.0.2"), client("127.0.0.3")
        answers = [(await flooder.get("/verify/" + "z" * 32)).status_code for _ in range(12)]
        assert answers == [404] * 5 + [429] * 7
        looked_up = await other.get(f"/verify/{token}")
        assert looked_up.status_code == 200, looked_up.text
        assert "有效" in looked_up.text
        # The flooder stays limited, for a real token too.
        assert (await flooder.get(f"/verify/{token}")).status_code == 429


# 2 ------------------------------------------------------------------------------------------


async def _bundle(me: CitizenClient) -> tuple[str, list[str]]:
    photo = await me.upload("照片")
    number = await queued(
        me, {**BIRTH, "bundle_code": "CSYJS", "materials": [{"type": "照片", "upload_id": photo}]}
    )
    return number, [f"{number}-0{i}" for i in (1, 2, 3)]


async def test_a_supplement_of_a_bundle_issues_a_notice_per_item(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "nf-bundle-sup", name="王秀英")
    number, children = await _bundle(me)
    desk = await clerk(api)
    await ok(desk, number, "supplement", {"missing": ["户口簿", "照片"], "note": "照片不清晰"})
    assert await run_notice_jobs() == 1
    assert await run_notice_jobs() == 1  # again: nothing more issued

    listed = (await me.get(f"/api/v1/cases/{number}/notices")).json()
    assert [n["kind"] for n in listed] == ["supplement"] * 3
    departments = [n["department"] for n in listed]
    assert len(set(departments)) == 3, departments  # each item's own department signs
    rows = await Notice.select(Notice.case, Notice.event, Notice.number).run()
    assert len({r["case"] for r in rows}) == 3 and len({r["event"] for r in rows}) == 1
    for i, notice in enumerate(listed):
        pdf = await me.get(notice["pdf_path"])
        assert pdf.status_code == 200, pdf.text
        text = _pdf_text(pdf.content, shot=f"bundle-supplement-{i}" if i == 0 else None)
        # Each item's own name for a type it asks for, the bundle's for the others'.
        assert "1.父或母居民户口簿" in text or "1.居民户口簿" in text
        assert "2.近期免冠照片" in text and "照片不清晰" in text
        assert notice["number"] in text and notice["department"] in text
    # Each item lists its own under its own number.
    own = (await me.get(f"/api/v1/cases/{children[0]}/notices")).json()
    assert len(own) == 1 and own[0]["pdf_path"].startswith(f"/api/v1/cases/{children[0]}/")


async def test_a_rejection_of_a_bundle_issues_a_notice_per_item(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "nf-bundle-rej", name="王秀英")
    number, _ = await _bundle(me)
    await ok(await clerk(api), number, "reject", {"reason": "申请人不在本辖区居住"})
    await run_notice_jobs()
    listed = (await me.get(f"/api/v1/cases/{number}/notices")).json()
    assert [n["kind"] for n in listed] == ["rejection"] * 3
    assert len({n["department"] for n in listed}) == 3
    text = _pdf_text((await me.get(listed[0]["pdf_path"])).content)
    assert "申请人不在本辖区居住" in text and "不予受理" in text


# 3 ------------------------------------------------------------------------------------------


async def test_an_items_list_holds_only_what_its_pdf_route_serves(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "nf-child-list", name="王秀英")
    number, children = await _bundle(me)
    await ok(await clerk(api), number, "accept")
    await run_notice_jobs()
    whole = (await me.get(f"/api/v1/cases/{number}/notices")).json()
    assert len(whole) == 3
    for notice in whole:  # the parent's number lists and serves every notice of the bundle
        assert (await me.get(notice["pdf_path"])).status_code == 200
    for child in children:
        listed = (await me.get(f"/api/v1/cases/{child}/notices")).json()
        assert len(listed) == 1, listed
        for notice in listed:
            assert (await me.get(notice["pdf_path"])).status_code == 200


# 4 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["².pdf", "①.pdf", "２.pdf", "٢.pdf", "1" * 19 + ".pdf"])
async def test_pdf_names_take_ascii_digits_only(
    api, api_server: str, small_catalogue: Path, elicense, wechat, name: str
):
    me, number = await _one_accepted(api, "nf-digits")
    assert_problem(await me.get(f"/api/v1/cases/{number}/notices/{name}"), 404, "notice_not_found")
    from tests.notices.test_notice_pages import _portal

    async with _portal(api_server, "window-a") as portal:
        page = await portal.get(f"/portal/window/cases/{number}/notices/{name}")
        assert page.status_code == 404 and "<html" in page.text


# 5 ------------------------------------------------------------------------------------------


async def test_a_supplement_after_acceptance_is_worded_as_one(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "nf-late-sup", name="王秀英")
    number = await queued(me)
    desk = await clerk(api)
    ga = await approver(api, "GA")
    await ok(desk, number, "accept")
    await ok(desk, number, "transfer")
    await forward(number)
    await ok(ga, number, "supplement", SUPPLEMENT, prefix="review")
    await run_notice_jobs()
    listed = (await me.get(f"/api/v1/cases/{number}/notices")).json()
    assert [n["kind"] for n in listed] == ["acceptance", "supplement"]
    text = _pdf_text((await me.get(listed[1]["pdf_path"])).content, shot="supplement-in-review")
    assert "1.父或母居民户口簿" in text
    assert "自收到全部补正材料之日起受理" not in text
    assert "即为受理" not in text
    assert "办理期间要求补正" in text and "补正材料期间不计入办理时限" in text


# 6 ------------------------------------------------------------------------------------------


async def test_pdf_reads_are_limited_per_reader(
    api, small_catalogue: Path, elicense, wechat, settings: Settings, monkeypatch
):
    me, number = await _one_accepted(api, "nf-pdf-limit")
    path = (await me.get(f"/api/v1/cases/{number}/notices")).json()[0]["pdf_path"]
    monkeypatch.setattr(limits, "PDF_LIMIT", Limit(per_account=2, per_address=0, window_s=60))
    async with in_process(settings) as client:
        api_here = client("127.0.0.4")
        headers = me.headers
        answers = [(await api_here.get(path, headers=headers)).status_code for _ in range(3)]
        assert answers == [200, 200, 429]
        limited = await api_here.get(path, headers=headers)
        assert_problem(limited, 429, "rate_limited")
        assert "下载文书过于频繁" in limited.json()["detail"]
        assert int(limited.headers["Retry-After"]) >= 1


# 7 ------------------------------------------------------------------------------------------


async def test_a_verification_token_never_reaches_the_log(
    api, small_catalogue: Path, elicense, wechat, settings: Settings
):
    await _one_accepted(api, "nf-log")
    token = (await Notice.select(Notice.token).first().run())["token"]
    async with in_process(settings) as client:
        with capture_logs() as logs:
            assert (await client("127.0.0.5").get(f"/verify/{token}")).status_code == 200
    lines = [e for e in logs if e.get("event") == "request"]
    assert lines and lines[-1]["path"] == "/verify/…"
    assert token not in repr(logs)


# 8 ------------------------------------------------------------------------------------------


async def test_the_verification_page_has_security_headers_no_cookie_and_answers_head(
    api, small_catalogue: Path, elicense, wechat
):
    await _one_accepted(api, "nf-headers")
    token = (await Notice.select(Notice.token).first().run())["token"]
    for path, status in ((f"/verify/{token}", 200), ("/verify/" + "q" * 32, 404)):
        page = await api.get(path)
        assert page.status_code == status
        csp = page.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["referrer-policy"] == "no-referrer"
        assert page.headers["x-content-type-options"] == "nosniff"
        assert "set-cookie" not in page.headers, page.headers.get("set-cookie")
        head = await api.head(path)
        assert head.status_code == status and head.content == b""
        assert head.headers["referrer-policy"] == "no-referrer"

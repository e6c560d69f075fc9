"""Notices through the running app: issued by the worker's handler, listed and downloaded by the
citizen, verified publicly, numbered without gaps, audited."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import redis.asyncio as aioredis

from backend.audit.tables import AuditEvent
from backend.cases.tables import CaseEvent
from backend.clock import today
from backend.notices.tables import Notice
from backend.settings import Settings
from backend.workdays.calendar import ChinaCalendar
from tests.api.test_login import assert_problem
from tests.notices.support import run_notice_jobs
from tests.support import citizen, screenshots
from tests.window.support import clerk, ok, queued, row

pytestmark = pytest.mark.api

SHOTS = screenshots("notices")
SUPPLEMENT = {"missing": ["户口簿"], "note": "户口簿照片不清晰"}


def _pdf_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


async def test_issued_listed_downloaded_and_verified(api, small_catalogue: Path, elicense, wechat):
    me = await citizen(api, "nt-own", name="王秀英")
    number = await queued(me)
    desk = await clerk(api)
    await ok(desk, number, "accept")

    # Before the worker ran: nothing yet (the window page says 文书生成中).
    assert (await me.get(f"/api/v1/cases/{number}/notices")).json() == []
    assert await run_notice_jobs() == 1

    listed = (await me.get(f"/api/v1/cases/{number}/notices")).json()
    assert len(listed) == 1
    notice = listed[0]
    assert notice["kind"] == "acceptance" and notice["case_number"] == number
    assert notice["title"] in {"行政许可受理通知书", "受理通知书"}
    assert re.fullmatch(r".公受字〔\d{4}〕第1号", notice["number"]), notice["number"]
    assert notice["department"].endswith("公安分局")
    assert notice["pdf_path"] == f"/api/v1/cases/{number}/notices/{notice['id']}.pdf"

    pdf = await me.get(notice["pdf_path"])
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.headers["cache-control"] == "no-store"
    text = _pdf_text(pdf.content)
    assert "王秀英" in text and notice["number"] in text and "（印章）" in text

    audited = await AuditEvent.select().where(AuditEvent.action == "notice.print").run()
    assert len(audited) == 1
    assert audited[0]["actor_kind"] == "citizen" and audited[0]["actor_id"] == str(me.id)
    assert audited[0]["subject_kind"] == "case" and audited[0]["subject_id"] == number
    assert notice["number"] in audited[0]["reason"]

    token = (await Notice.select(Notice.token).first().run())["token"]
    assert number not in token and len(token) >= 32
    page = await api.get(f"/verify/{token}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert notice["number"] in html and "有效" in html and "公安分局" in html
    # Nothing personal and nothing of the case: no name, no ID number, no case number.
    for private in ("王秀英", "王*英", me.id_number, me.id_number[-4:], number):
        assert private not in html, private

    unknown = await api.get("/verify/" + "x" * 32)
    assert unknown.status_code == 404 and "王秀英" not in unknown.text
    assert "<html" in unknown.text


async def test_another_citizen_gets_404(api, small_catalogue: Path, elicense, wechat):
    me = await citizen(api, "nt-mine")
    other = await citizen(api, "nt-other", seq=2, name="李四")
    number = await queued(me)
    await ok(await clerk(api), number, "accept")
    await run_notice_jobs()
    notice = (await me.get(f"/api/v1/cases/{number}/notices")).json()[0]

    assert_problem(await other.get(f"/api/v1/cases/{number}/notices"), 404, "case_not_found")
    assert_problem(await other.get(notice["pdf_path"]), 404, "case_not_found")
    # Their own case does not open this notice either.
    theirs = await queued(other)
    assert_problem(
        await other.get(f"/api/v1/cases/{theirs}/notices/{notice['id']}.pdf"),
        404,
        "notice_not_found",
    )
    assert_problem(
        await me.get(f"/api/v1/cases/{number}/notices/{notice['id']}"), 404, "notice_not_found"
    )
    assert not await AuditEvent.exists().where(AuditEvent.action == "notice.print").run()


async def test_numbers_are_sequential_without_gaps_and_issued_once(
    api, small_catalogue: Path, elicense, wechat
):
    desk = await clerk(api)
    numbers = []
    for seq in range(1, 6):
        me = await citizen(api, f"nt-seq-{seq}", seq=seq)
        numbers.append((me, await queued(me)))
    for _, number in numbers:
        await ok(desk, number, "accept")
    # A 补正 of one more case: another kind, the same department's counter.
    me6 = await citizen(api, "nt-seq-6", seq=6)
    sixth = await queued(me6)
    await ok(desk, sixth, "supplement", SUPPLEMENT)

    assert await run_notice_jobs(concurrently=True) == 6
    assert await run_notice_jobs(concurrently=True) == 6  # again: nothing more issued

    rows = await Notice.select(Notice.sequence, Notice.number, Notice.kind, Notice.event).run()
    assert len(rows) == 6
    assert sorted(r["sequence"] for r in rows) == [1, 2, 3, 4, 5, 6]
    assert len({r["number"] for r in rows}) == 6 and len({r["event"] for r in rows}) == 6
    assert sum(r["kind"] == "supplement" for r in rows) == 1
    supplement = next(r for r in rows if r["kind"] == "supplement")
    assert "补字" in supplement["number"]
    listed = (await me6.get(f"/api/v1/cases/{sixth}/notices")).json()
    assert [n["kind"] for n in listed] == ["supplement"]


async def _forget_verify_counts(settings: Settings) -> None:
    """Other tests of the session looked tokens up from the same address this minute."""
    client = aioredis.from_url(settings.redis_url)
    try:
        async for key in client.scan_iter(match=f"{settings.redis_prefix}:ratelimit:verify:*"):
            await client.delete(key)
    finally:
        await client.aclose()


async def test_verification_is_rate_limited_with_a_chinese_page(
    api, small_catalogue: Path, settings: Settings
):
    await _forget_verify_counts(settings)
    try:
        answers = [(await api.get("/verify/" + "y" * 32)).status_code for _ in range(61)]
        assert answers[:60] == [404] * 60
        assert answers[60] == 429
        limited = await api.get("/verify/" + "y" * 32)
        assert limited.status_code == 429
        assert limited.headers["content-type"].startswith("text/html")
        assert "核验请求过多，请稍后再试。" in limited.text
        assert '<html lang="zh-CN">' in limited.text
    finally:
        await _forget_verify_counts(settings)


async def test_a_supplement_asked_after_five_working_days_dates_acceptance_from_receipt(
    api, small_catalogue: Path, elicense, wechat
):
    """行政许可法 art. 32(1)(4): 逾期不告知的，自收到申请材料之日起即为受理."""
    me = await citizen(api, "nt-late", name="王秀英")
    number = await queued(me)
    case_id = (await row(number)).id
    await CaseEvent.raw(
        'UPDATE case_event SET at = at - make_interval(days => 14) WHERE "case" = {}', case_id
    ).run()
    await CaseEvent.raw(
        "UPDATE case_record SET created_at = created_at - make_interval(days => 14) WHERE id = {}",
        case_id,
    ).run()
    received = today() - timedelta(days=14)
    calendar = ChinaCalendar()
    assert calendar.working_days_between(received, today()) > 5

    desk = await clerk(api)
    await ok(desk, number, "supplement", SUPPLEMENT)
    await run_notice_jobs()
    book = await me.upload("户口簿")
    supplied = await me.post(
        f"/api/v1/cases/{number}/supplements",
        json={"materials": [{"type": "户口簿", "upload_id": book}], "note": ""},
    )
    assert supplied.status_code == 200, supplied.text
    await ok(desk, number, "accept")
    await run_notice_jobs()

    listed = (await me.get(f"/api/v1/cases/{number}/notices")).json()
    assert [n["kind"] for n in listed] == ["supplement", "acceptance"]
    day = f"{received.year}年{received.month}月{received.day}日"
    SHOTS.mkdir(parents=True, exist_ok=True)
    texts_ = []
    for notice in listed:
        pdf = (await me.get(notice["pdf_path"])).content
        document = pdfium.PdfDocument(pdf)
        document[0].render(scale=2).to_pil().save(SHOTS / f"issued-late-{notice['kind']}.png")
        document.close()
        texts_.append("".join(_pdf_text(pdf).split()))
    asked, accepted = texts_
    assert "五个工作日后发出" in asked and f"收到申请材料之日（{day}）起即为受理" in asked
    assert f"受理日期为{day}" in accepted
    # The clock ran from receipt: the five working days were over before the 补正 was even asked
    # (the department was late, and the case is overdue); the notice says so, not "within".
    ends = (await me.get(f"/api/v1/cases/{number}")).json()["deadline"]
    end = date.fromisoformat(ends)
    assert end == calendar.add_working_days(received, 5) < today()
    assert f"已于{end.year}年{end.month}月{end.day}日届满" in accepted

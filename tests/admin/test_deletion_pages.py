"""The administrator's deletion-request pages (PIPL 删除申请): list, approve, refuse."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from backend.audit.tables import AuditEvent
from backend.fakes.wechat_server import FakeWeChat
from backend.identity.tables import DeletionRequest
from backend.outbox.tables import OutboxEvent
from tests.admin.test_accounts_pages import STAFF_ROLES, Portal, shoot, sign_in
from tests.browser.conftest import artifacts_dir, browser, expected_404s, live_server, page
from tests.browser.support import log_in
from tests.factories import VILLAGE, make_area, make_staff
from tests.support import CitizenClient, citizen

pytestmark = pytest.mark.api
__all__ = ["artifacts_dir", "browser", "expected_404s", "live_server", "page"]  # the fixtures

BASE = "/portal/admin/deletions"


@pytest.fixture
async def admin(api_server: str) -> Any:
    await make_staff(role="admin", username="admin-a", display_name="区管理员")
    portal = await sign_in(api_server, "admin-a")
    yield portal
    await portal.close()


async def asking(
    api: httpx.AsyncClient, openid: str, name: str, seq: int
) -> tuple[CitizenClient, str]:
    """A citizen with a bound identity who asked for their data to be deleted."""
    await make_area(VILLAGE)
    me = await citizen(api, openid, name=name, seq=seq)
    asked = await me.post("/api/v1/me/deletion-request", json={"reason": "不再使用小程序"})
    assert asked.status_code == 202, asked.text
    return me, str(asked.json()["id"])


async def _state() -> tuple[list[tuple[str, str]], int, int]:
    rows = await DeletionRequest.select(DeletionRequest.id, DeletionRequest.status).run()
    return (
        sorted((str(r["id"]), r["status"]) for r in rows),
        await AuditEvent.count().run(),
        await OutboxEvent.count().run(),
    )


async def test_the_list_shows_requests_by_state(
    admin: Portal, api: httpx.AsyncClient, wechat: FakeWeChat
) -> None:
    _, first = await asking(api, "del-a", "王秀英", 1)
    _, second = await asking(api, "del-b", "李建国", 2)
    await (
        DeletionRequest.update({DeletionRequest.status: "refused"})
        .where(DeletionRequest.id == second)
        .run()
    )
    pending = await admin.get(f"{BASE}/")
    assert pending.status_code == 200
    assert "王秀英" in pending.text and "李建国" not in pending.text
    assert "不再使用小程序" in pending.text and "330***" in pending.text
    refused = await admin.get(f"{BASE}/", params={"status": "refused"})
    assert "李建国" in refused.text and "王秀英" not in refused.text
    everything = await admin.get(f"{BASE}/", params={"status": "all"})
    assert "李建国" in everything.text and "王秀英" in everything.text
    assert f'href="{BASE}/{first}"' in everything.text


@pytest.mark.parametrize("status", ["gone", "pending\x1b", "'; DROP TABLE deletion_request;--"])
async def test_an_unknown_state_is_a_chinese_422(admin: Portal, status: str) -> None:
    page = await admin.get(f"{BASE}/", params={"status": status})
    assert page.status_code == 422 and "筛选条件有误" in page.text


async def test_the_page_says_what_approving_does_before_the_admin_confirms(
    admin: Portal, api: httpx.AsyncClient, wechat: FakeWeChat
) -> None:
    _, request_id = await asking(api, "del-c", "张桂兰", 3)
    page = await admin.get(f"{BASE}/{request_id}")
    assert page.status_code == 200
    for words in ("批准会怎样", "删除：微信登录与绑定", "保留但限制处理", "30 年", "不能撤回"):
        assert words in page.text
    assert 'name="confirm"' in page.text and "我已了解批准的后果" in page.text


async def test_refusing_tells_the_citizen_and_is_audited(
    admin: Portal, api: httpx.AsyncClient, wechat: FakeWeChat
) -> None:
    _, request_id = await asking(api, "del-d", "陈志强", 4)
    done = await admin.post(f"{BASE}/{request_id}/refuse", {"reason": "身份未核实，请到窗口办理"})
    assert done.status_code == 303
    assert done.headers["location"] == f"{BASE}/?status=pending&done=refused"
    shown = await admin.get(done.headers["location"])
    assert "已驳回" in shown.text
    row = await DeletionRequest.select().where(DeletionRequest.id == request_id).first().run()
    assert row is not None and row["status"] == "refused"
    assert row["note"] == "身份未核实，请到窗口办理"
    audit = await AuditEvent.select().where(AuditEvent.subject_id == request_id).run()
    assert [a["action"] for a in audit] == ["privacy_deletion_refused"]
    told = await OutboxEvent.count().where(OutboxEvent.kind == "privacy.deletion_decided").run()
    assert told == 1


async def test_approving_needs_the_tick_and_a_reason(
    admin: Portal, api: httpx.AsyncClient, wechat: FakeWeChat
) -> None:
    _, request_id = await asking(api, "del-e", "刘洋", 5)
    before = await _state()
    unticked = await admin.post(f"{BASE}/{request_id}/approve", {"reason": "核实无误"})
    assert unticked.status_code == 422
    assert "请勾选“我已了解批准的后果”" in unticked.text
    assert "核实无误" in unticked.text  # the reason is kept
    assert 'id="act-approve" open' in unticked.text
    assert await _state() == before

    done = await admin.post(
        f"{BASE}/{request_id}/approve", {"reason": "核实无误", "confirm": "yes"}
    )
    assert done.status_code == 303
    assert done.headers["location"].endswith("done=approved")
    row = await DeletionRequest.select().where(DeletionRequest.id == request_id).first().run()
    assert row is not None and row["status"] == "approved"
    audit = await AuditEvent.select().where(AuditEvent.subject_id == request_id).run()
    assert [a["action"] for a in audit] == ["privacy_deletion_approved"]
    # decided: the page shows it, with no forms left, and a second decision is refused
    page = await admin.get(f"{BASE}/{request_id}")
    assert "已批准" in page.text and 'name="confirm"' not in page.text
    again = await admin.post(f"{BASE}/{request_id}/refuse", {"reason": "改主意"})
    assert again.status_code == 404
    assert (await DeletionRequest.select().where(DeletionRequest.id == request_id).run())[0][
        "status"
    ] == "approved"


@pytest.mark.parametrize("decision", ["approve", "refuse"])
@pytest.mark.parametrize(
    ("reason", "fragment"),
    [
        ("", "请填写“操作理由”"),
        ("   ", "请填写“操作理由”"),
        ("理" * 501, "不能超过 500 个字"),
        ("核实\x1b[2J无误", "含有不能使用的字符"),
        ("\u202e误无实核", "含有不能使用的字符"),
    ],
)
async def test_a_bad_reason_is_a_chinese_422_and_changes_nothing(
    admin: Portal,
    api: httpx.AsyncClient,
    wechat: FakeWeChat,
    decision: str,
    reason: str,
    fragment: str,
) -> None:
    _, request_id = await asking(api, f"del-bad-{decision}", "周敏", 6)
    before = await _state()
    refused = await admin.post(
        f"{BASE}/{request_id}/{decision}", {"reason": reason, "confirm": "yes"}
    )
    assert refused.status_code == 422
    assert fragment in refused.text
    assert await _state() == before


async def test_a_nul_byte_is_refused_before_the_page_runs(
    admin: Portal, api: httpx.AsyncClient, wechat: FakeWeChat
) -> None:
    _, request_id = await asking(api, "del-nul", "吴芳", 7)
    before = await _state()
    refused = await admin.post(f"{BASE}/{request_id}/refuse", {"reason": "a\x00b"})
    assert refused.status_code == 400 and refused.headers["content-type"].startswith("text/html")
    assert "不能使用的字符" in refused.text
    assert await _state() == before


async def test_an_open_case_blocks_the_approval(
    admin: Portal, api: httpx.AsyncClient, wechat: FakeWeChat, small_catalogue: Any
) -> None:
    from tests.window.support import submitted

    me, request_id = await asking(api, "del-open", "郑丽", 8)
    await submitted(me)
    before = await _state()
    refused = await admin.post(f"{BASE}/{request_id}/approve", {"reason": "核实", "confirm": "yes"})
    assert refused.status_code == 409
    assert "未办结" in refused.text
    assert await _state() == before


async def test_unknown_requests_and_decisions_are_the_404_page(
    admin: Portal, api: httpx.AsyncClient, wechat: FakeWeChat
) -> None:
    _, request_id = await asking(api, "del-404", "孙磊", 9)
    for path in (f"{BASE}/nope", f"{BASE}/00000000-0000-0000-0000-000000000000"):
        assert (await admin.get(path)).status_code == 404
        assert (await admin.post(f"{path}/refuse", {"reason": "x"})).status_code == 404
    assert (await admin.post(f"{BASE}/{request_id}/erase", {"reason": "x"})).status_code == 404


@pytest.mark.parametrize("role", list(STAFF_ROLES))
async def test_every_other_role_gets_the_refusal_page(
    role: str, api: httpx.AsyncClient, api_server: str, wechat: FakeWeChat
) -> None:
    _, request_id = await asking(api, f"del-{role}", "何静", 10)
    await make_staff(role=role, username=f"{role}-nosy")
    portal = await sign_in(api_server, f"{role}-nosy")
    before = await _state()
    for path in (f"{BASE}/", f"{BASE}/{request_id}"):
        page = await portal.get(path)
        assert page.status_code == 403 and "此页面仅限管理员使用" in page.text
    for decision in ("approve", "refuse"):
        posted = await portal.post(
            f"{BASE}/{request_id}/{decision}", {"reason": "x", "confirm": "yes"}
        )
        assert posted.status_code == 403
    assert await _state() == before
    await portal.close()


@pytest.mark.browser
async def test_the_deletion_pages_in_a_browser(
    page: Page, artifacts_dir: Path, api: httpx.AsyncClient, wechat: FakeWeChat
) -> None:
    await asking(api, "del-shot-a", "王秀英", 11)
    _, other = await asking(api, "del-shot-b", "李建国", 12)
    await make_staff(role="admin", username="admin-a", display_name="区管理员")
    await log_in(page, "admin-a")
    await page.get_by_role("link", name="删除申请").click()
    await expect(page.locator("#deletion-requests")).to_contain_text("王秀英")
    await shoot(page, artifacts_dir, "deletions-list")

    await page.locator(f'a[href="{BASE}/{other}"]').click()
    await expect(page.locator("#approval-effects")).to_contain_text("保留但限制处理")
    await page.get_by_text("批准删除").click()
    await page.locator("#act-approve").get_by_label("理由（必填，将告知申请人）").fill("核实无误")
    await page.get_by_role("button", name="确认批准").click()  # the tick box is required
    await expect(page.locator("#act-approve")).to_have_attribute("open", "")
    await shoot(page, artifacts_dir, "deletions-detail")
    await page.get_by_label("我已了解批准的后果").check()
    await page.get_by_role("button", name="确认批准").click()
    await expect(page.locator("#done")).to_contain_text("已批准")


async def test_an_unverified_citizen_is_named_as_such_and_the_erased_as_erased(
    admin: Portal, api: httpx.AsyncClient, wechat: FakeWeChat
) -> None:
    """A citizen who never bound an identity still exists: not "已删除", but unverified."""
    me = await citizen(api, "del-unbound", bind=False)
    asked = await me.post("/api/v1/me/deletion-request", json={"reason": "不用了"})
    assert asked.status_code == 202, asked.text
    request_id = str(asked.json()["id"])
    short = me.id[:8]

    listed = await admin.get(f"{BASE}/")
    assert f"未实名认证的群众（编号 {short}）" in listed.text
    assert "已删除的群众" not in listed.text
    page = await admin.get(f"{BASE}/{request_id}")
    assert f"删除申请：未实名认证的群众（编号 {short}）" in page.text
    assert "（已删除" not in page.text

    # once the request no longer points at anyone (as after the erasure), it says so
    await (
        DeletionRequest.update({DeletionRequest.citizen: None, DeletionRequest.status: "completed"})
        .where(DeletionRequest.id == request_id)
        .run()
    )
    gone = await admin.get(f"{BASE}/{request_id}")
    assert "（已删除的群众）" in gone.text and "未实名认证" not in gone.text


async def test_a_decision_is_audited_with_the_state_before_and_after(
    admin: Portal, api: httpx.AsyncClient, wechat: FakeWeChat
) -> None:
    _, refused_id = await asking(api, "del-audit-a", "周敏", 11)
    _, approved_id = await asking(api, "del-audit-b", "吴磊", 12)
    assert (
        await admin.post(f"{BASE}/{refused_id}/refuse", {"reason": "请到窗口核实"})
    ).status_code == 303
    done = await admin.post(
        f"{BASE}/{approved_id}/approve", {"reason": "核实无误", "confirm": "yes"}
    )
    assert done.status_code == 303
    for request_id, outcome, note in (
        (refused_id, "refused", "请到窗口核实"),
        (approved_id, "approved", "核实无误"),
    ):
        [entry] = await AuditEvent.select().where(AuditEvent.subject_id == request_id).run()
        reason = json.loads(entry["reason"])
        assert set(reason) == {"note", "before", "after"}
        assert reason["note"] == note
        assert reason["before"] == {"status": "pending"}
        assert reason["after"]["status"] == outcome
        row = await DeletionRequest.select().where(DeletionRequest.id == request_id).first().run()
        assert row is not None
        assert datetime.fromisoformat(reason["after"]["handled_at"]) == row["handled_at"]


@pytest.mark.parametrize("reason", ["核实\u200b无误", "核实\t无误", "\u202e核实无误", "核实\ufeff"])
async def test_a_decision_reason_with_hidden_characters_is_refused(
    admin: Portal, api: httpx.AsyncClient, wechat: FakeWeChat, reason: str
) -> None:
    _, request_id = await asking(api, "del-hidden", "郑华", 13)
    before = await _state()
    refused = await admin.post(f"{BASE}/{request_id}/refuse", {"reason": reason})
    assert refused.status_code == 422
    assert "“操作理由”含有不能使用的字符" in refused.text
    assert await _state() == before
    # a reason over several lines is fine
    ok = await admin.post(f"{BASE}/{request_id}/refuse", {"reason": "身份未核实\r\n请到窗口办理"})
    assert ok.status_code == 303

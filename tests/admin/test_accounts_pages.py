"""The administrator's account pages (账号管理): every action, its audit, its refusals."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from backend.audit.tables import AuditEvent
from backend.identity.tables import StaffUser
from tests.browser.conftest import artifacts_dir, browser, expected_404s, live_server, page
from tests.browser.support import log_in
from tests.factories import (
    DEFAULT_PASSWORD,
    TOWNSHIP,
    VILLAGE,
    make_area,
    make_department,
    make_staff,
)

pytestmark = pytest.mark.api
__all__ = ["artifacts_dir", "browser", "expected_404s", "live_server", "page"]  # the fixtures

CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')
BASE = "/portal/admin/accounts"
OTHER_TOWNSHIP = "330109120"
STAFF_ROLES = ("agent", "window", "approver", "supervisor")


class Portal:
    """A browser-like client signed in to the portal, with its CSRF token."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.token = token

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.get(path, **kw)

    async def post(self, path: str, data: dict[str, str] | None = None) -> httpx.Response:
        return await self.client.post(path, data={**(data or {}), "_csrf_token": self.token})

    async def close(self) -> None:
        await self.client.aclose()


async def sign_in(base_url: str, username: str, password: str = DEFAULT_PASSWORD) -> Portal:
    client = httpx.AsyncClient(base_url=base_url, timeout=30.0, follow_redirects=False)
    form = await client.get("/portal/login")
    token = CSRF_INPUT.search(form.text)
    assert token, form.text[:300]
    signed = await client.post(
        "/portal/login",
        data={"username": username, "password": password, "_csrf_token": token.group(1)},
    )
    assert signed.status_code == 303, signed.text[:300]
    page = await client.get("/portal/notices")
    fresh = CSRF_INPUT.search(page.text)
    assert fresh, page.text[:300]
    return Portal(client, fresh.group(1))


@pytest.fixture
async def admin(api_server: str) -> Any:
    await make_staff(role="admin", username="admin-a", display_name="区管理员")
    portal = await sign_in(api_server, "admin-a")
    yield portal
    await portal.close()


async def _staff_row(username: str) -> dict[str, Any]:
    row = await StaffUser.select().where(StaffUser.username == username).first().run()
    assert row is not None
    return row


async def _audits(subject_id: Any) -> list[dict[str, Any]]:
    return await (
        AuditEvent.select()
        .where(AuditEvent.subject_id == str(subject_id))
        .order_by(AuditEvent.id)
        .run()
    )


async def _counts() -> tuple[int, int]:
    return await StaffUser.count().run(), await AuditEvent.count().run()


def _temporary_password(html: str) -> str:
    found = re.search(r'id="temporary-password">([^<]+)<', html)
    assert found, html[:2000]
    return found.group(1)


# --- the list -------------------------------------------------------------------------------


async def test_the_list_filters_by_role_area_and_state_and_pages_in_sql(admin: Portal) -> None:
    await make_area(OTHER_TOWNSHIP, name="另一镇")
    await make_staff(role="window", username="window-yi", display_name="益农窗口")
    await make_staff(role="window", username="window-other", area_code=OTHER_TOWNSHIP)
    await make_staff(role="agent", username="agent-cun", display_name="村代办员")
    for n in range(21):
        await make_staff(role="supervisor", username=f"sup-{n:02d}")

    page = await admin.get(f"{BASE}/")
    assert page.status_code == 200
    assert "第 1 / 2 页" in page.text and "下一页" in page.text
    second = await admin.get(f"{BASE}/", params={"page": 2})
    assert second.status_code == 200 and "第 2 / 2 页" in second.text

    windows = await admin.get(f"{BASE}/", params={"role": "window"})
    assert "window-yi" in windows.text and "window-other" in windows.text
    assert "agent-cun" not in windows.text and "sup-00" not in windows.text

    # a township's filter takes its villages too
    here = await admin.get(f"{BASE}/", params={"area": TOWNSHIP})
    assert "window-yi" in here.text and "agent-cun" in here.text
    assert "window-other" not in here.text

    await StaffUser.update({StaffUser.active: False}).where(StaffUser.username == "sup-03").run()
    disabled = await admin.get(f"{BASE}/", params={"state": "disabled"})
    assert "sup-03" in disabled.text and "sup-04" not in disabled.text


async def test_the_list_searches_usernames_and_names_with_the_other_filters(
    admin: Portal,
) -> None:
    await make_staff(role="window", username="window-zhang", display_name="张晓明")
    await make_staff(role="agent", username="agent-zhang", display_name="张大山")
    await make_staff(role="window", username="window-li", display_name="李四")
    await make_staff(role="window", username="win_dow-x", display_name="百分之百%")
    for n in range(21):
        await make_staff(role="supervisor", username=f"sup-mass-{n:02d}", display_name="监管")

    def names(html: str) -> list[str]:
        return re.findall(r'data-username="([^"]+)"', html)

    by_name = await admin.get(f"{BASE}/", params={"q": "张"})
    assert sorted(names(by_name.text)) == ["agent-zhang", "window-zhang"]
    by_username = await admin.get(f"{BASE}/", params={"q": "ZHANG"})  # case does not matter
    assert sorted(names(by_username.text)) == ["agent-zhang", "window-zhang"]
    combined = await admin.get(f"{BASE}/", params={"q": "张", "role": "window"})
    assert names(combined.text) == ["window-zhang"]
    assert 'value="张"' in combined.text  # the search box keeps what was typed

    # % and _ are taken literally
    underscore = await admin.get(f"{BASE}/", params={"q": "_"})
    assert names(underscore.text) == ["win_dow-x"]
    percent = await admin.get(f"{BASE}/", params={"q": "%"})
    assert names(percent.text) == ["win_dow-x"]
    nothing = await admin.get(f"{BASE}/", params={"q": "无此人"})
    assert nothing.status_code == 200 and "没有符合条件的账号" in nothing.text

    # paged in SQL, and the pager keeps the search
    mass = await admin.get(f"{BASE}/", params={"q": "sup-mass"})
    assert len(names(mass.text)) == 20 and "第 1 / 2 页" in mass.text
    assert "q=sup-mass" in mass.text
    second = await admin.get(f"{BASE}/", params={"q": "sup-mass", "page": 2})
    assert names(second.text) == ["sup-mass-20"]


@pytest.mark.parametrize(
    "params",
    [
        {"role": "king"},
        {"area": "999999999"},
        {"state": "sleeping"},
        {"role": "window\x1b"},
        {"area": "'; DROP TABLE staff_user; --"},
        {"q": "张\u202e三"},
        {"q": "x" * 65},
    ],
)
async def test_an_unknown_filter_is_a_chinese_422(admin: Portal, params: dict[str, str]) -> None:
    page = await admin.get(f"{BASE}/", params=params)
    assert page.status_code == 422
    assert "筛选条件有误" in page.text


# --- a new account --------------------------------------------------------------------------


async def test_a_new_account_gets_a_temporary_password_shown_once(
    admin: Portal, api_server: str
) -> None:
    await make_area(VILLAGE)
    form = await admin.get(f"{BASE}/new")
    assert form.status_code == 200 and 'name="username"' in form.text
    made = await admin.post(
        f"{BASE}/new",
        {
            "username": "agent-new",
            "display_name": "新代办员",
            "role": "agent",
            "area_code": VILLAGE,
        },
    )
    assert made.status_code == 200, made.text[:500]
    assert made.headers["cache-control"] == "no-store"
    password = _temporary_password(made.text)
    assert "只显示这一次" in made.text

    row = await _staff_row("agent-new")
    assert row["must_change_password"] is True and row["display_name"] == "新代办员"
    assert password not in row["password_hash"]
    [entry] = await _audits(row["id"])
    assert entry["action"] == "staff_create"
    reason = json.loads(entry["reason"])
    assert reason["before"] == {} and reason["after"]["role"] == "agent"
    assert password not in entry["reason"]

    # the account page never shows it again
    again = await admin.get(f"{BASE}/{row['id']}")
    assert again.status_code == 200 and password not in again.text

    # the new member of staff logs in with it and must change it first
    newcomer = await sign_in_expecting_password_change(api_server, "agent-new", password)
    assert newcomer.status_code == 303 and newcomer.headers["location"] == "/portal/password"


async def sign_in_expecting_password_change(
    base_url: str, username: str, password: str
) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url, follow_redirects=False) as client:
        form = await client.get("/portal/login")
        token = CSRF_INPUT.search(form.text)
        assert token
        signed = await client.post(
            "/portal/login",
            data={"username": username, "password": password, "_csrf_token": token.group(1)},
        )
        assert signed.status_code == 303, signed.text[:300]
        return await client.get("/portal/")


async def test_an_approver_needs_a_department(admin: Portal) -> None:
    await make_department("MZ", "区民政局")
    before = await _counts()
    missing = await admin.post(
        f"{BASE}/new",
        {"username": "approver-mz", "display_name": "民政审批", "role": "approver"}
        | {"area_code": "330109"},
    )
    assert missing.status_code == 422
    assert "部门" in missing.text and 'value="approver-mz"' in missing.text
    assert await _counts() == before
    made = await admin.post(
        f"{BASE}/new",
        {"username": "approver-mz", "display_name": "民政审批", "role": "approver"}
        | {"area_code": "330109", "department_code": "MZ"},
    )
    assert made.status_code == 200, made.text[:500]
    assert (await _staff_row("approver-mz"))["department"] == "MZ"


GOOD = {"username": "window-ok", "display_name": "窗口", "role": "window", "area_code": TOWNSHIP}


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"username": ""}, "请填写“用户名”"),
        ({"display_name": "   "}, "请填写“姓名”"),
        ({"display_name": "名" * 65}, "“姓名”不能超过 64 个字"),
        ({"username": "a" * 65}, "“用户名”不能超过 64 个字"),
        ({"role": "king"}, "请从列表中选择角色"),
        ({"role": ""}, "请选择“角色”"),
        ({"area_code": "330109999"}, "请从列表中选择所属区划"),
        ({"display_name": "张\x1b[31m三"}, "“姓名”含有不能使用的字符"),
        ({"display_name": "张\u202e三"}, "“姓名”含有不能使用的字符"),
        ({"username": "bad\x07name"}, "“用户名”含有不能使用的字符"),
        ({"username": "Robert'); DROP TABLE staff_user;--"}, "用户名须为"),
        ({"role": "admin"}, "管理员须设在区级"),  # an administrator is district-wide
    ],
)
async def test_a_wrong_new_account_is_a_chinese_422_and_nothing_changes(
    admin: Portal, changes: dict[str, str], fragment: str
) -> None:
    await make_area(TOWNSHIP)
    before = await _counts()
    refused = await admin.post(f"{BASE}/new", GOOD | changes)
    assert refused.status_code == 422, refused.text[:500]
    assert fragment in refused.text
    assert await _counts() == before
    kept_name = (GOOD | changes)["display_name"]
    if kept_name.isprintable() and len(kept_name) <= 64 and kept_name.strip():
        assert f'value="{kept_name}"' in refused.text  # the form comes back filled in


async def test_nul_bytes_and_broken_utf8_are_refused_before_the_page_runs(admin: Portal) -> None:
    """The app's input guard refuses (400, the portal's page in Chinese) what PostgreSQL cannot
    hold."""
    await make_area(TOWNSHIP)
    before = await _counts()
    nul = await admin.post(f"{BASE}/new", GOOD | {"display_name": "张\x00三"})
    assert nul.status_code == 400 and nul.headers["content-type"].startswith("text/html")
    assert "不能使用的字符" in nul.text
    broken = await admin.client.post(
        f"{BASE}/new",
        content=b"username=window-x&display_name=%FF%FE&role=window&area_code=330109110"
        + f"&_csrf_token={admin.token}".encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert broken.status_code == 400 and "不能使用的字符" in broken.text
    assert await _counts() == before


async def test_a_taken_username_is_refused(admin: Portal) -> None:
    await make_staff(role="window", username="window-ok")
    before = await _counts()
    refused = await admin.post(f"{BASE}/new", GOOD)
    assert refused.status_code == 409
    assert "已被使用" in refused.text
    assert await _counts() == before


def _field_errors(html: str) -> list[str]:
    return re.findall(r'<span class="field-error" role="alert">([^<]+)</span>', html)


async def test_every_wrong_field_is_named_beside_it_at_once(admin: Portal) -> None:
    """A bad username, an empty name and a window clerk at a village: all three in one answer,
    each beside its field, the values kept."""
    await make_area(VILLAGE)
    before = await _counts()
    refused = await admin.post(
        f"{BASE}/new",
        {"username": "Bad Name!", "display_name": "", "role": "window", "area_code": VILLAGE},
    )
    assert refused.status_code == 422, refused.text[:500]
    errors = _field_errors(refused.text)
    assert len(errors) == 3, errors
    assert errors[0].startswith("用户名须为")
    assert errors[1] == "请填写“姓名”。"
    assert errors[2].startswith("窗口人员须设在镇街")
    assert 'value="Bad Name!"' in refused.text
    assert re.search(rf'<option value="{VILLAGE}" selected>', refused.text)
    assert re.search(r'<option value="window" selected>', refused.text)
    assert await _counts() == before


async def test_a_taken_username_is_said_beside_the_field(admin: Portal) -> None:
    await make_staff(role="window", username="window-ok")
    refused = await admin.post(f"{BASE}/new", GOOD | {"display_name": "第二个"})
    assert refused.status_code == 409
    assert any("已被使用" in e for e in _field_errors(refused.text))
    assert 'value="第二个"' in refused.text


@pytest.mark.parametrize(
    "name",
    [
        "张\n三",
        "张\r三",
        "张\t三",
        "adm\u200bin",
        "张\u200c三",
        "张\u200d三",
        "张\u200e三",
        "张\u200f三",
        "张\u202a三",
        "张\u202e三",
        "张\u2066三",
        "张\u2069三",
        "\ufeff张三",
        "张\x85三",
        "张\x9f三",
    ],
)
async def test_a_name_with_hidden_characters_is_refused(admin: Portal, name: str) -> None:
    await make_area(TOWNSHIP)
    before = await _counts()
    refused = await admin.post(f"{BASE}/new", GOOD | {"display_name": name})
    assert refused.status_code == 422
    assert _field_errors(refused.text) == ["“姓名”含有不能使用的字符。"]
    assert await _counts() == before


async def test_the_creation_audit_holds_the_name_and_never_the_password(admin: Portal) -> None:
    await make_area(TOWNSHIP)
    made = await admin.post(f"{BASE}/new", GOOD | {"display_name": "窗口小王"})
    assert made.status_code == 200, made.text[:500]
    password = _temporary_password(made.text)
    row = await _staff_row("window-ok")
    [entry] = await _audits(row["id"])
    after = json.loads(entry["reason"])["after"]
    assert after["display_name"] == "窗口小王" and after["username"] == "window-ok"
    assert password not in entry["reason"] and "password_hash" not in after


async def test_the_use_case_refuses_hidden_characters_in_a_name_too(settings: Any) -> None:
    from backend.audit.service import Actor, AuditLog
    from backend.errors import InvalidInput
    from backend.identity import staff_admin

    await make_area(TOWNSHIP)
    with pytest.raises(InvalidInput, match="姓名"):
        await staff_admin.create_account(
            audit=AuditLog(settings.audit_key),
            actor=Actor("system", "test"),
            username="window-hidden",
            display_name="adm\u200bin",
            role="window",
            area_code=TOWNSHIP,
            department_code=None,
        )
    assert await StaffUser.count().where(StaffUser.username == "window-hidden").run() == 0


async def _password_page(base_url: str, username: str, password: str) -> tuple[Portal, str]:
    portal = await sign_in_at_password_page(base_url, username, password)
    page = await portal.get("/portal/password")
    assert page.status_code == 200
    return portal, page.text


async def sign_in_at_password_page(base_url: str, username: str, password: str) -> Portal:
    client = httpx.AsyncClient(base_url=base_url, timeout=30.0, follow_redirects=False)
    form = await client.get("/portal/login")
    token = CSRF_INPUT.search(form.text)
    assert token
    signed = await client.post(
        "/portal/login",
        data={"username": username, "password": password, "_csrf_token": token.group(1)},
    )
    assert signed.status_code == 303, signed.text[:300]
    page = await client.get("/portal/password")
    fresh = CSRF_INPUT.search(page.text)
    assert fresh, page.text[:300]
    return Portal(client, fresh.group(1))


NEW_OWN_PASSWORD = "maple-quarry-signal-58"


async def test_a_new_account_is_asked_for_its_own_password_then_goes_home(
    admin: Portal, api_server: str
) -> None:
    await make_area(TOWNSHIP)
    made = await admin.post(f"{BASE}/new", GOOD)
    password = _temporary_password(made.text)
    newcomer, text = await _password_page(api_server, "window-ok", password)
    assert "请先设置您自己的密码（管理员发给您的是临时密码）" in text
    assert "重置" not in text
    changed = await newcomer.post(
        "/portal/password",
        {
            "current_password": password,
            "new_password": NEW_OWN_PASSWORD,
            "confirm_password": NEW_OWN_PASSWORD,
        },
    )
    assert changed.status_code == 303 and changed.headers["location"] == "/portal/"
    home = await newcomer.get("/portal/")
    assert home.status_code == 200
    # a change of one's own accord afterwards stays on the page and says it is done
    again = await newcomer.get("/portal/password")
    token = CSRF_INPUT.search(again.text)
    assert token
    newcomer.token = token.group(1)
    own = await newcomer.post(
        "/portal/password",
        {
            "current_password": NEW_OWN_PASSWORD,
            "new_password": "harbor-lantern-thistle-93",
            "confirm_password": "harbor-lantern-thistle-93",
        },
    )
    assert own.status_code == 200 and "密码已修改" in own.text
    await newcomer.close()

    # one who had set their own password and is then reset is told it was a reset
    row = await _staff_row("window-ok")
    reset = await admin.post(f"{BASE}/{row['id']}/reset-password", {"reason": "本人忘记密码"})
    temporary = _temporary_password(reset.text)
    back, text = await _password_page(api_server, "window-ok", temporary)
    assert "管理员已重置您的密码" in text
    await back.close()


async def test_a_reset_of_a_disabled_account_says_it_stays_disabled(admin: Portal) -> None:
    clerk = await make_staff(role="window", username="window-away")
    await StaffUser.update({StaffUser.active: False}).where(StaffUser.id == clerk.id).run()
    reset = await admin.post(f"{BASE}/{clerk.id}/reset-password", {"reason": "本人忘记密码"})
    assert reset.status_code == 200
    assert 'id="still-disabled"' in reset.text and "仍处于<strong>停用</strong>状态" in reset.text
    assert not (await _staff_row("window-away"))["active"]
    active = await make_staff(role="window", username="window-here-now")
    shown = await admin.post(f"{BASE}/{active.id}/reset-password", {"reason": "本人忘记密码"})
    assert 'id="still-disabled"' not in shown.text


# --- one account ----------------------------------------------------------------------------


async def test_role_and_area_change_is_audited_before_and_after(admin: Portal) -> None:
    await make_area(OTHER_TOWNSHIP, name="另一镇")
    clerk = await make_staff(role="window", username="window-move")
    moved = await admin.post(
        f"{BASE}/{clerk.id}/assignment",
        {"role": "window", "area_code": OTHER_TOWNSHIP, "reason": "调至另一镇"},
    )
    assert moved.status_code == 303
    assert moved.headers["location"] == f"{BASE}/{clerk.id}?done=assignment"
    shown = await admin.get(moved.headers["location"])
    assert "角色和区划已修改" in shown.text and "另一镇" in shown.text
    row = await _staff_row("window-move")
    assert row["area"] == OTHER_TOWNSHIP
    [entry] = await _audits(clerk.id)
    assert entry["action"] == "staff_reassign"
    reason = json.loads(entry["reason"])
    assert reason["note"] == "调至另一镇"
    assert reason["before"]["area_code"] == TOWNSHIP
    assert reason["after"]["area_code"] == OTHER_TOWNSHIP


@pytest.mark.parametrize(
    ("form", "fragment"),
    [
        ({"role": "window", "area_code": TOWNSHIP, "reason": ""}, "请填写“操作理由”"),
        ({"role": "window", "area_code": TOWNSHIP, "reason": "理" * 501}, "不能超过 500 个字"),
        ({"role": "emperor", "area_code": TOWNSHIP, "reason": "升职"}, "请从列表中选择角色"),
        ({"role": "window", "area_code": "330109777", "reason": "调动"}, "请从列表中选择所属区划"),
        ({"role": "window", "area_code": TOWNSHIP, "reason": "x\x7fy"}, "含有不能使用的字符"),
        ({"role": "admin", "area_code": TOWNSHIP, "reason": "调动"}, "管理员须设在区级"),
        ({"role": "approver", "area_code": TOWNSHIP, "reason": "调动"}, "请选择“部门”"),
    ],
)
async def test_a_wrong_reassignment_is_a_chinese_422_and_nothing_changes(
    admin: Portal, form: dict[str, str], fragment: str
) -> None:
    clerk = await make_staff(role="window", username="window-stay")
    before = await _counts()
    refused = await admin.post(f"{BASE}/{clerk.id}/assignment", form)
    assert refused.status_code == 422, refused.text[:500]
    assert fragment in refused.text
    assert 'id="act-assignment" open' in refused.text
    assert await _counts() == before
    row = await _staff_row("window-stay")
    assert (row["role"], row["area"]) == ("window", TOWNSHIP)


async def test_a_reassignment_names_every_wrong_field_at_once(admin: Portal) -> None:
    await make_area(VILLAGE)
    clerk = await make_staff(role="window", username="window-stay")
    refused = await admin.post(
        f"{BASE}/{clerk.id}/assignment", {"role": "window", "area_code": VILLAGE, "reason": ""}
    )
    assert refused.status_code == 422
    errors = _field_errors(refused.text)
    assert len(errors) == 2, errors
    assert errors[0].startswith("窗口人员须设在镇街") and errors[1] == "请填写“操作理由”。"
    assert re.search(rf'<option value="{VILLAGE}" selected>', refused.text)
    assert (await _staff_row("window-stay"))["area"] == TOWNSHIP


async def test_the_admin_cannot_change_their_own_role_or_disable_themselves(admin: Portal) -> None:
    await make_area(TOWNSHIP)
    me = await _staff_row("admin-a")
    before = await _counts()
    own_role = await admin.post(
        f"{BASE}/{me['id']}/assignment", {"role": "window", "area_code": TOWNSHIP, "reason": "试"}
    )
    assert own_role.status_code == 409 and "不能修改自己的角色和区划" in own_role.text
    own_off = await admin.post(f"{BASE}/{me['id']}/disable", {"reason": "试试"})
    assert own_off.status_code == 409 and "不能停用自己的账号" in own_off.text
    assert await _counts() == before


async def test_disabling_refuses_the_open_portal_session_and_the_api_token_at_once(
    admin: Portal, api: httpx.AsyncClient, api_server: str
) -> None:
    clerk = await make_staff(role="window", username="window-leaving")
    session = await sign_in(api_server, "window-leaving")
    login = await api.post(
        "/api/v1/auth/staff/login",
        json={"username": "window-leaving", "password": DEFAULT_PASSWORD},
    )
    bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert (await session.get("/portal/window/queue")).status_code == 200
    assert (await api.get("/api/v1/staff/me", headers=bearer)).status_code == 200

    off = await admin.post(f"{BASE}/{clerk.id}/disable", {"reason": "调离岗位"})
    assert off.status_code == 303

    refused = await session.get("/portal/window/queue")
    assert refused.status_code == 303
    assert refused.headers["location"].startswith("/portal/login")
    api_refused = await api.get("/api/v1/staff/me", headers=bearer)
    assert api_refused.status_code == 401
    assert api_refused.json()["code"] == "account_inactive"
    await session.close()

    listed = await admin.get(f"{BASE}/", params={"state": "disabled"})
    assert "window-leaving" in listed.text
    [entry] = await _audits(clerk.id)
    assert entry["action"] == "staff_disable"
    reason = json.loads(entry["reason"])
    assert reason["before"]["active"] is True and reason["after"]["active"] is False

    back = await admin.post(f"{BASE}/{clerk.id}/enable", {"reason": "返回岗位"})
    assert back.status_code == 303
    again = await sign_in(api_server, "window-leaving")
    assert (await again.get("/portal/window/queue")).status_code == 200
    await again.close()


async def test_unlock_lets_a_locked_account_log_in_again(
    admin: Portal, api: httpx.AsyncClient
) -> None:
    clerk = await make_staff(role="window", username="window-locked")
    for _ in range(5):
        await api.post(
            "/api/v1/auth/staff/login", json={"username": "window-locked", "password": "wrong-pw"}
        )
    locked = await api.post(
        "/api/v1/auth/staff/login",
        json={"username": "window-locked", "password": DEFAULT_PASSWORD},
    )
    assert locked.status_code == 429
    listed = await admin.get(f"{BASE}/", params={"state": "locked"})
    assert "window-locked" in listed.text
    detail = await admin.get(f"{BASE}/{clerk.id}")
    assert "解除登录锁定" in detail.text

    done = await admin.post(f"{BASE}/{clerk.id}/unlock", {"reason": "本人来电核实"})
    assert done.status_code == 303
    login = await api.post(
        "/api/v1/auth/staff/login",
        json={"username": "window-locked", "password": DEFAULT_PASSWORD},
    )
    assert login.status_code == 200
    [entry] = await _audits(clerk.id)
    reason = json.loads(entry["reason"])
    assert entry["action"] == "staff_unlock"
    assert reason["before"]["locked"] is True and reason["after"]["locked"] is False


async def test_a_reset_password_is_shown_once_and_ends_every_session(
    admin: Portal, api_server: str
) -> None:
    clerk = await make_staff(role="window", username="window-forgot")
    session = await sign_in(api_server, "window-forgot")
    reset = await admin.post(f"{BASE}/{clerk.id}/reset-password", {"reason": "本人忘记密码"})
    assert reset.status_code == 200
    assert reset.headers["cache-control"] == "no-store"
    password = _temporary_password(reset.text)
    assert (await session.get("/portal/window/queue")).status_code == 303
    await session.close()
    changed = await sign_in_expecting_password_change(api_server, "window-forgot", password)
    assert changed.headers["location"] == "/portal/password"
    [entry] = await _audits(clerk.id)
    assert entry["action"] == "staff_reset_password" and password not in entry["reason"]


async def test_ending_every_session_keeps_the_password(
    admin: Portal, api: httpx.AsyncClient, api_server: str
) -> None:
    clerk = await make_staff(role="window", username="window-phone-lost")
    session = await sign_in(api_server, "window-phone-lost")
    login = await api.post(
        "/api/v1/auth/staff/login",
        json={"username": "window-phone-lost", "password": DEFAULT_PASSWORD},
    )
    bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
    ended = await admin.post(f"{BASE}/{clerk.id}/end-sessions", {"reason": "手机遗失"})
    assert ended.status_code == 303
    assert (await session.get("/portal/window/queue")).status_code == 303
    assert (await api.get("/api/v1/staff/me", headers=bearer)).status_code == 401
    await session.close()
    fresh = await sign_in(api_server, "window-phone-lost")
    assert (await fresh.get("/portal/window/queue")).status_code == 200
    await fresh.close()
    [entry] = await _audits(clerk.id)
    reason = json.loads(entry["reason"])
    assert entry["action"] == "staff_end_sessions"
    assert reason["after"]["token_version"] == reason["before"]["token_version"] + 1


@pytest.mark.parametrize("action", ["disable", "unlock", "reset-password", "end-sessions"])
@pytest.mark.parametrize(
    ("reason", "fragment"),
    [("", "请填写“操作理由”"), ("长" * 501, "不能超过 500 个字"), ("\x08", "不能使用的字符")],
)
async def test_an_action_without_a_good_reason_changes_nothing(
    admin: Portal, action: str, reason: str, fragment: str
) -> None:
    clerk = await make_staff(role="window", username="window-keep")
    before_row, before = await _staff_row("window-keep"), await _counts()
    refused = await admin.post(f"{BASE}/{clerk.id}/{action}", {"reason": reason})
    assert refused.status_code == 422
    assert fragment in refused.text
    assert await _staff_row("window-keep") == before_row
    assert await _counts() == before


async def test_unknown_accounts_and_actions_are_the_404_page(admin: Portal) -> None:
    clerk = await make_staff(role="window", username="window-here")
    for path in (f"{BASE}/not-a-uuid", f"{BASE}/00000000-0000-0000-0000-000000000000"):
        assert (await admin.get(path)).status_code == 404
        assert (await admin.post(f"{path}/disable", {"reason": "x"})).status_code == 404
    assert (await admin.post(f"{BASE}/{clerk.id}/promote", {"reason": "x"})).status_code == 404


# --- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(STAFF_ROLES))
async def test_every_other_role_gets_the_refusal_page(role: str, api_server: str) -> None:
    member = await make_staff(role=role, username=f"{role}-nosy")
    target = await make_staff(role="window", username="window-target")
    portal = await sign_in(api_server, f"{role}-nosy")
    before = await _counts()
    for path in (f"{BASE}/", f"{BASE}/new", f"{BASE}/{target.id}", f"{BASE}/{member.id}"):
        page = await portal.get(path)
        assert page.status_code == 403, path
        assert "此页面仅限管理员使用" in page.text
    for path, form in (
        (f"{BASE}/new", GOOD),
        (f"{BASE}/{target.id}/disable", {"reason": "x"}),
        (f"{BASE}/{target.id}/reset-password", {"reason": "x"}),
        (f"{BASE}/{target.id}/end-sessions", {"reason": "x"}),
        (f"{BASE}/{member.id}/assignment", {"role": "admin", "area_code": "330109"}),
    ):
        assert (await portal.post(path, form | {"reason": "x"})).status_code == 403, path
    assert await _counts() == before
    home = await portal.get("/portal/")
    assert "/portal/admin/accounts" not in home.text
    await portal.close()


async def test_without_a_session_the_pages_send_to_the_login(api_server: str) -> None:
    async with httpx.AsyncClient(base_url=api_server, follow_redirects=False) as anonymous:
        page = await anonymous.get(f"{BASE}/")
        assert page.status_code == 303 and page.headers["location"].startswith("/portal/login")


async def test_the_home_page_has_the_admin_cards(admin: Portal) -> None:
    home = await admin.get("/portal/")
    assert 'href="/portal/admin/accounts/"' in home.text
    assert 'href="/portal/admin/deletions/"' in home.text
    for path in ("/portal/admin/accounts/", "/portal/admin/deletions/"):
        assert (await admin.get(path)).status_code == 200


@pytest.mark.parametrize("role", [*STAFF_ROLES, "admin"])
async def test_every_role_can_reach_its_own_password_page_from_the_menu(
    role: str, api_server: str
) -> None:
    await make_staff(role=role, username=f"{role}-menu")
    portal = await sign_in(api_server, f"{role}-menu")
    home = await portal.get("/portal/")
    assert 'href="/portal/password"' in home.text
    desk = {
        "agent": "/portal/agent/villagers",
        "window": "/portal/window/queue",
        "approver": "/portal/review",
        "supervisor": "/portal/supervision/",
        "admin": "/portal/admin/accounts/",
    }[role]
    inside = await portal.get(desk)
    assert inside.status_code == 200 and 'href="/portal/password"' in inside.text
    own = await portal.get("/portal/password")
    assert own.status_code == 200 and f"{role}-menu" in own.text
    await portal.close()


# --- in a real browser, at desktop and phone widths -----------------------------------------

WIDTHS = (1440, 390)


async def shoot(page: Page, artifacts_dir: Path, name: str) -> None:
    """The page at each width, saved as ``test-artifacts/admin/<name>-<width>.png``; nothing
    may stick out sideways on the phone."""
    folder = artifacts_dir / "admin"
    folder.mkdir(exist_ok=True)
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 900})
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} is {overflow}px too wide at {width}"
        await page.screenshot(path=folder / f"{name}-{width}.png", full_page=True)


@pytest.mark.browser
async def test_the_account_pages_in_a_browser(page: Page, artifacts_dir: Path) -> None:
    await make_area(VILLAGE)
    await make_area(OTHER_TOWNSHIP, name="另一镇")
    await make_staff(role="admin", username="admin-a", display_name="区管理员")
    await make_staff(role="window", username="window-yinong", display_name="益农窗口小李")
    off = await make_staff(role="agent", username="agent-cun", display_name="村代办员老王")
    await StaffUser.update({StaffUser.active: False}).where(StaffUser.id == off.id).run()
    await make_department("GA")
    await make_staff(role="approver", username="approver-ga", display_name="公安审批")

    await log_in(page, "admin-a")
    await page.get_by_role("link", name="账号管理").click()
    await expect(page.locator("#accounts")).to_contain_text("益农窗口小李")
    await shoot(page, artifacts_dir, "accounts-list")

    await page.get_by_label("用户名或姓名").fill("益农")
    await page.get_by_role("button", name="查找").click()
    await expect(page.locator("#accounts li")).to_have_count(1)
    await expect(page.locator("#accounts")).to_contain_text("益农窗口小李")

    await page.get_by_role("link", name="新建账号").click()
    await page.get_by_label("用户名").fill("Bad Name!")
    await page.get_by_label("角色").select_option("window")
    await page.get_by_label("所属区划").select_option(VILLAGE)
    await page.locator("#new-account-form").evaluate("f => f.noValidate = true")
    await page.get_by_role("button", name="新建账号").click()
    await expect(page.locator(".field-error")).to_have_count(3)
    await shoot(page, artifacts_dir, "accounts-new-errors")
    await page.get_by_label("用户名").fill("window-new")
    await page.get_by_label("姓名").fill("新来的窗口人员")
    await page.get_by_label("角色").select_option("window")
    await page.get_by_label("所属区划").select_option(TOWNSHIP)
    await shoot(page, artifacts_dir, "accounts-new")
    await page.get_by_role("button", name="新建账号").click()
    await expect(page.locator("#temporary-password")).to_be_visible()
    await shoot(page, artifacts_dir, "accounts-password")

    await page.get_by_role("link", name="← 返回账号").click()
    await expect(page.locator("#account-facts")).to_contain_text("窗口人员")
    await page.get_by_text("停用账号").click()
    await (
        page.locator("#act-disable").get_by_label("操作理由（必填，写入审计日志）").fill("调离岗位")
    )
    await shoot(page, artifacts_dir, "accounts-detail")
    await page.get_by_role("button", name="确认停用").click()
    await expect(page.locator("#done")).to_contain_text("账号已停用")

"""The administrator's external platform pages (外部一窗平台): a township's address, account and
switch, audited with before and after (never the secret, which is configuration and never
shown); the outbound-address rule refused in Chinese; failed pushes listed and retried; bad input
named field by field with nothing changed; other roles refused."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest

from backend.cases.tables import Case
from backend.platform.tables import PlatformPush, TownshipPlatform
from tests.admin.settings_support import audit_rows, portal, post_form
from tests.platform.conftest import submit
from tests.servers import PRODUCTION, app_server

pytestmark = pytest.mark.api

PAGE = "/portal/admin/platforms/"
FAILURES = "/portal/admin/platforms/failures"
YINONG = "330109110"
SECRET_APP = "xs-platform-test"  # PLATFORM_SECRETS of the test settings
SECRET = "test-platform-secret"


async def test_an_administrator_points_a_township_at_a_platform_and_back(
    api, small_catalogue
) -> None:
    admin = await portal(api, "pf-page-admin")
    form = {"township": YINONG, "base_url": "http://127.0.0.1:9/yc/", "app_id": SECRET_APP}
    saved = await post_form(admin, PAGE, PAGE, {**form, "active": "on"})
    assert saved.status_code == 303, saved.text
    listed = html.unescape((await admin.get(saved.headers["location"])).text)
    assert "已保存镇街的平台设置" in listed and "益农镇" in listed and "已启用" in listed
    assert "已设置" in listed and SECRET not in listed

    editing = html.unescape((await admin.get(PAGE, params={"edit": YINONG})).text)
    assert 'value="http://127.0.0.1:9/yc/"' in editing and SECRET not in editing
    off = await post_form(admin, PAGE, PAGE, form)  # the box unticked: back to the queue
    assert off.status_code == 303
    row = await TownshipPlatform.select().first().run()
    assert row["active"] is False and row["base_url"] == "http://127.0.0.1:9/yc/"
    assert "已停用" in html.unescape((await admin.get(PAGE)).text)

    first, second = await audit_rows("platform_configure_township")
    assert first["reason"]["before"] is None
    assert first["reason"]["after"] == {
        "base_url": "http://127.0.0.1:9/yc/",
        "app_id": SECRET_APP,
        "active": True,
    }
    assert second["reason"]["before"]["active"] is True
    assert second["reason"]["after"]["active"] is False
    assert all(SECRET not in str(r["reason"]) for r in (first, second))


async def test_bad_input_names_each_field_and_changes_nothing(api, small_catalogue) -> None:
    admin = await portal(api, "pf-page-bad")
    refused = await post_form(
        admin, PAGE, PAGE, {"township": "", "base_url": "", "app_id": "有 空格", "active": "on"}
    )
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    for message in ("请选择镇街", "请填写平台地址", "平台账号（app id）只能由字母"):
        assert message in text, message

    base = {"township": YINONG, "app_id": SECRET_APP, "active": "on"}
    ftp = await post_form(admin, PAGE, PAGE, {**base, "base_url": "ftp://example.gov.cn/"})
    assert ftp.status_code == 422
    assert "平台地址须为以 http:// 或 https:// 开头的地址" in html.unescape(ftp.text)
    assert 'value="ftp://example.gov.cn/"' in html.unescape(ftp.text)
    no_secret = await post_form(
        admin, PAGE, PAGE, {**base, "base_url": "http://127.0.0.1:9/", "app_id": "no-secret"}
    )
    assert no_secret.status_code == 422
    assert "尚未为该平台账号配置密钥" in html.unescape(no_secret.text)
    assert await TownshipPlatform.count().run() == 0
    assert await audit_rows("platform_configure_township") == []


async def test_loopback_and_private_addresses_are_refused_in_chinese(
    test_env: dict[str, str], small_catalogue
) -> None:
    async with app_server(test_env, **PRODUCTION) as api:
        admin = await portal(api, "pf-page-ssrf")
        base = {"township": YINONG, "app_id": SECRET_APP, "active": "on"}
        for url, words in (
            ("http://127.0.0.1:6379/", "不允许使用"),
            ("http://169.254.169.254/latest/meta-data/", "云平台元数据"),
            ("https://10.20.1.5:8443/yc/", "内网地址"),
        ):
            refused = await post_form(admin, PAGE, PAGE, {**base, "base_url": url})
            assert refused.status_code == 422, url
            assert words in html.unescape(refused.text), url
        await admin.aclose()
    assert await TownshipPlatform.count().run() == 0


async def test_a_failed_push_is_listed_and_retried(api, small_catalogue, elicense, wechat) -> None:
    await TownshipPlatform.insert(
        TownshipPlatform(township_code=YINONG, base_url="http://127.0.0.1:9/", app_id=SECRET_APP)
    ).run()
    number = await submit(api, "pf-page-failed")
    case = await Case.select(Case.id).where(Case.number == number).first().run()
    await PlatformPush.insert(
        PlatformPush(
            case=case["id"],
            township_code=YINONG,
            app_id=SECRET_APP,
            attempts=1,
            last_status="failed",
            last_error="422 事项编码未开通",
            failed_at=datetime.now(UTC),
        )
    ).run()
    admin = await portal(api, "pf-page-retry")
    listed = html.unescape((await admin.get(FAILURES)).text)
    assert f'data-number="{number}"' in listed and "事项编码未开通" in listed
    assert "重新推送" in listed

    retried = await post_form(admin, FAILURES, f"{FAILURES}/{number}/retry", {})
    assert retried.status_code == 303 and retried.headers["location"].endswith("done=retried")
    push = await PlatformPush.select().first().run()
    assert push["failed_at"] is None and push["last_status"] == "pending"
    assert "没有推送失败的办件" in html.unescape((await admin.get(FAILURES)).text)
    (row,) = await audit_rows("platform_retry_push")
    assert row["subject_id"] == number and row["reason"]["after"] == {"status": "pending"}

    again = await post_form(admin, FAILURES, f"{FAILURES}/{number}/retry", {})
    assert again.status_code == 409 and "没有推送失败记录" in html.unescape(again.text)


@pytest.mark.parametrize("role", ["supervisor", "window"])
async def test_other_roles_are_refused(api, small_catalogue, role: str) -> None:
    other = await portal(api, f"pf-page-{role}", role=role)
    assert (await other.get(PAGE)).status_code == 403
    assert (await other.get(FAILURES)).status_code == 403
    token_page = await other.get("/portal/password")
    token = token_page.text.split('name="_csrf_token" value="')[1].split('"')[0]
    body = {"township": YINONG, "base_url": "http://127.0.0.1:9/", "app_id": SECRET_APP}
    assert (await other.post(PAGE, data={**body, "_csrf_token": token})).status_code == 403
    retry = await other.post(f"{FAILURES}/XS1/retry", data={"_csrf_token": token})
    assert retry.status_code == 403
    assert await TownshipPlatform.count().run() == 0

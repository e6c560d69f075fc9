"""Binding real name, ID number, village and phone over HTTP (the real app, real PostgreSQL)."""

import pytest

from backend.fakes.wechat_server import FakeWeChat
from backend.identity.tables import Citizen
from backend.settings import Settings
from tests.api.test_login import assert_problem
from tests.factories import make_area, make_staff
from tests.identity.helpers import VILLAGE, bind_body, login, make_id_number, make_village

pytestmark = pytest.mark.api


def expected_verification(settings: Settings) -> str:
    """Verified through the fake when the app under test is pointed at one, else disabled."""
    return "verified" if settings.identity_verify_url else "disabled"


async def test_binding_fills_me_with_masked_values_only(
    api, wechat: FakeWeChat, settings: Settings
):
    await make_village()
    me = await login(api, "bind-alice")
    number = make_id_number(birth="19860517", seq=21, male=False)
    response = await me.put("/api/v1/me/identity", bind_body(number, name="王秀英"))
    assert response.status_code == 200, response.text
    body = response.json()
    verified = expected_verification(settings) == "verified"
    assert body["verification"] == expected_verification(settings)
    assert body["verification_note"]
    assert number not in response.text
    assert "19860517" not in response.text

    got = await me.get("/api/v1/me")
    assert got.status_code == 200
    assert got.json() == {
        "id": me.id,
        "name": "王秀英",
        "id_number_masked": number[:3] + "*" * 11 + number[-4:],
        "phone_masked": None,
        "identity_bound": True,
        "identity_verified": verified,
        "village_code": VILLAGE,
    }
    assert {k: v for k, v in body.items() if not k.startswith("verification")} == got.json()

    row = await Citizen.select().where(Citizen.id == me.id).first().run()
    assert row["birth_year"] == 1986
    assert row["sex"] == "female"
    assert row["id_number_enc"].startswith("k1:")
    assert number not in row["id_number_enc"]
    assert row["consent_version"] == "2026-01"
    assert row["consented_at"] is not None
    assert not any("19860517" in str(value) for value in row.values())


async def test_a_wrong_check_digit_is_422_and_changes_nothing(api, wechat: FakeWeChat):
    await make_village()
    me = await login(api, "bind-bob")
    number = make_id_number(seq=5)
    wrong = number[:17] + ("1" if number[17] != "1" else "2")
    response = await me.put("/api/v1/me/identity", bind_body(wrong))
    body = assert_problem(response, 422, "id_number_invalid")
    assert "校验位" in body["detail"]
    assert wrong not in response.text
    assert (await me.get("/api/v1/me")).json()["identity_bound"] is False


async def test_upper_and_lower_case_x_are_the_same_number(api, wechat: FakeWeChat):
    await make_village()
    me = await login(api, "bind-x")
    response = await me.put("/api/v1/me/identity", bind_body("11010519491231002x"))
    assert response.status_code == 200, response.text
    assert response.json()["id_number_masked"] == "110***********002X"
    other = await login(api, "bind-x-other")
    assert_problem(
        await other.put("/api/v1/me/identity", bind_body("11010519491231002X")),
        409,
        "id_number_taken",
    )


async def test_every_field_is_checked_at_once(api, wechat: FakeWeChat):
    await make_area("330109110")  # a township, not a village
    me = await login(api, "bind-carol")
    response = await me.put(
        "/api/v1/me/identity",
        {"name": "X", "id_number": "12345", "village_code": "330109110", "consent_version": " "},
    )
    body = assert_problem(response, 422, "id_number_invalid")
    assert {e["field"] for e in body["errors"]} == {
        "name",
        "id_number",
        "village_code",
        "consent_version",
    }
    unknown = await me.put(
        "/api/v1/me/identity",
        {**bind_body(make_id_number()), "village_code": "330109999999"},
    )
    assert_problem(unknown, 422, "identity_invalid")
    await make_village()
    good = ("阿依古丽·买买提", "张三", "欧阳娜娜", "𠮷田", "Smith", "阿依古丽•买买提")
    for i, name in enumerate(good):
        someone = await login(api, f"bind-name-{i}")
        ok = await someone.put(
            "/api/v1/me/identity", bind_body(make_id_number(seq=40 + i), name=name)
        )
        assert ok.status_code == 200, (name, ok.text)
    assert ok.json()["name"] == "阿依古丽·买买提"  # other middle dots become U+00B7
    for name in ("张三1", "张", "·张三", "张··三", "Li Lei", "张" * 31):
        bad = await me.put("/api/v1/me/identity", bind_body(make_id_number(seq=50), name=name))
        assert_problem(bad, 422, "identity_invalid")


async def test_rebinding_the_same_number_changes_nothing(api, wechat: FakeWeChat):
    await make_village()
    me = await login(api, "bind-dan")
    body = bind_body(make_id_number(seq=8))
    assert (await me.put("/api/v1/me/identity", body)).status_code == 200
    before = await Citizen.select().where(Citizen.id == me.id).first().run()
    again = await me.put("/api/v1/me/identity", body)
    assert again.status_code == 200, again.text
    after = await Citizen.select().where(Citizen.id == me.id).first().run()
    assert after == before  # same ciphertext, same consent time, same updated_at


async def test_a_number_held_by_another_account_is_409_without_a_hint(api, wechat: FakeWeChat):
    await make_village()
    number = make_id_number(seq=9)
    first = await login(api, "bind-erin")
    assert (
        await first.put("/api/v1/me/identity", bind_body(number, name="李建国"))
    ).status_code == 200
    second = await login(api, "bind-frank")
    response = await second.put("/api/v1/me/identity", bind_body(number, name="李建国"))
    body = assert_problem(response, 409, "id_number_taken")
    for hint in ("李建国", number[-4:], first.id):
        assert hint not in response.text
    assert body["detail"]
    assert (await second.get("/api/v1/me")).json()["identity_bound"] is False


async def test_an_unverified_binding_may_change_its_number(api, wechat: FakeWeChat, fake_idverify):
    fake_idverify.set_unavailable(True)  # the binding stays unverified, so it may change
    await make_village()
    me = await login(api, "bind-gina")
    assert (
        await me.put("/api/v1/me/identity", bind_body(make_id_number(seq=10)))
    ).status_code == 200
    other = make_id_number(seq=11)
    changed = await me.put("/api/v1/me/identity", bind_body(other))
    assert changed.status_code == 200, changed.text
    assert changed.json()["id_number_masked"].endswith(other[-4:])
    # The first number is free again.
    someone = await login(api, "bind-gina-2")
    try:
        freed = await someone.put("/api/v1/me/identity", bind_body(make_id_number(seq=10)))
        assert freed.status_code == 200, freed.text
    finally:
        fake_idverify.set_unavailable(False)


async def test_phone_binding(api, wechat: FakeWeChat):
    me = await login(api, "phone-hank")
    response = await me.post("/api/v1/me/phone", {"code": "phone:13812345678"})
    assert response.status_code == 200, response.text
    assert response.json()["phone_masked"] == "138****5678"
    assert "13812345678" not in response.text
    assert (await me.get("/api/v1/me")).json()["phone_masked"] == "138****5678"
    row = await Citizen.select(Citizen.phone_enc).where(Citizen.id == me.id).first().run()
    assert "13812345678" not in row["phone_enc"]

    assert_problem(
        await me.post("/api/v1/me/phone", {"code": "nonsense"}), 422, "phone_code_invalid"
    )
    wechat.script_error("/wxa/business/getuserphonenumber", -1)
    assert_problem(
        await me.post("/api/v1/me/phone", {"code": "phone:13900000000"}), 503, "wechat_unavailable"
    )
    assert (await me.get("/api/v1/me")).json()["phone_masked"] == "138****5678"


async def test_only_citizens_reach_their_identity_routes(api, wechat: FakeWeChat):
    await make_staff(role="window", username="window-pii")
    staff = await api.post(
        "/api/v1/auth/staff/login", json={"username": "window-pii", "password": "pw-test-123456"}
    )
    headers = {"Authorization": f"Bearer {staff.json()['access_token']}"}
    for method, path in (
        ("PUT", "/api/v1/me/identity"),
        ("POST", "/api/v1/me/phone"),
        ("GET", "/api/v1/me/export"),
        ("POST", "/api/v1/me/deletion-request"),
    ):
        assert_problem(
            await api.request(method, path, headers=headers, json={}), 403, "not_allowed"
        )
        assert_problem(await api.request(method, path, json={}), 401, "token_missing")


async def test_the_app_keeps_a_binding_unverified_while_the_service_is_down(
    api, wechat: FakeWeChat, settings: Settings, idverify
):
    if not settings.identity_verify_url:
        pytest.skip("IDENTITY_VERIFY_URL is not in test_env yet: see test_verification.py")
    await make_village()
    me = await login(api, "bind-down")
    number = make_id_number(seq=60)
    idverify.set_unavailable(True)
    down = await me.put("/api/v1/me/identity", bind_body(number))
    assert down.status_code == 200, down.text
    assert down.json()["verification"] == "unavailable"
    assert down.json()["identity_bound"] is True
    assert down.json()["identity_verified"] is False
    idverify.set_unavailable(False)
    up = await me.put("/api/v1/me/identity", bind_body(number))
    assert up.json()["verification"] == "verified"
    assert (await me.get("/api/v1/me")).json()["identity_verified"] is True
    mismatch = await (await login(api, "bind-mismatch")).put(
        "/api/v1/me/identity", bind_body(make_id_number(seq=61), name="不匹配")
    )
    assert_problem(mismatch, 422, "identity_not_matched")

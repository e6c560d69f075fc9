"""查找办件: the window's queue and township cases searched in SQL by every filter, scoped to
the clerk's township, paginated."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from backend.clock import today
from backend.identity.tables import Citizen
from tests.api.test_login import assert_problem
from tests.support import CitizenClient, citizen
from tests.window.support import BIRTH, INSURANCE, OTHER_TOWNSHIP, clerk, ok, queued

pytestmark = pytest.mark.api


async def _numbers(desk: CitizenClient, path: str, **params: Any) -> list[str]:
    response = await desk.get(path, params=params)
    assert response.status_code == 200, response.text
    return [e["number"] for e in response.json()["items"]]


async def _people(api) -> dict[str, Any]:
    wang = await citizen(api, "ws-wang", seq=1, name="王秀英")
    bound = await wang.post("/api/v1/me/phone", json={"code": "phone:13812345678"})
    assert bound.status_code == 200, bound.text
    li = await citizen(api, "ws-li", seq=2, name="李建国")
    return {
        "wang": wang,
        "li": li,
        "wang_birth": await queued(wang),
        "wang_insurance": await queued(wang, INSURANCE),
        "li_birth": await queued(li),
    }


async def test_each_filter_finds_exactly_its_cases(api, small_catalogue: Path, elicense, wechat):
    p = await _people(api)
    desk = await clerk(api)
    queue = "/api/v1/window/queue"
    everyone = {p["wang_birth"], p["wang_insurance"], p["li_birth"]}
    assert set(await _numbers(desk, queue)) == everyone
    assert await _numbers(desk, queue, number=p["li_birth"]) == [p["li_birth"]]
    assert await _numbers(desk, queue, number=p["li_birth"][-5:].lower()) == [p["li_birth"]]
    assert set(await _numbers(desk, queue, name="秀英")) == {p["wang_birth"], p["wang_insurance"]}
    wang_last4 = p["wang"].id_number[-4:]
    assert set(await _numbers(desk, queue, id_last4=wang_last4)) == {
        p["wang_birth"],
        p["wang_insurance"],
    }
    assert await _numbers(desk, queue, id_last4=p["li"].id_number[-4:]) == [p["li_birth"]]
    assert set(await _numbers(desk, queue, phone="138-1234-5678")) == {
        p["wang_birth"],
        p["wang_insurance"],
    }
    assert await _numbers(desk, queue, phone="13900000000") == []
    assert await _numbers(desk, queue, item="YB-CBDJ") == [p["wang_insurance"]]
    assert set(await _numbers(desk, queue, item="GA-CSDJ", name="建国")) == {p["li_birth"]}
    day = today()
    assert set(await _numbers(desk, queue, filed_from=day.isoformat())) == everyone
    assert set(await _numbers(desk, queue, filed_to=day.isoformat())) == everyone
    assert await _numbers(desk, queue, filed_to=(day - timedelta(days=1)).isoformat()) == []
    assert await _numbers(desk, queue, filed_from=(day + timedelta(days=1)).isoformat()) == []
    # the township's cases: the same filters, with the status
    await ok(desk, p["li_birth"], "accept")
    cases = "/api/v1/window/cases"
    assert await _numbers(desk, cases, status="accepted", name="建国") == [p["li_birth"]]
    assert await _numbers(desk, cases, status="queued", name="建国") == []
    assert set(await _numbers(desk, queue)) == {p["wang_birth"], p["wang_insurance"]}


async def test_the_phone_is_searched_by_its_keyed_hash_never_in_plain(
    api, small_catalogue: Path, elicense, wechat
):
    p = await _people(api)
    row = await Citizen.select(Citizen.phone_hash).where(Citizen.id == p["wang"].id).first().run()
    assert row["phone_hash"] and "13812345678" not in row["phone_hash"]
    desk = await clerk(api)
    found = await _numbers(desk, "/api/v1/window/queue", phone="13812345678")
    assert len(found) == 2


async def test_another_townships_case_is_never_found(api, small_catalogue: Path, elicense, wechat):
    p = await _people(api)
    desk = await clerk(api)
    elsewhere = await clerk(api, "window-glx", OTHER_TOWNSHIP)
    await ok(desk, p["wang_insurance"], "handoff", {"township_code": OTHER_TOWNSHIP})
    for path in ("/api/v1/window/queue", "/api/v1/window/cases"):
        assert await _numbers(desk, path, name="秀英") == [p["wang_birth"]]
        assert await _numbers(desk, path, number=p["wang_insurance"]) == []
        assert await _numbers(elsewhere, path, name="秀英") == [p["wang_insurance"]]
        assert await _numbers(elsewhere, path, phone="13812345678") == [p["wang_insurance"]]
        assert await _numbers(elsewhere, path, number=p["li_birth"]) == []


async def test_search_pages_in_sql(api, small_catalogue: Path, elicense, wechat):
    p = await _people(api)
    desk = await clerk(api)
    first = (await desk.get("/api/v1/window/queue", params={"name": "秀英", "page_size": 1})).json()
    second = (
        await desk.get("/api/v1/window/queue", params={"name": "秀英", "page_size": 1, "page": 2})
    ).json()
    past = (
        await desk.get("/api/v1/window/queue", params={"name": "秀英", "page_size": 1, "page": 3})
    ).json()
    assert first["total"] == second["total"] == past["total"] == 2
    assert {first["items"][0]["number"], second["items"][0]["number"]} == {
        p["wang_birth"],
        p["wang_insurance"],
    }
    assert past["items"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"id_last4": "12"},
        {"id_last4": "12a4"},
        {"phone": "12ab"},
        {"item": "NO-SUCH-ITEM"},
        {"filed_from": "2026-13-01"},
        {"filed_from": "2026-12-07", "filed_to": "2026-12-01"},
    ],
)
async def test_a_malformed_term_is_a_chinese_422(
    api, small_catalogue: Path, elicense, wechat, params: dict[str, str]
):
    desk = await clerk(api)
    for path in ("/api/v1/window/queue", "/api/v1/window/cases"):
        assert_problem(await desk.get(path, params=params), 422, "validation_failed")


async def test_phones_bound_before_the_hash_are_hashed_by_the_backfill(
    api, small_catalogue: Path, elicense, wechat, settings
):
    from backend.identity.phone_index import index_phones
    from backend.security.fieldcrypt import FieldCipher

    p = await _people(api)
    await Citizen.update({Citizen.phone_hash: None}).where(Citizen.id == p["wang"].id).run()
    desk = await clerk(api)
    assert await _numbers(desk, "/api/v1/window/queue", phone="13812345678") == []
    report = await index_phones(cipher=FieldCipher(settings.field_key_ring()), batch_size=1)
    assert (report.indexed, report.failed) == (1, 0)
    found = await _numbers(desk, "/api/v1/window/queue", phone="13812345678")
    assert set(found) == {p["wang_birth"], p["wang_insurance"]}
    again = await index_phones(cipher=FieldCipher(settings.field_key_ring()))
    assert (again.indexed, again.failed) == (0, 0)


async def test_an_items_number_finds_its_bundle_in_the_queue(
    api, small_catalogue: Path, elicense, wechat
):
    """The queue lists a bundle only as its parent: typing one of its items' numbers
    (``XS…-02``, as on a 受理通知书 or the citizen's phone) finds the bundle."""
    me = await citizen(api, "ws-bundle", seq=3, name="赵美兰")
    photo = await me.upload("照片")
    number = await queued(
        me, {**BIRTH, "bundle_code": "CSYJS", "materials": [{"type": "照片", "upload_id": photo}]}
    )
    other = await queued(me)
    desk = await clerk(api)
    queue = "/api/v1/window/queue"
    assert await _numbers(desk, queue, number=f"{number}-02") == [number]
    assert await _numbers(desk, queue, number=f"{number[-6:]}-03".lower()) == [number]
    assert await _numbers(desk, queue, number=number) == [number]
    assert await _numbers(desk, queue, number=f"{other}-02") == []  # not a bundle: no items
    # all the township's cases list the item itself, and the bundle it belongs to
    cases = "/api/v1/window/cases"
    assert set(await _numbers(desk, cases, number=f"{number}-02")) == {number, f"{number}-02"}

"""Public catalogue routes over HTTP: search, details, bundles, nearby, coverage."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.test_login import assert_problem

pytestmark = pytest.mark.api


async def test_search_ranks_name_matches_first(api, small_catalogue: Path):
    found = (await api.get("/api/v1/items", params={"q": "身份证"})).json()
    names = [i["name"] for i in found["items"]]
    assert set(names[:3]) == {"居民身份证申领", "居民身份证换领", "居民身份证补领"}
    by_initials = (await api.get("/api/v1/items", params={"q": "sfz"})).json()
    assert {i["name"] for i in by_initials["items"][:3]} == set(names[:3])
    assert (await api.get("/api/v1/items", params={"q": "飞机票"})).json() == {
        "items": [],
        "total": 0,
    }
    everything = (await api.get("/api/v1/items", params={"page_size": 3})).json()
    assert everything["total"] == 7 and len(everything["items"]) == 3
    filtered = (await api.get("/api/v1/items", params={"channel": "bank"})).json()
    assert {i["code"] for i in filtered["items"]} == {"YB-CBDJ", "RS-SBK-SL"}
    assert_problem(
        await api.get("/api/v1/items", params={"channel": "pigeon"}), 422, "validation_failed"
    )


async def test_item_detail_has_materials_and_form(api, small_catalogue: Path):
    item = (await api.get("/api/v1/items/GA-CSDJ")).json()
    assert item["committed_days"] == 5 and item["legal_days"] == 20
    assert [m["type"] for m in item["materials"]] == ["出生医学证明", "户口簿", "身份证"]
    relationship = next(f for f in item["form"] if f["name"] == "relationship")
    assert relationship["datatype"] == "choice" and "子" in relationship["values"]
    assert_problem(await api.get("/api/v1/items/NOPE"), 404, "item_not_found")


async def test_bundles_search_and_merge_materials_once_per_type(api, small_catalogue: Path):
    for q in ("出生", "csyjs"):
        found = (await api.get("/api/v1/bundles", params={"q": q})).json()
        assert found["items"][0]["name"] == "出生一件事", q
    bundle = (await api.get("/api/v1/bundles/CSYJS")).json()
    types = [m["type"] for m in bundle["materials"]]
    assert len(types) == len(set(types))
    id_card = next(m for m in bundle["materials"] if m["type"] == "身份证")
    assert set(id_card["item_codes"]) == {"GA-CSDJ", "YB-CBDJ", "RS-SBK-SL"}
    assert id_card["original"]  # the social-security card wants the original
    assert_problem(await api.get("/api/v1/bundles/NOPE"), 404, "bundle_not_found")


NEAR_YINONG = {"lat": 30.224, "lng": 120.625}


async def test_nearby_lists_halls_by_minutes_and_knows_holidays(api, small_catalogue: Path):
    params = {**NEAR_YINONG, "item": "GA-SFZ-HL", "mode": "car", "within_minutes": 60}
    weekday = (
        await api.get(
            "/api/v1/service-points/nearby", params={**params, "at": "2026-10-12T10:00:00+08:00"}
        )
    ).json()
    names = [p["name"] for p in weekday["items"]]
    assert names == ["益农镇便民服务中心", "瓜沥镇便民服务中心"]
    minutes = [p["travel_minutes"] for p in weekday["items"]]
    assert minutes == sorted(minutes) and minutes[0] < minutes[1]
    assert all(p["open_now"] for p in weekday["items"])
    national_day = (
        await api.get(
            "/api/v1/service-points/nearby", params={**params, "at": "2026-10-02T10:00:00+08:00"}
        )
    ).json()
    assert not any(p["open_now"] for p in national_day["items"])
    makeup_saturday = (
        await api.get(
            "/api/v1/service-points/nearby", params={**params, "at": "2026-10-10T10:00:00+08:00"}
        )
    ).json()
    assert all(p["open_now"] for p in makeup_saturday["items"])
    lunch = (
        await api.get(
            "/api/v1/service-points/nearby", params={**params, "at": "2026-10-12T12:30:00+08:00"}
        )
    ).json()
    assert not any(p["open_now"] for p in lunch["items"])
    close = (
        await api.get("/api/v1/service-points/nearby", params={**params, "within_minutes": 10})
    ).json()
    assert [p["name"] for p in close["items"]] == ["益农镇便民服务中心"]


async def test_district_wide_items_are_taken_at_every_hall(api, small_catalogue: Path):
    found = (
        await api.get(
            "/api/v1/service-points/nearby",
            params={**NEAR_YINONG, "item": "RS-SBK-SL", "mode": "car", "within_minutes": 60},
        )
    ).json()
    assert {p["id"] for p in found["items"]} == {"HALL-330109110", "HALL-330109105"}


async def test_nearby_rejects_bad_input(api, small_catalogue: Path):
    base = {**NEAR_YINONG, "item": "GA-SFZ-HL"}
    assert_problem(
        await api.get("/api/v1/service-points/nearby", params={**base, "lat": 95}),
        422,
        "validation_failed",  # the parameter's limits and values are in its type
    )
    assert_problem(
        await api.get("/api/v1/service-points/nearby", params={**base, "lng": -181}),
        422,
        "validation_failed",  # the parameter's limits and values are in its type
    )
    assert_problem(
        await api.get("/api/v1/service-points/nearby", params={**base, "mode": "horse"}),
        422,
        "validation_failed",  # the parameter's limits and values are in its type
    )
    assert_problem(
        await api.get("/api/v1/service-points/nearby", params={**base, "within_minutes": 0}),
        422,
        "validation_failed",  # the parameter's limits and values are in its type
    )
    assert_problem(
        await api.get("/api/v1/service-points/nearby", params={**base, "item": "NOPE"}),
        404,
        "item_not_found",
    )
    assert_problem(
        await api.get("/api/v1/service-points/nearby", params={"item": "GA-SFZ-HL"}),
        422,
        "validation_failed",
    )
    far = await api.get("/api/v1/service-points/nearby", params={**base, "lat": 39.9, "lng": 116.4})
    assert far.json() == {"items": [], "total": 0}


async def test_coverage_per_village(api, small_catalogue: Path):
    report = (await api.get("/api/v1/coverage", params={"item": "YB-CBDJ", "mode": "walk"})).json()
    villages = {v["code"]: v for v in report["items"]}
    assert villages["330109110001"]["minutes"]["YB-CBDJ"] == 0  # its own station
    assert villages["330109110002"]["minutes"]["YB-CBDJ"] > 0
    everything = (await api.get("/api/v1/coverage", params={"mode": "ebike"})).json()
    assert len(everything["item_codes"]) == 7
    assert 0 <= everything["district_share_within_30"] <= 1
    assert_problem(
        await api.get("/api/v1/coverage", params={"mode": "rocket"}), 422, "validation_failed"
    )


async def test_administrators_import_over_http(api):
    from tests.factories import DEFAULT_PASSWORD, make_staff

    await make_staff(role="admin", username="admin")
    token = (
        await api.post(
            "/api/v1/auth/staff/login", json={"username": "admin", "password": DEFAULT_PASSWORD}
        )
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    departments = "code,name\nGA,区公安分局\nMZ,区民政局\n".encode()
    dry = await api.post(
        "/api/v1/admin/catalogue/import",
        files={"file": ("departments.csv", departments)},
        data={"dry_run": "true"},
        headers=headers,
    )
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] and dry.json()["sheets"]["departments"]["created"] == 2
    done = await api.post(
        "/api/v1/admin/catalogue/import",
        files={"file": ("departments.csv", departments)},
        headers=headers,
    )
    assert done.json()["sheets"]["departments"]["created"] == 2
    bad = await api.post(
        "/api/v1/admin/catalogue/import",
        files={"file": ("departments.csv", b"code,name\nGA,\n")},
        headers=headers,
    )
    body = assert_problem(bad, 422, "import_rejected")
    assert "第 2 行" in body["errors"][0]
    assert_problem(
        await api.post(
            "/api/v1/admin/catalogue/import", files={"file": ("x.txt", b"hi")}, headers=headers
        ),
        422,
        "import_file_type",
    )
    assert (
        await api.post("/api/v1/admin/catalogue/import", files={"file": ("d.csv", departments)})
    ).status_code == 401


async def test_a_bundle_says_where_it_can_be_filed_whole_and_gives_its_one_form(
    api, small_catalogue: Path
):
    """Before a citizen fills anything in: the channels every item offers, and the merged form."""
    bundle = (await api.get("/api/v1/bundles/CSYJS")).json()
    per_item = [set(i["channels"]) for i in bundle["items"]]
    assert set(bundle["channels"]) == set.intersection(*per_item)
    assert all(c in i["channels"] for i in bundle["items"] for c in bundle["channels"])
    details = [(await api.get(f"/api/v1/items/{i['code']}")).json() for i in bundle["items"]]
    names = [f["name"] for f in bundle["form"]]
    assert len(names) == len(set(names))  # a field shared by two items is filled in once
    wanted = list(dict.fromkeys(f["name"] for d in details for f in d["form"]))
    assert names == wanted  # in item order, each item's own order
    listed = (await api.get("/api/v1/bundles", params={"q": "出生"})).json()["items"][0]
    assert listed["channels"] == bundle["channels"] and listed["form"] == bundle["form"]

"""The whole demo district (27 townships, 301 villages, 59 items): what the issue promises."""

from __future__ import annotations

import time

import pytest

from backend.catalogue import service as catalogue
from backend.demo import load_demo
from backend.geo import reach
from backend.geo.travel import StraightLineEstimator
from backend.settings import Settings

pytestmark = pytest.mark.api

IN_YINONG = {"lat": 30.226, "lng": 120.628}  # 益农镇, between the town centre and 群围村


@pytest.fixture
async def demo() -> None:
    await load_demo(password="demo-password-1")


async def test_demo_catalogue_is_rich_enough(demo: None):
    snap = await catalogue.snapshot()
    assert len(snap.items) >= 40
    assert len({v.spec.department_code for v in snap.items.values()}) >= 6
    assert all(v.spec.materials for v in snap.items.values())
    assert {"CSYJS", "SHYJS"} <= set(snap.bundles)
    # 乡村建设规划许可证 is an administrative licence (城乡规划法 art. 41); the rest public services
    kinds = {code for code, v in snap.items.items() if v.spec.kind == "licensing"}
    assert kinds == {"ZR-NCJF-XK"}


async def test_search_hits(api, demo: None):
    ids = (await api.get("/api/v1/items", params={"q": "身份证"})).json()["items"]
    assert all("身份证" in i["name"] for i in ids[:3])
    assert {"GA-SFZ-SL", "GA-SFZ-HL", "GA-SFZ-BL"} <= {i["code"] for i in ids[:4]}
    for q in ("出生", "csyjs"):
        bundles = (await api.get("/api/v1/bundles", params={"q": q})).json()["items"]
        assert bundles[0]["name"] == "出生一件事", q
    born = (await api.get("/api/v1/bundles/CSYJS")).json()
    types = [m["type"] for m in born["materials"]]
    assert len(types) == len(set(types)) and "身份证" in types


async def test_nearby_in_yinong_for_a_township_hall_item(api, demo: None):
    params = {**IN_YINONG, "item": "MZ-DB-SQ", "mode": "car", "within_minutes": 45}
    monday = (
        await api.get(
            "/api/v1/service-points/nearby", params={**params, "at": "2026-10-12T10:00:00+08:00"}
        )
    ).json()
    points = monday["items"]
    assert points[0]["id"] == "HALL-330109110"  # 益农镇便民服务中心 first
    assert {p["kind"] for p in points} == {"township_hall"}
    minutes = [p["travel_minutes"] for p in points]
    distances = [p["distance_m"] for p in points]
    assert minutes == sorted(minutes) and distances == sorted(distances) and len(points) >= 3
    national_day = (
        await api.get(
            "/api/v1/service-points/nearby", params={**params, "at": "2026-10-02T10:00:00+08:00"}
        )
    ).json()
    assert national_day["items"] and not any(p["open_now"] for p in national_day["items"])
    makeup = (
        await api.get(
            "/api/v1/service-points/nearby", params={**params, "at": "2026-10-10T10:00:00+08:00"}
        )
    ).json()
    assert makeup["items"] and all(p["open_now"] for p in makeup["items"])


async def test_coverage_of_the_whole_district_is_quick_and_names_gaps(
    demo: None, settings: Settings
):
    started = time.perf_counter()
    report = await reach.coverage(
        item_code=None, mode="ebike", travel=StraightLineEstimator.from_settings(settings)
    )
    elapsed = time.perf_counter() - started
    assert len(report.villages) == 301
    assert report.villages_with_gaps  # the remote hill villages
    assert 0.5 < report.district_share < 1
    print(
        f"coverage of {len(report.villages)} villages x {len(report.item_codes)} items: {elapsed:.2f} s"
    )

"""The window paths record each visit the applicant makes in person (``data.in_person``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend import db
from tests.stats.history import VILLAGE
from tests.support import citizen
from tests.window.support import BIRTH, INSURANCE, approver, at_window, clerk, ok, queued, row

pytestmark = pytest.mark.api

SUPPLEMENT = {"missing": ["户口簿"], "note": "户口簿照片不清晰"}
APPLICANT = {"name": "李建国", "id_number": "", "village_code": VILLAGE}


async def visits(number: str) -> list[str]:
    rows = await db.fetch(
        "SELECT action FROM case_event WHERE \"case\" = $1 AND data->>'in_person' = 'true'"
        " ORDER BY id",
        (await row(number)).id,
    )
    return [r["action"] for r in rows]


async def test_supplement_at_the_window_and_pickup_are_visits(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "in-person-1")
    number = await queued(me)
    desk = await clerk(api)
    ga = await approver(api, "GA")
    await ok(desk, number, "supplement", SUPPLEMENT)
    scan = await desk.upload("户口簿")
    handed = await desk.post(
        f"/api/v1/window/cases/{number}/supplements",
        json={"materials": [{"type": "户口簿", "upload_id": scan}], "note": "窗口递交"},
    )
    assert handed.status_code == 200, handed.text
    assert handed.json()["status"] == "queued"
    again = await desk.post(
        f"/api/v1/window/cases/{number}/supplements",
        json={"materials": [{"type": "户口簿", "upload_id": scan}]},
    )
    assert again.status_code == 409
    await ok(desk, number, "accept")
    await ok(desk, number, "transfer")
    await ok(ga, number, "approve", {"note": "符合"}, prefix="review")
    await ok(desk, number, "result", {"note": "已出证"})
    await ok(desk, number, "deliver", at_window(me))
    assert await visits(number) == ["supply", "deliver"]

    mailed = await queued(me, INSURANCE)  # 医保参保登记 may be mailed
    await ok(desk, mailed, "finish")
    await ok(
        desk,
        mailed,
        "deliver",
        {
            "method": "mail",
            "tracking_no": "SF1",
            "delivery_address": "杭州市萧山区益农镇利围村 3 组 12 号",
        },
    )
    assert await visits(mailed) == []  # filed online, mailed home: no trip


async def test_a_walk_in_is_a_visit(api, small_catalogue: Path, elicense, wechat):
    from tests.factories import make_id_number

    desk = await clerk(api)
    applicant = {**APPLICANT, "id_number": make_id_number(seq=77, birth="19600101", male=True)}
    made = await desk.post(
        "/api/v1/window/cases",
        json={**BIRTH, "item_code": "GA-CSDJ", "applicant": applicant},
        headers={"Idempotency-Key": "walk-in-visit"},
    )
    assert made.status_code == 201, made.text
    assert await visits(made.json()["number"]) == ["forward"]

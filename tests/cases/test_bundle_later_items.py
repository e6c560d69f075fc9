"""A 一件事 filed through a channel only some of its items offer: those are filed now, the rest
are listed for a window or an agent — a to-do the citizen sees, not a refusal."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from backend.cases.tables import Case, LaterItem
from backend.catalogue import service as catalogue
from backend.catalogue.model import BundleSpec, FormField, MaterialSpec
from backend.clock import today
from tests.admin.settings_support import portal
from tests.api.test_login import assert_problem
from tests.support import citizen
from tests.window.support import BIRTH, clerk, forward

pytestmark = pytest.mark.api


async def _window_only_item() -> None:
    """GA-TEST: a window-and-agent item with a form field of its own (like 预防接种证办理)."""
    base = (await catalogue.get_item(code="GA-SFZ-HL")).spec
    spec = dataclasses.replace(
        base,
        code="GA-TEST",
        name="预防接种证办理",
        channels=("window", "agent"),
        form=(FormField("clinic", "接种门诊", "text", "none", required=True),),
        materials=(
            MaterialSpec("身份证", "监护人居民身份证"),
            MaterialSpec("居住证明", "居住证明", exempt_if_shared=False),
        ),
    )
    await catalogue.upsert_item(spec=spec, effective_from=today())
    await catalogue.upsert_bundle(
        spec=BundleSpec("HHYJS", "混合一件事", ("GA-CSDJ", "GA-TEST", "YB-CBDJ"))
    )
    await catalogue.upsert_bundle(spec=BundleSpec("CKYJS", "窗口一件事", ("GA-SFZ-SL", "GA-TEST")))
    await catalogue.bump_revision()


async def test_a_bundle_filed_online_files_its_online_items_and_lists_the_rest(
    api, small_catalogue: Path, elicense, wechat
):
    await _window_only_item()
    bundle = (await api.get("/api/v1/bundles/HHYJS")).json()
    assert bundle["channels"] == ["window", "agent"]  # whole only there: said before filling in
    assert [f["name"] for f in bundle["form"]][-1] == "clinic"

    me = await citizen(api, "c-later")
    residence = await me.upload("居住证明")  # only the item left for later asks for it
    body = {
        **BIRTH,
        "bundle_code": "HHYJS",
        "form": {**BIRTH["form"], "clinic": "城厢街道社区卫生服务中心"},
        "materials": [{"type": "居住证明", "upload_id": residence}],
    }
    response = await me.post("/api/v1/cases", json=body, headers={"Idempotency-Key": "later-1"})
    assert response.status_code == 201, response.text
    case = response.json()
    number = case["number"]
    assert [(c["number"], c["item_code"]) for c in case["children"]] == [
        (f"{number}-01", "GA-CSDJ"),
        (f"{number}-02", "YB-CBDJ"),
    ]
    assert case["later"] == [
        {
            "item_code": "GA-TEST",
            "item_name": "预防接种证办理",
            "channels": ["window", "agent"],
            "materials": ["监护人居民身份证", "居住证明"],
            "advice": "请带齐材料到镇街便民服务中心窗口办理，或请村社代办员代办。",
        }
    ]
    # read back, and the same answer for a retry with the same key
    assert (await me.get(f"/api/v1/cases/{number}")).json()["later"] == case["later"]
    again = await me.post("/api/v1/cases", json=body, headers={"Idempotency-Key": "later-1"})
    assert again.json()["number"] == number and again.json()["later"] == case["later"]
    # the field only the later item asks for is not kept; the filed items' are
    root = await Case.objects().where(Case.number == number).first()
    assert root is not None and "clinic" not in str(root.form) and "baby_name" in root.form
    assert await LaterItem.count().where(LaterItem.case == root.id) == 1
    # 居住证明 is brought to the window, not attached here; the rest come from shared data
    assert {m["source"] for m in case["materials"]} == {"shared"}

    # the window sees the same to-do, in its answer and on its case page
    await forward(number)
    desk = await clerk(api)
    staff_view = (await desk.get(f"/api/v1/window/cases/{number}")).json()
    assert staff_view["later"] == case["later"]
    page = await portal(api, "window-later", role="window")
    shown = (await page.get(f"/portal/window/cases/{number}")).text
    assert "还须另行办理的事项" in shown and "预防接种证办理" in shown and "须带：" in shown
    await page.aclose()


async def test_a_bundle_no_item_of_which_the_channel_offers_is_refused_whole(
    api, small_catalogue: Path, elicense, wechat
):
    await _window_only_item()
    me = await citizen(api, "c-later-none")
    refused = await me.post(
        "/api/v1/cases",
        json={**BIRTH, "bundle_code": "CKYJS", "form": {"clinic": "x"}},
    )
    body = assert_problem(refused, 422, "channel_not_offered")
    assert body["detail"] == (
        "“窗口一件事”所含的事项（居民身份证申领、预防接种证办理）都不能在小程序上申请，"
        "请带齐材料到镇街便民服务中心窗口办理，或请村（社区）代办员代办。"
    )
    # a single item the channel does not offer is refused as before
    assert_problem(
        await me.post("/api/v1/cases", json={**BIRTH, "item_code": "GA-TEST", "form": {}}),
        422,
        "channel_not_offered",
    )
    assert await Case.count() == 0 and await LaterItem.count() == 0


async def test_a_bundle_every_item_of_which_is_online_has_nothing_for_later(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "c-later-whole")
    photo = await me.upload("照片")
    case = (
        await me.post(
            "/api/v1/cases",
            json={
                **BIRTH,
                "bundle_code": "CSYJS",
                "materials": [{"type": "照片", "upload_id": photo}],
            },
        )
    ).json()
    assert len(case["children"]) == 3 and case["later"] == []

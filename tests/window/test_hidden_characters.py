"""A reason, a note or a form value with a hidden character (a right-to-left override turns
「本机关决定不予办理。」 into 「。理办予不定决关机本」 on a printed notice) is refused when it is
read — through the API, the portal and the citizen's form — and nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.admin.settings_support import CSRF, portal
from tests.api.test_login import assert_problem
from tests.support import citizen
from tests.window.support import BIRTH, SINGLE, act, clerk, queued, row

pytestmark = pytest.mark.api

RLO = "\u202e"


async def test_hidden_characters_are_refused_everywhere_a_reason_or_value_is_typed(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "hidden-1")
    refused = await me.post(
        "/api/v1/cases",
        json={**SINGLE, "form": {**BIRTH["form"], "baby_name": f"王{RLO}小宝"}},
    )
    body = assert_problem(refused, 422, "form_invalid")
    assert [e["field"] for e in body["errors"]] == ["baby_name"]
    assert "看不见" in body["errors"][0]["message"]

    number = await queued(me)
    desk = await clerk(api)
    for action, payload in (
        ("reject", {"reason": f"材料不全{RLO}。"}),
        ("supplement", {"missing": ["户口簿"], "note": f"请补交{RLO}"}),
    ):
        answer = assert_problem(await act(desk, number, action, payload), 422, "validation_failed")
        assert "看不见的控制字符" in answer["errors"][0]["message"]
    assert (await row(number)).status == "queued"

    page = await portal(api, "window-hidden", role="window")
    shown = await page.get(f"/portal/window/cases/{number}")
    token = CSRF.search(shown.text)
    assert token is not None
    posted = await page.post(
        f"/portal/window/cases/{number}/reject",
        data={"reason": f"不符合条件{RLO}", "_csrf_token": token[1]},
    )
    assert posted.status_code == 422 and "看不见的控制字符" in posted.text
    assert (await row(number)).status == "queued"
    await page.aclose()

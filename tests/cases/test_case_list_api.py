"""The citizen's case list says who filed each case and whether it has been rated."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.delegation import support as delegation
from tests.support import citizen
from tests.window.support import approver, at_window, clerk, ok, queued

pytestmark = pytest.mark.api


async def test_the_list_names_the_agent_and_says_when_a_closed_case_is_rated(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "list-filer")
    own = await queued(me)
    helper = await delegation.agent(api)
    mandate = await delegation.paper_mandate(helper, me.id)
    theirs = (await delegation.filed(helper, mandate["id"]))["number"]

    listed = (await me.get("/api/v1/cases")).json()["items"]
    by_number = {c["number"]: c for c in listed}
    assert by_number[theirs]["filed_by"] == {"kind": "agent", "name": "陈代办"}
    assert by_number[own]["filed_by"] == {"kind": "self", "name": None}
    assert not by_number[own]["evaluated"] and not by_number[theirs]["evaluated"]

    desk = await clerk(api)
    await ok(desk, own, "accept")
    await ok(desk, own, "transfer")
    await ok(await approver(api, "GA"), own, "approve", {"note": "符合条件"}, prefix="review")
    await ok(desk, own, "result", {"note": "户口已登记"})
    await ok(desk, own, "deliver", at_window(me))
    rated = await me.post(f"/api/v1/cases/{own}/evaluation", json={"score": 5})
    assert rated.status_code == 201, rated.text

    listed = (await me.get("/api/v1/cases")).json()["items"]
    by_number = {c["number"]: c for c in listed}
    assert by_number[own]["evaluated"] is True
    assert by_number[theirs]["evaluated"] is False

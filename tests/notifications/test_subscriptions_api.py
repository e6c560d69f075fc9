"""What the mini-program reports of ``wx.requestSubscribeMessage``: a template id → one of four
answers; ``errMsg`` and template ids this mini-program does not use are ignored."""

from __future__ import annotations

import msgspec
import pytest

from notifications.schemas import SubscriptionsIn
from notifications.templates import parse_config
from tests.api.test_login import assert_problem
from tests.support import citizen

ACCEPTED = parse_config("")["case.accepted"].template_id
PATH = "/api/v1/notifications/subscriptions"


@pytest.mark.unit
def test_the_body_takes_the_four_answers_and_any_err_msg() -> None:
    body = msgspec.json.encode(
        {
            "results": {
                "errMsg": "requestSubscribeMessage:ok",
                ACCEPTED: "accept",
                "not-ours": "filter",
            }
        }
    )
    decoded = msgspec.json.decode(body, type=SubscriptionsIn)
    assert decoded.results[ACCEPTED] == "accept"
    for wrong in ({ACCEPTED: "maybe"}, {"not-ours": 1}, {f"t{i}": "ban" for i in range(51)}):
        with pytest.raises(msgspec.ValidationError):
            msgspec.json.decode(msgspec.json.encode({"results": wrong}), type=SubscriptionsIn)


@pytest.mark.api
async def test_unknown_template_ids_are_ignored_and_a_wrong_answer_is_422(api, wechat) -> None:
    me = await citizen(api, "subscriptions-api", bind=False)
    answer = await me.post(
        PATH,
        json={
            "results": {
                "errMsg": "requestSubscribeMessage:ok",
                ACCEPTED: "accept",
                "not-ours": "reject",
            }
        },
    )
    assert answer.status_code == 200, answer.text
    templates = {t["template_id"]: t for t in answer.json()["templates"]}
    assert "not-ours" not in templates
    assert (templates[ACCEPTED]["status"], templates[ACCEPTED]["credits"]) == ("accept", 1)

    wrong = await me.post(PATH, json={"results": {ACCEPTED: "later"}})
    assert_problem(wrong, 422, "validation_failed")
    mine = {t["template_id"]: t for t in (await me.get(PATH)).json()["templates"]}
    assert mine[ACCEPTED]["credits"] == 1

"""Staff notices pushed to WeCom (企业微信) through wechatpy, against the local fake over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from backend.fakes.wecom_server import FakeWeCom
from notifications import wecom
from notifications.tables import StaffNotice
from tests.factories import make_staff

pytestmark = pytest.mark.integration

TOWNSHIP = "330109110"


@pytest.fixture
def fake() -> Iterator[FakeWeCom]:
    with FakeWeCom() as server:
        yield server


def _sender(fake: FakeWeCom) -> wecom.WeComSender:
    return wecom.WeComSender("ww-corp", "wecom-secret", "1000002", fake.api_base, timeout_s=2)


async def _notice(key: str, *, staff: str | None = None, township: str | None = None) -> int:
    rows = await StaffNotice.raw(
        "INSERT INTO staff_notice (key, staff, township, kind, text, created_at)"
        " VALUES ({}, {}::uuid, {}, 'tell_citizen', {}, now()) RETURNING id",
        key,
        staff,
        township,
        f"请当面告知：{key}",
    ).run()
    return int(rows[0]["id"])


async def test_notices_reach_the_staff_once(database, fake: FakeWeCom) -> None:
    agent = await make_staff(role="agent", username="agent-wecom", area_code="330109110001")
    await make_staff(role="window", username="window-wecom", area_code=TOWNSHIP)
    await make_staff(role="supervisor", username="sup-wecom", area_code=TOWNSHIP)
    await make_staff(
        role="approver", username="appr-wecom", area_code=TOWNSHIP, department_code="GA"
    )
    await _notice("own", staff=agent.id)
    await _notice("desk", township=TOWNSHIP)

    assert await wecom.send_pending(_sender(fake)) == 2
    by_text = {m["text"]["content"]: m for m in fake.sent}
    assert by_text["请当面告知：own"]["touser"] == "agent-wecom"
    assert by_text["请当面告知：desk"]["touser"] == "sup-wecom|window-wecom"
    assert {m["agentid"] for m in fake.sent} in ({"1000002"}, {1000002})
    assert fake.token_fetches == 1

    assert await wecom.send_pending(_sender(fake)) == 0  # nothing twice
    assert len(fake.sent) == 2


async def test_a_failed_send_is_tried_again_on_the_next_run(database, fake: FakeWeCom) -> None:
    agent = await make_staff(role="agent", username=f"agent-{uuid.uuid4().hex[:6]}")
    notice_id = await _notice("retry", staff=agent.id)
    fake.fail_next(-1)
    assert await wecom.send_pending(_sender(fake)) == 0
    row = await StaffNotice.select().where(StaffNotice.id == notice_id).first().run()
    assert row["wecom_sent_at"] is None and row["wecom_attempts"] == 1 and row["wecom_error"]
    assert await wecom.send_pending(_sender(fake)) == 1
    assert len(fake.sent) == 1

"""The consent ledger: one credit per accept, one spent per send, refusals remembered."""

from __future__ import annotations

import uuid

import pytest

from backend.identity.tables import Citizen
from backend.outbox.service import unit_of_work
from notifications import ledger
from notifications.templates import parse_config

TEMPLATES = parse_config('{"case.accepted": {"id": "T-LONG", "kind": "long_term"}}')
ONE = TEMPLATES["case.received"].template_id


async def _citizen() -> str:
    row = Citizen(openid=f"o-{uuid.uuid4().hex}")
    await row.save().run()
    return str(row.id)


async def _record(citizen_id: str, results: dict[str, object], source: str = "app"):
    async with unit_of_work(None):
        return await ledger.record_results(
            citizen_id=citizen_id, results=results, templates=TEMPLATES, source=source
        )


def _credits(found: list[ledger.Credit], template_id: str) -> tuple[str | None, int]:
    by_id = {c.template_id: c for c in found}
    return by_id[template_id].status, by_id[template_id].credits


@pytest.mark.integration
async def test_accepts_earn_credits_and_sends_spend_them(database) -> None:
    me = await _citizen()
    found = await _record(
        me, {ONE: "accept", "errMsg": "requestSubscribeMessage:ok", "X": "accept"}
    )
    assert _credits(found, ONE) == ("accept", 1)
    assert "X" not in {c.template_id for c in found}
    found = await _record(me, {ONE: "accept"})
    assert _credits(found, ONE) == ("accept", 2)
    async with unit_of_work(None):
        assert await ledger.spend(citizen_id=me, template_id=ONE, kind="one_time") is None
        assert await ledger.spend(citizen_id=me, template_id=ONE, kind="one_time") is None
        assert await ledger.spend(citizen_id=me, template_id=ONE, kind="one_time") == "no_credit"
        await ledger.refund(citizen_id=me, template_id=ONE, kind="one_time")
    found = await ledger.credits_of(citizen_id=me, templates=TEMPLATES)
    assert _credits(found, ONE) == ("accept", 1)


@pytest.mark.integration
async def test_the_same_tap_reported_twice_earns_one_credit(database) -> None:
    me = await _citizen()
    await _record(me, {ONE: "accept"}, source="app")
    found = await _record(me, {ONE: "accept"}, source="popup")
    assert _credits(found, ONE) == ("accept", 1)
    found = await _record(me, {ONE: "accept"}, source="app")  # a new tap
    assert _credits(found, ONE) == ("accept", 2)


@pytest.mark.integration
async def test_refusals_are_remembered_and_long_term_needs_no_credit(database) -> None:
    me = await _citizen()
    await _record(me, {ONE: "reject", "T-LONG": "accept"})
    async with unit_of_work(None):
        assert await ledger.spend(citizen_id=me, template_id=ONE, kind="one_time") == "refused"
        for _ in range(3):
            assert await ledger.spend(citizen_id=me, template_id="T-LONG", kind="long_term") is None
    await _record(me, {ONE: "accept"})
    async with unit_of_work(None):
        await ledger.refused(citizen_id=me, template_id=ONE)  # WeChat's 43101
        assert await ledger.spend(citizen_id=me, template_id=ONE, kind="one_time") == "refused"
    assert _credits(await ledger.credits_of(citizen_id=me, templates=TEMPLATES), ONE) == (
        "reject",
        0,
    )

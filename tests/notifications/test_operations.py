"""``jiujinban notifications status|replay``: counts, the stuck ones, re-driving failures."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from backend.clock import now_utc
from backend.outbox.tables import OutboxEvent
from notifications.cli import notifications as notifications_cli
from notifications.service import operations
from notifications.tables import Message

pytestmark = pytest.mark.integration


async def _message(key: str, status: str, *, age_min: int = 0, channel: str = "wechat") -> int:
    rows = await Message.raw(
        "INSERT INTO message (key, event, recipient_kind, recipient_id, channel, title, body,"
        " data, status, created_at) VALUES ({}, 'case.accepted', 'citizen', 'c-1', {}, '已受理',"
        " '…', {}::jsonb, {}, {}) RETURNING id",
        key,
        channel,
        "{}",
        status,
        now_utc() - timedelta(minutes=age_min),
    ).run()
    return int(rows[0]["id"])


async def test_status_and_replay(database) -> None:
    failed = await _message("k-failed", "technical_failure")
    stuck = await _message("k-stuck", "sending", age_min=30)
    await _message("k-fresh", "sending")
    refused = await _message("k-refused", "permanent_failure")
    await _message("k-inbox", "delivered", channel="inbox")

    found = await operations.status()
    assert found.counts[("wechat", "technical_failure")] == 1
    assert found.counts[("inbox", "delivered")] == 1
    assert [row.id for row in found.stuck] == [stuck]

    assert await operations.replay() == 2  # the technical failure and the stuck one
    rows = {r["id"]: r["status"] for r in await Message.select(Message.id, Message.status).run()}
    assert rows[failed] == rows[stuck] == "created"
    assert rows[refused] == "permanent_failure"  # a refusal is never re-sent
    jobs = (
        await OutboxEvent.select(OutboxEvent.payload)
        .where(OutboxEvent.kind == "message.deliver")
        .run()
    )
    assert sorted(json.loads(j["payload"])["message_id"] for j in jobs) == sorted([failed, stuck])


def test_the_command_line_prints_counts(database, settings, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    result = CliRunner().invoke(notifications_cli, ["status"])
    assert result.exit_code == 0, result.output
    assert "dead delivery jobs: 0" in result.output
    result = CliRunner().invoke(notifications_cli, ["replay", "--no-stuck"])
    assert result.exit_code == 0 and "re-driven: 0" in result.output

"""``jiujinban users list|disable|enable|unlock|reset-password``, run as an operator would."""

from __future__ import annotations

import json

import pytest

from backend.audit.tables import AuditEvent
from backend.identity.tables import LoginFailure, StaffUser
from tests.factories import make_staff
from tests.integration.test_demo_and_cli import _cli

pytestmark = pytest.mark.integration


async def test_an_operator_manages_staff_accounts_from_the_command_line(
    test_env: dict[str, str],
):
    clerk = await make_staff(role="window", username="window-cli", area_code="330109110")
    await make_staff(role="agent", username="agent-cli", area_code="330109110001")

    listed = _cli(["users", "list", "--role", "window"], test_env)
    assert listed.returncode == 0, listed.stderr
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == ["window-cli"]

    refused = _cli(["users", "disable", "window-cli"], test_env)
    assert refused.returncode != 0  # --reason is required
    disabled = _cli(["users", "disable", "window-cli", "--reason", "离职"], test_env)
    assert disabled.returncode == 0, disabled.stderr
    assert "disabled" in disabled.stdout
    assert not (
        await StaffUser.select(StaffUser.active).where(StaffUser.id == clerk.id).first().run()
    )["active"]
    only_disabled = _cli(["users", "list", "--state", "disabled"], test_env)
    assert only_disabled.stdout.startswith("window-cli\t")

    assert _cli(["users", "enable", "window-cli", "--reason", "返聘"], test_env).returncode == 0
    await LoginFailure.insert(
        LoginFailure(username="window-cli", address="203.0.113.9", failures=5)
    ).run()
    assert _cli(["users", "unlock", "window-cli", "--reason", "来电"], test_env).returncode == 0
    assert await LoginFailure.count().where(LoginFailure.username == "window-cli").run() == 0

    reset = _cli(["users", "reset-password", "window-cli", "--reason", "忘记密码"], test_env)
    assert reset.returncode == 0, reset.stderr
    temporary = reset.stdout.split("temporary password: ")[1].strip()
    assert len(temporary) == 19
    assert "must-change-password" in reset.stdout

    unknown = _cli(["users", "disable", "nobody-here", "--reason", "x"], test_env)
    assert unknown.returncode != 0
    assert "nobody-here" in unknown.stderr

    rows = (
        await AuditEvent.select()
        .where(AuditEvent.subject_id == clerk.id)
        .order_by(AuditEvent.id)
        .run()
    )
    assert [r["action"] for r in rows] == [
        "staff_disable",
        "staff_enable",
        "staff_unlock",
        "staff_reset_password",
    ]
    assert {r["actor_kind"] for r in rows} == {"system"}
    assert all(r["actor_id"].startswith("cli:") for r in rows)
    assert json.loads(rows[0]["reason"])["note"] == "离职"
    assert all(temporary not in r["reason"] for r in rows)

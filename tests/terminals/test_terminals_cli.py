"""``jiujinban terminals issue|list|reissue|disable``, run as an operator would."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend import db
from tests.integration.test_demo_and_cli import _cli
from tests.terminals.support import HALL, POINT

pytestmark = pytest.mark.integration


def _value(stdout: str, key: str) -> str:
    return next(line.split("=", 1)[1] for line in stdout.splitlines() if line.startswith(key))


async def test_an_operator_issues_lists_reissues_and_disables(
    test_env: dict[str, str], small_catalogue: Path
):
    wrong = _cli(["terminals", "issue", "--point", HALL, "--name", "大厅机"], test_env)
    assert wrong.returncode != 0 and "不是自助服务终端" in wrong.stderr

    issued = _cli(["terminals", "issue", "--point", POINT, "--name", "1号自助机"], test_env)
    assert issued.returncode == 0, issued.stderr
    terminal_id, secret = _value(issued.stdout, "terminal_id="), _value(issued.stdout, "secret=")
    assert len(secret) >= 22  # ≥ 128 bits in URL-safe base64
    stored = await db.fetchval(
        "SELECT credential_hash FROM terminal WHERE id = $1::uuid", terminal_id
    )
    assert secret not in stored

    listed = _cli(["terminals", "list"], test_env)
    assert listed.stdout.splitlines()[0].split("\t")[:5] == [
        terminal_id,
        "1号自助机",
        POINT,
        "330109105",
        "active",
    ]
    assert secret not in listed.stdout

    again = _cli(["terminals", "reissue", terminal_id], test_env)
    assert again.returncode == 0 and _value(again.stdout, "secret=") != secret
    off = _cli(["terminals", "disable", terminal_id], test_env)
    assert off.returncode == 0 and "disabled" in off.stdout
    assert _cli(["terminals", "disable", terminal_id], test_env).returncode != 0
    assert "\tdisabled\t" in _cli(["terminals", "list"], test_env).stdout
    actions = await db.fetch(
        "SELECT action, actor_id FROM audit_event WHERE subject_id = $1 ORDER BY id", terminal_id
    )
    assert [r["action"] for r in actions] == [
        "terminal.issue",
        "terminal.reissue",
        "terminal.disable",
    ]
    assert all(r["actor_id"].startswith("cli:") for r in actions)

"""The demo data and the `jiujinban` command, run as a person would."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from backend.demo import DEMO_NOTE, load_demo
from backend.geo.tables import Area, ServicePoint
from backend.identity.tables import StaffUser
from tests.conftest import ROOT

pytestmark = pytest.mark.integration


async def test_demo_loads_once_and_follows_the_username_pattern():
    first = await load_demo(password="demo-password-1")
    assert first["accounts"] > 300 and first["areas"] == 329
    again = await load_demo(password="demo-password-1")
    assert set(again.values()) == {0}, again
    names = {r["username"] for r in await StaffUser.select(StaffUser.username).run()}
    assert {"admin", "supervisor", "window-330109110", "agent-330109110001", "approver-ga"} <= names
    assert all(r["note"] == DEMO_NOTE for r in await Area.select(Area.note).run())
    assert all(r["note"] == DEMO_NOTE for r in await ServicePoint.select(ServicePoint.note).run())


def _cli(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=ROOT,
        timeout=60,
    )


async def test_users_create_from_the_command_line(test_env: dict[str, str]):
    await load_demo(password="demo-password-1")
    done = _cli(
        [
            "users",
            "create",
            "--role",
            "window",
            "--area",
            "330109105",
            "--username",
            "window-2",
            "--password-stdin",
        ],
        test_env,
        stdin="a-long-password\n",
    )
    assert done.returncode == 0, done.stderr
    assert "window-2" in done.stdout
    assert await StaffUser.count().where(StaffUser.username == "window-2").run() == 1

    refused = _cli(
        [
            "users",
            "create",
            "--role",
            "approver",
            "--area",
            "330109",
            "--username",
            "approver-x",
            "--password-stdin",
        ],
        test_env,
        stdin="a-long-password\n",
    )
    assert refused.returncode != 0
    assert "部门" in refused.stderr
    assert await StaffUser.count().where(StaffUser.username == "approver-x").run() == 0


def test_help_lists_the_commands():
    done = subprocess.run(
        [sys.executable, "-m", "backend.cli", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )
    for command in ("migrate", "serve", "worker", "dev", "demo", "users", "fake-wechat", "outbox"):
        assert command in done.stdout

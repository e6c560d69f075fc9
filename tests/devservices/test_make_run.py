"""`make run` end to end: a fresh data dir, embedded services, the real stack, then SIGTERM.

This is the README's first command as a newcomer would type it; the test checks that the whole
system comes up (API, worker, fake WeChat, demo data), answers a WeChat login, that a `kill -9`
of the worker is survived (restarted, the API answering meanwhile), and that SIGTERM to `make`
leaves no process and no listening port behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import psutil
import pytest

from backend.devservices import free_port

pytestmark = pytest.mark.workers

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """This test brings its own services; it does not use the suite's database."""


def _leftovers(marker: str) -> list[str]:
    """Processes of this run: services name the data dir on their command line, and every child
    of `make run` (API, worker, fake WeChat) inherits DATA_DIR in its environment."""
    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        try:
            cmdline = " ".join(proc.info["cmdline"] or [])
            environ = proc.environ()
        except psutil.Error:
            continue
        if marker in cmdline or environ.get("DATA_DIR") == marker:
            found.append(f"{proc.info['pid']}: {cmdline}")
    return found


def _port_open(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/", timeout=0.5)
    except httpx.TransportError:
        return False
    return True


def _worker(root_pid: int) -> psutil.Process:
    for proc in psutil.Process(root_pid).children(recursive=True):
        try:
            if proc.cmdline()[-1:] == ["worker"]:
                return proc
        except psutil.Error:
            continue
    raise AssertionError("no worker process under make run")


def test_make_run_comes_up_and_sigterm_leaves_nothing(tmp_path: Path):
    port, fake_port = free_port(), free_port()
    data_dir = tmp_path / "data"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "WECHAT_API_BASE", "VIRTUAL_ENV"}
    }
    env.update(
        JIUJINBAN_SERVICES="embedded",
        DATA_DIR=str(data_dir),
        PORT=str(port),
        FAKE_WECHAT_PORT=str(fake_port),
        LOG_LEVEL="WARNING",
    )
    log_path = tmp_path / "make-run.log"
    with log_path.open("wb") as log:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert make.poll() is None, log_path.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "make run did not become ready"
            # Ready when the supervisor has printed its URLs (it does so after /readyz said 200).
            printed = log_path.read_text(errors="replace")
            if f"{base}/schema" in printed:
                break
            time.sleep(0.25)
        assert httpx.get(base + "/readyz", timeout=5).status_code == 200
        assert f"http://127.0.0.1:{fake_port}/" in printed

        login = httpx.post(
            base + "/api/v1/auth/wechat/login", json={"code": "test:newcomer"}, timeout=10
        )
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
        me = httpx.get(
            base + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert me.status_code == 200
        staff = httpx.post(
            base + "/api/v1/auth/staff/login",
            json={"username": "window-330109110", "password": "jiujinban-demo"},
            timeout=10,
        )
        assert staff.status_code == 200, staff.text
        assert httpx.get(f"http://127.0.0.1:{fake_port}/", timeout=5).status_code == 200
        assert _leftovers(str(data_dir)), "embedded services should be running now"

        # kill -9 of the worker: the API keeps answering and the supervisor starts a new one.
        worker = _worker(make.pid)
        worker.kill()
        assert httpx.get(base + "/readyz", timeout=5).status_code == 200
        deadline = time.monotonic() + 60
        while "worker restarted" not in log_path.read_text(errors="replace"):
            assert make.poll() is None, log_path.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "the worker was not restarted"
            time.sleep(0.25)
        printed = log_path.read_text(errors="replace")
        assert "worker exited with code -9; restarting in 1 s." in printed
        assert _worker(make.pid).pid != worker.pid
        assert httpx.get(base + "/readyz", timeout=5).status_code == 200
        me = httpx.get(
            base + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert me.status_code == 200
    finally:
        make.send_signal(signal.SIGTERM)
        try:
            code = make.wait(timeout=60)
        except subprocess.TimeoutExpired:
            make.kill()
            raise
    assert code in (0, 2, -signal.SIGTERM), code
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (_leftovers(str(data_dir)) or _port_open(port)):
        time.sleep(0.2)
    assert not _leftovers(str(data_dir)), _leftovers(str(data_dir))
    assert not _port_open(port), "the API still answers"
    assert not _port_open(fake_port), "the fake WeChat still answers"

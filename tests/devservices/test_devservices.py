"""ensure_services: embedded servers start, answer, stop cleanly, survive a hard-killed run."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
import redis
from devservices_helpers import Spawned, alive, python, service_processes, wait_until

from backend.devservices import (
    Services,
    ServicesError,
    _postgres_answers,
    create_database_if_missing,
    drop_database,
    ensure_services,
    redis_answers,
)
from tests.devservices.conftest import fresh_dir

pytestmark = pytest.mark.integration

HERE = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """Overrides the suite's autouse fixture: these tests bring their own servers and databases
    and must not depend on the suite's migrated test database."""


def unique_db() -> str:
    return f"jj_devsvc_{uuid.uuid4().hex[:10]}"


async def pg_select_one(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("select 1"))
    finally:
        await conn.close()


async def database_exists(url: str, name: str) -> bool:
    conn = await asyncpg.connect(url)
    try:
        return bool(await conn.fetchval("select 1 from pg_database where datname = $1", name))
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def embedded() -> Iterator[Services]:
    """One embedded PostgreSQL + Redis for the tests that only need some server."""
    data_dir = fresh_dir("jjb-embedded-")
    services = ensure_services(environ={}, data_dir=data_dir, database="jj_shared", mode="embedded")
    yield services
    services.stop()
    assert service_processes(data_dir) == []


async def test_embedded_start_answer_stop_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    for round_ in range(2):  # the second start reuses the initialised data dir
        t0 = time.monotonic()
        services = ensure_services(
            environ={"DATABASE_URL": "postgresql://nobody@192.0.2.1/none"},  # ignored: embedded
            data_dir=data_dir,
            database="jj_embedded",
            mode="embedded",
        )
        started_s = time.monotonic() - t0
        try:
            assert len(services.started) == 2, services.started
            assert "embedded PostgreSQL" in services.started[0]
            assert services.database_url.startswith("postgresql://postgres@/jj_embedded?host=")
            assert await pg_select_one(services.database_url) == 1
            assert redis.Redis.from_url(services.redis_url).ping()
            assert service_processes(data_dir), "expected embedded processes under the data dir"
        finally:
            t0 = time.monotonic()
            services.stop()
            stopped_s = time.monotonic() - t0
        print(f"round {round_}: start {started_s:.2f} s, stop {stopped_s:.2f} s")
        assert service_processes(data_dir) == []
        assert not redis_answers(services.redis_url)
        services.stop()  # idempotent


async def test_piccolo_engine_accepts_socket_url(embedded: Services) -> None:
    from piccolo.engine.postgres import PostgresEngine

    engine = PostgresEngine(config={"dsn": embedded.database_url}, log_queries=False)
    await engine.start_connection_pool(min_size=1, max_size=2)
    try:
        rows = await engine._run_in_pool("select current_database() as db")
        assert rows[0]["db"] == "jj_shared"
    finally:
        await engine.close_connection_pool()


async def test_configured_urls_are_used_as_is(embedded: Services, tmp_path: Path) -> None:
    name = unique_db()
    url = embedded.database_url.replace("/jj_shared?", f"/{name}?")
    try:
        services = ensure_services(
            environ={"DATABASE_URL": url, "REDIS_URL": embedded.redis_url}, data_dir=tmp_path
        )
        assert services.started == []
        assert services.database_url == url
        assert services.redis_url == embedded.redis_url
        assert await pg_select_one(url) == 1  # created because it was missing
        services.stop()
        assert service_processes(tmp_path) == []
    finally:
        drop_database(url)


async def test_create_database_if_missing_is_idempotent_and_quotes(embedded: Services) -> None:
    name = f'jj devsvc "{uuid.uuid4().hex[:6]}"'
    from urllib.parse import quote

    url = embedded.database_url.replace("/jj_shared?", f"/{quote(name)}?")
    try:
        create_database_if_missing(url)
        create_database_if_missing(url)
        assert await database_exists(embedded.database_url, name)
        assert await pg_select_one(url) == 1
    finally:
        drop_database(url)
    assert not await database_exists(embedded.database_url, name)


def test_env_switch_selects_embedded(tmp_path: Path) -> None:
    services = ensure_services(
        environ={"JIUJINBAN_SERVICES": "embedded", "REDIS_URL": "redis://192.0.2.1:1/0"},
        data_dir=tmp_path,
        database="jj_switch",
    )
    try:
        assert len(services.started) == 2
        assert redis_answers(services.redis_url)
    finally:
        services.stop()
    assert service_processes(tmp_path) == []


def test_unknown_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ServicesError, match="mode"):
        ensure_services(environ={}, data_dir=tmp_path, mode="docker")


async def test_auto_mode_uses_default_servers_when_they_answer(tmp_path: Path) -> None:
    name = unique_db()
    pg_up = _postgres_answers("postgresql://postgres@127.0.0.1:5432/postgres")
    redis_up = redis_answers("redis://127.0.0.1:6379/0")
    services = ensure_services(environ={}, data_dir=tmp_path, database=name)
    try:
        if pg_up:
            assert services.database_url == f"postgresql://postgres@127.0.0.1:5432/{name}"
        if redis_up:
            assert services.redis_url == "redis://127.0.0.1:6379/0"
        assert len(services.started) == (not pg_up) + (not redis_up), services.started
        assert await pg_select_one(services.database_url) == 1
        assert redis_answers(services.redis_url)
    finally:
        if pg_up:
            drop_database(services.database_url)
        services.stop()
    assert service_processes(tmp_path) == []


async def test_leftovers_of_a_hard_killed_run_do_not_block(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    holder = Spawned([python(), str(HERE / "hold_services.py"), str(data_dir), "jj_hold"])
    try:
        holder.wait_for("READY", timeout=60)
        os.kill(holder.popen.pid, signal.SIGKILL)
        holder.wait(10)
        leftovers = service_processes(data_dir)
        assert leftovers, "embedded servers run in their own session and outlive a kill -9"

        services = ensure_services(
            environ={}, data_dir=data_dir, database="jj_hold", mode="embedded"
        )
        try:
            assert await pg_select_one(services.database_url) == 1
            assert redis_answers(services.redis_url)
            assert alive(leftovers) == []
        finally:
            services.stop()
        assert wait_until(lambda: service_processes(data_dir) == [], 5)
    finally:
        holder.kill()
        for proc in service_processes(data_dir):  # never leave anything behind, even on failure
            proc.kill()


def test_incomplete_init_from_a_killed_run_is_wiped(tmp_path: Path) -> None:
    pgdata = tmp_path / "pg"
    pgdata.mkdir()
    (pgdata / "half-written").write_text("initdb was killed here")  # and no .pg-initialized
    services = ensure_services(environ={}, data_dir=tmp_path, database="jj_wipe", mode="embedded")
    try:
        assert not (pgdata / "half-written").exists()
        assert _postgres_answers(services.database_url)
    finally:
        services.stop()
    assert service_processes(tmp_path) == []


def test_broken_cluster_that_once_worked_is_never_wiped(tmp_path: Path) -> None:
    pgdata = tmp_path / "pg"
    pgdata.mkdir()
    (pgdata / "precious").write_text("data")
    (tmp_path / ".pg-initialized").touch()
    with pytest.raises(ServicesError, match="did not start"):
        ensure_services(environ={}, data_dir=tmp_path, database="jj_keep", mode="embedded")
    assert (pgdata / "precious").read_text() == "data"
    assert service_processes(tmp_path) == []

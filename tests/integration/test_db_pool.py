"""Pooled connections skip asyncpg's reset query, yet never come back mid-transaction."""

from __future__ import annotations

import pytest

from backend import db
from backend.settings import Settings

pytestmark = pytest.mark.integration


async def test_a_released_connection_has_no_open_transaction(
    database: None, settings: Settings
) -> None:
    engine = db.make_engine(settings.database_url)
    await engine.start_connection_pool(min_size=1, max_size=1)
    try:
        async with engine.pool.acquire() as conn:
            await conn.execute("BEGIN")
            await conn.execute("CREATE TEMP TABLE left_open (n int) ON COMMIT DROP")
            first = conn.get_server_pid()
        async with engine.pool.acquire() as conn:
            assert conn.get_server_pid() == first  # the same connection, reused
            assert not conn.is_in_transaction()
            missing = await conn.fetchval("SELECT to_regclass('pg_temp.left_open')")
            assert missing is None  # rolled back, not committed
    finally:
        await engine.close_connection_pool()

"""The one statement the readiness check sends: is PostgreSQL answering."""

from __future__ import annotations

from backend import db


async def ping() -> None:
    """Send ``SELECT 1``; raises when the database does not answer."""
    await db.engine().run_ddl("SELECT 1")

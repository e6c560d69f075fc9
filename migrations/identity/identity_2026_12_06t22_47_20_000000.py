"""Hand-written: one login_failure row per (username, address)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T22:47:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "login_failure unique (username, address)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="identity", description=DESCRIPTION)

    async def add() -> None:
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS login_failure_username_address "
            "ON login_failure (username, address)"
        )
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS login_failure_address ON login_failure (address)"
        )

    async def remove() -> None:
        await engine_finder().run_ddl("DROP INDEX IF EXISTS login_failure_address")
        await engine_finder().run_ddl("DROP INDEX IF EXISTS login_failure_username_address")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

"""Hand-written: the index behind the callbacks' ordering rule."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T04:17:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "index of applied callbacks per case, by time"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="platform", description=DESCRIPTION)

    async def add() -> None:
        engine = engine_finder()
        # "Is this event older than the last one applied to the case?" on every callback.
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS platform_callback_case_applied"
            ' ON platform_callback ("case", occurred_at) WHERE applied'
        )

    async def remove() -> None:
        engine = engine_finder()
        await engine.run_ddl("DROP INDEX IF EXISTS platform_callback_case_applied")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

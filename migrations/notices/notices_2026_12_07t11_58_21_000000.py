"""Hand-written: one notice per (step, case) instead of per step — a bundle's 补正 is one step
of the parent and issues a notice for each of its items."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T11:58:21:000000"
VERSION = "1.38.0"
DESCRIPTION = "notices unique per step and case"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notices", description=DESCRIPTION)

    async def add() -> None:
        engine = engine_finder()
        await engine.run_ddl("ALTER TABLE notice DROP CONSTRAINT IF EXISTS notice_event_key")
        await engine.run_ddl(
            'CREATE UNIQUE INDEX IF NOT EXISTS notice_event_case ON notice (event, "case")'
        )

    async def remove() -> None:
        engine = engine_finder()
        await engine.run_ddl("DROP INDEX IF EXISTS notice_event_case")
        await engine.run_ddl("ALTER TABLE notice ADD CONSTRAINT notice_event_key UNIQUE (event)")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

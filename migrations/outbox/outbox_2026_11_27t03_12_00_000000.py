"""Hand-written: a partial index for the sweeper, which only scans pending rows by due time."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T03:12:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "partial index on pending outbox rows by due time"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="outbox", description=DESCRIPTION)

    async def add_due_index() -> None:
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS outbox_event_pending_due "
            "ON outbox_event (due_at) WHERE status = 'pending'"
        )

    async def drop_due_index() -> None:
        await engine_finder().run_ddl("DROP INDEX IF EXISTS outbox_event_pending_due")

    manager.add_raw(add_due_index)
    manager.add_raw_backwards(drop_due_index)
    return manager

"""Hand-written: case files kept after their applicant's deletion are restricted."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T23:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "case_record.restricted_at"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cases", description=DESCRIPTION)

    async def add() -> None:
        await engine_finder().run_ddl(
            "ALTER TABLE case_record ADD COLUMN restricted_at TIMESTAMPTZ"
        )
        await engine_finder().run_ddl(
            "CREATE INDEX case_record_restricted ON case_record (restricted_at)"
            " WHERE restricted_at IS NOT NULL"
        )

    async def remove() -> None:
        await engine_finder().run_ddl("DROP INDEX IF EXISTS case_record_restricted")
        await engine_finder().run_ddl("ALTER TABLE case_record DROP COLUMN IF EXISTS restricted_at")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

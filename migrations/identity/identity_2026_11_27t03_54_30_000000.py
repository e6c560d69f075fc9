"""Hand-written: at most one pending deletion request per citizen; sex is male or female."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T03:54:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "one pending deletion request per citizen; citizen.sex check"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="identity", description=DESCRIPTION)

    async def add() -> None:
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS deletion_request_one_pending "
            "ON deletion_request (citizen) WHERE status = 'pending'"
        )
        await engine_finder().run_ddl(
            "ALTER TABLE citizen ADD CONSTRAINT citizen_sex_known "
            "CHECK (sex IS NULL OR sex IN ('male', 'female'))"
        )

    async def remove() -> None:
        await engine_finder().run_ddl("ALTER TABLE citizen DROP CONSTRAINT IF EXISTS citizen_sex_known")
        await engine_finder().run_ddl("DROP INDEX IF EXISTS deletion_request_one_pending")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

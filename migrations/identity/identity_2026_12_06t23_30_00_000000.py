"""Hand-written: deletion requests are decided and carried out; a citizen kept only as the
applicant of case files under retention is restricted."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T23:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "deletion_request.completed_at and status check; citizen.restricted_at"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="identity", description=DESCRIPTION)

    async def add() -> None:
        await engine_finder().run_ddl(
            "ALTER TABLE deletion_request ADD COLUMN completed_at TIMESTAMPTZ"
        )
        await engine_finder().run_ddl(
            "ALTER TABLE deletion_request ADD CONSTRAINT deletion_request_status_known"
            " CHECK (status IN ('pending', 'approved', 'refused', 'completed'))"
        )
        await engine_finder().run_ddl(
            "CREATE INDEX deletion_request_by_status ON deletion_request (status, requested_at)"
        )
        await engine_finder().run_ddl("ALTER TABLE citizen ADD COLUMN restricted_at TIMESTAMPTZ")

    async def remove() -> None:
        await engine_finder().run_ddl("ALTER TABLE citizen DROP COLUMN IF EXISTS restricted_at")
        await engine_finder().run_ddl("DROP INDEX IF EXISTS deletion_request_by_status")
        await engine_finder().run_ddl(
            "ALTER TABLE deletion_request DROP CONSTRAINT IF EXISTS deletion_request_status_known"
        )
        await engine_finder().run_ddl(
            "ALTER TABLE deletion_request DROP COLUMN IF EXISTS completed_at"
        )

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

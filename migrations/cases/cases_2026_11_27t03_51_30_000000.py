"""Hand-written: case numbers come from a sequence; one rating per round."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T03:51:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "case number sequence, unique (case, round) ratings, queue index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cases", description=DESCRIPTION)

    async def add() -> None:
        engine = engine_finder()
        # A sequence hands out numbers without a lock: submissions never queue on a counter row.
        await engine.run_ddl("CREATE SEQUENCE IF NOT EXISTS case_number_seq")
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS evaluation_case_round ON evaluation (\"case\", round)"
        )
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS case_record_township_status "
            "ON case_record (township, status, deadline)"
        )

    async def remove() -> None:
        engine = engine_finder()
        await engine.run_ddl("DROP INDEX IF EXISTS case_record_township_status")
        await engine.run_ddl("DROP INDEX IF EXISTS evaluation_case_round")
        await engine.run_ddl("DROP SEQUENCE IF EXISTS case_number_seq")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

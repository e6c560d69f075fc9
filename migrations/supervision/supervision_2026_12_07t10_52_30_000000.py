"""Hand-written: ``case_urge`` (催办), one row per urge of an open case's holder."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T10:52:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "case_urge: supervisors urge the holder of an open case"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="supervision", description=DESCRIPTION)

    async def add() -> None:
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE TABLE IF NOT EXISTS case_urge ("
            " id BIGSERIAL PRIMARY KEY,"
            ' "case" BIGINT NOT NULL REFERENCES case_record (id) ON DELETE RESTRICT,'
            " at TIMESTAMPTZ NOT NULL DEFAULT now(),"
            " by UUID NOT NULL,"
            " township VARCHAR(12) NULL,"
            " department VARCHAR(40) NULL,"
            " holder_kind VARCHAR(16) NOT NULL"
            " CONSTRAINT case_urge_holder CHECK (holder_kind IN ('window', 'township', 'department')),"
            " holder_id VARCHAR(40) NULL,"
            " note TEXT NOT NULL DEFAULT '' CONSTRAINT case_urge_note CHECK (length(note) <= 200))"
        )
        await engine.run_ddl('CREATE INDEX IF NOT EXISTS case_urge_case ON case_urge ("case", at)')
        await engine.run_ddl("CREATE INDEX IF NOT EXISTS case_urge_township ON case_urge (township)")
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS case_urge_department ON case_urge (department)"
        )

    async def remove() -> None:
        await engine_finder().run_ddl("DROP TABLE IF EXISTS case_urge")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

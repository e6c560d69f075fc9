"""Hand-written: ``rectification_order`` and ``rectification_step`` (整改通知)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T11:04:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "rectification orders to a township or department, with their steps"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="supervision", description=DESCRIPTION)

    async def add() -> None:
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE TABLE IF NOT EXISTS rectification_order ("
            " id BIGSERIAL PRIMARY KEY,"
            " target_kind VARCHAR(16) NOT NULL"
            " CONSTRAINT rectification_target CHECK (target_kind IN ('township', 'department')),"
            " township VARCHAR(12) NULL,"
            " department VARCHAR(40) NULL,"
            " case_number VARCHAR(40) NULL,"
            " requirement TEXT NOT NULL"
            " CONSTRAINT rectification_requirement CHECK (length(requirement) BETWEEN 1 AND 1000),"
            " deadline DATE NOT NULL,"
            " state VARCHAR(16) NOT NULL DEFAULT 'open' CONSTRAINT rectification_state"
            " CHECK (state IN ('open', 'responded', 'returned', 'closed')),"
            " issued_by UUID NOT NULL,"
            " issued_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
            " responded_at TIMESTAMPTZ NULL,"
            " closed_at TIMESTAMPTZ NULL,"
            " closed_on DATE NULL,"
            " CONSTRAINT rectification_addressee CHECK ("
            " (target_kind = 'township' AND township IS NOT NULL)"
            " OR (target_kind = 'department' AND department IS NOT NULL)),"
            " CONSTRAINT rectification_closed CHECK ((state = 'closed') = (closed_on IS NOT NULL)))"
        )
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS rectification_order_township"
            " ON rectification_order (township, state)"
        )
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS rectification_order_department"
            " ON rectification_order (department, state)"
        )
        await engine.run_ddl(
            "CREATE TABLE IF NOT EXISTS rectification_step ("
            " id BIGSERIAL PRIMARY KEY,"
            ' "order" BIGINT NOT NULL REFERENCES rectification_order (id) ON DELETE CASCADE,'
            " at TIMESTAMPTZ NOT NULL DEFAULT now(),"
            " by UUID NOT NULL,"
            " action VARCHAR(16) NOT NULL CONSTRAINT rectification_step_action"
            " CHECK (action IN ('issue', 'respond', 'return', 'close')),"
            " note TEXT NOT NULL DEFAULT '' CONSTRAINT rectification_step_note"
            " CHECK (length(note) <= 1000))"
        )
        await engine.run_ddl(
            'CREATE INDEX IF NOT EXISTS rectification_step_order ON rectification_step ("order", id)'
        )

    async def remove() -> None:
        engine = engine_finder()
        await engine.run_ddl("DROP TABLE IF EXISTS rectification_step")
        await engine.run_ddl("DROP TABLE IF EXISTS rectification_order")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

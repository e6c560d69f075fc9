"""Hand-written: the items of a 一件事 left for a window or an agent (case_later_item)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "case_later_item"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cases", description=DESCRIPTION)

    async def add() -> None:
        await engine_finder().run_ddl(
            "CREATE TABLE IF NOT EXISTS case_later_item ("
            " id BIGSERIAL PRIMARY KEY,"
            ' "case" BIGINT NOT NULL REFERENCES case_record (id) ON DELETE RESTRICT,'
            " position INTEGER NOT NULL,"
            " item_code VARCHAR(40) NOT NULL,"
            " item_name TEXT NOT NULL,"
            " channels VARCHAR(20)[] NOT NULL,"
            " materials TEXT[] NOT NULL,"
            " created_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
            ' UNIQUE ("case", position))'
        )

    async def remove() -> None:
        await engine_finder().run_ddl("DROP TABLE IF EXISTS case_later_item")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

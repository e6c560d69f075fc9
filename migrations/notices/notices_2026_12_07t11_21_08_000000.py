"""Hand-written: one counter per (department, year), one number per (department, year, sequence),
value checks."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T11:21:08:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique notice counters and numbers, kind and sequence checks"

_CHECKS = (
    ("notice_counter", "notice_counter_last", "last >= 0"),
    ("notice", "notice_sequence", "sequence >= 1"),
    (
        "notice",
        "notice_kind",
        "kind IN ('acceptance', 'rejection', 'supplement', 'denial', 'completion')",
    ),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notices", description=DESCRIPTION)

    async def add() -> None:
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS notice_counter_department_year"
            " ON notice_counter (department, year)"
        )
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS notice_department_year_sequence"
            " ON notice (department, year, sequence)"
        )
        for table, name, check in _CHECKS:
            await engine.run_ddl(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({check})")

    async def remove() -> None:
        engine = engine_finder()
        for table, name, _ in reversed(_CHECKS):
            await engine.run_ddl(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
        await engine.run_ddl("DROP INDEX IF EXISTS notice_department_year_sequence")
        await engine.run_ddl("DROP INDEX IF EXISTS notice_counter_department_year")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

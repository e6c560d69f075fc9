"""Hand-written: one escalation per (case, level), one call per (week, case); value checks."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T06:34:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique escalation per level, sampled call per week, checks, open follow-ups"

_CHECKS = (
    ("escalation", "escalation_level", "level IN ('township', 'district')"),
    ("escalation", "escalation_days", "days_overdue >= 0"),
    ("follow_up", "follow_up_score", "score BETWEEN 1 AND 5"),
    ("follow_up", "follow_up_round", "round >= 1"),
    ("callback_call", "callback_satisfied", "satisfied IS NULL OR satisfied BETWEEN 1 AND 5"),
    ("callback_call", "callback_trips", "trips IS NULL OR trips BETWEEN 0 AND 99"),
    ("callback_call", "callback_week_monday", "extract(isodow FROM week) = 1"),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="supervision", description=DESCRIPTION)

    async def add() -> None:
        engine = engine_finder()
        await engine.run_ddl(
            'CREATE UNIQUE INDEX IF NOT EXISTS escalation_case_level ON escalation ("case", level)'
        )
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS callback_call_week_case"
            ' ON callback_call (week, "case")'
        )
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS follow_up_open ON follow_up (resolve_due)"
            " WHERE resolved_at IS NULL"
        )
        for table, name, check in _CHECKS:
            await engine.run_ddl(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({check})")

    async def remove() -> None:
        engine = engine_finder()
        for table, name, _ in reversed(_CHECKS):
            await engine.run_ddl(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
        await engine.run_ddl("DROP INDEX IF EXISTS follow_up_open")
        await engine.run_ddl("DROP INDEX IF EXISTS callback_call_week_case")
        await engine.run_ddl("DROP INDEX IF EXISTS escalation_case_level")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

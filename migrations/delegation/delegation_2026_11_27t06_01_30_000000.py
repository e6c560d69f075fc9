"""Hand-written: the allowed values of mandates and handovers, one line per case per batch."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T06:01:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "mandate and handover checks; one line per (batch, case)"

_CHECKS = (
    ("mandate", "mandate_status", "status IN ('pending', 'active', 'refused', 'revoked')"),
    ("mandate", "mandate_consent", "consent IN ('miniprogram', 'paper')"),
    ("mandate", "mandate_scope", "(bundle_code IS NULL) <> (cardinality(item_codes) = 0)"),
    ("handover", "handover_direction", "direction IN ('to_township', 'to_village')"),
    ("handover", "handover_status", "status IN ('sent', 'received')"),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="delegation", description=DESCRIPTION)

    async def add() -> None:
        engine = engine_finder()
        for table, name, check in _CHECKS:
            await engine.run_ddl(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({check})")
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS handover_line_batch_case "
            "ON handover_line (handover, \"case\")"
        )

    async def remove() -> None:
        engine = engine_finder()
        await engine.run_ddl("DROP INDEX IF EXISTS handover_line_batch_case")
        for table, name, _ in reversed(_CHECKS):
            await engine.run_ddl(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

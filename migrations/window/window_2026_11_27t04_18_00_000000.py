"""Hand-written: one routing rule per (township, item), the district default included."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T04:18:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (item, township) routing rules; send methods; claims expire after claiming"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="window", description=DESCRIPTION)

    async def add() -> None:
        engine = engine_finder()
        # COALESCE: a NULL township (the district default) is one value, not a distinct one,
        # so there is at most one default per item (portable; NULLS NOT DISTINCT needs PG 15).
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS routing_rule_item_township "
            "ON routing_rule (item, (COALESCE(township, '')))"
        )
        await engine.run_ddl(
            "ALTER TABLE routing_rule ADD CONSTRAINT routing_rule_send_method "
            "CHECK (send_method IN ('builtin', 'external'))"
        )
        await engine.run_ddl(
            "ALTER TABLE claim ADD CONSTRAINT claim_expires_after_claimed "
            "CHECK (expires_at >= claimed_at)"
        )

    async def remove() -> None:
        engine = engine_finder()
        await engine.run_ddl(
            "ALTER TABLE claim DROP CONSTRAINT IF EXISTS claim_expires_after_claimed"
        )
        await engine.run_ddl(
            "ALTER TABLE routing_rule DROP CONSTRAINT IF EXISTS routing_rule_send_method"
        )
        await engine.run_ddl("DROP INDEX IF EXISTS routing_rule_item_township")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

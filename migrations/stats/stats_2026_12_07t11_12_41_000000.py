"""Hand-written: a bundle (一件事) counts as one case, its items apart (stats_case.part and the
roll-ups' items and bundles); the next roll-up run rebuilds every fact."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T11:12:41:000000"
VERSION = "1.38.0"
DESCRIPTION = "stats_case.part; stats_daily/stats_monthly items and bundles"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="stats", description=DESCRIPTION)

    async def add() -> None:
        run = engine_finder().run_ddl
        await run(
            "ALTER TABLE stats_case ADD COLUMN IF NOT EXISTS part VARCHAR(8) NOT NULL DEFAULT 'single'"
        )
        for table in ("stats_daily", "stats_monthly"):
            await run(
                f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS items BIGINT NOT NULL DEFAULT 0,"
                " ADD COLUMN IF NOT EXISTS bundles BIGINT NOT NULL DEFAULT 0"
            )
        # The stored facts predate the bundles' own rows: the cron's next run rebuilds them all.
        await run("UPDATE stats_watermark SET events_at = NULL")

    async def remove() -> None:
        run = engine_finder().run_ddl
        for table in ("stats_daily", "stats_monthly"):
            await run(f"ALTER TABLE {table} DROP COLUMN IF EXISTS items, DROP COLUMN IF EXISTS bundles")
        await run("ALTER TABLE stats_case DROP COLUMN IF EXISTS part")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

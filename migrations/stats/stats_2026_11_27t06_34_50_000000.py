"""Hand-written: roll-up keys, the indexes the cron reads by, the one watermark row."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T06:34:50:000000"
VERSION = "1.38.0"
DESCRIPTION = "stats roll-up keys, event and rating time indexes, watermark row"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="stats", description=DESCRIPTION)

    async def add() -> None:
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS stats_daily_key "
            "ON stats_daily (township, day, dim, key)"
        )
        await engine.run_ddl("CREATE INDEX IF NOT EXISTS stats_daily_day ON stats_daily (day)")
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS stats_monthly_key "
            "ON stats_monthly (township, month, dim, key)"
        )
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS stats_case_submitted ON stats_case (submitted_on)"
        )
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS stats_case_closed ON stats_case (closed_on)"
            " WHERE closed_on IS NOT NULL"
        )
        # The cron finds what changed since its watermark by time: events and ratings.
        await engine.run_ddl("CREATE INDEX IF NOT EXISTS case_event_at ON case_event (at)")
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS evaluation_created_at ON evaluation (created_at)"
        )
        await engine.run_ddl(
            "INSERT INTO stats_watermark (name, runs) VALUES ('rollup', 0)"
            " ON CONFLICT (name) DO NOTHING"
        )

    async def remove() -> None:
        engine = engine_finder()
        for index in (
            "evaluation_created_at",
            "case_event_at",
            "stats_case_closed",
            "stats_case_submitted",
            "stats_monthly_key",
            "stats_daily_day",
            "stats_daily_key",
        ):
            await engine.run_ddl(f"DROP INDEX IF EXISTS {index}")
        await engine.run_ddl("DELETE FROM stats_watermark WHERE name = 'rollup'")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

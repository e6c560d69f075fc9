"""Hand-written: the per-day series of one dimension read by range (``by_day``)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T06:52:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "stats_daily index by township, dimension and day"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="stats", description=DESCRIPTION)

    async def add() -> None:
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS stats_daily_series ON stats_daily (township, dim, day)"
        )

    async def remove() -> None:
        await engine_finder().run_ddl("DROP INDEX IF EXISTS stats_daily_series")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

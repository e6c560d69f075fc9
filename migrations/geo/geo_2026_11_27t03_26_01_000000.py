"""Hand-written: a service point lists an item once."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T03:26:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (service_point, item)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="geo", description=DESCRIPTION)

    async def add() -> None:
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS service_point_item_pair "
            "ON service_point_item (service_point, item)"
        )

    async def remove() -> None:
        await engine_finder().run_ddl("DROP INDEX IF EXISTS service_point_item_pair")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

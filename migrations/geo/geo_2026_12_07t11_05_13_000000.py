"""Hand-written: imported township boundaries (area_boundary)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T11:05:13:000000"
VERSION = "1.38.0"
DESCRIPTION = "area_boundary: a township's boundary from a district's GeoJSON file"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="geo", description=DESCRIPTION)

    async def add() -> None:
        await engine_finder().run_ddl(
            "CREATE TABLE area_boundary ("
            " code VARCHAR(12) PRIMARY KEY REFERENCES area (code) ON DELETE CASCADE,"
            " geometry JSONB NOT NULL,"
            " source VARCHAR(200) NOT NULL DEFAULT '',"
            " imported_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )

    async def remove() -> None:
        await engine_finder().run_ddl("DROP TABLE IF EXISTS area_boundary")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

"""Hand-written: one row per item version, one revision row."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T03:26:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (item, version); seed the catalogue revision counter"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalogue", description=DESCRIPTION)

    async def add() -> None:
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS item_version_item_version_key "
            "ON item_version (item, version)"
        )
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS item_version_current "
            "ON item_version (item, effective_from DESC, version DESC)"
        )
        await engine.run_ddl(
            "INSERT INTO catalogue_revision (id, revision, changed_at) VALUES (1, 0, now()) "
            "ON CONFLICT DO NOTHING"
        )

    async def remove() -> None:
        engine = engine_finder()
        await engine.run_ddl("DROP INDEX IF EXISTS item_version_item_version_key")
        await engine.run_ddl("DROP INDEX IF EXISTS item_version_current")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

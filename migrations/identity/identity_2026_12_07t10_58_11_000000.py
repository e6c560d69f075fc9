"""Hand-written: the lookup hash of a citizen's phone, for the window's search by phone."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T10:58:11:000000"
VERSION = "1.38.0"
DESCRIPTION = "citizen.phone_hash (HMAC-SM3 lookup hash of the phone)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="identity", description=DESCRIPTION)

    async def add() -> None:
        await engine_finder().run_ddl("ALTER TABLE citizen ADD COLUMN phone_hash VARCHAR(64)")
        await engine_finder().run_ddl(
            "CREATE INDEX citizen_phone_hash ON citizen (phone_hash) WHERE phone_hash IS NOT NULL"
        )

    async def remove() -> None:
        await engine_finder().run_ddl("DROP INDEX IF EXISTS citizen_phone_hash")
        await engine_finder().run_ddl("ALTER TABLE citizen DROP COLUMN IF EXISTS phone_hash")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

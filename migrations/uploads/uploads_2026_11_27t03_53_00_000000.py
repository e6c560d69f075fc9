"""Hand-written: the rules and indexes of ``upload`` that --auto cannot express."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T03:53:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "upload: owner and attachment checks; indexes for day counts, targets, purging"

STATEMENTS = [
    "ALTER TABLE upload ADD CONSTRAINT upload_owner_kind_check"
    " CHECK (owner_kind IN ('citizen', 'staff'))",
    "ALTER TABLE upload ADD CONSTRAINT upload_attached_check"
    " CHECK ((attached_kind IS NULL) = (attached_id IS NULL)"
    " AND (attached_id IS NULL) = (attached_at IS NULL))",
    "ALTER TABLE upload ADD CONSTRAINT upload_size_check CHECK (size > 0)",
    "ALTER TABLE upload ADD CONSTRAINT upload_material_type_check"
    " CHECK (char_length(material_type) >= 1)",
    "CREATE INDEX IF NOT EXISTS upload_owner_created"
    " ON upload (owner_kind, owner_id, created_at)",
    "CREATE INDEX IF NOT EXISTS upload_attached"
    " ON upload (attached_kind, attached_id) WHERE attached_id IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS upload_unattached_created"
    " ON upload (created_at) WHERE attached_id IS NULL",
]

UNDO = [
    "DROP INDEX IF EXISTS upload_unattached_created",
    "DROP INDEX IF EXISTS upload_attached",
    "DROP INDEX IF EXISTS upload_owner_created",
    "ALTER TABLE upload DROP CONSTRAINT IF EXISTS upload_material_type_check",
    "ALTER TABLE upload DROP CONSTRAINT IF EXISTS upload_size_check",
    "ALTER TABLE upload DROP CONSTRAINT IF EXISTS upload_attached_check",
    "ALTER TABLE upload DROP CONSTRAINT IF EXISTS upload_owner_kind_check",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="uploads", description=DESCRIPTION)

    async def add() -> None:
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    async def remove() -> None:
        engine = engine_finder()
        for statement in UNDO:
            await engine.run_ddl(statement)

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

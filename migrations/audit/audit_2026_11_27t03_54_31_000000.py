"""Hand-written: audit_event is append-only, and "who read citizen X" is an index lookup.

The trigger refuses UPDATE and DELETE for every role, the owner included. A superuser can still
disable it (``ALTER TABLE … DISABLE TRIGGER``) and edit rows: that is what the hash chain and
``jiujinban audit verify`` catch. TRUNCATE is not refused here because the test suite empties
every table between tests; in production, grant the application role INSERT and SELECT only.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T03:54:31:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit_event: refuse UPDATE and DELETE; index on the subject"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="audit", description=DESCRIPTION)

    async def add() -> None:
        await engine_finder().run_ddl(
            "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger"
            " LANGUAGE plpgsql AS $$ BEGIN"
            " RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP"
            " USING ERRCODE = 'insufficient_privilege';"
            " END $$"
        )
        await engine_finder().run_ddl(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event"
            " FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS audit_event_subject ON audit_event (subject_kind, subject_id)"
        )

    async def remove() -> None:
        await engine_finder().run_ddl("DROP INDEX IF EXISTS audit_event_subject")
        await engine_finder().run_ddl(
            "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event"
        )
        await engine_finder().run_ddl("DROP FUNCTION IF EXISTS audit_event_append_only()")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

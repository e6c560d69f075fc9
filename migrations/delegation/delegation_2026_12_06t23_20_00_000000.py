"""Hand-written: registrations the township settles (registration_referral)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T23:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registration_referral: numbers held outside the agent's village, for the township"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="delegation", description=DESCRIPTION)

    async def add() -> None:
        await engine_finder().run_ddl(
            "CREATE TABLE registration_referral ("
            " id UUID PRIMARY KEY DEFAULT gen_random_uuid(),"
            " agent UUID NOT NULL REFERENCES staff_user (id) ON DELETE RESTRICT,"
            " village VARCHAR(12) NOT NULL,"
            " township VARCHAR(12) NOT NULL,"
            " name VARCHAR(64) NOT NULL,"
            " holder UUID NOT NULL REFERENCES citizen (id) ON DELETE CASCADE,"
            " status VARCHAR(16) NOT NULL DEFAULT 'pending'"
            "  CHECK (status IN ('pending', 'moved', 'refused')),"
            " created_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
            " resolved_at TIMESTAMPTZ,"
            " resolved_by UUID,"
            " note TEXT NOT NULL DEFAULT '')"
        )
        await engine_finder().run_ddl(
            "CREATE INDEX registration_referral_agent ON registration_referral (agent)"
        )
        await engine_finder().run_ddl(
            "CREATE INDEX registration_referral_township ON registration_referral (township, created_at)"
        )
        await engine_finder().run_ddl(
            "CREATE INDEX registration_referral_holder ON registration_referral (holder)"
        )
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX registration_referral_one_pending"
            " ON registration_referral (holder, village) WHERE status = 'pending'"
        )

    async def remove() -> None:
        await engine_finder().run_ddl("DROP TABLE IF EXISTS registration_referral")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

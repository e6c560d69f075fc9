"""Hand-written: one ledger row per (citizen, template); allowed statuses and channels."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T06:17:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "subscription per (citizen, template); message status, channel checks"

_CHECKS = (
    ("subscription", "subscription_status", "status IN ('accept', 'reject', 'ban', 'filter')"),
    ("subscription", "subscription_credits", "credits >= 0"),
    (
        "message",
        "message_status",
        "status IN ('created', 'sending', 'delivered', 'temporary_failure',"
        " 'permanent_failure', 'technical_failure')",
    ),
    ("message", "message_channel", "channel IN ('wechat', 'sms', 'inbox')"),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notifications", description=DESCRIPTION)

    async def add() -> None:
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS subscription_citizen_template "
            "ON subscription (citizen, template_id)"
        )
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS staff_notice_unread "
            "ON staff_notice (created_at) WHERE read_at IS NULL"
        )
        for table, name, check in _CHECKS:
            await engine.run_ddl(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({check})")

    async def remove() -> None:
        engine = engine_finder()
        for table, name, _ in reversed(_CHECKS):
            await engine.run_ddl(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
        await engine.run_ddl("DROP INDEX IF EXISTS staff_notice_unread")
        await engine.run_ddl("DROP INDEX IF EXISTS subscription_citizen_template")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

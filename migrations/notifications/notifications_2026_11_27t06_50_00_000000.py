"""Hand-written: find a message by WeChat's msgid (subscribe_msg_sent_event)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T06:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index message.wechat_msgid"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notifications", description=DESCRIPTION)

    async def add() -> None:
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS message_wechat_msgid ON message (wechat_msgid)"
            " WHERE wechat_msgid IS NOT NULL"
        )

    async def remove() -> None:
        await engine_finder().run_ddl("DROP INDEX IF EXISTS message_wechat_msgid")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

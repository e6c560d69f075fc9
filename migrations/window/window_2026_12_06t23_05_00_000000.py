"""Hand-written: routing rules say ``builtin`` where they said ``external``.

No adapter sends a case to a department's own platform, so a transfer under an ``external``
rule reached the department's review queue here anyway while its outbox event waited for a
handler that did not exist. The rules now say what happens; saving ``external`` is refused
until such an adapter exists (the column's CHECK keeps the value for it).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T23:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "routing rules: external becomes builtin (no department platform adapter)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="window", description=DESCRIPTION)

    async def builtin() -> None:
        engine = engine_finder()
        await engine.run_ddl(
            "UPDATE routing_rule SET send_method = 'builtin' WHERE send_method = 'external'"
        )

    async def nothing() -> None:
        """Which rules said ``external`` is not kept: going back leaves them ``builtin``."""

    manager.add_raw(builtin)
    manager.add_raw_backwards(nothing)
    return manager

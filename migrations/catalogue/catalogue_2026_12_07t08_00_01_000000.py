"""Hand-written: every item version written before the kind column gets a kind, once.

The column's default made every existing version 公共服务 (``public_service``). A version whose
name says it grants a permit or an approval (许可, 审批) is 行政许可 (``licensing``) instead. An
administrator corrects any other item on its page (事项目录), which writes a new version
(docs/admin.md, "事项目录").
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T08:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "item versions: licensing items by their names"

BACKFILL = """
UPDATE item_version SET kind = 'licensing'
WHERE kind = 'public_service' AND (name LIKE '%许可%' OR name LIKE '%审批%')
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalogue", description=DESCRIPTION)

    async def add() -> None:
        await engine_finder().run_ddl(BACKFILL)

    async def remove() -> None:
        return None  # the column goes with the migration before this one

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager

"""The working-day calendar: each administrator's day names the notice it comes from.

Generated with ``piccolo migrations new workdays --auto`` and read by hand: ``calendar_day.source``
(国务院办公厅关于…的通知 and its number, or the local decision) is empty for the days recorded
before.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T07:58:07:870589"
VERSION = "1.38.0"
DESCRIPTION = "calendar days: the notice each comes from (source)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workdays", description=DESCRIPTION)

    manager.add_column(
        table_class_name="CalendarDay",
        tablename="calendar_day",
        column_name="source",
        db_column_name="source",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 200,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager

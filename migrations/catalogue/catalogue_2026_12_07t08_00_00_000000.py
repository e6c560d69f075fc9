from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "item versions: the item's kind (行政许可 or 公共服务)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalogue", description=DESCRIPTION)

    manager.add_column(
        table_class_name="ItemVersion",
        tablename="item_version",
        column_name="kind",
        db_column_name="kind",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 16,
            "default": "public_service",
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

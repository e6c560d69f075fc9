"""Helpers shared by the per-package Piccolo app configs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from piccolo.conf.apps import AppConfig
from piccolo.table import Table

import migrations

MIGRATIONS_ROOT = Path(migrations.__file__).resolve().parent


def app_config(
    name: str, tables: Sequence[type[Table]], *, depends_on: Sequence[str] = ()
) -> AppConfig:
    """One Piccolo app per domain package; its migrations live in ``migrations/<name>/``."""
    return AppConfig(
        app_name=name,
        migrations_folder_path=str(MIGRATIONS_ROOT / name),
        table_classes=list(tables),
        migration_dependencies=[f"backend.{dep}.piccolo_app" for dep in depends_on],
    )

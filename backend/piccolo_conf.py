"""Piccolo's configuration: the engine (from ``DATABASE_URL``) and one app per domain package."""

from __future__ import annotations

import os

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine

DB = PostgresEngine(
    config={"dsn": os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/jiujinban")}
)

APP_REGISTRY = AppRegistry(
    apps=[
        "backend.geo.piccolo_app",
        "backend.catalogue.piccolo_app",
        "backend.identity.piccolo_app",
        "backend.outbox.piccolo_app",
        "backend.idempotency.piccolo_app",
        "backend.uploads.piccolo_app",
        "backend.audit.piccolo_app",
        "backend.cases.piccolo_app",
        "backend.workdays.piccolo_app",
        "backend.window.piccolo_app",
        "backend.platform.piccolo_app",
        "backend.delegation.piccolo_app",
        "backend.supervision.piccolo_app",
        "backend.notices.piccolo_app",
        "backend.terminals.piccolo_app",
        "notifications.piccolo_app",
        "backend.stats.piccolo_app",
    ]
)

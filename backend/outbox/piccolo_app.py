from backend.apps import app_config
from backend.outbox.tables import OutboxEvent

APP_CONFIG = app_config("outbox", [OutboxEvent])

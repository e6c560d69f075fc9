from backend.apps import app_config
from backend.idempotency.tables import IdempotencyKey

APP_CONFIG = app_config("idempotency", [IdempotencyKey])

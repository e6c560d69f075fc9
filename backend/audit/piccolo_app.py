from backend.apps import app_config
from backend.audit.tables import AuditEvent

APP_CONFIG = app_config("audit", [AuditEvent])

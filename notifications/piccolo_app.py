from backend.apps import app_config
from notifications.tables import Message, StaffNotice, Subscription

APP_CONFIG = app_config("notifications", [Subscription, Message, StaffNotice])

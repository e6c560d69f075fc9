from backend.apps import app_config

APP_CONFIG = app_config("cases", [])

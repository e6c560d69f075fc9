from backend.apps import app_config
from backend.uploads.tables import Upload

APP_CONFIG = app_config("uploads", [Upload])

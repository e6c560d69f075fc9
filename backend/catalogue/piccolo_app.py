from backend.apps import app_config
from backend.catalogue.tables import Department

APP_CONFIG = app_config("catalogue", [Department])

from backend.apps import app_config
from backend.geo.tables import Area

APP_CONFIG = app_config("geo", [Area])

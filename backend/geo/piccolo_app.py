from backend.apps import app_config
from backend.geo.tables import Area, ServicePoint, ServicePointItem

APP_CONFIG = app_config("geo", [Area, ServicePoint, ServicePointItem], depends_on=("catalogue",))

from backend.apps import app_config
from backend.geo.tables import Area, AreaBoundary, ServicePoint, ServicePointItem

APP_CONFIG = app_config(
    "geo", [Area, ServicePoint, ServicePointItem, AreaBoundary], depends_on=("catalogue",)
)

from backend.apps import app_config
from backend.window.tables import Claim, RoutingRule

APP_CONFIG = app_config(
    "window", [RoutingRule, Claim], depends_on=("cases", "identity", "catalogue", "geo")
)

from backend.apps import app_config
from backend.platform.tables import PlatformCallback, PlatformPush, TownshipPlatform

APP_CONFIG = app_config(
    "platform",
    [TownshipPlatform, PlatformPush, PlatformCallback],
    depends_on=("cases", "geo"),
)

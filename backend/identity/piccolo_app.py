from backend.apps import app_config
from backend.identity.tables import Citizen, StaffUser, WeChatSession

APP_CONFIG = app_config(
    "identity", [Citizen, WeChatSession, StaffUser], depends_on=("geo", "catalogue")
)

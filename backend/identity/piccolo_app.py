from backend.apps import app_config
from backend.identity.tables import (
    Citizen,
    DeletionRequest,
    LoginFailure,
    StaffUser,
    WeChatSession,
)

APP_CONFIG = app_config(
    "identity",
    [Citizen, WeChatSession, DeletionRequest, StaffUser, LoginFailure],
    depends_on=("geo", "catalogue"),
)

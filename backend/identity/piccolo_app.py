from backend.apps import app_config
from backend.identity.tables import (
    Citizen,
    DeletionRequest,
    LoginFailure,
    PhoneCode,
    StaffUser,
    WeChatAccount,
    WeChatSession,
)

APP_CONFIG = app_config(
    "identity",
    [Citizen, WeChatAccount, WeChatSession, DeletionRequest, StaffUser, LoginFailure, PhoneCode],
    depends_on=("geo", "catalogue"),
)

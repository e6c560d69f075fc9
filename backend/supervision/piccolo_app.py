from backend.apps import app_config
from backend.supervision.tables import (
    CallbackCall,
    CaseUrge,
    Escalation,
    FollowUp,
    RectificationOrder,
    RectificationStep,
)

APP_CONFIG = app_config(
    "supervision",
    [Escalation, FollowUp, CallbackCall, CaseUrge, RectificationOrder, RectificationStep],
    depends_on=("cases", "geo", "identity"),
)

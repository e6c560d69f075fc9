from backend.apps import app_config
from backend.supervision.tables import CallbackCall, CaseUrge, Escalation, FollowUp

APP_CONFIG = app_config(
    "supervision",
    [Escalation, FollowUp, CallbackCall, CaseUrge],
    depends_on=("cases", "geo", "identity"),
)

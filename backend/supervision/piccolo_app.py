from backend.apps import app_config
from backend.supervision.tables import CallbackCall, Escalation, FollowUp

APP_CONFIG = app_config(
    "supervision", [Escalation, FollowUp, CallbackCall], depends_on=("cases", "geo", "identity")
)

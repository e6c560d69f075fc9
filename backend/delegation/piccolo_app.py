from backend.apps import app_config
from backend.delegation.tables import CitizenHandover, Handover, HandoverLine, Mandate, Registration

APP_CONFIG = app_config(
    "delegation",
    [Mandate, Registration, Handover, HandoverLine, CitizenHandover],
    depends_on=("cases", "identity", "geo"),
)

from backend.apps import app_config
from backend.delegation.tables import (
    CitizenHandover,
    Handover,
    HandoverLine,
    Mandate,
    Referral,
    Registration,
)

APP_CONFIG = app_config(
    "delegation",
    [Mandate, Registration, Handover, HandoverLine, CitizenHandover, Referral],
    depends_on=("cases", "identity", "geo"),
)

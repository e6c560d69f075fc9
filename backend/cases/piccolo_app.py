from backend.apps import app_config
from backend.cases.tables import Case, CaseEvent, CaseMaterial, Evaluation, LaterItem, Supplement

APP_CONFIG = app_config(
    "cases",
    [Case, CaseEvent, CaseMaterial, Supplement, LaterItem, Evaluation],
    depends_on=("geo", "catalogue", "identity"),
)

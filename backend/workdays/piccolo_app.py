from backend.apps import app_config
from backend.workdays.tables import CalendarDay, CalendarYear

APP_CONFIG = app_config("workdays", [CalendarDay, CalendarYear], depends_on=("identity",))

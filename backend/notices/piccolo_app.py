from backend.apps import app_config
from backend.notices.tables import Notice, NoticeCounter

APP_CONFIG = app_config("notices", [Notice, NoticeCounter], depends_on=("cases",))

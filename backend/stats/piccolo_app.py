from backend.apps import app_config
from backend.stats.tables import (
    StatsCase,
    StatsCoverage,
    StatsDaily,
    StatsMonthly,
    StatsWatermark,
    StatsWorkday,
)

APP_CONFIG = app_config(
    "stats",
    [StatsCase, StatsDaily, StatsMonthly, StatsWorkday, StatsCoverage, StatsWatermark],
    depends_on=("cases",),
)

"""Tables of the statistics context: one fact row per case and the roll-ups built from them.

``stats_case`` holds what the figures need of one case (computed from the case, its events and
its ratings); ``stats_daily`` and ``stats_monthly`` add the facts up per day (or month) ×
township × one *dimension* (``dim``, ``key``): the whole set (``all``), a status, a channel, a
filer kind, an item, a department, a village, a working-day bucket (``wd_accept``,
``wd_deliver``) or the cases closed that day (``closed``). Township ``*`` is the district.
Only ``backend.stats.rollup`` writes them.
"""

from __future__ import annotations

from piccolo.columns import BigInt, BigSerial, Boolean, Date, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class StatsCase(Table, tablename="stats_case"):
    """The figures' view of one case: a single-item case, a bundle, or one item of a bundle."""

    case_id = BigInt(primary_key=True)
    part = Varchar(length=8, default="single")  # single | bundle (一件事) | item (of a bundle)
    submitted_on = Date()
    closed_on = Date(null=True, default=None)
    township = Varchar(length=20, default="")  # "" while the case has no township yet
    village = Varchar(length=20, default="")
    item_code = Varchar(length=40)
    department = Varchar(length=16, default="")
    channel = Varchar(length=16)
    filed_by_kind = Varchar(length=16)
    status = Varchar(length=24)
    is_open = Boolean()
    local = Boolean()  # decided at township or village level (docs/statistics.md)
    due = Boolean()  # has a time-limit verdict: decided, or open and overdue
    on_time = Boolean()
    wd_accept = Integer(null=True, default=None)  # working days, submission → acceptance
    wd_deliver = Integer(null=True, default=None)  # working days, submission → delivery
    trips = Integer(default=0)  # recorded in-person visits of the citizen
    sat_count = Integer(default=0)
    sat_sum = Integer(default=0)
    sat_bad = Integer(default=0)
    refreshed_at = Timestamptz(default=TimestamptzNow())


class StatsDaily(Table, tablename="stats_daily"):
    """Facts added up per day × township × dimension value (see the module docstring)."""

    id = BigSerial(primary_key=True)
    day = Date()
    township = Varchar(length=20)
    dim = Varchar(length=16)
    key = Varchar(length=40)
    cases = BigInt(default=0)
    open = BigInt(default=0)
    closed = BigInt(default=0)
    due = BigInt(default=0)
    on_time = BigInt(default=0)
    delegated = BigInt(default=0)
    local = BigInt(default=0)
    trips_sum = BigInt(default=0)
    trips_le1 = BigInt(default=0)
    sat_count = BigInt(default=0)
    sat_sum = BigInt(default=0)
    sat_bad = BigInt(default=0)
    wa_n = BigInt(default=0)
    wa_sum = BigInt(default=0)
    wd_n = BigInt(default=0)
    wd_sum = BigInt(default=0)
    items = BigInt(default=0)
    bundles = BigInt(default=0)


class StatsMonthly(Table, tablename="stats_monthly"):
    """The daily roll-up added up per calendar month (``month`` is its first day)."""

    id = BigSerial(primary_key=True)
    month = Date()
    township = Varchar(length=20)
    dim = Varchar(length=16)
    key = Varchar(length=40)
    cases = BigInt(default=0)
    open = BigInt(default=0)
    closed = BigInt(default=0)
    due = BigInt(default=0)
    on_time = BigInt(default=0)
    delegated = BigInt(default=0)
    local = BigInt(default=0)
    trips_sum = BigInt(default=0)
    trips_le1 = BigInt(default=0)
    sat_count = BigInt(default=0)
    sat_sum = BigInt(default=0)
    sat_bad = BigInt(default=0)
    wa_n = BigInt(default=0)
    wa_sum = BigInt(default=0)
    wd_n = BigInt(default=0)
    wd_sum = BigInt(default=0)
    items = BigInt(default=0)
    bundles = BigInt(default=0)


class StatsWorkday(Table, tablename="stats_workday"):
    """The working-day calendar as numbers: ``n`` = working days from the epoch up to ``day``.

    Working days between two days (``a < d <= b``) are then ``n(b) - n(a)``, in SQL.
    """

    day = Date(primary_key=True)
    n = Integer()


class StatsCoverage(Table, tablename="stats_coverage"):
    """30-minute coverage per village (``backend.geo.reach.coverage``), cached by the cron."""

    village = Varchar(length=20, primary_key=True)
    township = Varchar(length=20)
    share = Integer()  # per mille of the personal items reachable within 30 minutes
    items = Integer()
    computed_at = Timestamptz(default=TimestamptzNow())


class StatsWatermark(Table, tablename="stats_watermark"):
    """Where the roll-up cron stopped: the one row is locked (SKIP LOCKED) while it runs."""

    name = Varchar(length=20, primary_key=True)
    events_at = Timestamptz(null=True, default=None)
    overdue_on = Date(null=True, default=None)
    refreshed_at = Timestamptz(null=True, default=None)
    runs = BigInt(default=0)

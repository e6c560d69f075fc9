"""Tables of the working-day calendar: an administrator's days and confirmed years."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.constraints import Check
from piccolo.table import Table

from backend.workdays.checks import NOTE_LENGTH, SOURCE_LENGTH


class CalendarDay(Table, tablename="calendar_day"):
    """节假日调整 — a day an administrator declared a day off (``holiday``) or a ``workday``.

    It wins over python-holidays, even when it says the same (it records the intent).
    """

    day = Date(unique=True, default=None)  # no default: a forgotten date must not become today
    kind = Varchar(length=8)
    note = Varchar(length=NOTE_LENGTH, default="")
    # The notice the day comes from (国务院办公厅关于…的通知 and its number), or why else.
    source = Varchar(length=SOURCE_LENGTH, default="")
    created_by: ForeignKey[Table] = ForeignKey(
        LazyTableReference("StaffUser", module_path="backend.identity.tables"),
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
    )
    updated_by: ForeignKey[Table] = ForeignKey(
        LazyTableReference("StaffUser", module_path="backend.identity.tables"),
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
    )
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())

    calendar_day_kind_check = Check("kind IN ('holiday', 'workday')")


class CalendarYear(Table, tablename="calendar_year"):
    """A year an administrator confirmed: its holidays were checked against the official notice."""

    year = Integer(unique=True, default=None)
    confirmed_by: ForeignKey[Table] = ForeignKey(
        LazyTableReference("StaffUser", module_path="backend.identity.tables"),
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
    )
    confirmed_at = Timestamptz(default=TimestamptzNow())
    note = Varchar(length=NOTE_LENGTH, default="")

"""Tables of the supervision context."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    BigSerial,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

# Other contexts' tables are referred to lazily, never imported (docs/architecture.md).
CASE = LazyTableReference("Case", module_path="backend.cases.tables")
EVALUATION = LazyTableReference("Evaluation", module_path="backend.cases.tables")


class Escalation(Table, tablename="escalation"):
    """督办 — an overdue case raised to the township's supervisors, then to the district's.

    One row per (case, level) at most (unique index in the migration): a cron that runs twice,
    or on two workers at once, escalates once per level.
    """

    id = BigSerial(primary_key=True)
    case: ForeignKey[Table] = ForeignKey(CASE, on_delete=OnDelete.restrict, index=True)
    level = Varchar(length=16)  # township | district
    area = Varchar(length=12, index=True)  # the township's or the district's code
    at = Timestamptz(default=TimestamptzNow())
    on_day = Date()  # the Asia/Shanghai day the escalation was decided for
    deadline = Date()
    days_overdue = Integer()  # working days past the deadline on ``on_day``
    reason = Text()


class FollowUp(Table, tablename="follow_up"):
    """整改 — the follow-up a bad rating opens: call the citizen back, then put it right.

    Due dates are working days after the rating: contact within 1, resolve within 15. One per
    rating (unique ``evaluation``). Assigned to the case's township's supervisors.
    """

    id = BigSerial(primary_key=True)
    case: ForeignKey[Table] = ForeignKey(CASE, on_delete=OnDelete.restrict, index=True)
    evaluation: ForeignKey[Table] = ForeignKey(EVALUATION, on_delete=OnDelete.restrict, unique=True)
    round = Integer(default=1)
    score = Integer()
    township = Varchar(length=12, null=True, default=None, index=True)
    assignee = UUID(null=True, default=None)  # the township's supervisor when it was opened
    opened_at = Timestamptz(default=TimestamptzNow())
    contact_due = Date()
    resolve_due = Date(index=True)
    contacted_at = Timestamptz(null=True, default=None)
    contacted_by = UUID(null=True, default=None)
    contact_note = Text(default="")
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = UUID(null=True, default=None)
    resolution = Text(default="")


class CallbackCall(Table, tablename="callback_call"):
    """电话回访 — a closed case drawn for the weekly call-back sample, and what the call found.

    ``week`` is the Monday of the week the case closed in; one row per (week, case) (unique
    index in the migration).
    """

    id = BigSerial(primary_key=True)
    week = Date(index=True)
    case: ForeignKey[Table] = ForeignKey(CASE, on_delete=OnDelete.restrict, index=True)
    township = Varchar(length=12, null=True, default=None, index=True)
    drawn_at = Timestamptz(default=TimestamptzNow())
    called_at = Timestamptz(null=True, default=None)
    called_by = UUID(null=True, default=None)
    reached = Boolean(null=True, default=None)
    satisfied = Integer(null=True, default=None)  # 1–5, when reached
    trips = Integer(null=True, default=None)  # trips the citizen says the errand took
    note = Text(default="")


class CaseUrge(Table, tablename="case_urge"):
    """催办 — a supervisor urges whoever holds an open case now (a window clerk, the township's
    desk or the back-office department). Counted per township and department; a timeline step
    of the case records it too."""

    id = BigSerial(primary_key=True)
    case: ForeignKey[Table] = ForeignKey(CASE, on_delete=OnDelete.restrict, index=True)
    at = Timestamptz(default=TimestamptzNow())
    by = UUID()  # the supervisor
    township = Varchar(length=12, null=True, default=None, index=True)
    department = Varchar(length=40, null=True, default=None, index=True)
    holder_kind = Varchar(length=16)  # window | township | department
    holder_id = Varchar(length=40, null=True, default=None)  # the clerk, when one holds it
    note = Text(default="")


class RectificationOrder(Table, tablename="rectification_order"):
    """整改通知 — a supervisor orders a township (its window desk) or a back-office department
    to put something right by a working day (提出整改要求，限期整改). The addressee responds,
    the supervisor closes it (整改完成) or sends it back (退回重改). ``case_number`` names a case
    it is about, when any: a plain number, not a key, so an order outlives a purged case."""

    id = BigSerial(primary_key=True)
    target_kind = Varchar(length=16)  # township | department
    township = Varchar(length=12, null=True, default=None, index=True)
    department = Varchar(length=40, null=True, default=None, index=True)
    case_number = Varchar(length=40, null=True, default=None)
    requirement = Text()
    deadline = Date()
    state = Varchar(length=16, default="open")  # open | responded | returned | closed
    issued_by = UUID()
    issued_at = Timestamptz(default=TimestamptzNow())
    responded_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    closed_on = Date(null=True, default=None)  # the Asia/Shanghai day it was closed


class RectificationStep(Table, tablename="rectification_step"):
    """One step of an order: issued, responded, returned or closed, by whom, with the text."""

    id = BigSerial(primary_key=True)
    order = ForeignKey(RectificationOrder, on_delete=OnDelete.cascade, index=True)
    at = Timestamptz(default=TimestamptzNow())
    by = UUID()
    action = Varchar(length=16)  # issue | respond | return | close
    note = Text(default="")

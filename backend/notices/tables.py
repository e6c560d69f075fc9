"""Tables of the notices context: each notice issued, and the number counters."""

from __future__ import annotations

from piccolo.columns import BigInt, Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

# Other contexts' tables are referenced by name, never imported: they are private to them.
CASE = LazyTableReference("Case", module_path="backend.cases.tables")


class Notice(Table, tablename="notice"):
    """书面凭证 — one formal notice a step of a case issued (受理通知书, 补正材料通知书 …).

    The row keeps only what the notice states that is not personal (its kind, number,
    department, date, item) and what it was issued for (case, step); the applicant's name and
    the step's reasons are read from the case when the PDF is rendered. ``token`` opens the
    public verification page; it is random and says nothing of the case.
    """

    case: ForeignKey[Table] = ForeignKey(CASE, on_delete=OnDelete.cascade, index=True)
    root_case = BigInt(index=True)
    """The case the citizen sees: a bundle's parent for its items' notices, else ``case``."""
    event = BigInt()
    """The timeline step that issued it: one notice per step and case, however often its
    handler runs (unique with ``case``: a bundle's 补正 is one step of the parent and issues
    one notice per item; the unique index ``notice_event_case`` of migration
    ``notices_2026_12_07t11_58_21`` also serves lookups by step)."""
    kind = Varchar(length=16)
    token = Varchar(length=64, unique=True)
    department = Varchar(length=16)
    department_name = Varchar(length=100)
    acting_for = Varchar(length=100, default="")
    """The one-window centre that acted for the department, when it did ("" otherwise)."""
    year = Integer()
    sequence = Integer()
    number = Varchar(length=64)
    item_code = Varchar(length=40)
    item_name = Varchar(length=200)
    item_kind = Varchar(length=16)
    issued_at = Timestamptz(default=TimestamptzNow())
    valid = Boolean(default=True)


class NoticeCounter(Table, tablename="notice_counter"):
    """The last number a department issued in a year: numbers come without gaps, because the
    increment commits or rolls back with the notice it numbers."""

    department = Varchar(length=16)
    year = Integer()
    last = Integer(default=0)

"""Tables of the catalogue context."""

from __future__ import annotations

from piccolo.columns import Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Department(Table, tablename="department"):
    """部门 — a department that approves items in the back office (公安, 民政, 人社 …)."""

    code = Varchar(length=16, primary_key=True)
    name = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())

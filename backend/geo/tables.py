"""Tables of the geo context."""

from __future__ import annotations

from piccolo.columns import DoublePrecision, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Area(Table, tablename="area"):
    """行政区划 — a district, township (镇街) or village/community (村社区), keyed by its code."""

    code = Varchar(length=12, primary_key=True)
    name = Varchar(length=64)
    level = Varchar(length=16, index=True)
    parent: ForeignKey[Area] = ForeignKey(
        "self", null=True, on_delete=OnDelete.restrict, index=True
    )
    lat = DoublePrecision(null=True, default=None)
    lng = DoublePrecision(null=True, default=None)
    population = Integer(null=True, default=None)
    note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())

"""Tables of the geo context."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    Boolean,
    DoublePrecision,
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


class ServicePoint(Table, tablename="service_point"):
    """办事点 — a place that handles items: township hall, village station, bank outlet …

    ``hours`` maps ISO weekday numbers ("1" = Monday … "7" = Sunday) to lists of
    ``["HH:MM", "HH:MM"]`` intervals. Holidays close it; make-up workdays open it with Monday's
    hours (by the working-day calendar).
    """

    code = Varchar(length=40, primary_key=True)
    name = Varchar(length=100)
    kind = Varchar(length=32, index=True)
    area = ForeignKey(Area, on_delete=OnDelete.restrict, index=True)
    township = ForeignKey(Area, on_delete=OnDelete.restrict, index=True)
    lat = DoublePrecision()
    lng = DoublePrecision()
    address = Varchar(length=200, default="")
    phone = Varchar(length=40, default="")
    hours = JSONB(default={})
    active = Boolean(default=True)
    note = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class ServicePointItem(Table, tablename="service_point_item"):
    """An item a service point handles (the township's 下沉 list)."""

    service_point = ForeignKey(ServicePoint, on_delete=OnDelete.cascade, index=True)
    item: ForeignKey[Table] = ForeignKey(
        LazyTableReference("Item", module_path="backend.catalogue.tables"),
        on_delete=OnDelete.restrict,
        index=True,
    )


class AreaBoundary(Table, tablename="area_boundary"):
    """A township's real boundary (a GeoJSON Polygon or MultiPolygon), imported from a
    district's boundary file (``jiujinban boundaries import``); without any, the dashboard draws
    the demo's schematic shapes (docs/dashboard.md)."""

    code = Varchar(length=12, primary_key=True)
    geometry = JSONB()
    source = Varchar(length=200, default="")
    imported_at = Timestamptz(default=TimestamptzNow())

"""Tables of the catalogue context: departments, items (versioned) and bundles."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    Array,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Department(Table, tablename="department"):
    """部门 — a department that approves items in the back office (公安, 民政, 人社 …)."""

    code = Varchar(length=16, primary_key=True)
    name = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())


class Item(Table, tablename="item"):
    """事项 — one government service; what it is like lives in its versions."""

    code = Varchar(length=40, primary_key=True)
    retired = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())


class ItemVersion(Table, tablename="item_version"):
    """One version of an item, in force from ``effective_from``; never changed once written.

    A case records the version it was filed under, so later catalogue changes do not rewrite
    what the citizen was asked for. Materials and form fields are part of the version.
    """

    id = Serial(primary_key=True)
    item = ForeignKey(Item, on_delete=OnDelete.restrict, index=True)
    version = Integer()
    effective_from = Date()
    name = Varchar(length=100)
    department = ForeignKey(Department, on_delete=OnDelete.restrict)
    lowest_level = Varchar(length=16)
    channels = Array(Varchar(length=16))
    delegable = Boolean(default=True)
    district_wide = Boolean(default=False)
    personal = Boolean(default=True)
    legal_days = Integer()
    committed_days = Integer()
    fee = Varchar(length=100, default="不收费")
    delivery_methods = Array(Varchar(length=16))
    keywords = Array(Varchar(length=40))
    materials = JSONB(default=[])
    form = JSONB(default=[])
    kind = Varchar(length=16, default="public_service")
    created_at = Timestamptz(default=TimestamptzNow())


class Bundle(Table, tablename="bundle"):
    """一件事 — several items asked for at once, with one merged list of materials."""

    code = Varchar(length=40, primary_key=True)
    name = Varchar(length=100)
    item_codes = Array(Varchar(length=40))
    keywords = Array(Varchar(length=40))
    note = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class CatalogueRevision(Table, tablename="catalogue_revision"):
    """A counter bumped by every catalogue change, so processes know when to reload."""

    id = Serial(primary_key=True)
    revision = Integer(default=0)
    changed_at = Timestamptz(default=TimestamptzNow())

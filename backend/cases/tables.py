"""Tables of the cases context."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    Array,
    BigSerial,
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


class Case(Table, tablename="case_record"):
    """办件 — one application. A bundle case has one child case per item (``<number>-NN``).

    ``status`` changes only through ``backend.cases.transitions`` (the one state machine);
    ``deadline`` is a copy kept for sorting queues — the truth is recomputed from the events.
    """

    id = BigSerial(primary_key=True)
    number = Varchar(length=24, unique=True)
    parent: ForeignKey[Case] = ForeignKey(
        "self", null=True, on_delete=OnDelete.restrict, index=True
    )
    bundle_code = Varchar(length=40, null=True, default=None)
    item_code = Varchar(length=40, null=True, default=None, index=True)
    item_version: ForeignKey[Table] = ForeignKey(
        LazyTableReference("ItemVersion", module_path="backend.catalogue.tables"),
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
    )
    applicant: ForeignKey[Table] = ForeignKey(
        LazyTableReference("Citizen", module_path="backend.identity.tables"),
        on_delete=OnDelete.restrict,
        index=True,
    )
    filed_by_kind = Varchar(length=16)
    filed_by_staff: ForeignKey[Table] = ForeignKey(
        LazyTableReference("StaffUser", module_path="backend.identity.tables"),
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
    )
    mandate_id = Varchar(length=40, null=True, default=None)
    channel = Varchar(length=16)
    status = Varchar(length=24, index=True)
    resume_status = Varchar(length=24, null=True, default=None)
    township: ForeignKey[Table] = ForeignKey(
        LazyTableReference("Area", module_path="backend.geo.tables"),
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
        index=True,
    )
    service_point: ForeignKey[Table] = ForeignKey(
        LazyTableReference("ServicePoint", module_path="backend.geo.tables"),
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
    )
    department: ForeignKey[Table] = ForeignKey(
        LazyTableReference("Department", module_path="backend.catalogue.tables"),
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
    )
    form = JSONB(default={})
    delivery_method = Varchar(length=16)
    delivery_address = Text(default="")
    committed_days = Integer(default=0)
    deadline = Date(null=True, default=None, index=True)
    accepted_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    restricted_at = Timestamptz(null=True, default=None)
    """The applicant's deletion was carried out: kept for its retention period, opened only by
    an audited action with a reason, never listed (``backend.cases.erase``)."""


class CaseEvent(Table, tablename="case_event"):
    """One step of a case's timeline: who did what, for whom, through which channel. Append-only."""

    id = BigSerial(primary_key=True)
    case = ForeignKey(Case, on_delete=OnDelete.restrict, index=True)
    at = Timestamptz(default=TimestamptzNow())
    action = Varchar(length=32)
    from_status = Varchar(length=24, null=True, default=None)
    to_status = Varchar(length=24)
    actor_kind = Varchar(length=16)
    actor_id = Varchar(length=40, null=True, default=None)
    actor_role = Varchar(length=16)
    on_behalf_of = Varchar(length=40, null=True, default=None)
    channel = Varchar(length=16, null=True, default=None)
    note = Text(default="")
    data = JSONB(default={})


class CaseMaterial(Table, tablename="case_material"):
    """A material of a case: an upload, shared data (电子证照) or a paper original."""

    id = BigSerial(primary_key=True)
    case = ForeignKey(Case, on_delete=OnDelete.restrict, index=True)
    material_type = Varchar(length=20)
    source = Varchar(length=16)  # upload | shared | paper
    upload_id = Varchar(length=40, null=True, default=None)
    shared_ref = Varchar(length=80, null=True, default=None)
    supplement = Integer(null=True, default=None)  # which supplement round brought it, if any
    created_at = Timestamptz(default=TimestamptzNow())


class Supplement(Table, tablename="case_supplement"):
    """补正 — a request for missing or wrong materials, listing all of them at once."""

    id = BigSerial(primary_key=True)
    case = ForeignKey(Case, on_delete=OnDelete.restrict, index=True)
    missing = Array(Varchar(length=20))
    note = Text(default="")
    requested_at = Timestamptz(default=TimestamptzNow())
    requested_by = Varchar(length=40, null=True, default=None)
    answered_at = Timestamptz(null=True, default=None)
    answer_note = Text(default="")


class LaterItem(Table, tablename="case_later_item"):
    """An item of a 一件事 that could not be filed through the bundle's channel: the applicant
    is told to do it at a window or through a village agent (to-do, not a case)."""

    id = BigSerial(primary_key=True)
    case = ForeignKey(Case, on_delete=OnDelete.restrict, index=True)
    position = Integer()
    item_code = Varchar(length=40)
    item_name = Text()
    channels = Array(Varchar(length=20))
    materials = Array(Text())
    created_at = Timestamptz(default=TimestamptzNow())


class Evaluation(Table, tablename="evaluation"):
    """好差评 — the citizen's 1–5 rating of a closed case (a second one after a follow-up)."""

    id = BigSerial(primary_key=True)
    case = ForeignKey(Case, on_delete=OnDelete.restrict, index=True)
    citizen: ForeignKey[Table] = ForeignKey(
        LazyTableReference("Citizen", module_path="backend.identity.tables"),
        on_delete=OnDelete.restrict,
    )
    round = Integer(default=1)
    score = Integer()
    comment = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())

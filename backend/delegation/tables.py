"""Tables of the delegation context: mandates, registrations, handover batches."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    Array,
    BigSerial,
    Boolean,
    Date,
    ForeignKey,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from backend.geo.tables import Area
from backend.identity.tables import Citizen, StaffUser


class Mandate(Table, tablename="mandate"):
    """委托 — a citizen's recorded consent for an agent to act for them, its scope and expiry.

    ``status`` is stored as ``pending``/``active``/``refused``/``revoked``; ``expired`` is what a
    pending or active mandate *is* once ``expires_on`` has passed (decided at read time, so an
    expired mandate stops new actions the moment the day ends, whatever a cron did or did not).
    """

    id = UUID(primary_key=True)
    agent = ForeignKey(StaffUser, on_delete=OnDelete.restrict, index=True)
    citizen = ForeignKey(Citizen, on_delete=OnDelete.restrict, index=True)
    item_codes = Array(Varchar(length=40), default=[])
    bundle_code = Varchar(length=40, null=True, default=None)
    expires_on = Date()
    status = Varchar(length=16, index=True)
    consent = Varchar(length=16)  # miniprogram | paper
    evidence_upload_ids = Array(Varchar(length=40), default=[])
    spot_check = Boolean(default=False)  # sampled for a supervisor's spot check
    spot_check_ok = Boolean(null=True, default=None)
    spot_check_note = Text(default="")
    spot_checked_by = UUID(null=True, default=None)
    spot_checked_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)  # confirmed or refused by the citizen
    revoked_at = Timestamptz(null=True, default=None)


class Registration(Table, tablename="agent_registration"):
    """A citizen without WeChat registered by an agent, and what became of a WeChat takeover."""

    citizen = ForeignKey(Citizen, unique=True, on_delete=OnDelete.cascade)
    agent = ForeignKey(StaffUser, on_delete=OnDelete.restrict, index=True)
    registered_at = Timestamptz(default=TimestamptzNow())
    taken_over_at = Timestamptz(null=True, default=None)
    takeover_refused_at = Timestamptz(null=True, default=None)
    takeover_refused_reason = Text(default="")


class Handover(Table, tablename="handover"):
    """材料交接 — one batch of paper originals (village → township) or results (township → village).

    ``code`` is the short code printed under the manifest's QR code.
    """

    id = UUID(primary_key=True)
    code = Varchar(length=16, unique=True)
    direction = Varchar(length=16)  # to_township | to_village
    agent = ForeignKey(StaffUser, on_delete=OnDelete.restrict, index=True)
    township = ForeignKey(Area, on_delete=OnDelete.restrict, index=True)
    created_by = UUID()
    created_at = Timestamptz(default=TimestamptzNow())
    status = Varchar(length=16, default="sent")  # sent | received
    received_by = UUID(null=True, default=None)
    received_at = Timestamptz(null=True, default=None)
    note = Text(default="")


class HandoverLine(Table, tablename="handover_line"):
    """One case in a handover batch: what was sent, and what the receiver found missing."""

    id = BigSerial(primary_key=True)
    handover = ForeignKey(Handover, on_delete=OnDelete.cascade, index=True)
    case: ForeignKey[Table] = ForeignKey(
        LazyTableReference("Case", app_name="cases"), on_delete=OnDelete.restrict, index=True
    )
    items = Array(Varchar(length=20), default=[])  # material types, or ["result"]
    missing = Array(Varchar(length=20), default=[])


class CitizenHandover(Table, tablename="citizen_handover"):
    """The agent gave the result to the citizen, with a photo as proof."""

    id = BigSerial(primary_key=True)
    case: ForeignKey[Table] = ForeignKey(
        LazyTableReference("Case", app_name="cases"), unique=True, on_delete=OnDelete.restrict
    )
    agent = ForeignKey(StaffUser, on_delete=OnDelete.restrict)
    photo_upload_id = Varchar(length=40)
    at = Timestamptz(default=TimestamptzNow())


class Referral(Table, tablename="registration_referral"):
    """待乡镇核实 — an agent registered a villager whose ID number is already held by someone
    outside the agent's village, and no verification could settle who is who.

    The agent is not told who holds the number; the township's window staff see both records
    and settle it: the holder has ``moved`` into the agent's village, or the registration is
    ``refused``. ``name`` is what the agent typed (the holder's own record is not copied).
    """

    id = UUID(primary_key=True)
    agent = ForeignKey(StaffUser, on_delete=OnDelete.restrict, index=True)
    village = Varchar(length=12)
    township = Varchar(length=12, index=True)
    name = Varchar(length=64)
    holder = ForeignKey(Citizen, on_delete=OnDelete.cascade, index=True)
    status = Varchar(length=16, default="pending")  # pending | moved | refused
    created_at = Timestamptz(default=TimestamptzNow())
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = UUID(null=True, default=None)
    note = Text(default="")

"""Tables of the window context: where each item goes for approval, and who works which case."""

from __future__ import annotations

from piccolo.columns import BigSerial, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from backend.catalogue.tables import Department, Item
from backend.geo.tables import Area
from backend.identity.tables import StaffUser


class RoutingRule(Table, tablename="routing_rule"):
    """分类审批规则 — which back office approves an item, per township (null = district default).

    ``send_method`` says how the case reaches it: ``builtin`` (this system's review queue) or
    ``external`` (the department's own platform, through the outbox). One rule per
    (township, item), the district default included (unique index in the migration).
    """

    id = Serial(primary_key=True)
    township = ForeignKey(Area, null=True, default=None, on_delete=OnDelete.cascade)
    item = ForeignKey(Item, null=False, on_delete=OnDelete.cascade)
    department = ForeignKey(Department, null=False, on_delete=OnDelete.restrict)
    send_method = Varchar(length=16, default="builtin")
    updated_by = Varchar(length=40, null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class Claim(Table, tablename="claim"):
    """A window clerk's claim on a queued case: nobody else takes it until it lapses.

    A claim whose ``expires_at`` has passed is ignored everywhere; the row stays until the case
    is claimed again (the unique ``case`` makes two live claims on one case impossible).
    """

    id = BigSerial(primary_key=True)
    case: ForeignKey[Table] = ForeignKey(
        LazyTableReference("Case", app_name="cases"),
        null=False,
        unique=True,
        on_delete=OnDelete.cascade,
    )
    staff = ForeignKey(StaffUser, null=False, on_delete=OnDelete.cascade, index=True)
    claimed_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(default=TimestamptzNow(), index=True)

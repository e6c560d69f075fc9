"""Tables of the outbox."""

from __future__ import annotations

from piccolo.columns import JSONB, BigSerial, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxEvent(Table, tablename="outbox_event"):
    """One unit of work to do after a commit (forward a case, send a message …).

    ``status`` is ``pending`` until a handler succeeded (``done``) or it ran out of attempts
    (``dead``, shown to supervisors). ``lease_until`` marks a row a worker is running now.
    """

    id = BigSerial(primary_key=True)
    kind = Varchar(length=64, index=True)
    payload = JSONB(default={})
    dedup_key = Varchar(length=200, null=True, default=None, unique=True)
    status = Varchar(length=16, default="pending")
    attempts = Integer(default=0)
    due_at = Timestamptz(default=TimestamptzNow())
    lease_until = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    done_at = Timestamptz(null=True, default=None)

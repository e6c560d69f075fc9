"""Tables of the idempotency context."""

from __future__ import annotations

from piccolo.columns import JSONB, BigSerial, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class IdempotencyKey(Table, tablename="idempotency_key"):
    """A create request remembered under its ``Idempotency-Key`` (scoped to the caller)."""

    id = BigSerial(primary_key=True)
    scoped_key = Varchar(length=300, unique=True)
    request_hash = Varchar(length=64)
    response_status = Integer(null=True, default=None)
    response_body = JSONB(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(index=True)

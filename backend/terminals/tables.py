"""``terminal`` and ``terminal_session``: the registered devices and the citizens' sessions."""

from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table


class Terminal(Table, tablename="terminal"):
    """自助终端 — a self-service terminal standing at a service point of kind
    ``self_service_terminal``.

    Its device credential is the terminal id and a random secret shown once when issued; only a
    hash of the secret is kept. ``credential_issued_at`` also versions the terminal's tokens:
    reissuing ends every token issued under the old credential.
    """

    id = UUID(primary_key=True)
    name = Varchar(length=100)
    service_point: ForeignKey[Table] = ForeignKey(
        LazyTableReference("ServicePoint", module_path="backend.geo.tables"),
        on_delete=OnDelete.restrict,
        index=True,
    )
    credential_hash = Varchar(length=128)
    credential_issued_at = Timestamptz(default=TimestamptzNow())
    disabled_at = Timestamptz(null=True, default=None)
    last_seen_at = Timestamptz(null=True, default=None)
    created_by = Varchar(length=64)
    """Who registered it: ``staff:<id>`` or ``cli:<operator>``."""
    created_at = Timestamptz(default=TimestamptzNow())


class TerminalSession(Table, tablename="terminal_session"):
    """A citizen's session at a terminal, opened by reading their ID card; ended by the citizen
    (or the terminal) or by its expiry. Kept so an ended session's token is refused at once."""

    id = UUID(primary_key=True)
    terminal = ForeignKey(Terminal, on_delete=OnDelete.cascade, index=True)
    citizen: ForeignKey[Table] = ForeignKey(
        LazyTableReference("Citizen", module_path="backend.identity.tables"),
        on_delete=OnDelete.cascade,
        index=True,
    )
    reader_serial = Varchar(length=64, default="")
    started_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)

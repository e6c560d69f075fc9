"""How a row of the audit log is hashed into the chain (pure: standard library + HMAC-SM3)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Final

from backend.security.fieldcrypt import hmac_sm3

GENESIS: Final = "0" * 64
"""``prev_hash`` of the first row."""


@dataclass(frozen=True, slots=True)
class Entry:
    """The hashed content of one ``audit_event`` row (everything but its two hashes)."""

    id: int
    at: datetime
    actor_kind: str
    actor_id: str
    on_behalf_of: str | None
    action: str
    subject_kind: str
    subject_id: str
    reason: str

    def canonical(self) -> bytes:
        """Sorted keys, no spaces, UTF-8, the time in UTC to the microsecond."""
        fields = asdict(self)
        fields["at"] = self.at.astimezone(UTC).isoformat(timespec="microseconds")
        return json.dumps(
            fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()


def key_bytes(key: str | bytes) -> bytes:
    if not key:
        raise ValueError("the audit key is empty")
    return key if isinstance(key, bytes) else key.encode()


def entry_hash(key: bytes, prev_hash: str, entry: Entry) -> str:
    """HMAC-SM3(key, prev_hash ‖ canonical JSON of the row), hex."""
    return hmac_sm3(key, prev_hash.encode("ascii") + entry.canonical()).hex()

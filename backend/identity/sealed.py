"""The encrypted columns of identity, and the context each value is bound to.

The context names the column and the row, so a ciphertext copied to another row or column fails
to decrypt. ``ENCRYPTED_COLUMNS`` is what ``jiujinban keys rotate`` walks; a package that stores
another encrypted value adds its column here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

ID_NUMBER_LOOKUP: Final = "citizen.id_number"
"""Lookup-hash context of ID numbers: the same for every row, so equal numbers hash equal."""


PHONE_LOOKUP: Final = "citizen.phone"
"""Lookup-hash context of citizens' phone numbers (the window's search by phone)."""


def id_number_context(citizen_id: str) -> str:
    return f"citizen.id_number:{citizen_id}"


def phone_context(citizen_id: str) -> str:
    return f"citizen.phone:{citizen_id}"


def session_key_context(citizen_id: str) -> str:
    return f"wechat_session:{citizen_id}"


@dataclass(frozen=True, slots=True)
class EncryptedColumn:
    """One column of ``<key id>:<ciphertext>`` values, keyed by a unique column of its table."""

    label: str
    table: str
    key_column: str
    key_type: str
    """SQL type of ``key_column`` (for the batched ``unnest`` update)."""
    column: str
    context: Callable[[str], str]


ENCRYPTED_COLUMNS: Final[tuple[EncryptedColumn, ...]] = (
    EncryptedColumn(
        "citizen ID numbers", "citizen", "id", "uuid", "id_number_enc", id_number_context
    ),
    EncryptedColumn("citizen phones", "citizen", "id", "uuid", "phone_enc", phone_context),
    EncryptedColumn(
        "WeChat session keys",
        "wechat_session",
        "citizen",
        "uuid",
        "session_key_enc",
        session_key_context,
    ),
)

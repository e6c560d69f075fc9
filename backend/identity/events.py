"""The privacy events of the identity context, as typed, versioned payloads.

``privacy.deletion_decided`` is published when staff decide a deletion request;
``privacy.erase`` is identity's own work (:func:`backend.identity.erasure.erase_person`),
scheduled by notifications once the citizen has been told. Both name the request and the
citizen by id, the outcome by its code. ``identity.wechat_account_joined`` tells a citizen that
another WeChat account joined theirs (``account_merge``). The deletion payloads were once
unversioned dicts of the same fields; those rows are read as version 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import msgspec

from backend.outbox.payloads import decode, encode

DECIDED_EVENT: Final = "privacy.deletion_decided"
ERASE_EVENT: Final = "privacy.erase"

ACCOUNT_JOINED_EVENT: Final = "identity.wechat_account_joined"

DECIDED_VERSION: Final = 1
ACCOUNT_JOINED_VERSION: Final = 1
ERASE_VERSION: Final = 1


class DeletionDecidedV1(msgspec.Struct, frozen=True, kw_only=True):
    """``privacy.deletion_decided``: ``outcome`` is ``approved`` or ``refused``; an approval is
    carried out ``erase_after_s`` seconds after the citizen was told."""

    version: int = DECIDED_VERSION
    request_id: str
    citizen_id: str
    outcome: str
    erase_after_s: int = 0

    @property
    def approved(self) -> bool:
        return self.outcome == "approved"


class EraseV1(msgspec.Struct, frozen=True, kw_only=True):
    """``privacy.erase``: carry out the approved deletion request ``request_id``."""

    version: int = ERASE_VERSION
    request_id: str


class AccountJoinedV1(msgspec.Struct, frozen=True, kw_only=True):
    """``identity.wechat_account_joined``: a bare WeChat account (``joined_id``, now deleted)
    joined ``citizen_id`` with the holder's SMS code; the holder is told."""

    version: int = ACCOUNT_JOINED_VERSION
    citizen_id: str
    joined_id: str


PAYLOADS: Final[dict[str, type[msgspec.Struct]]] = {
    DECIDED_EVENT: DeletionDecidedV1,
    ERASE_EVENT: EraseV1,
    ACCOUNT_JOINED_EVENT: AccountJoinedV1,
}
"""The payload of each event kind of this context."""


def deletion_decided_payload(
    *, request_id: str, citizen_id: str, outcome: str, erase_after_s: int
) -> dict[str, Any]:
    return encode(
        DeletionDecidedV1(
            request_id=str(request_id),
            citizen_id=str(citizen_id),
            outcome=outcome,
            erase_after_s=erase_after_s,
        )
    )


def read_deletion_decided(payload: Mapping[str, Any]) -> DeletionDecidedV1:
    return decode(payload, DeletionDecidedV1, kind=DECIDED_EVENT, version=DECIDED_VERSION)


def erase_payload(request_id: str) -> dict[str, Any]:
    return encode(EraseV1(request_id=str(request_id)))


def read_erase(payload: Mapping[str, Any]) -> EraseV1:
    return decode(payload, EraseV1, kind=ERASE_EVENT, version=ERASE_VERSION)


def account_joined_payload(*, citizen_id: str, joined_id: str) -> dict[str, Any]:
    return encode(AccountJoinedV1(citizen_id=str(citizen_id), joined_id=str(joined_id)))


def read_account_joined(payload: Mapping[str, Any]) -> AccountJoinedV1:
    return decode(
        payload, AccountJoinedV1, kind=ACCOUNT_JOINED_EVENT, version=ACCOUNT_JOINED_VERSION
    )

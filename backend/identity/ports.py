"""What identity asks of the identity-verification interface (实名核验). Standard library only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Whether the name and the ID number belong together, and the service's reference for it."""

    matched: bool
    reference: str


class IdentityVerifyUnavailable(Exception):
    """No usable answer: network error, timeout, HTTP error, a malformed or unsigned reply."""


class IdentityVerifier(Protocol):
    """The authority's check of a (name, ID number) pair."""

    async def verify(self, name: str, id_number: str) -> VerifyResult:
        """Raises ``IdentityVerifyUnavailable`` when no answer could be had."""
        ...

    async def aclose(self) -> None: ...


class TextUnavailable(Exception):
    """The text message could not be sent (gateway down or refusing)."""


class TextSender(Protocol):
    """Sends one text message (短信) to a phone number; the SMS gateway behind it."""

    async def send_to_number(self, *, phone: str, text: str) -> str:
        """Send ``text`` to ``phone``; the gateway's message id. Raises ``TextUnavailable``."""
        ...

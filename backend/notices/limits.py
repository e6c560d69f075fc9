"""How often notices may be looked up and rendered (Redis counters, ``backend.http.throttle``).

The verification page is public: its lookups are counted per client address only, so a flood
from one address never blocks another's lookup. A PDF is rendered anew on every read (a fraction
of a second of CPU and an audit row): reads are counted per reader (citizen or staff account),
not per address, so an office behind one address is not limited as one person. Both let
requests through while Redis is away (a log line each): neither guards personal data.
"""

from __future__ import annotations

from typing import Any, Final

from backend.audit.service import Actor
from backend.http.throttle import Limit, hit
from backend.notices import texts

VERIFY_LIMIT: Final = Limit(per_account=0, per_address=60, window_s=60)
"""Verification lookups per client address a minute (a token cannot be guessed; this keeps
anyone from trying). ``per_account`` is unused: the page has no account."""

PDF_LIMIT: Final = Limit(per_account=30, per_address=0, window_s=60)
"""PDF reads per reader a minute; ``per_address`` is unused."""


async def count_verify(redis: Any, *, prefix: str, address: str, limit: Limit) -> None:
    """Count one verification lookup of ``address``; 429 ``rate_limited`` over the limit."""
    await hit(
        redis,
        prefix=prefix,
        route="verify",
        account=None,
        address=address,
        limit=limit,
        fail_open=True,
    )


async def count_pdf_read(redis: Any, *, prefix: str, reader: Actor, limit: Limit) -> None:
    """Count one PDF read of ``reader``; 429 ``rate_limited`` (in Chinese) over the limit."""
    await hit(
        redis,
        prefix=prefix,
        route="notice_pdf",
        account=f"{reader.kind}:{reader.id}",
        address=None,
        limit=limit,
        fail_open=True,
        message=texts.PDF_RATE_LIMITED,
    )

"""What the citizen's client reads of their notices."""

from __future__ import annotations

from datetime import datetime

import msgspec


class NoticeForCitizen(msgspec.Struct, frozen=True, kw_only=True):
    """One formal notice of the citizen's case (PDF at ``pdf_path``)."""

    id: int
    kind: str
    """acceptance | rejection | supplement | denial | completion"""
    title: str
    number: str
    department: str
    issued_at: datetime
    case_number: str
    """The case (or, for a bundle, the item) it was issued for."""
    pdf_path: str

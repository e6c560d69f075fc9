"""Case numbers: ``XS20261126000123`` — district prefix, Shanghai date, sequence."""

from __future__ import annotations

import re

from backend.cases.store.cases import next_sequence
from backend.clock import today

PREFIX = "XS"
NUMBER = re.compile(r"^[A-Z]{2}\d{8}\d{6,}(-\d{2})?$")


async def next_number() -> str:
    """A new number; the sequence never hands out a value twice, even across a rollback."""
    return f"{PREFIX}{today():%Y%m%d}{await next_sequence():06d}"


def child_number(parent: str, index: int) -> str:
    return f"{parent}-{index:02d}"


def looks_like_number(value: str) -> bool:
    return bool(NUMBER.match(value))

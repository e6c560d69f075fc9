"""How personal numbers are shown: the first 3 and the last 4 characters, the rest starred."""

from __future__ import annotations


def _mask(value: str) -> str:
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_id_number(value: str) -> str:
    """``330***********1234``."""
    return _mask(value)


def mask_phone(value: str) -> str:
    """``138****1234``."""
    return _mask(value)

"""What a deletion (PIPL art. 47) hands each context's eraser: the person, and the case files the
law keeps. ``backend.identity.erasure`` runs the deletion; every context that holds personal data
registers an ``Eraser`` taking a ``Person``.

This is the contract between them, so it lives outside both: standard library only, nothing of
backend's packages (identity imports the contexts' services, so they must not import identity).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KeptCase:
    id: int
    number: str
    mandate_id: str | None
    closed: bool


@dataclass(frozen=True, slots=True)
class Person:
    """Who is being erased, and the case files the law keeps (which other contexts spare)."""

    citizen_id: str
    kept: tuple[KeptCase, ...]

    @property
    def kept_numbers(self) -> tuple[str, ...]:
        return tuple(k.number for k in self.kept)

    @property
    def kept_mandates(self) -> tuple[str, ...]:
        return tuple(k.mandate_id for k in self.kept if k.mandate_id)


Eraser = Callable[[Person], Awaitable[None]]
"""One context's step; runs in the caller's transaction."""
CasesOf = Callable[[str], Awaitable[list[KeptCase]]]

"""Shared by the administrator's pages: who may act, and reading a form with every wrong
field named in Chinese.

A field is trimmed, must not be empty when required, must fit its limit and may not hold
control characters (C0 and C1; a multi-line field keeps its line breaks), zero-width characters
or bidi controls (a NUL never gets this far: the app's input guard answers 400 for it, and for
invalid UTF-8, before any page runs). Choices
(role, area, department, state) must be one of the values the page offered.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from agent_portal.admin import texts_accounts as texts
from agent_portal.common.errors import WrongRole
from backend.audit.service import Actor
from backend.errors import DomainError
from backend.identity import roles
from backend.identity.service import StaffAccount
from backend.textrules import has_hidden_chars


class FormRefused(Exception):
    """The form itself is wrong; its ``FormCheck`` names each field."""


def admin_actor(staff: StaffAccount) -> Actor:
    """The administrator acting; any other role gets the 403 page."""
    if staff.role != roles.ADMIN:
        raise WrongRole(roles.ADMIN)
    return Actor("staff", staff.id)


def refusal(exc: FormRefused | DomainError) -> tuple[str, int]:
    """What the page says about a refused form, and its status (a wrong field: 422)."""
    if isinstance(exc, DomainError):
        return exc.detail, exc.status
    return texts.FORM_INVALID, 422


@dataclass
class FormCheck:
    """The values read from one posted form (kept to show it again) and what is wrong."""

    raw: Any
    values: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)

    def _read(self, name: str) -> str:
        value = self.raw.get(name)
        return value.strip() if isinstance(value, str) else ""

    def text(self, name: str, *, limit: int, required: bool = True, multiline: bool = False) -> str:
        value = self._read(name)
        self.values[name] = value
        label = texts.FIELD_LABELS[name]
        if has_hidden_chars(value, multiline=multiline):
            self.values[name] = ""
            self.problems[name] = texts.CONTROL_CHARS.format(label=label)
        elif len(value) > limit:
            self.problems[name] = texts.TOO_LONG.format(label=label, limit=limit)
        elif required and not value:
            self.problems[name] = texts.REQUIRED.format(label=label)
        return value

    def choice(self, name: str, allowed: Collection[str], *, unknown: str) -> str:
        value = self._read(name)
        if value not in allowed:
            self.problems[name] = (
                unknown if value else texts.CHOOSE.format(label=texts.FIELD_LABELS[name])
            )
            value = ""
        self.values[name] = value
        return value

    def ticked(self, name: str, *, missing: str) -> bool:
        on = self._read(name) == "yes"
        if not on:
            self.problems[name] = missing
        return on

    def refuse(self, name: str, problem: str) -> None:
        """A problem found beyond the field itself (the first one found stays)."""
        self.problems.setdefault(name, problem)

    @property
    def ok(self) -> bool:
        return not self.problems

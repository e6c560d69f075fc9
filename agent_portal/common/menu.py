"""What each staff role can do from the home page."""

from __future__ import annotations

from dataclasses import dataclass

from agent_portal.common import texts


@dataclass(frozen=True, slots=True)
class Task:
    """One card on the home page, linking to a page that exists (a surface not built yet is not
    shown at all)."""

    title: str
    hint: str
    href: str


def tasks_for(role: str) -> list[Task]:
    return [Task(title, hint, href) for title, hint, href in texts.ROLE_TASKS.get(role, ())]

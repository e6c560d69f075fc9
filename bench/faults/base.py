"""What a fault scenario is given and what it reports.

A scenario sends work (cases, notifications), breaks something while the work flows (kills a
process, flushes or restarts a server, slows or fails a fake), lets the system recover by itself,
then counts from PostgreSQL — the source of truth — and from the fakes' own records what was done.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.processes import Supervisor


@dataclass(frozen=True)
class Size:
    """How much work a scenario sends: the full figures of ``make faults`` or the short form."""

    short: bool
    cases: int
    """Cases submitted (or events written) by a scenario that sends cases."""
    kills: int
    """SIGKILLs of a scenario that kills processes."""


FULL = Size(short=False, cases=1000, kills=20)
SHORT = Size(short=True, cases=60, kills=3)


@dataclass
class FaultEnv:
    """One scenario's world: a fresh demo database, its own Redis keys and queue, a log folder.

    ``env`` is the complete environment for ``jiujinban`` child processes (``DATABASE_URL``,
    ``REDIS_URL``, ``ARQ_QUEUE``, ``REDIS_PREFIX``, ``SECRET_KEY``, ``STORAGE_DIR``, dev mode, short
    outbox lease and job timeout so a killed worker's work comes back within seconds, and the
    URLs of the fakes the runner started). A scenario that owns a server of its own (a Redis it
    restarts, an embedded PostgreSQL it stops) overrides the URLs in a copy of ``env``.
    """

    root: Path
    run_dir: Path
    supervisor: Supervisor
    env: dict[str, str]
    database_url: str
    redis_url: str
    cli: list[str]
    """argv prefix of the ``jiujinban`` command (``[<venv>/bin/jiujinban]``)."""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """One row of the table.

    - ``sent``: work acknowledged to its sender (a 2xx answer, a committed outbox row);
    - ``done``: what PostgreSQL or the fake shows was done once the system settled;
    - ``lost``: acknowledged work never done;
    - ``duplicated``: work done more than once (a second case, a second WeChat message);
    - ``allowed_duplicates``: how many duplicates the goal tolerates — only WeChat messages cut
      between WeChat's answer and our commit (its send has no idempotency key), at most one per
      message in flight at a kill;
    - ``recover_s``: from the end of the last fault until the backlog was drained (``None``: not
      applicable).
    """

    scenario: str
    sent: int
    done: int
    lost: int
    duplicated: int
    recover_s: float | None
    allowed_duplicates: int = 0
    detail: str = ""
    problems: tuple[str, ...] = ()
    """Anything else that broke the scenario's promise (a 500 where 503 was due, …)."""

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.duplicated <= self.allowed_duplicates and not self.problems


RunScenario = Callable[[FaultEnv, Size], Awaitable[list[Outcome]]]


@dataclass(frozen=True)
class Scenario:
    name: str
    """Short name for ``--only`` (``worker-kill-forward``)."""
    title: str
    """What it does, in a few words, for the table."""
    run: RunScenario

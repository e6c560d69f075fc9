"""The scenarios of ``make faults``, in the order of the table."""

from __future__ import annotations

from bench.faults import postgres_restart
from bench.faults.base import Scenario

SCENARIOS: list[Scenario] = [
    # workers and Redis
    # PostgreSQL and the API process
    *postgres_restart.SCENARIOS,
    # the external services' fakes
]

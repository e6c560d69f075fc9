"""The scenarios of ``make faults``, in the order of the table."""

from __future__ import annotations

from bench.faults import api_kill, external, postgres_restart, redis_faults, workers
from bench.faults.base import Scenario

SCENARIOS: list[Scenario] = [
    # workers and Redis
    *workers.SCENARIOS,
    *redis_faults.SCENARIOS,
    # PostgreSQL and the API process
    *postgres_restart.SCENARIOS,
    *api_kill.SCENARIOS,
    # the external services' fakes
    *external.SCENARIOS,
]

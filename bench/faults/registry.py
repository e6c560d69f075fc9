"""The scenarios of ``make faults``, in the order of the table."""

from __future__ import annotations

from bench.faults import external, redis_faults, workers
from bench.faults.base import Scenario

SCENARIOS: list[Scenario] = [
    *workers.SCENARIOS,
    *redis_faults.SCENARIOS,
    # external services last
    *external.SCENARIOS,
]

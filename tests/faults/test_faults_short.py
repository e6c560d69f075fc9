"""``make faults --short`` inside ``make test``: every fault scenario against real processes.

Runs ``python -m bench.faults --short`` as ``make faults ARGS=--short`` would, against the test
session's PostgreSQL server and Redis (the runner makes databases ``jjb_faults_*`` of its own
on that server, and keeps to its own Redis keys; a scenario that flushes or restarts a server
runs one of its own). Every scenario of the registry must report at least one row, and every
row must meet its goal: nothing lost, no duplicate beyond the cut WeChat sends, no problem.
The figures themselves (times to recover) are the suite's, not this test's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend.devservices import Services
from bench.faults.registry import SCENARIOS
from tests.conftest import ROOT

pytestmark = pytest.mark.workers


def _rows_of(title: str, outcomes: list[dict[str, object]]) -> list[dict[str, object]]:
    """A scenario's rows: its title, or its title and the part (``<title> — cases``)."""
    return [o for o in outcomes if str(o["scenario"]).startswith(title)]


@pytest.mark.timeout(3600)  # ten-odd scenarios, each starting servers: liveness, not speed
def test_every_fault_scenario_meets_its_goal_in_the_short_form(services: Services, tmp_path: Path):
    output = tmp_path / "faults.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DATABASE_URL=services.database_url, REDIS_URL=services.redis_url)
    done = subprocess.run(
        [sys.executable, "-m", "bench.faults", "--short", "--output", str(output)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    said = f"exit {done.returncode}\n{done.stderr[-8000:]}"
    assert output.exists(), said
    outcomes = json.loads(output.read_text())["outcomes"]
    missing = [s.name for s in SCENARIOS if not _rows_of(s.title, outcomes)]
    assert not missing, f"scenarios without a row: {missing}\n{said}"
    missed = [o for o in outcomes if not o["ok"] or o["lost"] != 0]
    assert not missed, json.dumps(missed, ensure_ascii=False, indent=2) + "\n" + said
    assert done.returncode == 0, said

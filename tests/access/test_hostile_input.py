"""Hostile input to every operation, as its rightful caller on its own object: never a 5xx.

NUL characters in the query, the path and JSON; JSON nested 1,000 deep; invalid UTF-8; a
multipart file named ``\\``; dates outside PostgreSQL's range. A 429 fails too (the sweep's
app runs with every limit out of reach), and a refused request must change nothing.
"""

import pytest

from tests.access.sweep import Sweep, summary_hostile

pytestmark = [pytest.mark.api, pytest.mark.timeout(900)]


def test_hostile_input_never_gets_a_5xx(sweep: Sweep) -> None:
    print("\nhostile-input sweep:", summary_hostile(sweep))
    assert sweep.hostile_tried > 0
    assert not sweep.hostile_failures, "\n".join(sweep.hostile_failures)

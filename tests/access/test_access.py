"""Object-level authorization over every operation of the OpenAPI document (see rules.py).

Every operation needs an entry in ``rules.RULES``; every other principal's call is refused
(401/403/404) and changes no row of any table; the rightful call succeeds.
"""

import pytest

from tests.access.sweep import Sweep, summary_access

pytestmark = [pytest.mark.api, pytest.mark.timeout(900)]


def test_every_operation_has_an_access_rule(sweep: Sweep) -> None:
    assert not sweep.missing, (
        f"operations without an access rule in tests/access/rules.py: {sweep.missing}"
    )
    assert not sweep.stale, f"rules for operations that no longer exist: {sweep.stale}"


def test_every_other_role_is_refused_and_the_rightful_call_succeeds(sweep: Sweep) -> None:
    print("\naccess sweep:", summary_access(sweep))
    assert not sweep.access_failures, "\n".join(sweep.access_failures)

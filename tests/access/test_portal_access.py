"""Object-level authorization over the staff portal's routes (see portal.py)."""

import json

import pytest

from tests.access.sweep import Sweep

pytestmark = [pytest.mark.api, pytest.mark.timeout(900)]


def test_every_portal_route_has_an_access_rule(sweep: Sweep) -> None:
    assert not sweep.portal_missing, f"portal routes without a rule: {sweep.portal_missing}"
    assert not sweep.portal_stale, (
        f"rules for portal routes that no longer exist: {sweep.portal_stale}"
    )


def test_every_other_staff_member_is_refused_on_the_portal(sweep: Sweep) -> None:
    summary = {
        "swept_routes": sweep.portal_positives,
        "cross_role_calls": sweep.portal_calls,
        "failures": len(sweep.portal_failures),
    }
    print("\nportal sweep:", json.dumps(summary, ensure_ascii=False))
    assert not sweep.portal_failures, "\n".join(sweep.portal_failures)

"""``GET /api/v1/stats/overview``: who may read which township, and what it answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.test_login import assert_problem
from tests.factories import make_area
from tests.window.support import OTHER_TOWNSHIP, TOWNSHIP, clerk, staff

pytestmark = pytest.mark.api

KEYS = {
    "from", "to", "township", "totals", "by_status", "by_channel", "by_township", "by_item",
    "by_department", "by_village", "by_day", "delegated_share", "local_share", "on_time_rate",
    "working_days_to_accept", "working_days_to_deliver", "trips_per_case", "satisfaction",
    "coverage_30min",
}  # fmt: skip
URL = "/api/v1/stats/overview"


async def test_who_may_read_the_overview(api, small_catalogue: Path):
    district = await staff(api, role="supervisor", username="sup-district")
    admin = await staff(api, role="admin", username="admin-1")
    local = await staff(api, role="supervisor", username="sup-yn", area_code=TOWNSHIP)
    desk = await clerk(api)

    assert_problem(await api.get(URL), 401, "token_missing")
    assert_problem(await desk.get(URL), 403, "not_allowed")

    whole = await district.get(URL, params={"from": "2026-03-01", "to": "2026-03-31"})
    assert whole.status_code == 200, whole.text
    body = whole.json()
    assert set(body) >= KEYS
    assert body["from"] == "2026-03-01" and body["township"] is None
    assert set(body["totals"]) == {"cases", "open", "closed", "bundles", "items", "bundle_items"}
    assert len(body["by_day"]) == 31

    one = await admin.get(URL, params={"township": OTHER_TOWNSHIP})
    assert one.status_code == 200 and one.json()["township"] == OTHER_TOWNSHIP

    own = await local.get(URL)  # a township supervisor is kept to their township
    assert own.status_code == 200 and own.json()["township"] == TOWNSHIP
    assert_problem(
        await local.get(URL, params={"township": OTHER_TOWNSHIP, "from": "bad"}),
        404,
        "township_not_found",
    )  # decided before the dates are read
    village = await make_area("330109110001")
    assert_problem(await district.get(URL, params={"township": village}), 404, "township_not_found")
    assert_problem(await district.get(URL, params={"from": "2026-13-01"}), 422, "date_invalid")
    assert_problem(
        await district.get(URL, params={"from": "2026-03-02", "to": "2026-03-01"}),
        422,
        "date_range_invalid",
    )
    assert_problem(
        await district.get(URL, params={"from": "2020-01-01", "to": "2026-03-01"}),
        422,
        "date_range_too_long",
    )

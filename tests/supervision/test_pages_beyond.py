"""A page number past the last page says so and links back, rather than showing an empty list
as if nothing matched."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.clock import today
from tests.admin.settings_support import portal
from tests.factories import make_staff
from tests.supervision.support import make_case

pytestmark = pytest.mark.api


async def test_a_page_past_the_last_says_so(api):
    await make_case("XS20261207000201", accepted_on=today() - timedelta(days=30))
    await make_staff(role="agent", username="agent-beyond")
    client = await portal(api, "sup-beyond", role="supervisor")
    for path in ("/portal/supervision/agents", "/portal/supervision/overdue"):
        page = await client.get(f"{path}?page=99999")
        assert page.status_code == 200, page.text
        assert "没有第 99999 页" in page.text and "page=1" in page.text
        assert "第 99999 / " not in page.text
    await client.aclose()

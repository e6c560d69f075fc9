"""The home page shows only what works: every card of every role links to a portal page that
exists (no 建设中 card, no link to nowhere)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from agent_portal.common import texts
from agent_portal.common.menu import tasks_for
from backend.app import create_app
from backend.settings import load_settings

pytestmark = pytest.mark.unit


def test_every_home_card_links_to_a_portal_route() -> None:
    app = create_app(load_settings({"JIUJINBAN_DEV": "1"}))
    paths = {route.path for route in app.routes}
    cards = [task for role in texts.ROLE_TASKS for task in tasks_for(role)]
    assert cards
    for task in cards:
        path = urlsplit(task.href).path
        assert path.rstrip("/") in {p.rstrip("/") for p in paths}, task

"""The map's short township names: 街道/镇/乡 dropped, never fewer than two characters left."""

from __future__ import annotations

import pytest

from agent_portal.dashboard.data import short_name


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("北干街道", "北干"),
        ("新街街道", "新街"),
        ("瓜沥镇", "瓜沥"),
        ("某某乡", "某某"),
        ("城镇", "城镇"),
        ("开发区", "开发区"),
    ],
)
def test_a_township_name_without_its_suffix(name: str, short: str) -> None:
    assert short_name(name) == short

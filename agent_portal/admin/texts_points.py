"""The Chinese words of the administrator's service-point pages (办事点)."""

from __future__ import annotations

from typing import Final

from backend.geo.points import KIND_LABELS

KINDS: Final = tuple(KIND_LABELS.items())
TARGET_LABEL: Final = KIND_LABELS["bank_outlet"]

TABS: Final = (
    ("list", "办事点", "/portal/admin/points"),
    ("coverage", "覆盖情况", "/portal/admin/points/coverage"),
    ("outlets", "政银通网点", "/portal/admin/points/outlets"),
)

DONE: Final = {
    "created": "已新增办事点，群众端的附近办事点已同步更新。",
    "updated": "已保存办事点，群众端的附近办事点已同步更新。",
}

MAP_LABELS: Final = {
    "township": "镇街",
    "village": "村社",
    "picked": "办事点位置",
    "hint": "点击地图选取位置",
}

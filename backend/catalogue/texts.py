"""The Chinese words for the catalogue's codes, as staff pages and the audit log show them.

(The spreadsheet keeps its own shorter words — 区, 代办, 网办 — because they must read back through
the importer's aliases, ``backend.imports.sheets``.)
"""

from __future__ import annotations

from typing import Final

KIND_LABELS: Final = {"licensing": "行政许可", "public_service": "公共服务"}
CHANNEL_LABELS: Final = {
    "window": "窗口",
    "agent": "代办员代办",
    "bank": "政银通网点",
    "self_service": "自助终端",
    "online": "网上办",
}
DELIVERY_LABELS: Final = {"window": "窗口领取", "mail": "邮寄", "agent": "代办员送达"}
LEVEL_LABELS: Final = {"district": "区级", "township": "镇街", "village": "村社"}

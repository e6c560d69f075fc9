"""The Chinese words of the formal notices and their verification page.

Wording follows the item's kind (``backend.catalogue.texts.KIND_LABELS``): a 行政许可 cites the
Administrative Licensing Law; a public service (公共服务) says the same things plainly.
"""

from __future__ import annotations

from typing import Final

LICENSING: Final = "licensing"

TITLES: Final = {
    ("acceptance", LICENSING): "行政许可受理通知书",
    ("acceptance", "public_service"): "受理通知书",
    ("rejection", LICENSING): "行政许可不予受理通知书",
    ("rejection", "public_service"): "不予受理通知书",
    ("supplement", LICENSING): "行政许可补正材料通知书",
    ("supplement", "public_service"): "补正材料通知书",
    ("denial", LICENSING): "不予行政许可决定书",
    ("denial", "public_service"): "不予办理决定书",
    ("completion", LICENSING): "行政许可办结通知书（送达回执）",
    ("completion", "public_service"): "办结通知书（送达回执）",
}
KIND_MARKS: Final = {
    "acceptance": "受",
    "rejection": "不受",
    "supplement": "补",
    "denial": "不许",
    "completion": "结",
}
"""The kind's mark in a notice number (萧公受字〔2026〕第12号)."""

KIND_NAMES: Final = {
    "acceptance": "受理通知书",
    "rejection": "不予受理通知书",
    "supplement": "补正材料通知书",
    "denial": "不予许可（办理）决定书",
    "completion": "办结通知书（送达回执）",
}
"""What the case pages' 打印 links and the citizen's list call each kind."""

SEAL: Final = "（印章）"
SO_NOTIFIED: Final = "特此通知。"
SO_DECIDED: Final = "特此决定。"
NO_REASON: Final = "申请不符合法定条件"
VERIFY_HINT: Final = "扫码核验真伪"
DELIVERY: Final = {"window": "窗口领取", "mail": "邮寄送达", "agent": "代办员送达"}

RECONSIDERATION_ORGAN: Final = "{district}人民政府"
"""The reconsideration organ for a district department (行政复议法 art. 24: the people's
government at the same level) — the demo's assumption, docs/notices.md."""

VERIFY_TITLE: Final = "文书核验"
VERIFY_VALID: Final = "有效：本文书由就近办系统出具，以下信息与存档一致。"
VERIFY_VOID: Final = "已作废：本文书已被撤销，不再有效。"
VERIFY_FIELDS: Final = ("文书种类", "文号", "出具机关", "出具日期", "办理事项", "状态")
NOT_FOUND_TITLE: Final = "未找到"
NOT_FOUND_BODY: Final = "未找到该文书。"
RATE_LIMITED: Final = "核验请求过多，请稍后再试。"

NOTICE_NOT_FOUND: Final = "找不到该文书。"
PDF_RATE_LIMITED: Final = "下载文书过于频繁，请 {minutes} 分钟后再试。"

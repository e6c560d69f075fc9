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
DELIVERY: Final = {"window": "窗口领取", "mail": "邮寄", "agent": "代办员转交"}
"""How a result was delivered, as 「以{…}方式送达」 and the receipt's 送达方式 say it."""
TRACKING: Final = "快递单号：{tracking_no}"
COLLECTED_BY: Final = "领取人：{name}"
ID_CHECKED: Final = "已核对身份证件"

SUPPLEMENT_HOW: Final = (
    "请通过“就近办”小程序上传补正材料，或携带材料到{township}便民服务中心窗口提交，"
    "也可请村社代办员代办。"
)
"""How the applicant hands a 补正 in. The project sets no deadline for a supplement, so the
notice names none (were one set: 「请于收到本通知之日起…内」 before 通过)."""
SOME_TOWNSHIP: Final = "所在镇街"
"""The window named when the case's township is not known."""

REASON_END: Final = "。．.！!；;，,"
"""Sentence punctuation a typed reason may end with: the notice adds its own full stop."""

RECONSIDERATION_ORGAN: Final = "{district}人民政府"
"""The reconsideration organ for a district department (行政复议法 art. 24: the people's
government at the same level) — the demo's assumption, docs/notices.md."""

VERIFY_BRAND: Final = "就近办 · 家门口办事"
"""The project's header over every verification page (found or not)."""
VERIFY_TITLE: Final = "文书核验"
VERIFY_VALID: Final = "有效：本文书由就近办系统出具，以下信息与存档一致。"
VERIFY_COMPARE: Final = "请核对纸面文书的文号、出具部门和日期与本页一致。"
VERIFY_VOID: Final = "已作废：本文书已被撤销，不再有效。"
VERIFY_FIELDS: Final = ("文书种类", "文号", "出具机关", "出具日期", "办理事项", "状态")
NOT_FOUND_BODY: Final = (
    "未查到该文书。如果您手中的文书带有此二维码，它可能不是本系统出具的，"
    "请向出具部门或镇街便民服务中心核实。"
)
RATE_LIMITED: Final = "核验请求过多，请稍后再试。"

NOTICE_NOT_FOUND: Final = "找不到该文书。"
PDF_RATE_LIMITED: Final = "下载文书过于频繁，请 {minutes} 分钟后再试。"

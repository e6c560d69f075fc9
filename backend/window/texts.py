"""Every user-facing text of the window package, in one place for review (Simplified Chinese)."""

from __future__ import annotations

from typing import Final

# --- claims ---------------------------------------------------------------------------------
CLAIMED_BY_OTHER: Final = "该办件已由{name}认领处理中，请选择其他办件。"
NOT_CLAIMED: Final = "您没有认领该办件。"

# --- bundles (一件事) -------------------------------------------------------------------------
BUNDLE_WHOLE: Final = "一件事须整件受理、补正或转交，请对整件办件操作。"
BUNDLE_CHILD_SUPPLEMENT: Final = "一件事已受理，请对其中需要补正的具体事项要求补正。"
BUNDLE_NOTHING_TO_TRANSFER: Final = "一件事中没有待转后台审批的事项。"
BUNDLE_DEPARTMENT: Final = "一件事按各事项的审批部门分别转交，请勿指定部门。"
BUNDLE_CLOSED_NOTE: Final = "一件事所含事项均已办结"

# --- front desk -----------------------------------------------------------------------------
DEPARTMENT_UNKNOWN: Final = "部门 {code} 不存在。"
TOWNSHIP_UNKNOWN: Final = "镇街 {code} 不存在。"
TOWNSHIP_SAME: Final = "办件已在该镇街的受理队列中。"
NOT_DISTRICT_WIDE: Final = "“{name}”不是全区通办事项，不能转交其他镇街受理。"
DELIVERY_METHOD_INVALID: Final = "请选择送达方式：窗口领取、邮寄或代办员送达。"
TRACKING_NO_REQUIRED: Final = "邮寄送达须填写快递单号。"
DELIVERY_ADDRESS_REQUIRED: Final = "该办件没有收件地址（申请时未选邮寄），邮寄送达须填写收件地址。"
ON_EXTERNAL_PLATFORM: Final = (
    "该办件已推送至本镇街的一窗受理平台，请在该平台上办理；办理结果会自动同步到本系统。"
)
DELIVER_THROUGH_AGENT: Final = (
    "由代办员转交的出件，请放入交接批次交给代办员；代办员交到申请人手中并拍照登记后即为送达。"
)

# --- walk-ins -------------------------------------------------------------------------------
POINT_NOT_HERE: Final = "所选办事点不属于本镇街，窗口收件只能在本镇街办理。"
NO_AGENT_DELIVERY: Final = (
    "窗口收件没有代办员，送达方式不能选择“代办员送达”，请选择窗口领取或邮寄。"
)
ITEM_NOT_HERE: Final = "“{name}”不在本镇街办理，且不是全区通办事项，请引导申请人到所属镇街办理。"
WALK_IN_NOTE: Final = "窗口当场受理"

# --- routing --------------------------------------------------------------------------------
SEND_METHOD_INVALID: Final = (
    "发送方式只能是 builtin（本系统审批）；尚未接入部门自有平台，暂不能选择 external。"
)
ITEM_UNKNOWN: Final = "事项 {code} 不存在。"
RULE_NOT_FOUND: Final = "没有这条分类审批规则。"
AUDIT_NOTES: Final[dict[str, str]] = {
    "routing_set_rule": "设置分类审批规则",
    "routing_delete_rule": "删除分类审批规则",
}

# --- searching the lists (查找办件) ---
SEARCH_LAST4_INVALID: Final = "身份证号后4位应为4位数字（最后一位可以是X）。"
SEARCH_PHONE_INVALID: Final = "手机号码应为5到20位数字。"
SEARCH_ITEM_UNKNOWN: Final = "没有这个事项或一件事，请从列表中选择。"
SEARCH_DATE_INVALID: Final = "{label}格式不对，请按“年-月-日”填写，例如 2026-12-07。"
SEARCH_DATES_REVERSED: Final = "起始日期不能晚于截止日期。"

# --- 即办件 (finished at the window) ---
NOT_ON_THE_SPOT: Final = "“{name}”承诺时限为 {days} 个工作日，不是即办件，请按流程转后台审批。"
ON_THE_SPOT_BUNDLE: Final = "一件事不能整件即办办结，请在受理后对其中的即办事项逐项办结。"

# --- delivery at the window (领取人核对) ---
COLLECTOR_REQUIRED: Final = "窗口领取须填写领取人姓名和身份证号码（号码只用于核对，不保存）。"
COLLECTOR_MISMATCH: Final = (
    "领取人的姓名或身份证号码与办件申请人不符，未登记送达。请核对领取人的身份证件；"
    "由代办员代领的，请通过“出件交代办员”交接。"
)
MAIL_NOT_OFFERED: Final = "“{items}”不能邮寄送达，只能按事项规定的方式（如窗口领取）送达。"

"""Every user-facing text of notifications, in one place for review (zh-Hans)."""

from __future__ import annotations

from typing import Final

PHRASES: Final[dict[str, str]] = {
    "case.received": "已提交",
    "case.accepted": "已受理",
    "case.supplement": "待补正",
    "case.result_ready": "可领取",
    "case.rejected": "未通过",
    "case.delivered": "已办结",
}

BODIES: Final[dict[str, str]] = {
    "case.received": "您的“{item}”申请已提交（办件号 {number}），正在转入镇街受理。{note}",
    "case.accepted": "您的“{item}”申请已受理（办件号 {number}）。{note}",
    "case.supplement": "您的“{item}”申请（办件号 {number}）需要补正材料：{note}。请一次补齐。",
    "case.result_ready": "您的“{item}”已办结出件（办件号 {number}）。{note}",
    "case.rejected": "您的“{item}”申请（办件号 {number}）未通过：{note}",
    "case.delivered": "您的“{item}”已送达（办件号 {number}）。欢迎在小程序中评价本次服务。{note}",
    "mandate.requested": "代办员{agent}申请代您办理“{scope}”，请在小程序“我的委托”中确认或拒绝。",
}

MANDATE_NOTE: Final = "请在小程序中确认或拒绝"
DELIVERY_NOTES: Final[dict[str, str]] = {
    "window": "请携带身份证到窗口领取",
    "mail": "将通过邮寄送达",
    "agent": "将由代办员送到您手中",
}
TELL_IN_PERSON: Final = "请当面告知{name}：{title}（办件 {number}）。{why}"
WHY: Final[dict[str, str]] = {
    "no_wechat": "群众未使用微信小程序。",
    "no_credit": "群众未开启该类消息提醒。",
    "refused": "群众已拒收该类微信消息。",
    "failed": "微信消息发送失败。",
}


ACCEPTED_NOTE: Final = "承诺 {days} 个工作日内办结，截止 {deadline}"
ACCEPTED_NO_DEADLINE: Final = "请留意办理进度"
REJECTED_SEE_APP: Final = "详见小程序"


DEADLINE_SOON: Final = "办件 {number}（{item}）将于下一个工作日 {deadline} 到期，请抓紧办理。"
DEADLINE_TODAY: Final = "办件 {number}（{item}）今天 {deadline} 到期，仍未办结，请当日处理。"
RESULT_WAITING: Final[dict[str, str]] = {
    "pick_up": "办件 {number}（{name}）的出件已由镇街送出，请到镇街领取。",
    "hand_over": "办件 {number}（{name}）的出件在您手中，请交到申请人手中并拍照登记。",
}

MANDATE_REVOKED: Final = (
    "{name}已撤销对您的委托（{scope}），不能再以其名义办理；"
    "您手中该群众的原件或出件，请按交接流程交回。"
)
TAKEOVER_REFUSED: Final = (
    "您登记的群众{name}（身份证 {id_masked}）用微信绑定身份时未能接管登记记录：{why}。"
    "请与其核实，必要时请其带身份证到代办点办理。"
)
TAKEOVER_WHY: Final[dict[str, str]] = {
    "name_mismatch": "填写的姓名与登记的不一致",
    "not_verified": "未开通实名核验，须当面核实",
    "verify_unavailable": "实名核验服务暂时不可用",
    "not_matched": "实名核验未通过",
}
SOMEONE: Final = "群众"

MESSAGE_NOT_FOUND: Final = "找不到该消息。"
NOTICE_NOT_FOUND: Final = "找不到该通知。"

PUSH_SIGNATURE_INVALID: Final = "消息推送的签名或时间戳无效。"
PUSH_NOT_CONFIGURED: Final = "消息推送未开启。"

# --- deletion requests (PIPL art. 47) -------------------------------------------------------
ACCOUNT_JOINED_TITLE: Final = "新增微信登录方式"
ACCOUNT_JOINED: Final = "您的就近办账号已新增一个微信登录方式（网页版），如非本人操作请到窗口处理。"
DELETION_TITLE: Final = "个人信息删除申请处理结果"
DELETION_APPROVED: Final = (
    "您的个人信息删除申请已通过（{reason}）。您的账号、微信绑定、手机号码、消息和未用于办件的"
    "上传文件将被删除，删除后本消息也将一并删除；已提交的办件依法保存至期满，期间仅用于存档，"
    "不再用于其他用途。"
)
DELETION_REFUSED: Final = "您的个人信息删除申请未通过：{reason}。如有疑问，请联系镇街便民服务中心。"

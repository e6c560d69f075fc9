"""Every user-facing text of the supervision package, in one place for review (zh-Hans)."""

from __future__ import annotations

from typing import Final

NOT_SUPERVISOR: Final = "只有监管人员和管理员可以使用督办功能。"
AUDIT_DISTRICT_ONLY: Final = "审计日志只有管理员和区级监管人员可以查看。"
FOLLOW_UP_NOT_FOUND: Final = "找不到该差评整改，或它不在您负责的镇街。"
FOLLOW_UP_RESOLVED: Final = "该差评整改已经办结，不能再修改。"
FOLLOW_UP_NOT_CONTACTED: Final = "请先联系群众并记录回访情况，再办结整改。"
NOTE_REQUIRED: Final = "请填写{label}。"
NOTE_TOO_LONG: Final = "{label}不能超过 {limit} 个字。"
CALL_NOT_FOUND: Final = "找不到该回访记录，或它不在您负责的镇街。"
SATISFIED_WHEN_REACHED: Final = "只有联系上群众时才能记录满意度和跑动次数。"
SATISFIED_RANGE: Final = "满意度请填写 1 到 5 之间的整数。"
TRIPS_RANGE: Final = "跑动次数请填写 0 到 99 之间的整数。"
WEEK_INVALID: Final = "请按 2026-W48 或 2026-11-23 的格式填写周次。"
DATE_RANGE_INVALID: Final = "开始日期不能晚于结束日期。"
ACTOR_UNKNOWN: Final = "找不到该工作人员。"

LEVELS: Final = {"township": "镇街", "district": "区"}
ESCALATION_REASON: Final = (
    "办件 {number}（{item}）已超过承诺时限 {days} 个工作日（期限 {deadline}），"
    "升级至{level}监管督办。"
)
HOLDERS: Final = {
    "window": "窗口人员",
    "department": "后台审批部门",
    "agent": "代办员（待补正）",
    "citizen": "申请人（待补正）",
    "township": "镇街窗口",
}
FOLLOW_UP_STATE_INVALID: Final = "state 只能是 open、overdue、resolved 或 all。"
FOLLOW_UP_OPENED: Final = (
    "办件 {number} 收到 {score} 分差评，请在 1 个工作日内回访群众，15 个工作日内整改办结。"
)
AUDIT_ACTION_INVALID: Final = (
    "action 只能是 read_id_number、read_material、export_personal_data 或 read_form_field。"
)
AUDIT_ACTIONS: Final = {
    "read_id_number": "查看完整身份证号",
    "read_material": "查看材料",
    "export_personal_data": "导出个人信息",
    "read_form_field": "查看表单中的完整号码",
}
"""The reads of personal data the log can be filtered by (``audit_view.ACTIONS``)."""
AUDIT_ACTION_LABELS: Final = {
    **AUDIT_ACTIONS,
    "notice.print": "打印或下载书面通知",
    "staff_create": "新建工作人员账号",
    "staff_reassign": "调整账号角色或辖区",
    "staff_disable": "停用账号",
    "staff_enable": "启用账号",
    "staff_unlock": "解除账号锁定",
    "staff_reset_password": "重置密码",
    "staff_change_password": "修改本人密码",
    "staff_end_sessions": "结束账号的全部登录",
    "privacy_deletion_approved": "批准删除申请",
    "privacy_deletion_refused": "驳回删除申请",
    "privacy_erased": "删除个人信息",
    "open_restricted_case": "查看已限制处理的办件",
    "purge_restricted_case": "销毁到期的办件",
    "catalogue_item_change": "修改事项（新版本）",
    "catalogue_bundle_change": "修改一件事",
    "catalogue_item_create": "新增事项",
    "catalogue_bundle_create": "新增一件事",
    "catalogue.import": "导入事项目录",
    "service_point_create": "新增办事点",
    "service_point_update": "修改办事点",
    "calendar_set_day": "设定节假日或调休日",
    "calendar_remove_day": "删除手工设定的日期",
    "calendar_confirm_year": "确认年度日历",
    "routing_set_rule": "设定转办规则",
    "routing_delete_rule": "删除转办规则",
    "platform_configure_township": "设置镇街外部平台",
    "platform_retry_push": "重新推送到外部平台",
    "supervision_read_case": "督办查看办件",
    "rectification_issue": "下发整改通知",
    "rectification_respond": "回复整改通知",
    "rectification_close": "整改通知办结",
    "rectification_return": "整改通知退回重改",
}
"""Every action the audit chain records, as the log shows it (a test keeps it complete)."""

# 督办查看办件 and 催办
CASE_NOT_FOUND: Final = "找不到该办件，或它不在您负责的镇街。"
READ_CASE_REASON: Final = "督办查看办件"
URGE_NOTE_TOO_LONG: Final = "催办说明不能超过 {limit} 个字。"
URGE_CLOSED: Final = "该办件已经办结，不需要催办。"
URGE_NOT_STAFF: Final = "该办件正在等待申请人补正材料，计时已暂停，没有可催办的经办人。"
URGE_NOT_FORWARDED: Final = "该办件还没有转入镇街受理队列，没有可催办的经办人。"
URGE_TOO_SOON: Final = "该办件 {minutes} 分钟内已经催办过（{at}），请稍后再催办。"
URGE_STEP: Final = "督办催办"
"""What the case's timeline says of an urge (citizens see it too; the supervisor's note is
shown to staff only)."""
URGE_NOTICE: Final = "督办催办：办件 {number}（{item}）{late}，请尽快办理。{note}"
URGE_LATE: Final = "已超过办结期限 {days} 个工作日"
URGE_DUE: Final = "办结期限 {deadline}"
URGE_NO_DEADLINE: Final = "尚未受理"
URGE_NOTE: Final = "督办说明：{note}"

# 整改通知 (rectification orders)
ORDER_NOT_FOUND: Final = "找不到该整改通知，或它不在您的范围内。"
ORDER_CLOSED: Final = "该整改通知已经办结，不能再修改。"
ORDER_NOT_RESPONDED: Final = "整改单位还没有回复整改情况，请等回复后再办结或退回。"
ORDER_TARGET_REQUIRED: Final = "请选择整改单位（镇街或部门）。"
ORDER_TARGET_OUTSIDE: Final = "只能向本镇街或部门下发整改通知。"
ORDER_TARGET_UNKNOWN: Final = "找不到该整改单位。"
ORDER_DEADLINE_REQUIRED: Final = "请填写整改期限（格式 2026-12-31）。"
ORDER_DEADLINE_INVALID: Final = "整改期限的日期格式不对，请按 2026-12-31 填写。"
ORDER_DEADLINE_PAST: Final = "整改期限必须是今天以后的日期。"
ORDER_DEADLINE_FAR: Final = "整改期限不能超过一年。"
ORDER_DEADLINE_HOLIDAY: Final = "整改期限 {day} 不是工作日，请选择工作日（最近的是 {next}）。"
ORDER_CASE_UNKNOWN: Final = "找不到办件 {number}，或它不在您负责的镇街。"
ORDER_CASE_OTHER_TOWNSHIP: Final = "办件 {number} 不属于所选镇街。"
ORDER_REQUIREMENT: Final = "整改要求"
ORDER_RESPONSE: Final = "整改情况"
ORDER_RETURN_NOTE: Final = "退回原因"
ORDER_CLOSE_NOTE: Final = "办结意见"
ORDER_TEXT_LIMIT: Final = 1000
ORDER_AUDIT_REASON: Final = "整改通知"
ORDER_NOTICES: Final = {
    "issue": "整改通知：{who}请于 {deadline} 前完成整改并回复。{case}",
    "return": "整改通知退回重改：{who}请于 {deadline} 前重新整改并回复。{case}",
    "close": "整改通知已办结：{who}的整改已确认完成。{case}",
    "respond": "整改通知已回复：{who}回复了整改情况，请确认办结或退回。{case}",
}
ORDER_NOTICE_CASE: Final = "（办件 {number}）"
ORDER_NOTICE_LABELS: Final = {"issue": "要求", "return": "原因", "close": "意见", "respond": "回复"}
ORDER_NOTICE_NOTE: Final = "{label}：{note}"

HIDDEN_IN_TEXT: Final = (
    "“{label}”中含有看不见的控制字符或文字方向字符（常见于从别处复制的文字），请删除后重新填写。"
)

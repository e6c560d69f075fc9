"""User-facing text of the supervisors' pages (督办), in one place for review (zh-Hans)."""

from __future__ import annotations

from typing import Any, Final

from backend.catalogue.texts import CHANNEL_LABELS, DELIVERY_LABELS, KIND_LABELS, LEVEL_LABELS
from backend.geo.points import KIND_LABELS as POINT_KINDS
from backend.identity import roles
from backend.imports.sheets import SHEETS

SECTIONS: Final = (
    ("超期督办", "已超期和即将超期的办件，以及它们现在在谁手上", "/portal/supervision/overdue"),
    ("差评整改", "联系差评群众、记录回访、整改办结", "/portal/supervision/follow-ups"),
    ("电话回访", "每周抽取上周办结的办件，电话回访群众", "/portal/supervision/callbacks"),
    ("代办员工作量", "在办代办件、本月代办、有效委托和手中材料", "/portal/supervision/agents"),
    (
        "整改通知",
        "向镇街或部门提出整改要求、限期整改，确认整改完成",
        "/portal/supervision/rectifications",
    ),
)
AUDIT_SECTION: Final = (
    "审计日志",
    "查看个人信息的记录和管理员的每项修改（区级）",
    "/portal/supervision/audit",
)
FOLLOW_UP_TABS: Final = (
    ("open", "待办"),
    ("overdue", "已超期"),
    ("resolved", "已办结"),
    ("all", "全部"),
)
FOLLOW_UP_STATES: Final = {"open": "待回访", "contacted": "已回访", "resolved": "已办结"}
STATUS: Final = {
    "accepted": "已受理",
    "in_review": "审批中",
    "awaiting_supplement": "待补正",
    "delivered": "已送达",
    "denied": "审批未通过",
    "rejected": "不予受理",
}
DONE: Final = {
    "contact": "已记录回访情况。",
    "resolve": "整改已办结，群众可再评价一次。",
    "call": "已记录回访结果。",
    "urge": "已催办，经办人会在消息提醒中收到督办通知。",
    "issued": "整改通知已下发，整改单位会在消息提醒中收到。",
    "close": "已确认整改完成，整改通知办结。",
    "return": "已退回重改，整改单位会在消息提醒中收到。",
    "respond": "已回复整改情况，等待监管人员确认。",
}

# What an audit entry was about (``subject_kind``), as the log shows it; the id follows.
AUDIT_SUBJECTS: Final = {
    "citizen": "市民",
    "upload": "材料",
    "case": "办件",
    "case_form": "办件表单",
    "staff": "工作人员账号",
    "deletion_request": "删除申请",
    "service_point": "办事点",
    "catalogue_item": "事项",
    "catalogue_bundle": "一件事",
    "catalogue_file": "导入文件",
    "calendar": "日历",
    "routing_rule": "转办规则",
    "township_platform": "镇街外部平台",
    "rectification_order": "整改通知",
}


def audit_subject(
    kind: str,
    subject_id: str,
    field_labels: dict[str, str],
    staff: dict[str, str] | None = None,
) -> str:
    """``办件表单 XS…（联系电话）`` rather than ``case_form XS…:phone``;
    ``工作人员账号 wang（王芳）`` for an account named in ``staff``; ``市民 <id>`` and so on."""
    label = AUDIT_SUBJECTS.get(kind, "其他")
    if kind == "case_form" and ":" in subject_id:
        number, _, name = subject_id.partition(":")
        return f"{label} {number}（{field_labels.get(name, name)}）"
    if kind == "staff" and staff and subject_id in staff:
        return f"{label} {staff[subject_id]}"
    return f"{label} {subject_id}"


CALL_REACHED_REQUIRED: Final = "请选择是否联系上群众。"

AUDIT_INTRO: Final = (
    "查看完整身份证号、材料或导出个人信息的记录，以及管理员的每项修改（账号、事项、办事点、"
    "日历、转办规则、外部平台）：谁、对什么、何时、为什么、改了什么。"
)

# --- an administrator's change, as the log shows it (``audit_changes``) --------------------------

AUDIT_RAW: Final = "原始记录"
AUDIT_EMPTY: Final = "（空）"
AUDIT_CLOSED: Final = "不开放"
AUDIT_HOLIDAY_HOURS: Final = "节假日"
AUDIT_WHOLE_DISTRICT: Final = "全区"
AUDIT_YES_NO: Final = {True: "是", False: "否"}
AUDIT_HIDDEN_FIELDS: Final = frozenset({"token_version"})
"""Internal fields a reader of the log has no use for."""
AUDIT_FIELDS: Final[dict[str, str]] = {
    # staff accounts
    "username": "用户名",
    "display_name": "姓名",
    "role": "角色",
    "area_code": "所属区划",
    "department_code": "部门",
    "active": "状态",
    "must_change_password": "须修改密码",
    "locked": "登录锁定",
    # catalogue items and bundles
    "version": "版本",
    "effective_from": "生效日期",
    "code": "编码",
    "name": "名称",
    "lowest_level": "最低办理层级",
    "channels": "办理渠道",
    "delegable": "可代办",
    "district_wide": "全区通办",
    "legal_days": "法定时限（工作日）",
    "committed_days": "承诺时限（工作日）",
    "fee": "收费",
    "delivery_methods": "送达方式",
    "keywords": "搜索关键词",
    "personal": "面向个人",
    "materials": "申请材料",
    "form": "表单字段",
    "kind": "类型",
    "item_codes": "包含事项",
    # service points
    "township_code": "所属镇街",
    "lat": "纬度",
    "lng": "经度",
    "address": "地址",
    "phone": "联系电话",
    "hours": "开放时间",
    # the calendar
    "note": "备注",
    "source": "来源",
    "confirmed_by": "确认人",
    # routing rules
    "township": "镇街",
    "item": "事项",
    "department": "审批部门",
    "send_method": "发送方式",
    # township platforms and pushes
    "base_url": "平台地址",
    "app_id": "应用标识",
    "status": "推送状态",
    "attempts": "已尝试次数",
    # a catalogue import: the catalogue's size
    "departments": "部门数",
    "items": "事项数",
    "bundles": "一件事数",
    "service_points": "办事点数",
}
"""Each field of a ``{"note", "before", "after"}`` reason; an unknown key shows as itself."""
AUDIT_FIELDS_BY_SUBJECT: Final[dict[str, dict[str, str]]] = {
    "catalogue_item": {"kind": "事项类型", "department_code": "主管部门"},
    "catalogue_bundle": {"name": "一件事名称"},
    "service_point": {
        "kind": "办事点类型",
        "area_code": "所在镇街/村社",
        "item_codes": "可办事项",
        "active": "状态",
    },
    "calendar": {"kind": "日子类型"},
    "township_platform": {"active": "外部平台"},
}
_ON_OFF: Final = {"True": "启用", "False": "停用"}
AUDIT_VALUE_WORDS: Final[dict[str, dict[str, str]]] = {
    "role": dict(roles.LABELS),
    "active": _ON_OFF,
    "kind": {**POINT_KINDS, **KIND_LABELS, "holiday": "休息日", "workday": "工作日"},
    "channels": CHANNEL_LABELS,
    "delivery_methods": DELIVERY_LABELS,
    "lowest_level": LEVEL_LABELS,
    "send_method": {"builtin": "本系统后台审批队列"},
    "status": {"failed": "推送失败", "pending": "待重新推送"},
}
"""Codes shown in Chinese, by field (booleans as ``True``/``False``)."""
AUDIT_SHEETS: Final = {name: f"{sheet.label}表" for name, sheet in SHEETS.items()}
AUDIT_TALLY_WORDS: Final = {
    "created": "新增",
    "updated": "更新",
    "removed": "移除",
}

# 超期督办 list, its export, and 催办 on a case
OVERDUE_LATE: Final = (
    ("", "已超期和即将到期"),
    ("soon", "即将到期"),
    ("1", "已超期"),
    ("5", "超期 5 个工作日以上"),
    ("10", "超期 10 个工作日以上"),
)
OVERDUE_SORTS: Final = (
    ("late", "超期天数"),
    ("deadline", "办结期限"),
    ("township", "镇街"),
)
OVERDUE_COLUMNS: Final = (
    "办件编号",
    "事项",
    "镇街",
    "承办部门",
    "状态",
    "办结期限",
    "超期情况",
    "计时暂停",
    "现在在",
    "经办",
    "已升级督办",
    "催办次数",
)
OVERDUE_FILE: Final = "超期督办"
LATE_BY: Final = "超期 {days} 个工作日"
LEFT: Final = "剩 {days} 个工作日"
YES: Final = "是"
URGE_TO: Final = {
    "window": "催办经办窗口人员 {name}",
    "township": "催办{name}窗口",
    "department": "催办后台审批部门 {name}",
}


def urge_holder(holder: Any, township: str, department: str | None) -> str:
    """Whom the 催办 button reaches, in words ('' when nobody on the staff holds the case)."""
    if holder is None:
        return ""
    name = {"township": township, "department": department or holder.name}.get(
        holder.kind, holder.name
    )
    return URGE_TO[holder.kind].format(name=name)


# 整改通知 (rectification orders)
ORDER_TABS: Final = (
    ("open", "未办结"),
    ("overdue", "已超期"),
    ("closed", "已办结"),
    ("all", "全部"),
)
ORDER_STATES: Final = {
    "open": "待整改",
    "responded": "已回复，待确认",
    "returned": "退回重改",
    "closed": "已办结",
}
ORDER_STEPS: Final = {
    "issue": "下发整改通知",
    "respond": "回复整改情况",
    "return": "退回重改",
    "close": "确认整改完成",
}

# 代办员工作量: the orders the list can take
WORKLOAD_SORTS: Final = (
    ("township", "镇街"),
    ("name", "姓名"),
    ("open", "在办代办件"),
    ("overdue", "超期件"),
)
ORDER_ADDRESSEES: Final = {roles.WINDOW: "镇街", roles.APPROVER: "部门"}
"""Whom a desk's orders page speaks to: 本镇街 or 本部门."""

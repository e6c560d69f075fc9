"""User-facing text of the supervisors' pages (督办), in one place for review (zh-Hans)."""

from __future__ import annotations

from typing import Final

SECTIONS: Final = (
    ("超期督办", "已超期和即将超期的办件，以及它们现在在谁手上", "/portal/supervision/overdue"),
    ("差评整改", "联系差评群众、记录回访、整改办结", "/portal/supervision/follow-ups"),
    ("电话回访", "每周抽取上周办结的办件，电话回访群众", "/portal/supervision/callbacks"),
    ("代办员工作量", "在办代办件、本月代办、有效委托和手中材料", "/portal/supervision/agents"),
)
AUDIT_SECTION: Final = (
    "审计日志",
    "谁查看了哪些完整身份证号和材料（区级）",
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
}


def audit_subject(kind: str, subject_id: str, field_labels: dict[str, str]) -> str:
    """``办件表单 XS…（联系电话）`` rather than ``case_form XS…:phone``; ``市民 <id>`` and so on."""
    label = AUDIT_SUBJECTS.get(kind, "其他")
    if kind == "case_form" and ":" in subject_id:
        number, _, name = subject_id.partition(":")
        return f"{label} {number}（{field_labels.get(name, name)}）"
    return f"{label} {subject_id}"


CALL_REACHED_REQUIRED: Final = "请选择是否联系上群众。"

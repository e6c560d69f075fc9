"""The Chinese words of the administrator's account and deletion-request pages."""

from __future__ import annotations

from typing import Final

from backend.identity import roles

STATE_LABELS: Final[dict[str, str]] = {
    "active": "启用",
    "disabled": "停用",
    "locked": "登录锁定",
    "password_change_required": "待修改密码",
}
"""The staff list's state filter (``staff_admin.STATES``), as the page names each state."""

ROLE_CHOICES: Final = tuple((role, roles.LABELS[role]) for role in roles.ROLES)

FIELD_LABELS: Final[dict[str, str]] = {
    "username": "用户名",
    "display_name": "姓名",
    "role": "角色",
    "area_code": "所属区划",
    "department_code": "部门",
    "reason": "操作理由",
    "confirm": "确认",
}

PW_SET_YOUR_OWN: Final = "请先设置您自己的密码（管理员发给您的是临时密码），然后再使用工作台。"
REQUIRED: Final = "请填写“{label}”。"
CHOOSE: Final = "请选择“{label}”。"
TOO_LONG: Final = "“{label}”不能超过 {limit} 个字。"
CONTROL_CHARS: Final = "“{label}”含有不能使用的字符。"
USERNAME_FORMAT: Final = "用户名须为 3–64 位小写字母、数字、点、下划线或连字符，以字母或数字开头。"
AREA_LEVEL_NAMES: Final[dict[str, str]] = {
    "district": "区级",
    "township": "镇街",
    "village": "村社区",
}
UNKNOWN_ROLE: Final = "请从列表中选择角色。"
UNKNOWN_AREA: Final = "请从列表中选择所属区划。"
UNKNOWN_DEPARTMENT: Final = "请从列表中选择部门。"
FILTER_INVALID: Final = "筛选条件有误，已显示全部账号。"
FORM_INVALID: Final = "提交的内容有误，请按提示修改后重试。"
CONFIRM_APPROVAL: Final = "请勾选“我已了解批准的后果”后再批准。"


def wrong_area_level(role: str) -> str:
    """Where a role may be set, said beside the area it may not be set at."""
    levels = "或".join(
        AREA_LEVEL_NAMES[level] for level in AREA_LEVEL_NAMES if level in roles.AREA_LEVELS[role]
    )
    return f"{roles.LABELS[role]}须设在{levels}，请重新选择“所属区划”。"


ACCOUNT_DONE: Final[dict[str, str]] = {
    "disable": "账号已停用，该账号的全部会话和令牌已失效。",
    "enable": "账号已重新启用。",
    "unlock": "登录锁定已解除。",
    "end-sessions": "已结束该账号的全部会话和令牌，对方需重新登录。",
    "assignment": "角色和区划已修改，下一次操作起生效。",
}

DELETION_TABS: Final = (
    ("pending", "待处理"),
    ("approved", "已批准"),
    ("refused", "已驳回"),
    ("completed", "已删除"),
    ("all", "全部"),
)
DELETION_STATES: Final[dict[str, str]] = dict(DELETION_TABS[:4])
UNVERIFIED_CITIZEN: Final = "未实名认证的群众"
ERASED_CITIZEN: Final = "（已删除的群众）"


def applicant(name: str | None, citizen_id: str | None, citizen_exists: bool) -> str:
    """Who asked: their name; a citizen who never bound an identity by a short id; the
    erased only as such."""
    if name:
        return name
    if citizen_exists and citizen_id:
        return f"{UNVERIFIED_CITIZEN}（编号 {citizen_id[:8]}）"
    return ERASED_CITIZEN


DELETION_DONE: Final[dict[str, str]] = {
    "approved": "已批准。系统会先通知申请人，等待期满后删除其个人信息。",
    "refused": "已驳回，理由会通知申请人。",
}


def _after(notice_s: int) -> str:
    if notice_s >= 3600:
        return f"约 {notice_s // 3600} 小时后"
    return f"约 {max(1, notice_s // 60)} 分钟后" if notice_s >= 60 else "随即"


def approval_effects(*, notice_s: int, case_years: int, audit_years: int) -> list[str]:
    """What approving a deletion request does (docs/personal-data.md), in plain words."""
    return [
        f"先通过消息告知申请人批准结果；{_after(notice_s)}，系统删除其个人信息。"
        "批准后不能撤回，等待期间也不能再为其提交新的办件。",
        "删除：微信登录与绑定、手机号、实名核验记录、消息与订阅记录、"
        "没有用于办件的上传材料、代办员为其做的登记和没有用于办件的委托。",
        f"保留但限制处理：已提交的办件及其材料和审批结果是政务档案，依法保存 {case_years} 年。"
        "申请人只留下这些办件需要的姓名和加密的身份证号，办件不再出现在任何列表和查询中，"
        "管理员调阅须填写理由并记入审计日志；保存期满后自动删除。",
        f"查阅个人信息的审计记录保存 {audit_years} 年；这份删除申请作为处理凭证保存，"
        "但不再关联到本人，也不再保留申请理由。",
        "申请人还有未办结的办件时不能批准，请等办件办结后再处理。",
    ]

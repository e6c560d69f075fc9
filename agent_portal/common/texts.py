"""Every Chinese string the portal's Python code shows to a person, kept here for review.

Page copy that never changes lives in the templates; this module holds what the handlers choose
between (errors, notices, the task cards of each role). Role names come with the
account (``StaffAccount.role_label``, from ``backend.identity.roles``).
"""

from __future__ import annotations

from typing import Final

from backend.identity import roles

PORTAL_NAME: Final = "就近办工作台"

LOGIN_MISSING_FIELDS: Final = "请输入用户名和密码"
LOGIN_WRONG_CREDENTIALS: Final = "用户名或密码错误"
LOGIN_LOCKED: Final = "登录失败次数过多，请 {minutes} 分钟后再试"
LOGGED_OUT: Final = "您已安全退出"
SESSION_EXPIRED: Final = "登录已过期，请重新登录"


# (title, one-line hint, href or None while the page does not exist yet), per role.
ROLE_TASKS: Final[dict[str, tuple[tuple[str, str, str], ...]]] = {
    roles.AGENT: (
        ("查找和登记群众", "查找本村群众，为没有智能手机的群众登记", "/portal/agent/villagers"),
        ("代为申请", "在委托范围内替群众提交办件", "/portal/agent/file"),
        ("材料交接", "把纸质原件分批送交镇街，接收镇街送回的出件", "/portal/agent/handovers"),
    ),
    roles.WINDOW: (
        ("受理队列", "认领、受理、不予受理、补正、转办", "/portal/window/queue"),
        ("窗口收件", "为到窗口办事的群众收件", "/portal/window/walk-in"),
        ("出件送达", "出件并窗口领取、邮寄或由代办员送达", "/portal/window/cases?status=approved"),
        ("接收交接", "接收村社代办员送来的纸质材料", "/portal/window/handovers"),
        (
            "出件交代办员",
            "把选择代办员送达的出件分批交给代办员",
            "/portal/window/handovers/results",
        ),
        ("整改通知", "监管人员下发给本镇街的整改要求，限期整改并回复", "/portal/rectifications"),
    ),
    roles.APPROVER: (
        ("待审批办件", "查看转到本部门的办件，批准或不批准", "/portal/review"),
        ("审批结果", "查看本部门已审批通过和未通过的办件", "/portal/review?status=approved"),
        ("整改通知", "监管人员下发给本部门的整改要求，限期整改并回复", "/portal/rectifications"),
    ),
    roles.SUPERVISOR: (
        ("数据看板", "办件量、时限达标、满意度、30分钟覆盖", "/portal/dashboard"),
        ("超期督办", "跟进即将超期和已超期的办件", "/portal/supervision/"),
        ("差评整改", "跟进差评和整改情况", "/portal/supervision/follow-ups"),
        ("整改通知", "向镇街或部门提出整改要求、限期整改", "/portal/supervision/rectifications"),
    ),
    roles.ADMIN: (
        ("数据看板", "全区办件和满意度情况", "/portal/dashboard"),
        ("审计日志与督办", "查看身份证号和材料的查阅记录，超期和差评督办", "/portal/supervision/"),
        ("办事点", "办事点的类型、位置、开放时间和可办事项", "/portal/admin/points"),
        (
            "办事点覆盖情况",
            "各镇街各类办事点数量，政银通网点是否每镇街都有",
            "/portal/admin/points/coverage",
        ),
        ("事项导入导出", "用表格导入（先预览）和导出事项目录", "/portal/admin/catalogue-import"),
        ("节假日", "每年的节假日和调休上班日及其通知依据，确认年度日历", "/portal/admin/calendar"),
        ("转办规则", "各镇街事项转交哪个部门审批", "/portal/admin/routing"),
        ("外部平台", "镇街的外部一窗受理平台地址、账号和推送失败的办件", "/portal/admin/platforms"),
        ("事项目录", "查看和修改事项、材料、表单和一件事", "/portal/admin/catalogue/"),
        ("账号管理", "新建账号，修改角色和区划，停用、解锁、重置密码", "/portal/admin/accounts/"),
        ("删除申请", "处理群众删除个人信息的申请", "/portal/admin/deletions/"),
        ("自助终端", "登记自助终端，重新签发凭证，停用终端", "/portal/admin/terminals/"),
    ),
}


def login_locked(retry_after_s: int) -> str:
    minutes = max(1, -(-retry_after_s // 60))
    return LOGIN_LOCKED.format(minutes=minutes)


def calendar_year_unconfirmed(year: int) -> str:
    return (
        f"{year} 年的节假日安排尚未收录国务院通知，也未经管理员确认：办理时限暂按法定节日推算。"
        "通知公布后，请管理员核对并确认该年度日历。"
    )


# --- the one-window pages (一窗受理 · 后台审批) ------------------------------------------------

NOT_FOUND: Final = "找不到该页面或办件，或者它不在您的办理范围内。"
WRONG_ROLE: Final = "此页面仅限{role}使用。"
QUEUE_NOTICES: Final[dict[str, str]] = {
    "empty": "队列中暂时没有可领取的办件。",
    "released": "已释放，办件已回到受理队列。",
    "handoff": "已转交其他镇街，办件已进入对方的受理队列。",
}
FORM_INVALID: Final = "提交的内容有误，请检查后重试。"
UPLOAD_KEPT: Final = "已上传"
MATERIAL_MISSING: Final = "缺少这份材料，请上传"
ITEM_REQUIRED: Final = "请选择办理事项。"
MANDATE_REQUIRED: Final = "请先选择群众的委托。"

# What the page says after an action went through (PRG: ``?done=<action>``).
DONE: Final[dict[str, str]] = {
    "claim": "已领取，请尽快办理。",
    "accept": "已受理，开始计算办理时限。",
    "reject": "已不予受理。",
    "supplement": "已发出补正通知。",
    "transfer": "已转后台审批。",
    "handoff": "已转交其他镇街。",
    "result": "已出件。",
    "finish": "即办件已当场办结出件，请登记领取。",
    "deliver": "已送达。",
    "approve": "已审批通过。",
    "deny": "已审批不通过。",
    "walk_in": "窗口收件成功，已受理。",
}

# Timeline steps, by the state machine's action names.
ACTION_LABELS: Final[dict[str, str]] = {
    "submit": "提交申请",
    "forward": "转入受理队列",
    "handoff": "转交其他镇街",
    "accept": "受理",
    "reject": "不予受理",
    "request_supplement": "要求补正",
    "supply": "提交补正材料",
    "transfer": "转后台审批",
    "approve": "审批通过",
    "deny": "审批不通过",
    "issue_result": "出件",
    "deliver": "送达",
    "withdraw": "撤回",
    "handover_sent": "材料交接：送出",
    "handover_received": "材料交接：接收",
    "urge": "督办催办",
}

ACTOR_ROLES: Final[dict[str, str]] = {
    **roles.LABELS,
    "citizen": "申请人",
    "system": "系统",
}

CHANNELS: Final[dict[str, str]] = {
    "miniprogram": "微信小程序",
    "online": "网上申请",
    "agent": "代办员代办",
    "window": "窗口",
    "bank": "政银通网点",
    "self_service": "自助终端",
    "backoffice": "后台",
}

FILED_BY: Final[dict[str, str]] = {
    "self": "本人申请",
    "agent": "代办员代办",
    "window": "窗口收件",
    "bank": "政银通网点",
}


def channel_unless_filed_by(channel: str, filed_by: str) -> str | None:
    """The channel's label, or None when the filing kind already says it: 代办员代办 came
    through the agent, 窗口收件 through the window; only 本人申请 names its channel."""
    if channel == filed_by:
        return None
    return CHANNELS.get(channel, channel)


DELIVERY: Final[dict[str, str]] = {
    "window": "窗口领取",
    "mail": "邮寄",
    "agent": "代办员送达",
}

MATERIAL_SOURCES: Final[dict[str, str]] = {
    "upload": "上传",
    "shared": "电子证照",
    "paper": "纸质原件",
}

# Tabs of the township's case list: (status filter, label).
TOWNSHIP_TABS: Final = (
    ("accepted", "已受理"),
    ("approved", "待出件"),
    ("result_ready", "待送达"),
    ("in_review", "审批中"),
    ("awaiting_supplement", "待补正"),
    ("", "全部"),
)
REVIEW_TABS: Final = (
    ("in_review", "待审批"),
    ("approved", "已通过"),
    ("denied", "未通过"),
)


def wrong_role(role: str) -> str:
    return WRONG_ROLE.format(role=roles.LABELS.get(role, role))


def days_left(left: int) -> str:
    if left < 0:
        return f"已超期 {-left} 个工作日"
    if left == 0:
        return "今天到期"
    return f"剩 {left} 个工作日"


def waited(days: int) -> str:
    return "今天提交" if days <= 0 else f"已等待 {days} 个工作日"


ON_BEHALF: Final = "（代申请人办理）"


def step_transfer(department: str) -> str:
    return f"转至{department}"


def step_handoff(township: str) -> str:
    return f"转交{township}"


def step_missing(missing: list[str]) -> str:
    return "需补正：" + "、".join(missing)


def step_delivered(method: str, tracking_no: str | None) -> str:
    return f"{method}（快递单号 {tracking_no}）" if tracking_no else method


def step_mailed_to(address: str) -> str:
    return f"，寄往 {address}"


def step_collector(name: str, checked: bool) -> str:
    return f"，领取人 {name}" + ("（身份证号码已核对）" if checked else "")


# --- the agent's pages (代办员) and custody batches (材料交接) --------------------------------

MANDATE_STATUS: Final[dict[str, str]] = {
    "pending": "待群众确认",
    "active": "有效",
    "refused": "群众已拒绝",
    "revoked": "已撤销",
    "expired": "已过期",
}
CONSENT: Final[dict[str, str]] = {"paper": "纸质委托书", "miniprogram": "小程序确认"}
MANDATE_DONE: Final[dict[str, str]] = {
    "active": "委托已登记并生效，现在可以代为申请。",
    "pending": "已向群众发送确认请求，群众在小程序中确认后委托生效。",
}
REGISTERED: Final = "群众已登记。"
AGENT_DONE: Final[dict[str, str]] = {
    "filed": "已代为提交申请。",
    "supplied": "补正材料已提交。",
    "handed": "已登记交付群众，办件已送达。",
    "received": "已确认接收。",
}
EVIDENCE_PHOTO_MISSING: Final = "请拍摄或选择这张照片"
NO_LIVE_MANDATE: Final = "您还没有有效的委托。请先为群众登记委托。"
HANDOVER_DIRECTIONS: Final[dict[str, str]] = {
    "to_township": "纸质原件送镇街",
    "to_village": "出件交代办员",
}
HANDOVER_STATUS: Final[dict[str, str]] = {"sent": "待接收", "received": "已接收"}
HANDOVER_TABS: Final = (("sent", "待接收"), ("received", "已接收"), ("", "全部"))
HANDOVER_CODE_UNKNOWN: Final = "没有找到这个交接批次编码，请核对清单上的编码。"
RESULT_ITEM: Final = "出件"
SEND_RESULTS_NONE: Final = "没有需要交代办员送达的出件。"
WINDOW_DONE: Final[dict[str, str]] = {
    "received": "已确认接收。登记为缺失的原件会列入代办员的待办，请其补送。"
}
AGENT_ERRAND_TABS: Final = (("", "进行中"), ("all", "全部"))


def sex_year(sex: str | None, birth_year: int | None) -> str:
    """What may be shown beside the masked ID (DESIGN rule 5: birth year and sex at most)."""
    parts = [
        {"male": "男", "female": "女"}.get(sex or "", ""),
        f"{birth_year} 年生" if birth_year else "",
    ]
    return " · ".join(p for p in parts if p)


# --- one's own password --------------------------------------------------------------------
PW_FIELDS_MISSING: Final = "请填写当前密码和两次新密码"
PW_CONFIRM_MISMATCH: Final = "两次输入的新密码不一致"
PW_MUST_CHANGE: Final = "管理员已重置您的密码，请先设置新密码后再使用工作台。"
PW_CHANGED: Final = "密码已修改，其他设备上的登录已全部退出。"
PW_RULES: Final = (
    "至少 12 位，不能是常见密码、不能与用户名相同；建议用几个不相关的词或混合字母、数字和符号。"
)


# --- formal notices (文书) on the case pages -----------------------------------------------
PAPER_TITLE: Final = "文书"
PAPER_PENDING: Final = "文书生成中，请稍后刷新"
PAPER_NONE: Final = "本件尚未出具文书（受理、不予受理、补正、不予许可、办结时出具）。"
STEP_ON_THE_SPOT: Final = "即办件，窗口当场办结"


def step_urge(note: str) -> str:
    """The supervisor's note of an urge, on a staff case page (citizens do not see it)."""
    return f"督办说明：{note}"


HIDDEN_IN_FIELD: Final = (
    "“{label}”中含有看不见的控制字符或文字方向字符（常见于从别处复制的文字），请删除后重新填写。"
)

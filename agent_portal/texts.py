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

UNDER_CONSTRUCTION: Final = "建设中"

# (title, one-line hint, href or None while the page does not exist yet), per role.
ROLE_TASKS: Final[dict[str, tuple[tuple[str, str, str | None], ...]]] = {
    roles.AGENT: (
        ("我的代办", "查看全部代办事项和办理时限", None),
        ("登记群众", "为没有智能手机的群众登记信息", None),
        ("委托授权", "记录群众的委托和凭证", None),
        ("代为申请", "在委托范围内替群众提交办件", None),
        ("补正材料", "按窗口要求补交或更正材料", None),
        ("领取出件", "领取办理结果并交给群众", None),
        ("材料交接", "把纸质材料分批送交镇街", None),
    ),
    roles.WINDOW: (
        ("受理队列", "认领、受理、不予受理、补正、转办", None),
        ("窗口收件", "为到窗口办事的群众收件", None),
        ("出件送达", "出件并窗口领取、邮寄或由代办员送达", None),
        ("接收交接", "接收村社代办员送来的纸质材料", None),
    ),
    roles.APPROVER: (
        ("待审批办件", "查看转到本部门的办件", None),
        ("审批结果", "批准或不批准，并写明理由", None),
    ),
    roles.SUPERVISOR: (
        ("数据看板", "办件量、时限达标、满意度、30分钟覆盖", None),
        ("超期督办", "跟进即将超期和已超期的办件", None),
        ("差评整改", "跟进差评和整改情况", None),
        ("事项与办事点", "维护事项目录、办事点和节假日", None),
    ),
    roles.ADMIN: (
        ("账号管理", "开设、停用工作人员账号", None),
        ("事项目录", "维护事项、材料和承诺时限", None),
        ("办事点", "维护镇街、村社和银行网点", None),
        ("节假日", "补充和更正工作日安排", None),
        ("数据看板", "全区办件和满意度情况", None),
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

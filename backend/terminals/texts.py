"""Every user-facing text of the self-service terminals (自助终端), in one place."""

from __future__ import annotations

CREDENTIAL_INVALID = "终端编号或凭证不正确，或该终端已停用。请联系管理员。"
SESSION_ENDED = "本次自助办理已结束，请重新放置身份证。"
POINT_NOT_TERMINAL = "所选办事点不是自助服务终端，请选择类型为“自助服务终端”的办事点。"
POINT_UNKNOWN = "办事点 {code} 不存在。"
NAME_INVALID = "终端名称须为 1 至 100 个字符，且不能含有控制字符。"
TERMINAL_NOT_FOUND = "找不到该自助终端。"
ALREADY_DISABLED = "该自助终端已停用。"
REASON_REQUIRED = "请填写原因。"
LOGIN_LIMITED = "终端登录失败次数过多，请 {minutes} 分钟后再试。"

ISSUED = "已登记自助终端"
REISSUED = "已重新签发凭证，旧凭证已失效"
DISABLED = "已停用自助终端"
STATE_ACTIVE = "启用"
STATE_DISABLED = "停用"
NEVER_SEEN = "从未连接"

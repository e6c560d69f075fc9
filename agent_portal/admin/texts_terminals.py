"""The words of the administrator's 自助终端 page (Simplified Chinese)."""

from __future__ import annotations

from typing import Final

DONE: Final = {
    "disabled": "已停用该自助终端：它的令牌和正在进行的群众会话已全部失效。",
}
CREDENTIAL_ONCE: Final = (
    "终端凭证只显示这一次，离开本页后无法再查看。请在终端的本地配置中填入终端编号和凭证；"
    "遗失时请“重新签发凭证”。"
)
REISSUED_NOTE: Final = "旧凭证已作废，用旧凭证登录的终端须改用新凭证。"
FORM_INVALID: Final = "请按提示修改后再提交。"
POINT_REQUIRED: Final = "请选择终端所在的办事点。"
NAME_REQUIRED: Final = "请填写终端名称。"
NO_POINTS: Final = "还没有类型为“自助服务终端”的办事点，请先在“办事点”页面添加。"

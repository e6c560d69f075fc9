"""The Chinese words of the administrator's catalogue pages (事项目录)."""

from __future__ import annotations

from typing import Final

DATATYPES: Final = {
    "text": "文字",
    "number": "数字",
    "date": "日期",
    "choice": "选择",
    "id_number": "身份证号",
    "phone": "手机号",
}
SENSITIVITIES: Final = {
    "none": "一般信息",
    "id_number": "身份证号",
    "phone": "电话号码",
    "bank_account": "银行账号",
    "id_derived": "含身份证号的证号",
}

DONE: Final = {
    "versioned": "已保存为新版本。已提交的办件仍按原版本办理。",
    "unchanged": "内容与最新版本相同，没有生成新版本。",
    "bundle": "一件事已保存。",
    "bundle-unchanged": "内容没有变化，未作修改。",
    "created": "事项已新增（第 1 版）。",
    "bundle-created": "一件事已新增。",
}
REFUSED: Final = "没有保存，请修改以下各项后重新提交："

VERSION_IN_FORCE: Final = "现行"
VERSION_WAITING: Final = "待生效"
VERSION_OLD: Final = "已停用"

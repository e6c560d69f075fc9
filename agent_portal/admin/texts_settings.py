"""The Chinese words of the administrator's settings pages: the calendar (节假日), the routing
rules (转办规则) and the townships' external platforms (外部一窗平台)."""

from __future__ import annotations

from typing import Final

# --- calendar ---------------------------------------------------------------------------------

KINDS: Final[dict[str, str]] = {"holiday": "休息日", "workday": "工作日（调休上班）"}
DAY_REQUIRED: Final = "请填写日期。"
YEAR_INVALID: Final = "年份须为 2000–2100 之间的整数。"
CALENDAR_DONE: Final[dict[str, str]] = {
    "saved": "已保存这一天的设定，期限立即按新日历计算。",
    "removed": "已删除管理员的设定，这一天按国务院通知或法定节日判断。",
    "confirmed": "已确认本年度节假日安排，首页不再提示。",
}
# the domain's error codes -> the form field they are about
CALENDAR_FIELDS: Final[dict[str, str]] = {
    "date_invalid": "day",
    "date_out_of_range": "day",
    "calendar_kind_invalid": "kind",
    "note_too_long": "note",
    "calendar_source_too_long": "source",
    "year_out_of_range": "year",
}

# --- routing rules ----------------------------------------------------------------------------

SEND_METHODS: Final[dict[str, str]] = {"builtin": "本系统后台审批队列"}
DISTRICT_WIDE: Final = "全区默认"
ITEM_REQUIRED: Final = "请选择事项。"
DEPARTMENT_REQUIRED: Final = "请选择审批部门。"
SEND_METHOD_REQUIRED: Final = "请选择转办方式。"
ROUTING_DONE: Final[dict[str, str]] = {
    "saved": "已保存转办规则，之后转后台审批时按此转交。",
    "removed": "已删除转办规则，之后按全区默认规则或事项所属部门转交。",
}

# --- external platforms -----------------------------------------------------------------------

TOWNSHIP_REQUIRED: Final = "请选择镇街。"
BASE_URL_REQUIRED: Final = "请填写平台地址。"
APP_ID_REQUIRED: Final = "请填写平台账号（app id）。"
APP_ID_INVALID: Final = "平台账号（app id）只能由字母、数字和 . _ - 组成，不超过 64 个字符。"
BASE_URL_TOO_LONG: Final = "平台地址不能超过 300 个字符。"
TOWNSHIP_UNKNOWN: Final = "找不到该镇街，请从列表中选择。"
PLATFORM_DONE: Final[dict[str, str]] = {
    "saved": "已保存镇街的平台设置。",
    "retried": "已重新排队推送，稍后发出。",
}
PLATFORM_FIELDS: Final[dict[str, str]] = {
    "platform_base_url_invalid": "base_url",
    "outbound_url_malformed": "base_url",
    "outbound_url_unresolvable": "base_url",
    "outbound_url_forbidden": "base_url",
    "outbound_url_private": "base_url",
    "platform_secret_missing": "app_id",
    "township_not_found": "township",
}
CASE_STATUS: Final[dict[str, str]] = {"submitted": "待推送", "queued": "已进入队列"}

FORM_INVALID: Final = "提交的内容有误，请按提示修改后再提交；没有保存任何改动。"

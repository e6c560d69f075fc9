"""The Chinese words the geo context's use cases say: why a service point was refused."""

from __future__ import annotations

from typing import Final

FIELD_LABELS: Final = {
    "kind": "类型",
    "name": "名称",
    "area_code": "所在镇街/村社",
    "address": "地址",
    "phone": "联系电话",
    "lat": "纬度",
    "lng": "经度",
    "hours": "开放时间",
    "holiday_hours": "节假日开放时间",
    "items": "可办事项",
}

POINT_INVALID: Final = "办事点信息有误，请修改标出的各项：{fields}。"
POINT_NOT_FOUND: Final = "未找到该办事点。"
KIND_UNKNOWN: Final = "请选择办事点类型。"
KIND_FILTER_UNKNOWN: Final = "办事点类型须为 {kinds} 之一。"
TOWNSHIP_FILTER_UNKNOWN: Final = "所选镇街不在本区。"
NAME_EMPTY: Final = "请填写办事点名称。"
ADDRESS_EMPTY: Final = "请填写地址，群众按地址找到办事点。"
HOURS_EMPTY: Final = (
    "请填写开放时间，不填的话群众查附近办事点时会一直显示为不开放；全天开放写“全天”。"
)
HIDDEN_CHARACTERS: Final = "“{label}”含有不能使用的字符。"
PHONE_BAD: Final = (
    "请填写正确的电话号码（{low}至{high}个字符，只用数字、空格和 + - ( )），"
    "如 0571-82345678、13812345678 或 0571-8234 5678 转 801。"
)
TOO_LONG: Final = "不能超过 {limit} 个字。"
AREA_UNKNOWN: Final = "请选择本区的镇街或村社。"
NOT_A_NUMBER: Final = "请填写数字（如 {example}），或在地图上点选位置。"
OUT_OF_BOUNDS: Final = "不在本区范围内（应在 {low:.3f} 至 {high:.3f} 之间）。"
NO_BOUNDS: Final = "本区尚未登记区划位置，无法核对坐标。"
HOURS_BAD: Final = "{problem}。"
ITEMS_UNKNOWN: Final = "目录中没有这些事项：{codes}。"
AUDIT_CREATED: Final = "新增办事点"
AUDIT_UPDATED: Final = "修改办事点"

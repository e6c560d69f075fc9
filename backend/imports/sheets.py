"""The sheets an import file may hold, their columns (English or Chinese headers) and values.

Administrators keep these tables in spreadsheets: one sheet per table in an XLSX workbook, or
one CSV file per table (its kind is told by its name or its header row).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from backend.catalogue.texts import KIND_LABELS


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    label: str
    required: bool = True


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    label: str
    columns: tuple[Column, ...]

    def header_map(self) -> dict[str, str]:
        """Header text (either language, case-insensitive) → column name."""
        out: dict[str, str] = {}
        for c in self.columns:
            out[c.name.lower()] = c.name
            out[c.label.lower()] = c.name
        return out


def _c(name: str, label: str, required: bool = True) -> Column:
    return Column(name, label, required)


SHEETS: Final[dict[str, Sheet]] = {
    s.name: s
    for s in (
        Sheet(
            "areas",
            "区划",
            (
                _c("code", "区划代码"),
                _c("name", "名称"),
                _c("level", "层级"),
                _c("parent_code", "上级代码", False),
                _c("lat", "纬度", False),
                _c("lng", "经度", False),
                _c("population", "人口", False),
            ),
        ),
        Sheet("departments", "部门", (_c("code", "部门编码"), _c("name", "部门名称"))),
        Sheet(
            "items",
            "事项",
            (
                _c("code", "事项编码"),
                _c("name", "事项名称"),
                _c("department_code", "部门编码"),
                _c("lowest_level", "办理层级"),
                _c("channels", "办理渠道"),
                _c("delegable", "可代办"),
                _c("district_wide", "全区通办"),
                _c("legal_days", "法定时限"),
                _c("committed_days", "承诺时限"),
                _c("fee", "收费", False),
                _c("delivery_methods", "送达方式", False),
                _c("keywords", "关键词", False),
                _c("personal", "个人事项", False),
                _c("item_kind", "事项类型", False),
                _c("effective_from", "生效日期", False),
            ),
        ),
        Sheet(
            "materials",
            "材料",
            (
                _c("item_code", "事项编码"),
                _c("type", "材料类型"),
                _c("name", "材料名称"),
                _c("required", "必需", False),
                _c("original", "原件", False),
                _c("copies", "份数", False),
                _c("exempt_if_shared", "共享免提交", False),
                _c("order", "顺序", False),
            ),
        ),
        Sheet(
            "forms",
            "表单",
            (
                _c("item_code", "事项编码"),
                _c("name", "字段名"),
                _c("label", "字段标签"),
                _c("datatype", "字段类型"),
                _c("sensitivity", "敏感类别"),
                _c("required", "必填", False),
                _c("values", "选项", False),
                _c("order", "顺序", False),
                _c("max_length", "最大长度", False),
                _c("pattern", "格式", False),
                _c("pattern_hint", "格式说明", False),
            ),
        ),
        Sheet(
            "bundles",
            "一件事",
            (
                _c("code", "编码"),
                _c("name", "名称"),
                _c("item_codes", "包含事项"),
                _c("keywords", "关键词", False),
            ),
        ),
        Sheet(
            "service_points",
            "办事点",
            (
                _c("code", "办事点编码"),
                _c("name", "办事点名称"),
                _c("kind", "类型"),
                _c("area_code", "所在区划"),
                _c("lat", "纬度"),
                _c("lng", "经度"),
                _c("address", "地址", False),
                _c("phone", "电话", False),
                _c("hours", "开放时间", False),
            ),
        ),
        Sheet(
            "handles",
            "办理事项",
            (_c("service_point_code", "办事点编码"), _c("item_codes", "事项编码")),
        ),
    )
}

SHEET_ALIASES: Final[dict[str, str]] = {
    **{name: name for name in SHEETS},
    **{s.label: name for name, s in SHEETS.items()},
    "service-points": "service_points",
    "办理事项清单": "handles",
    "下沉事项": "handles",
}

#: Order in which sheets are applied (references first).
APPLY_ORDER: Final = (
    "departments",
    "areas",
    "items",
    "materials",
    "forms",
    "bundles",
    "service_points",
    "handles",
)

TRUE: Final = frozenset({"是", "y", "yes", "true", "1", "√", "✓"})
FALSE: Final = frozenset({"否", "n", "no", "false", "0", "×", ""})

LEVEL_ALIASES: Final = {
    "district": "district",
    "区": "district",
    "区级": "district",
    "township": "township",
    "镇街": "township",
    "镇": "township",
    "街道": "township",
    "village": "village",
    "村社": "village",
    "村": "village",
    "社区": "village",
    "村社区": "village",
}
CHANNEL_ALIASES: Final = {
    "window": "window",
    "窗口": "window",
    "agent": "agent",
    "代办": "agent",
    "代办员": "agent",
    "bank": "bank",
    "银行": "bank",
    "政银通": "bank",
    "self_service": "self_service",
    "自助": "self_service",
    "自助终端": "self_service",
    "online": "online",
    "网办": "online",
    "网上": "online",
    "掌上办": "online",
}
DELIVERY_ALIASES: Final = {
    "window": "window",
    "窗口": "window",
    "窗口领取": "window",
    "mail": "mail",
    "邮寄": "mail",
    "agent": "agent",
    "代办员": "agent",
    "代办员送达": "agent",
}
ITEM_KIND_ALIASES: Final = {
    "licensing": "licensing",
    "行政许可": "licensing",
    "public_service": "public_service",
    "公共服务": "public_service",
}
"""事项类型 (left blank: a new item is 公共服务, an existing one keeps its kind)."""
ITEM_KIND_LABELS: Final = KIND_LABELS

KIND_ALIASES: Final = {
    "township_hall": "township_hall",
    "镇街便民服务中心": "township_hall",
    "便民服务中心": "township_hall",
    "village_station": "village_station",
    "村社便民服务站": "village_station",
    "便民服务站": "village_station",
    "bank_outlet": "bank_outlet",
    "政银通网点": "bank_outlet",
    "银行网点": "bank_outlet",
    "self_service_terminal": "self_service_terminal",
    "自助服务终端": "self_service_terminal",
    "自助终端": "self_service_terminal",
    "dept_station": "dept_station",
    "基层站所": "dept_station",
}
DATATYPE_ALIASES: Final = {
    "text": "text",
    "文本": "text",
    "number": "number",
    "数字": "number",
    "date": "date",
    "日期": "date",
    "choice": "choice",
    "选择": "choice",
    "单选": "choice",
    "id_number": "id_number",
    "身份证号": "id_number",
    "phone": "phone",
    "手机号": "phone",
    "电话": "phone",
}
SENSITIVITY_ALIASES: Final = {
    "id_number": "id_number",
    "身份证号": "id_number",
    "phone": "phone",
    "电话": "phone",
    "手机号": "phone",
    "bank_account": "bank_account",
    "银行账号": "bank_account",
    "id_derived": "id_derived",
    "含身份证号": "id_derived",
    "none": "none",
    "无": "none",
    "不敏感": "none",
}

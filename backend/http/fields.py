"""Field types shared by the API's request and response Structs.

Each carries its Chinese description, an example and the limits the server enforces, so the
OpenAPI document says the same thing everywhere a case number or a township code appears.
Input types (``…In``) carry the limits; output types describe what the server sends.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, TypeAlias

from msgspec import Meta

CaseNumber: TypeAlias = Annotated[
    str,
    Meta(
        description="办件编号：区划前缀、受理日期和当天序号；一件事的子件另带 -01、-02 等后缀。",
        examples=["XS20261207000123"],
    ),
]
CaseNumberIn: TypeAlias = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=24,
        description="办件编号，如 XS20261207000123。",
        examples=["XS20261207000123"],
    ),
]
ItemCode: TypeAlias = Annotated[
    str, Meta(description="事项编码（事项目录中的 code）。", examples=["GA-SFZ-HL"])
]
BundleCode: TypeAlias = Annotated[str, Meta(description="一件事编码。", examples=["CSYJS"])]
TownshipCode: TypeAlias = Annotated[
    str, Meta(description="镇街区划代码（9 位）。", examples=["330109001"])
]
VillageCode: TypeAlias = Annotated[
    str, Meta(description="村（社区）区划代码（12 位）。", examples=["330109001001"])
]
AreaCode: TypeAlias = Annotated[
    str,
    Meta(description="区划代码：区 6 位、镇街 9 位、村（社区）12 位。", examples=["330109001"]),
]
DepartmentCode: TypeAlias = Annotated[str, Meta(description="部门编码。", examples=["GA"])]
Timestamp: TypeAlias = Annotated[
    datetime,
    Meta(description="时间（ISO 8601，带时区）。", examples=["2026-12-07T09:30:00+08:00"]),
]
Day: TypeAlias = Annotated[date, Meta(description="日期（YYYY-MM-DD）。", examples=["2026-12-07"])]
Total: TypeAlias = Annotated[
    int, Meta(ge=0, description="符合条件的总条数（不止本页）。", examples=[42])
]
PersonName: TypeAlias = Annotated[str, Meta(description="姓名。", examples=["王秀英"])]
MaskedIdNumber: TypeAlias = Annotated[
    str,
    Meta(
        description="遮掩后的身份证号码：只显示前 3 位和后 4 位。",
        examples=["110***********002X"],
    ),
]
ContactPhoneIn: TypeAlias = (
    Annotated[
        str,
        Meta(
            max_length=20, description="联系电话（5–20 位数字），可不填。", examples=["13800138000"]
        ),
    ]
    | None
)
"""A phone given for someone at a desk (a walk-in, a villager an agent registers)."""
MaskedPhone: TypeAlias = Annotated[
    str, Meta(description="遮掩后的手机号码。", examples=["138****8000"])
]

FormValue: TypeAlias = str | int | float | bool | None
"""One answer on an application form: text, a number, a date as text, a choice or a yes/no."""

FormValues: TypeAlias = Annotated[
    dict[Annotated[str, Meta(min_length=1, max_length=64)], FormValue],
    Meta(
        max_length=200,
        description=(
            "申请表：字段名 → 填写的值。字段名和类型见 GET /api/v1/items/{code} 的 form；"
            "身份证号码等敏感项在服务器加密保存。"
        ),
        examples=[{"baby_name": "王小明", "baby_sex": "男", "birth_date": "2026-11-30"}],
    ),
]

# --- the case's value sets (API.md "Enumerations") -------------------------------------------

CaseStatus: TypeAlias = Literal[
    "submitted",
    "queued",
    "awaiting_supplement",
    "accepted",
    "in_review",
    "approved",
    "denied",
    "rejected",
    "result_ready",
    "delivered",
    "withdrawn",
]
PublicStatus: TypeAlias = Literal["open", "closed"]
CaseChannel: TypeAlias = Literal["miniprogram", "agent", "window", "bank", "self_service"]
FiledByKind: TypeAlias = Literal["self", "agent", "window", "bank"]

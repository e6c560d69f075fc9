"""Responses of the catalogue routes (public: what a citizen sees of the catalogue)."""

from __future__ import annotations

from typing import Annotated, Literal, TypeAlias

import msgspec
from msgspec import Meta

from backend.http.fields import BundleCode, DepartmentCode, ItemCode, Total

Channel: TypeAlias = Literal["window", "agent", "bank", "self_service", "online"]
"""Where an item can be applied for (``model.CHANNELS``)."""
Level: TypeAlias = Literal["district", "township", "village"]
DeliveryMethod: TypeAlias = Literal["window", "mail", "agent"]
Datatype: TypeAlias = Literal["text", "number", "date", "choice", "id_number", "phone"]
Sensitivity: TypeAlias = Literal["id_number", "phone", "bank_account", "id_derived", "none"]

Days: TypeAlias = Annotated[int, Meta(ge=0, le=365)]
MaterialType: TypeAlias = Annotated[
    str,
    Meta(description="材料类型（规范名称），提交申请时按它对应上传的文件。", examples=["户口簿"]),
]


class ItemOut(msgspec.Struct):
    """政务服务事项：名称、承办部门、办理时限和渠道。"""

    code: ItemCode
    name: Annotated[str, Meta(description="事项名称。", examples=["居民身份证换领"])]
    department: Annotated[DepartmentCode, Meta(description="承办部门编码。")]
    department_name: Annotated[str, Meta(description="承办部门名称。", examples=["区公安分局"])]
    committed_days: Annotated[
        Days, Meta(description="承诺办结时限（工作日，受理后起算）；0 为即办。", examples=[15])
    ]
    legal_days: Annotated[Days, Meta(description="法定办结时限（工作日）。", examples=[60])]
    channels: Annotated[
        list[Channel],
        Meta(
            description=(
                "可以申请的渠道：window 窗口，agent 村社代办，bank 银行网点，"
                "self_service 自助终端，online 小程序在线申请。"
            ),
            examples=[["window", "online"]],
        ),
    ]
    delegable: Annotated[bool, Meta(description="能否委托村社代办员代办。", examples=[False])]
    district_wide: Annotated[
        bool, Meta(description="是否全区通办（可在任一镇街受理）。", examples=[True])
    ]
    lowest_level: Annotated[
        Level,
        Meta(
            description="最低可办理层级：district 区，township 镇街，village 村（社区）。",
            examples=["township"],
        ),
    ]


class ItemMaterialOut(msgspec.Struct):
    """事项所需的一种材料。"""

    type: MaterialType
    name: Annotated[str, Meta(description="材料名称和要求。", examples=["申请人居民户口簿"])]
    required: Annotated[bool, Meta(description="是否必需。", examples=[True])]
    original: Annotated[
        bool, Meta(description="是否须提供原件（否则复印件即可）。", examples=[True])
    ]
    copies: Annotated[
        int, Meta(ge=0, le=20, description="须交的纸质份数；0 为只需出示。", examples=[1])
    ]
    exempt_if_shared: Annotated[
        bool, Meta(description="能通过电子证照或数据共享核验时，可以不提交。", examples=[False])
    ]


class FormFieldOut(msgspec.Struct):
    """申请表中的一项：提交申请时 form 里的一个字段。"""

    name: Annotated[str, Meta(description="字段名（form 中的键）。", examples=["baby_sex"])]
    label: Annotated[str, Meta(description="字段的中文名称。", examples=["新生儿性别"])]
    datatype: Annotated[
        Datatype,
        Meta(
            description=(
                "填写类型：text 文字，number 数字，date 日期（YYYY-MM-DD），"
                "choice 从 values 中选一，id_number 身份证号码，phone 手机号码。"
            ),
            examples=["choice"],
        ),
    ]
    required: Annotated[bool, Meta(description="是否必填。", examples=[True])]
    values: Annotated[
        list[str], Meta(description="choice 类型的可选值；其他类型为空。", examples=[["男", "女"]])
    ]
    sensitivity: Annotated[
        Sensitivity,
        Meta(
            description=(
                "敏感类别：id_number 身份证号，phone 电话，bank_account 银行账号，"
                "id_derived 含身份证号的证号，none 不敏感；"
                "敏感项加密保存，工作人员看到的是遮掩后的值。"
            ),
            examples=["none"],
        ),
    ]
    """``id_number``, ``phone``, ``bank_account``, ``id_derived`` or ``none``: whether the value is
    stored encrypted and shown masked to staff (docs/personal-data.md)."""
    max_length: Annotated[
        int | None,
        Meta(description="最多可填的字数；null 为不另设上限。", examples=[20]),
    ] = None
    pattern: Annotated[
        str | None,
        Meta(
            description=(
                "格式：整项须匹配的正则表达式（Python re 语法，按 fullmatch 判断）；"
                "null 为不限格式。"
            ),
            examples=[r"1[3-9]\d{9}"],
        ),
    ] = None
    pattern_hint: Annotated[
        str | None,
        Meta(
            description="格式说明：填写不符合 pattern 时显示的中文提示；无格式时为 null。",
            examples=["请输入 11 位手机号"],
        ),
    ] = None


class ItemDetail(ItemOut):
    """事项详情：现行版本的所需材料、申请表、收费和送达方式。"""

    fee: Annotated[str, Meta(description="收费说明。", examples=["到期换领20元，损坏换领40元"])]
    delivery_methods: Annotated[
        list[DeliveryMethod],
        Meta(
            description="可选的送达方式：window 窗口领取，mail 邮寄，agent 代办员送达。",
            examples=[["window", "mail"]],
        ),
    ]
    keywords: Annotated[
        list[str], Meta(description="检索关键词。", examples=[["身份证", "换证", "到期"]])
    ]
    materials: Annotated[list[ItemMaterialOut], Meta(description="所需材料。")]
    form: Annotated[list[FormFieldOut], Meta(description="申请表字段，按填写顺序。")]
    version: Annotated[int, Meta(ge=1, description="事项版本号。", examples=[3])]
    effective_from: Annotated[
        str, Meta(description="本版本的生效日期（YYYY-MM-DD）。", examples=["2026-01-01"])
    ]


class ItemPage(msgspec.Struct):
    """事项查询结果的一页。"""

    items: Annotated[list[ItemOut], Meta(description="本页的事项。")]
    total: Total


class MergedMaterialOut(ItemMaterialOut):
    """一件事合并后的一种材料：同一类型只提交一次，供各事项共用。"""

    item_codes: Annotated[
        list[str],
        Meta(description="需要这种材料的事项编码。", examples=[["GA-HK-CSDJ", "YB-CXJM-CB"]]),
    ]


class BundleOut(msgspec.Struct):
    """一件事：几个相关事项一次申请，材料合并提交。"""

    code: BundleCode
    name: Annotated[str, Meta(description="一件事名称。", examples=["出生一件事"])]
    items: Annotated[
        list[ItemOut], Meta(description="包含的事项；每个事项自己的申请渠道见其 channels。")
    ]
    materials: Annotated[
        list[MergedMaterialOut], Meta(description="合并后的材料清单，每种类型一次。")
    ]
    channels: Annotated[
        list[Channel],
        Meta(
            description=(
                "整件一次申请可用的渠道：每个包含的事项都提供的渠道（online 为小程序在线申请）。"
                "不在这里的渠道，只有部分事项可以办，提交前请看各事项的 channels。"
            ),
            examples=[["window", "agent"]],
        ),
    ] = msgspec.field(default_factory=list)
    form: Annotated[
        list[FormFieldOut],
        Meta(description="合并后的申请表：各事项的字段，同名字段只填一次，按事项顺序。"),
    ] = msgspec.field(default_factory=list)


class BundlePage(msgspec.Struct):
    """一件事查询结果的一页。"""

    items: Annotated[list[BundleOut], Meta(description="本页的一件事。")]
    total: Total

"""Bodies of the platform routes: what a platform sends us, what supervisors see."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, TypeAlias

import msgspec
from msgspec import Meta

from backend.cases.schemas import CaseStatus
from backend.http.fields import CaseNumber, CaseNumberIn, Timestamp, Total, TownshipCode

CallbackStatus: TypeAlias = Literal[
    "accepted",
    "rejected",
    "supplement",
    "in_review",
    "approved",
    "denied",
    "result_ready",
    "delivered",
]
MaterialType: TypeAlias = Annotated[
    str, Meta(min_length=1, max_length=20, description="材料类型。", examples=["户口簿"])
]
AppId: TypeAlias = Annotated[
    str,
    Meta(
        description="平台账号（PLATFORM_SECRETS 中的 app_id），回调时放在签名头里。",
        examples=["xs-platform"],
    ),
]
BaseUrl: TypeAlias = Annotated[
    str,
    Meta(
        description="平台接收推送的地址（http:// 或 https:// 开头）。",
        examples=["https://yichuang.xiaoshan.example.gov.cn/api"],
    ),
]


class CallbackIn(msgspec.Struct):
    """一窗受理平台的办件状态回调。

    Unknown fields are ignored: the platform may add its own.
    """

    event_id: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=80,
            description="平台为这条回调生成的唯一编号；同一编号重发只生效一次。",
            examples=["evt-20261207-000123-01"],
        ),
    ]
    case_number: CaseNumberIn
    status: Annotated[
        CallbackStatus,
        Meta(
            description=(
                "平台上的办理状态：accepted 受理、rejected 不予受理、supplement 需补正、"
                "in_review 审批中、approved 准予、denied 不予许可、result_ready 出件、"
                "delivered 已送达。"
            )
        ),
    ]
    occurred_at: Annotated[
        datetime,
        Meta(
            tz=True,
            description="状态在平台上发生的时间（ISO 8601，须带时区）；早于已生效的回调则不生效。",
            examples=["2026-12-07T10:15:00+08:00"],
        ),
    ]
    note: (
        Annotated[
            str,
            Meta(max_length=500, description="办理意见或说明。", examples=["材料齐全，予以受理。"]),
        ]
        | None
    ) = None
    missing: (
        Annotated[
            list[MaterialType],
            Meta(
                max_length=50,
                description="需补正的材料类型；status 为 supplement 时须一次列全。",
                examples=[["户口簿", "出生医学证明"]],
            ),
        ]
        | None
    ) = None


class CallbackOut(msgspec.Struct):
    """回调的处理结果：是否生效，以及办件此后的状态。"""

    event_id: Annotated[
        str, Meta(description="回调编号（原样返回）。", examples=["evt-20261207-000123-01"])
    ]
    case_number: CaseNumber
    applied: Annotated[bool, Meta(description="这条回调是否改变了办件状态。", examples=[False])]
    replayed: Annotated[
        bool,
        Meta(
            description="是否为重发：同一 event_id 已收到过，答复与第一次相同。", examples=[False]
        ),
    ]
    status: Annotated[
        CaseStatus, Meta(description="回调处理后办件在本系统中的状态。", examples=["in_review"])
    ]
    reason: Annotated[
        Literal["out_of_order", "transition_not_allowed"] | None,
        Meta(
            description=(
                "未生效的原因：out_of_order 早于已生效的回调；transition_not_allowed 当前状态"
                "不允许此变化。生效时为 null。"
            )
        ),
    ] = None
    detail: Annotated[
        str | None,
        Meta(
            description="未生效原因的中文说明；生效时为 null。",
            examples=["该状态早于已处理的最新状态，已忽略。"],
        ),
    ] = None


class PushFailureOut(msgspec.Struct):
    """一件推送最终失败（已停止重试）的办件。"""

    case_number: CaseNumber
    township_code: TownshipCode
    app_id: AppId
    attempts: Annotated[int, Meta(ge=0, description="已尝试推送的次数。", examples=[8])]
    last_error: Annotated[
        str, Meta(description="最后一次推送失败的原因。", examples=["HTTP 503 from platform"])
    ]
    failed_at: Timestamp
    case_status: Annotated[CaseStatus, Meta(description="办件当前的状态。", examples=["submitted"])]


class PushFailurePage(msgspec.Struct):
    """推送最终失败的办件，一页，最近失败的在前。"""

    items: Annotated[list[PushFailureOut], Meta(description="本页的失败推送。")]
    total: Total


class RetryOut(msgspec.Struct):
    """重新推送已安排。"""

    case_number: CaseNumber
    status: Annotated[Literal["pending"], Meta(description="pending：新的推送已排队，稍后发出。")]


class TownshipPlatformIn(msgspec.Struct, forbid_unknown_fields=True):
    """把镇街的办件推送到外部一窗受理平台（或改回本系统的受理队列）。"""

    base_url: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=300,
            pattern=r"^https?://\S+$",
            description="平台接收推送的地址：http:// 或 https:// 开头，不含空白。",
            examples=["https://yichuang.xiaoshan.example.gov.cn/api"],
        ),
    ]
    app_id: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=64,
            pattern=r"^[A-Za-z0-9._-]+$",
            description="平台账号；启用时须已在 PLATFORM_SECRETS 中配置密钥。",
            examples=["xs-platform"],
        ),
    ]
    active: Annotated[
        bool, Meta(description="true 启用推送；false 改回本系统的窗口受理队列。", examples=[True])
    ] = True


class TownshipPlatformOut(msgspec.Struct):
    """一个镇街的外部一窗受理平台配置。"""

    township_code: TownshipCode
    township_name: Annotated[str, Meta(description="镇街名称。", examples=["益农镇"])]
    base_url: BaseUrl
    app_id: AppId
    active: Annotated[bool, Meta(description="是否推送到该平台。", examples=[True])]
    secret_configured: Annotated[
        bool, Meta(description="PLATFORM_SECRETS 中是否已有该账号的密钥。", examples=[True])
    ]
    updated_at: Timestamp


class TownshipPlatformPage(msgspec.Struct):
    """使用外部一窗受理平台的镇街，一页，按区划代码排序。"""

    items: Annotated[list[TownshipPlatformOut], Meta(description="本页的镇街配置。")]
    total: Total

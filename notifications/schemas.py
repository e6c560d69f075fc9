"""Request and response bodies of the notifications routes (msgspec)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final, Literal, TypeAlias, get_args

import msgspec
from msgspec import Meta

from backend.http.fields import Timestamp, Total

SubscribeAnswer: TypeAlias = Literal["accept", "reject", "ban", "filter"]
"""What a citizen tapped for one template in ``wx.requestSubscribeMessage``."""

ANSWERS: Final = frozenset(get_args(SubscribeAnswer))
ERR_MSG: Final = "errMsg"
"""The one key of ``wx.requestSubscribeMessage``'s result that is not a template id."""
MAX_RESULTS: Final = 50

Event: TypeAlias = Literal[
    "case.received",
    "case.accepted",
    "case.supplement",
    "case.result_ready",
    "case.rejected",
    "case.delivered",
    "mandate.requested",
    "privacy.deletion_decided",
    "identity.wechat_account_joined",
]
NoticeKind: TypeAlias = Literal[
    "tell_citizen",
    "deadline_soon",
    "deadline_today",
    "result_waiting",
    "mandate_revoked",
    "takeover_refused",
    "escalated",
    "follow_up",
]
Channel: TypeAlias = Literal["wechat", "sms", "inbox"]
MessageStatus: TypeAlias = Literal[
    "created",
    "sending",
    "delivered",
    "temporary_failure",
    "permanent_failure",
    "technical_failure",
]
TemplateId: TypeAlias = Annotated[
    str,
    Meta(description="订阅消息模板编号（微信公众平台分配）。", examples=["jjb-case-accepted"]),
]
ReadAt: TypeAlias = Annotated[
    datetime | None,
    Meta(description="标为已读的时间；未读为 null。", examples=["2026-12-07T10:02:00+08:00"]),
]
CaseNumberOrNone: TypeAlias = Annotated[
    str | None, Meta(description="相关办件编号；没有为 null。", examples=["XS20261207000123"])
]

_EVENTS_TEXT: Final = (
    "事件：case.received 申请已提交、case.accepted 已受理、case.supplement 请补正、"
    "case.result_ready 出件可领取、case.rejected 未通过、case.delivered 已办结、"
    "mandate.requested 代办委托待确认、privacy.deletion_decided 个人信息删除申请的处理结果、"
    "identity.wechat_account_joined 账号新增了微信登录方式。"
)


class SubscriptionsIn(msgspec.Struct, forbid_unknown_fields=True):
    """小程序调用 wx.requestSubscribeMessage 得到的结果。"""

    results: Annotated[
        dict[str, str],
        Meta(
            max_length=MAX_RESULTS,
            description=(
                "wx.requestSubscribeMessage 成功回调的对象，原样提交：模板编号 → accept（同意）、"
                "reject（拒绝）、ban（已被后台封禁）或 filter（已被过滤）；其中的 errMsg 和"
                "本小程序未配置的模板编号不予理会。最多 50 项。"
            ),
            examples=[
                {
                    ERR_MSG: "requestSubscribeMessage:ok",
                    "jjb-case-accepted": "accept",
                    "jjb-case-supplement": "reject",
                }
            ],
            extra_json_schema={
                # Litestar renders only the type's own schema; say what __post_init__ checks.
                "extra": {
                    "properties": {
                        ERR_MSG: {
                            "type": "string",
                            "description": "微信返回的调用结果说明，不予理会。",
                            "examples": ["requestSubscribeMessage:ok"],
                        }
                    },
                    "additional_properties": {
                        "type": "string",
                        "enum": sorted(ANSWERS),
                        "description": "对该模板的选择。",
                    },
                    "max_properties": MAX_RESULTS,
                }
            },
        ),
    ]

    def __post_init__(self) -> None:
        for key, answer in self.results.items():
            if key != ERR_MSG and answer not in ANSWERS:
                raise ValueError(
                    f"Expected `accept`, `reject`, `ban` or `filter` - at `$.results[{key!r}]`"
                )


class CreditOut(msgspec.Struct):
    """一个订阅消息模板：市民的选择和剩余的可发送次数。"""

    event: Annotated[Event, Meta(description=_EVENTS_TEXT, examples=["case.accepted"])]
    template_id: TemplateId
    kind: Annotated[
        Literal["one_time", "long_term"],
        Meta(description="模板类型：one_time 一次性订阅（每次同意可发一条）、long_term 长期订阅。"),
    ]
    status: Annotated[
        SubscribeAnswer | None,
        Meta(description="市民最近一次的选择；从未选择过为 null。"),
    ]
    credits: Annotated[
        int,
        Meta(ge=0, description="一次性订阅模板还可发送的条数（长期订阅模板为 0）。", examples=[1]),
    ]


class CreditsOut(msgspec.Struct):
    """本小程序每个订阅消息模板的授权情况。"""

    templates: Annotated[list[CreditOut], Meta(description="每个已配置的模板一项，按事件排序。")]


class MessageOut(msgspec.Struct):
    """发给市民的一条消息，无论微信是否送达。"""

    id: Annotated[int, Meta(description="消息编号。", examples=[1024])]
    event: Annotated[Event, Meta(description=_EVENTS_TEXT, examples=["case.accepted"])]
    title: Annotated[str, Meta(description="标题。", examples=["申请已受理"])]
    body: Annotated[
        str,
        Meta(
            description="正文。",
            examples=["您的“居民身份证换领”申请已受理，办件编号 XS20261207000123。"],
        ),
    ]
    case_number: CaseNumberOrNone
    channel: Annotated[
        Channel,
        Meta(description="发送渠道：wechat 微信订阅消息、sms 短信、inbox 仅小程序消息列表。"),
    ]
    status: Annotated[
        MessageStatus,
        Meta(
            description=(
                "发送状态：created 待发送、sending 发送中、delivered 已送达、temporary_failure "
                "暂时失败（将重试）、permanent_failure 无法送达、technical_failure 发送出错。"
            )
        ),
    ]
    created_at: Annotated[Timestamp, Meta(description="消息产生的时间。")]
    read_at: ReadAt


class MessagePage(msgspec.Struct):
    """我的消息，一页，最新的在前。"""

    items: Annotated[list[MessageOut], Meta(description="本页的消息。")]
    total: Total
    unread: Annotated[int, Meta(ge=0, description="未读消息的总数（不止本页）。", examples=[2])]


class NoticeOut(msgspec.Struct):
    """工作人员门户铃铛里的一条待办或提醒。"""

    id: Annotated[int, Meta(description="通知编号。", examples=[512])]
    kind: Annotated[
        NoticeKind,
        Meta(
            description=(
                "类型：tell_citizen 须当面告知群众、deadline_soon 即将到期、deadline_today "
                "今天到期、result_waiting 出件待交付、mandate_revoked 委托已撤销、"
                "takeover_refused 账号合并被拒绝、escalated 督办升级、follow_up 差评整改。"
            )
        ),
    ]
    text: Annotated[
        str,
        Meta(
            description="通知内容。",
            examples=[
                "请当面告知王秀英：请补正材料（办件 XS20261207000123）。群众未使用微信小程序。"
            ],
        ),
    ]
    case_number: CaseNumberOrNone
    created_at: Annotated[Timestamp, Meta(description="通知产生的时间。")]
    read_at: ReadAt


class NoticePage(msgspec.Struct):
    """我的通知，一页，最新的在前。"""

    items: Annotated[list[NoticeOut], Meta(description="本页的通知。")]
    total: Total
    unread: Annotated[int, Meta(ge=0, description="未读通知的总数（不止本页）。", examples=[3])]

"""Request and response bodies of the supervision routes (msgspec).

Each field carries its Chinese description and an example for the API description; the limits
of the input Structs are the ones the server enforces.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, TypeAlias

import msgspec
from msgspec import Meta

from backend.cases.schemas import CaseStatus
from backend.http.fields import (
    AreaCode,
    CaseNumber,
    MaskedPhone,
    PersonName,
    Timestamp,
    Total,
    TownshipCode,
)
from backend.textrules import PLAIN_TEXT_PATTERN

NOTE_MAX = 1000

ClockStatus: TypeAlias = Literal["accepted", "in_review", "awaiting_supplement"]
"""The statuses in which a case's clock can run out (``overdue.OPEN_WITH_CLOCK``)."""
HolderKind: TypeAlias = Literal["window", "department", "agent", "citizen", "township"]
EscalationLevel: TypeAlias = Literal["township", "district"]
FollowUpState: TypeAlias = Literal["open", "contacted", "resolved"]
FollowUpFilter: TypeAlias = Literal["open", "overdue", "resolved", "all"]
AuditAction: TypeAlias = Literal[
    "read_id_number", "read_material", "export_personal_data", "read_form_field"
]
"""The actions the audit viewer filters on (``audit_view.ACTIONS``)."""
ActorKind: TypeAlias = Literal["citizen", "staff", "system"]

ItemName: TypeAlias = Annotated[
    str,
    Meta(
        description="事项名称（一件事为其名称；事项目录中查不到时为编码）。",
        examples=["居民身份证换领"],
    ),
]
TownshipName: TypeAlias = Annotated[
    str, Meta(description="镇街名称（未知时为空字符串）。", examples=["城厢街道"])
]
RecordId: TypeAlias = Annotated[int, Meta(ge=1, description="记录编号。", examples=[42])]
WorkingDaysOverdue: TypeAlias = Annotated[
    int, Meta(ge=0, description="超过期限的工作日数（未超期为 0）。", examples=[3])
]
Score: TypeAlias = Annotated[
    int, Meta(ge=1, le=5, description="群众评分：1（非常不满意）到 5（非常满意）。", examples=[2])
]
Round: TypeAlias = Annotated[
    int,
    Meta(
        ge=1,
        le=2,
        description="第几次评价：1 为首次；差评整改办结后群众可再评价一次（2）。",
        examples=[1],
    ),
]
Comment: TypeAlias = Annotated[
    str, Meta(description="群众的评价意见（未填写为空字符串）。", examples=["材料要求没有讲清楚"])
]
CitizenName: TypeAlias = Annotated[
    str, Meta(description="申请人姓名（未知时为空字符串）。", examples=["王秀英"])
]
CitizenPhone: TypeAlias = Annotated[
    MaskedPhone | None,
    Meta(description="申请人遮掩后的手机号码；未绑定手机号时为 null。", examples=["138****8000"]),
]

SatisfiedOut: TypeAlias = Annotated[
    int,
    Meta(ge=1, le=5, description="群众的满意度 1–5；未联系上或未回答时为 null。", examples=[4]),
]
# gt=-1 rather than ge=0: the API description drops a zero bound on an optional field.
TripsOut: TypeAlias = Annotated[
    int,
    Meta(
        gt=-1,
        le=99,
        description="群众说办这件事跑了几次；未联系上或未回答时为 null。",
        examples=[1],
    ),
]
SatisfiedIn: TypeAlias = Annotated[
    int,
    Meta(
        ge=1,
        le=5,
        description="群众的满意度 1–5；只有联系上（reached 为 true）时才能填写。",
        examples=[4],
    ),
]
TripsIn: TypeAlias = Annotated[
    int,
    Meta(
        gt=-1,
        le=99,
        description="群众说办这件事跑了几次（0–99）；只有联系上时才能填写。",
        examples=[1],
    ),
]

Note: TypeAlias = Annotated[
    str,
    Meta(
        max_length=NOTE_MAX,
        pattern=PLAIN_TEXT_PATTERN,
        description="说明（最多 1000 字；前后空格会去掉；不能含看不见的控制字符）。",
        examples=["已电话联系群众，说明了材料要求"],
    ),
]


# --- overdue cases -----------------------------------------------------------------------------


class OverdueHolderOut(msgspec.Struct):
    """办件现在在等谁处理：窗口、后台审批部门、代办员、申请人或镇街窗口。"""

    kind: Annotated[
        HolderKind,
        Meta(
            description=(
                "等待的一方：window 受理的窗口人员，department 后台审批部门，agent 代办员"
                "（待补正），citizen 申请人（待补正），township 镇街窗口（尚无具体人员）。"
            ),
            examples=["department"],
        ),
    ]
    id: Annotated[
        str | None,
        Meta(
            description=("该方的编号：工作人员或群众编号、部门编码或镇街区划代码；未知时为 null。"),
            examples=["GA"],
        ),
    ]
    name: Annotated[
        str, Meta(description="该方的名称或姓名（未知时为空字符串）。", examples=["区公安分局"])
    ]
    label: Annotated[str, Meta(description="kind 的中文说明。", examples=["后台审批部门"])]


class OverdueOut(msgspec.Struct):
    """一件已超期或即将到期的在办办件，以及现在由谁处理。"""

    number: CaseNumber
    item: ItemName
    status: Annotated[
        ClockStatus,
        Meta(description="办件状态：只有已受理、审批中和受理后待补正的办件会超期。"),
    ]
    township_code: Annotated[
        TownshipCode | None,
        Meta(description="办件所属镇街区划代码；未定时为 null。", examples=["330109001"]),
    ]
    township_name: TownshipName
    deadline: Annotated[
        date,
        Meta(description="承诺办结期限（按工作日计算，补正期间顺延）。", examples=["2026-12-04"]),
    ]
    working_days_left: Annotated[
        int,
        Meta(description="距期限还剩的工作日数；超期后为负数。", examples=[-3]),
    ]
    days_overdue: WorkingDaysOverdue
    overdue: Annotated[bool, Meta(description="是否已超过期限。", examples=[True])]
    paused: Annotated[bool, Meta(description="是否因等待补正而暂停计时。", examples=[False])]
    holder: Annotated[
        OverdueHolderOut,
        Meta(
            description="办件现在在等谁处理。",
            examples=[
                {"kind": "department", "id": "GA", "name": "区公安分局", "label": "后台审批部门"}
            ],
        ),
    ]
    escalated: Annotated[
        list[EscalationLevel],
        Meta(
            description="已升级督办到的层级：township 镇街、district 区。", examples=[["township"]]
        ),
    ]


class OverduePage(msgspec.Struct):
    """超期和即将到期的办件，一页。"""

    items: Annotated[list[OverdueOut], Meta(description="本页的办件，期限最早的在前。")]
    total: Total


# --- escalations -------------------------------------------------------------------------------


class EscalationOut(msgspec.Struct):
    """一次超期督办：办件超期到一定工作日后升级到镇街或区监管人员。"""

    id: RecordId
    number: CaseNumber
    level: Annotated[EscalationLevel, Meta(description="督办层级：township 镇街、district 区。")]
    area_code: Annotated[
        AreaCode, Meta(description="督办的镇街或区的区划代码。", examples=["330109001"])
    ]
    at: Timestamp
    on_day: Annotated[date, Meta(description="升级督办的日期。", examples=["2026-12-07"])]
    deadline: Annotated[date, Meta(description="办件的承诺办结期限。", examples=["2026-12-02"])]
    days_overdue: WorkingDaysOverdue
    reason: Annotated[
        str,
        Meta(
            description="督办原因（中文）。",
            examples=[
                "办件 XS20261207000123（居民身份证换领）已超过承诺时限 3 个工作日"
                "（期限 2026-12-02），升级至镇街监管督办。"
            ],
        ),
    ]


class EscalationPage(msgspec.Struct):
    """超期督办记录，一页。"""

    items: Annotated[list[EscalationOut], Meta(description="本页的督办记录，最新的在前。")]
    total: Total


# --- bad-rating follow-ups ---------------------------------------------------------------------

ContactDue: TypeAlias = Annotated[
    date, Meta(description="回访期限：评价后 1 个工作日内联系群众。", examples=["2026-12-08"])
]
ResolveDue: TypeAlias = Annotated[
    date, Meta(description="整改期限：评价后 15 个工作日内办结。", examples=["2026-12-28"])
]
ContactOverdue: TypeAlias = Annotated[
    bool, Meta(description="是否已过回访期限仍未联系群众。", examples=[False])
]
ResolveOverdue: TypeAlias = Annotated[
    bool, Meta(description="是否已过整改期限仍未办结。", examples=[False])
]
StateOfFollowUp: TypeAlias = Annotated[
    FollowUpState,
    Meta(description="整改状态：open 待回访，contacted 已回访待办结，resolved 已办结。"),
]


class FollowUpOut(msgspec.Struct):
    """差评整改：2 分及以下的评价由镇街监管人员回访群众、整改办结。"""

    id: RecordId
    number: CaseNumber
    item: ItemName
    round: Round
    score: Annotated[
        int, Meta(ge=1, le=2, description="群众的评分（差评为 1 或 2 分）。", examples=[2])
    ]
    comment: Comment
    township_code: Annotated[
        TownshipCode | None,
        Meta(description="负责整改的镇街区划代码；未定时为 null。", examples=["330109001"]),
    ]
    township_name: TownshipName
    assignee_name: Annotated[
        str | None,
        Meta(description="负责整改的监管人员姓名；尚未指派时为 null。", examples=["李督查"]),
    ]
    rated_at: Annotated[Timestamp, Meta(description="群众评价的时间。")]
    state: StateOfFollowUp
    contact_due: ContactDue
    resolve_due: ResolveDue
    contact_overdue: ContactOverdue
    resolve_overdue: ResolveOverdue
    contacted_at: Annotated[
        Timestamp | None,
        Meta(description="回访的时间；尚未回访时为 null。", examples=["2026-12-08T10:15:00+08:00"]),
    ]
    contact_note: Annotated[
        str,
        Meta(
            description="回访情况（尚未回访为空字符串）。",
            examples=["已电话联系，群众反映材料要求不清"],
        ),
    ]
    resolved_at: Annotated[
        Timestamp | None,
        Meta(
            description="整改办结的时间；尚未办结时为 null。",
            examples=["2026-12-15T16:00:00+08:00"],
        ),
    ]
    resolution: Annotated[
        str,
        Meta(
            description="整改结果（尚未办结为空字符串）。", examples=["已在办事指南中写明材料要求"]
        ),
    ]
    citizen_name: CitizenName
    citizen_phone_masked: CitizenPhone


class FollowUpPage(msgspec.Struct):
    """差评整改，一页。"""

    items: Annotated[
        list[FollowUpOut], Meta(description="本页的差评整改：未办结的在前，整改期限早的在前。")
    ]
    total: Total


class FollowUpNoteIn(msgspec.Struct, forbid_unknown_fields=True):
    """回访情况或整改结果。"""

    note: Annotated[
        Note,
        Meta(
            description="回访情况（回访时）或整改结果（办结时），必填，最多 1000 字。",
            examples=["已电话联系群众，说明了材料要求"],
        ),
    ]


class RatingFollowUpOut(msgspec.Struct):
    """一条评价的差评整改进度。"""

    id: Annotated[int, Meta(ge=1, description="差评整改编号。", examples=[7])]
    state: StateOfFollowUp
    contact_due: ContactDue
    resolve_due: ResolveDue
    contact_overdue: ContactOverdue
    resolve_overdue: ResolveOverdue


class RatingOut(msgspec.Struct):
    """群众对一件办件的评价（好差评）。"""

    id: Annotated[int, Meta(ge=1, description="评价编号。", examples=[15])]
    number: CaseNumber
    item: ItemName
    round: Round
    score: Score
    comment: Comment
    rated_at: Annotated[Timestamp, Meta(description="评价的时间。")]
    township_code: Annotated[
        TownshipCode | None,
        Meta(
            description="办件所属镇街（未定时取申请人所在村社的镇街）；都不知道时为 null。",
            examples=["330109001"],
        ),
    ]
    follow_up: Annotated[
        RatingFollowUpOut | None,
        Meta(description="差评整改的进度；不是差评或尚未开启整改时为 null。"),
    ]


class RatingPage(msgspec.Struct):
    """评价，一页。"""

    items: Annotated[list[RatingOut], Meta(description="本页的评价，最新的在前。")]
    total: Total


# --- call-backs --------------------------------------------------------------------------------

WeekMonday: TypeAlias = Annotated[
    date, Meta(description="抽样所属周的星期一。", examples=["2026-11-23"])
]


class CallOut(msgspec.Struct):
    """电话回访：每周从上一周办结的办件中按镇街随机抽取，由监管人员回访群众。"""

    id: Annotated[int, Meta(ge=1, description="回访记录编号。", examples=[31])]
    week: WeekMonday
    number: CaseNumber
    item: ItemName
    status: Annotated[CaseStatus, Meta(description="办件状态（抽样时已办结）。")]
    closed_at: Annotated[
        Timestamp | None,
        Meta(description="办件办结的时间。", examples=["2026-11-25T15:20:00+08:00"]),
    ]
    township_code: Annotated[
        TownshipCode | None,
        Meta(description="办件所属镇街区划代码。", examples=["330109001"]),
    ]
    township_name: TownshipName
    citizen_name: CitizenName
    citizen_phone_masked: CitizenPhone
    called_at: Annotated[
        Timestamp | None,
        Meta(
            description="记录回访结果的时间；尚未回访时为 null。",
            examples=["2026-11-30T10:00:00+08:00"],
        ),
    ]
    reached: Annotated[
        bool | None, Meta(description="是否联系上群众；尚未回访时为 null。", examples=[True])
    ]
    satisfied: SatisfiedOut | None
    trips: TripsOut | None
    note: Annotated[
        str, Meta(description="回访备注（没有为空字符串）。", examples=["窗口一次办好"])
    ]


class CallPage(msgspec.Struct):
    """一周的电话回访抽样，一页。"""

    week: WeekMonday
    items: Annotated[list[CallOut], Meta(description="本页的回访：尚未回访的在前，再按办件编号。")]
    total: Total


class CallIn(msgspec.Struct, forbid_unknown_fields=True):
    """一次电话回访的结果；再次记录会覆盖上一次。"""

    reached: Annotated[bool, Meta(description="是否联系上群众。", examples=[True])]
    satisfied: SatisfiedIn | None = None
    trips: TripsIn | None = None
    note: Annotated[
        Note, Meta(description="回访备注，最多 1000 字。", examples=["窗口一次办好"])
    ] = ""


# --- agents' workload --------------------------------------------------------------------------


class AgentWorkloadOut(msgspec.Struct):
    """一名代办员（村社代办员或银行网点人员）的工作量和手上保管的东西。"""

    agent_id: Annotated[
        str,
        Meta(
            description="代办员的工作人员编号。", examples=["5f0c2b1e-8d4a-4c3e-9a1b-2d3e4f5a6b7c"]
        ),
    ]
    name: Annotated[PersonName, Meta(description="代办员姓名。", examples=["李代办"])]
    area_code: Annotated[
        AreaCode, Meta(description="代办员所在村社或镇街的区划代码。", examples=["330109001001"])
    ]
    area_name: Annotated[str, Meta(description="所在区划的名称。", examples=["高桥社区"])]
    open_errands: Annotated[int, Meta(ge=0, description="经手的在办办件数。", examples=[4])]
    filed_this_month: Annotated[
        int, Meta(ge=0, description="本月（上海时间）代为提交的办件数。", examples=[12])
    ]
    mandates_active: Annotated[int, Meta(ge=0, description="有效的委托数。", examples=[9])]
    originals_held: Annotated[
        int,
        Meta(
            ge=0,
            description="尚未送达镇街的纸质原件数：在代办员手上、在途或登记缺失。",
            examples=[2],
        ),
    ]
    results_held: Annotated[
        int,
        Meta(
            ge=0, description="尚未交到群众手上的办理结果数（在途或在代办员手上）。", examples=[1]
        ),
    ]


class AgentWorkloadPage(msgspec.Struct):
    """代办员工作量，一页。"""

    items: Annotated[list[AgentWorkloadOut], Meta(description="本页的代办员，按区划再按姓名。")]
    total: Total


# --- the audit log -----------------------------------------------------------------------------


class AuditEntryOut(msgspec.Struct):
    """一条审计日志：谁查看了谁的完整身份证号码、材料或其他个人信息，为什么。"""

    id: Annotated[int, Meta(ge=1, description="日志编号。", examples=[1024])]
    at: Annotated[Timestamp, Meta(description="发生的时间。")]
    actor_kind: Annotated[
        ActorKind, Meta(description="操作者类型：citizen 群众，staff 工作人员，system 系统。")
    ]
    actor_id: Annotated[
        str,
        Meta(
            description="操作者编号（工作人员或群众编号，系统为任务名）。",
            examples=["5f0c2b1e-8d4a-4c3e-9a1b-2d3e4f5a6b7c"],
        ),
    ]
    actor_name: Annotated[
        str | None,
        Meta(description="操作者的姓名；查不到时为 null。", examples=["张窗口"]),
    ]
    action: Annotated[
        str,
        Meta(
            description=(
                "操作：read_id_number 查看完整身份证号，read_material 查看材料，"
                "export_personal_data 导出个人信息，read_form_field 查看表单中的完整号码；"
                "另有账号、删除等管理操作的记录。"
            ),
            examples=["read_id_number"],
        ),
    ]
    subject_kind: Annotated[
        str,
        Meta(
            description="被查看对象的类型，如 citizen 群众、upload 材料文件。", examples=["citizen"]
        ),
    ]
    subject_id: Annotated[
        str,
        Meta(description="被查看对象的编号。", examples=["0b7e1c9a-3f2d-4e5b-8a6c-1d2e3f4a5b6c"]),
    ]
    on_behalf_of: Annotated[
        str | None,
        Meta(
            description="代表哪位群众操作（代办、窗口代录）；没有时为 null。",
            examples=["0b7e1c9a-3f2d-4e5b-8a6c-1d2e3f4a5b6c"],
        ),
    ]
    citizen_name: Annotated[
        str | None,
        Meta(description="相关群众的姓名；不涉及群众时为 null。", examples=["王秀英"]),
    ]
    reason: Annotated[str, Meta(description="操作者说明的理由。", examples=["窗口受理核对身份"])]


class AuditEntryPage(msgspec.Struct):
    """审计日志，一页。"""

    items: Annotated[list[AuditEntryOut], Meta(description="本页的日志，最新的在前。")]
    total: Total

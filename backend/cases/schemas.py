"""Bodies of the citizen case routes (what a citizen sends and sees).

The field types here (``ItemCodeIn``, ``MaterialIn``, ``DeliveryIn``, the ``Literal`` value sets)
are reused by the other packages that file or show a case, so a case reads the same everywhere.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, TypeAlias

import msgspec
from msgspec import Meta

from backend.catalogue.schemas import Channel as ItemChannel
from backend.catalogue.schemas import DeliveryMethod as DeliveryMethod
from backend.http.fields import (
    BundleCode,
    CaseNumber,
    DepartmentCode,
    FormValues,
    ItemCode,
    PersonName,
    Total,
    TownshipCode,
)
from backend.http.fields import CaseChannel as CaseChannel
from backend.http.fields import CaseStatus as CaseStatus
from backend.http.fields import FiledByKind as FiledByKind
from backend.http.fields import PublicStatus as PublicStatus
from backend.textrules import PLAIN_TEXT_PATTERN

# --- value sets (API.md "Enumerations") -----------------------------------------------------

MaterialSource: TypeAlias = Literal["upload", "shared", "paper"]
CaseAction: TypeAlias = Literal[
    "submit",
    "forward",
    "handoff",
    "accept",
    "reject",
    "request_supplement",
    "supply",
    "transfer",
    "approve",
    "deny",
    "issue_result",
    "deliver",
    "withdraw",
]
"""The state machine's actions (``states.Action``)."""
TimelineAction: TypeAlias = Literal[CaseAction, "handover_sent", "handover_received", "urge"]
"""The state machine's actions (``states.Action``), the agents' custody steps and a supervisor's
urge (督办催办), which leave the status as it is (``delegation.custody``, ``supervision``)."""
ActorRole: TypeAlias = Literal[
    "citizen", "agent", "window", "approver", "supervisor", "admin", "system", "platform"
]

# --- input fields ---------------------------------------------------------------------------

Code: TypeAlias = Annotated[str, Meta(min_length=1, max_length=40)]
MaterialType: TypeAlias = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=20,
        description=(
            "材料类型：事项目录中材料的规范名称（GET /api/v1/items/{code} 的 materials.type）。"
        ),
        examples=["身份证"],
    ),
]
UploadId: TypeAlias = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=40,
        description="上传编号：POST /api/v1/uploads 答复中的 id。",
        examples=["up_Zk3v9QpX2mR7tLw4bN8cYg"],
    ),
]
Note = Annotated[str, Meta(max_length=500, pattern=PLAIN_TEXT_PATTERN)]
ItemCodeIn: TypeAlias = Annotated[
    Code,
    Meta(
        description="申请的事项编码；与 bundle_code 二者必填其一。",
        examples=["GA-HK-CSDJ"],
    ),
]
BundleCodeIn: TypeAlias = Annotated[
    Code,
    Meta(description="申请的一件事编码；与 item_code 二者必填其一。", examples=["CSYJS"]),
]
ServicePointIdIn: TypeAlias = Annotated[
    str,
    Meta(
        max_length=40,
        description=(
            "选定的办事点编号（GET /api/v1/service-points/nearby 的 id）；不填则由所在镇街受理。"
        ),
        examples=["HALL-330109001"],
    ),
]
PaperOriginalsIn: TypeAlias = Annotated[
    list[MaterialType],
    Meta(
        max_length=50,
        description=(
            "工作人员或代办员当面核验过纸质原件的材料类型（不再需要上传）。"
            "小程序申请不能填写，否则答 422 paper_not_allowed。"
        ),
        examples=[["户口簿"]],
    ),
]


class MaterialIn(msgspec.Struct, forbid_unknown_fields=True):
    """一份申请材料：材料类型和它的上传编号。

    The upload must be the caller's own and of the same material type it was uploaded as.
    """

    type: MaterialType
    upload_id: UploadId


MaterialsIn: TypeAlias = Annotated[
    list[MaterialIn],
    Meta(
        max_length=50,
        description="随申请提交的材料：每项一份已上传的文件。同一类型可以有多份。",
    ),
]


class DeliveryIn(msgspec.Struct, forbid_unknown_fields=True):
    """出件送达方式。"""

    method: Annotated[
        DeliveryMethod,
        Meta(
            description=(
                "送达方式：window 窗口领取，mail 邮寄，agent 代办员送达；须是事项允许的方式"
                "（事项的 delivery_methods，一件事取各事项共同允许的）。"
            )
        ),
    ]
    address: (
        Annotated[
            str,
            Meta(
                max_length=200,
                description="收件地址；邮寄时必填。",
                examples=["杭州市萧山区城厢街道高桥社区 8 幢 2 单元 301 室"],
            ),
        ]
        | None
    ) = None


class CaseSubmission(msgspec.Struct, forbid_unknown_fields=True):
    """办件申请：事项或一件事、申请表、材料和送达方式。

    Shared by the citizen, agent (``AgentCaseSubmission``) and window (``WalkInSubmission``)
    submissions.
    """

    EXAMPLE: ClassVar[dict[str, Any]] = {
        "item_code": "GA-HK-CSDJ",
        "form": {
            "baby_name": "王小明",
            "baby_sex": "男",
            "birth_date": "2026-11-30",
            "birth_place": "萧山区第一人民医院",
            "guardian_id": "11010519491231002X",
            "relationship": "子",
        },
        "materials": [
            {"type": "出生医学证明", "upload_id": "up_Zk3v9QpX2mR7tLw4bN8cYg"},
            {"type": "申请表", "upload_id": "up_Q7wLm2Xc9Rt4Vb8Nk1Ps3A"},
        ],
        "delivery": {
            "method": "mail",
            "address": "杭州市萧山区城厢街道高桥社区 8 幢 2 单元 301 室",
        },
    }

    delivery: Annotated[
        DeliveryIn,
        Meta(
            description="出件送达方式。",
            examples=[
                {"method": "mail", "address": "杭州市萧山区城厢街道高桥社区 8 幢 2 单元 301 室"}
            ],
        ),
    ]
    item_code: ItemCodeIn | None = None
    bundle_code: BundleCodeIn | None = None
    form: FormValues = {}
    materials: MaterialsIn = []
    service_point_id: ServicePointIdIn | None = None
    paper_originals: PaperOriginalsIn = []
    """Material types whose paper originals staff or an agent checked in person (not online)."""


class SupplementIn(msgspec.Struct, forbid_unknown_fields=True):
    """补正材料：一次补齐补正通知列出的全部材料。"""

    materials: Annotated[
        list[MaterialIn],
        Meta(
            max_length=50,
            description="补正的材料，须包含补正通知 missing 中的每一种材料类型。",
        ),
    ]
    note: Annotated[
        Note, Meta(description="补正说明（可不填）。", examples=["已补充户口簿首页照片。"])
    ] = ""


class EvaluationIn(msgspec.Struct, forbid_unknown_fields=True):
    """好差评：对已办结办件的评分和意见。"""

    score: Annotated[
        int,
        Meta(ge=1, le=5, description="评分：1–5 分，2 分及以下为差评。", examples=[5]),
    ]
    comment: (
        Annotated[
            Note, Meta(description="评价意见（可不填）。", examples=["窗口办理很快，服务热情。"])
        ]
        | None
    ) = None


# --- output fields --------------------------------------------------------------------------

TimeText: TypeAlias = Annotated[
    str,
    Meta(
        description="时间（ISO 8601，北京时间，带时区）。", examples=["2026-12-07T09:30:00+08:00"]
    ),
]
DeadlineText: TypeAlias = Annotated[
    str,
    Meta(
        description="办结期限（YYYY-MM-DD）；受理后才开始计算，此前为空。", examples=["2026-12-28"]
    ),
]
DaysLeft: TypeAlias = Annotated[
    int,
    Meta(description="距办结期限还剩的工作日数（已超期为负数）；受理前为空。", examples=[12]),
]
StatusField: TypeAlias = Annotated[
    CaseStatus,
    Meta(
        description=(
            "办件状态：submitted 已提交，queued 待受理，awaiting_supplement 待补正，"
            "accepted 已受理，in_review 审批中，approved 审批通过，denied 审批未通过，"
            "rejected 不予受理，result_ready 已出件，delivered 已送达，withdrawn 已撤回。"
        ),
        examples=["accepted"],
    ),
]
StatusLabel: TypeAlias = Annotated[
    str, Meta(description="办件状态的中文名称，可直接展示。", examples=["已受理"])
]
PublicStatusField: TypeAlias = Annotated[
    PublicStatus,
    Meta(description="open 办理中；closed 已办结（审批未通过、不予受理、已送达、已撤回）。"),
]
CaseName: TypeAlias = Annotated[
    str, Meta(description="事项或一件事的名称。", examples=["出生登记"])
]


class FiledBy(msgspec.Struct):
    """谁提交的申请：本人、代办员、窗口或银行网点。"""

    kind: Annotated[
        FiledByKind,
        Meta(
            description=(
                "self 本人在小程序提交，agent 村社代办员代办，window 窗口收件，bank 银行网点代办。"
            )
        ),
    ]
    name: Annotated[
        PersonName | None,
        Meta(description="代为提交的工作人员姓名；本人提交时为空。", examples=["李建国"]),
    ] = None


class TimelineEntry(msgspec.Struct):
    """办件进度中的一步。"""

    at: TimeText
    status: Annotated[CaseStatus, Meta(description="这一步之后的办件状态。")]
    action: Annotated[
        TimelineAction,
        Meta(
            description=(
                "这一步做了什么：submit 提交，forward 转入受理队列，handoff 转交其他镇街，"
                "accept 受理，reject 不予受理，request_supplement 要求补正，"
                "supply 提交补正材料，transfer 转后台审批，approve 审批通过，deny 审批未通过，"
                "issue_result 出件，deliver 送达，withdraw 撤回，"
                "handover_sent 纸质材料或出件交出，handover_received 交接批次已接收，"
                "urge 督办催办。"
            )
        ),
    ]
    actor_role: Annotated[
        ActorRole,
        Meta(
            description=(
                "办理这一步的角色：citizen 群众，agent 代办员，window 窗口，approver 后台审批，"
                "supervisor 督查，admin 管理员，system 系统，platform 一窗受理平台。"
            )
        ),
    ]
    note: Annotated[str, Meta(description="这一步的说明，可直接展示。", examples=["已提交申请"])]


class SupplementOut(msgspec.Struct):
    """待补正的通知：需要补齐的材料和说明（一次性告知）。"""

    missing: Annotated[
        list[str], Meta(description="需要补正的材料类型，全部列出。", examples=[["户口簿", "照片"]])
    ]
    note: Annotated[
        str, Meta(description="补正说明。", examples=["户口簿照片不清晰，请重新拍摄首页和本人页。"])
    ]
    requested_at: Annotated[
        str,
        Meta(
            description="要求补正的时间（ISO 8601，北京时间）。",
            examples=["2026-12-08T10:15:00+08:00"],
        ),
    ]


class CaseMaterialOut(msgspec.Struct):
    """办件中的一份材料。"""

    type: Annotated[str, Meta(description="材料类型。", examples=["户口簿"])]
    source: Annotated[
        MaterialSource,
        Meta(
            description=(
                "来源：upload 上传的文件，shared 电子证照或数据共享，paper 当面核验的纸质原件。"
            )
        ),
    ]
    upload_id: Annotated[
        str | None,
        Meta(
            description="上传编号（来源为 upload 时）；可用于获取查看链接。",
            examples=["up_Zk3v9QpX2mR7tLw4bN8cYg"],
        ),
    ]


class ChildOut(msgspec.Struct):
    """一件事中的一个子件：每个事项单独受理、审批、办结。"""

    number: Annotated[CaseNumber, Meta(examples=["XS20261207000123-01"])]
    item_code: ItemCode | None
    item_name: Annotated[str | None, Meta(description="事项名称。", examples=["出生登记"])]
    status: StatusField
    status_label: StatusLabel
    public_status: PublicStatusField
    department_code: Annotated[
        DepartmentCode | None, Meta(description="承办部门编码。", examples=["GA"])
    ]
    deadline: DeadlineText | None
    working_days_left: DaysLeft | None


class LaterItemOut(msgspec.Struct):
    """一件事中本渠道不能申请的事项：没有提交，须到窗口或请村社代办员另行办理。"""

    item_code: ItemCode
    item_name: Annotated[str, Meta(description="事项名称。", examples=["预防接种证办理"])]
    channels: Annotated[
        list[ItemChannel],
        Meta(
            description="可以申请它的渠道：window 窗口，agent 村社代办员，bank 银行网点，"
            "self_service 自助终端。",
            examples=[["window", "agent"]],
        ),
    ]
    materials: Annotated[
        list[str],
        Meta(description="办理时须带的必需材料名称。", examples=[["出生医学证明", "户口簿"]]),
    ]
    advice: Annotated[
        str,
        Meta(
            description="给群众的一句话提示。",
            examples=["请带齐材料到镇街便民服务中心窗口办理，或请村社代办员代办。"],
        ),
    ]


class CitizenCaseResult(msgspec.Struct):
    """出件信息：已出件或已送达的办件才有。"""

    delivery_method: Annotated[
        DeliveryMethod, Meta(description="送达方式：window 窗口领取，mail 邮寄，agent 代办员送达。")
    ]
    status: Annotated[
        Literal["result_ready", "delivered"],
        Meta(description="result_ready 已出件待领取或送达，delivered 已送达。"),
    ]


class CaseForCitizen(msgspec.Struct):
    """市民看到的办件：状态、办理进度、期限、材料和补正通知。"""

    EXAMPLE: ClassVar[dict[str, Any]] = {
        "number": "XS20261207000123",
        "status": "submitted",
        "status_label": "已提交",
        "public_status": "open",
        "item_code": "GA-HK-CSDJ",
        "bundle_code": None,
        "name": "出生登记",
        "filed_by": {"kind": "self", "name": None},
        "channel": "miniprogram",
        "township_code": None,
        "deadline": None,
        "working_days_left": None,
        "submitted_at": "2026-12-07T09:30:00+08:00",
        "delivery_method": "mail",
        "timeline": [
            {
                "at": "2026-12-07T09:30:00+08:00",
                "status": "submitted",
                "action": "submit",
                "actor_role": "citizen",
                "note": None,
            }
        ],
        "materials": [
            {"type": "出生医学证明", "source": "upload", "upload_id": "up_Zk3v9QpX2mR7tLw4bN8cYg"},
            {"type": "申请表", "source": "upload", "upload_id": "up_Q7wLm2Xc9Rt4Vb8Nk1Ps3A"},
        ],
        "children": [],
        "supplement": None,
        "result": None,
        "evaluations": [],
    }
    """A case just filed online: no township yet (forwarded a moment later), no clock running."""

    number: CaseNumber
    status: StatusField
    status_label: StatusLabel
    public_status: PublicStatusField
    item_code: Annotated[
        ItemCode | None, Meta(description="事项编码；一件事为空。", examples=["GA-SFZ-HL"])
    ]
    bundle_code: Annotated[
        BundleCode | None, Meta(description="一件事编码；单个事项为空。", examples=["CSYJS"])
    ]
    name: CaseName
    filed_by: Annotated[
        FiledBy,
        Meta(description="谁提交的申请。", examples=[{"kind": "agent", "name": "李建国"}]),
    ]
    channel: Annotated[
        CaseChannel,
        Meta(
            description=(
                "申请渠道：miniprogram 小程序，agent 村社代办，window 窗口，bank 银行网点，"
                "self_service 自助终端。"
            )
        ),
    ]
    township_code: Annotated[
        TownshipCode | None,
        Meta(description="受理镇街区划代码；转入受理队列前为空。", examples=["330109001"]),
    ]
    deadline: DeadlineText | None
    working_days_left: DaysLeft | None
    submitted_at: Annotated[TimeText, Meta(description="提交时间（ISO 8601，北京时间）。")]
    delivery_method: Annotated[
        DeliveryMethod,
        Meta(description="申请时选择的送达方式：window 窗口领取，mail 邮寄，agent 代办员送达。"),
    ]
    timeline: Annotated[list[TimelineEntry], Meta(description="办理进度，按时间先后。")]
    materials: Annotated[list[CaseMaterialOut], Meta(description="已提交的材料（含补正）。")]
    children: Annotated[
        list[ChildOut] | None, Meta(description="一件事的各子件；单个事项为空。")
    ] = None
    supplement: Annotated[
        SupplementOut | None, Meta(description="待补正时的补正通知；其他状态为空。")
    ] = None
    result: Annotated[
        CitizenCaseResult | None, Meta(description="出件信息；已出件或已送达时才有。")
    ] = None
    evaluations: Annotated[
        list[int], Meta(description="已给出的评分（1–5），按先后；办结后才可能有。", examples=[[5]])
    ] = []
    later: Annotated[
        list[LaterItemOut],
        Meta(
            description="一件事在小程序（或其他渠道）提交时，该渠道不能申请的事项没有随之提交，"
            "列在这里：须到窗口或请村社代办员另行办理。其余事项已提交，见 children。"
        ),
    ] = []


class CaseSummary(msgspec.Struct):
    """我的办件列表中的一件。"""

    number: CaseNumber
    name: CaseName
    status: StatusField
    status_label: StatusLabel
    public_status: PublicStatusField
    submitted_at: Annotated[TimeText, Meta(description="提交时间（ISO 8601，北京时间）。")]
    deadline: DeadlineText | None
    working_days_left: DaysLeft | None
    filed_by: Annotated[
        FiledBy, Meta(description="谁提交的申请。", examples=[{"kind": "agent", "name": "李建国"}])
    ]
    evaluated: Annotated[
        bool,
        Meta(
            description="是否已评价过（办结后才可评价；未评价的已办结办件可去评价）。",
            examples=[False],
        ),
    ]


class CitizenCasePage(msgspec.Struct):
    """我的办件的一页（最新的在前）。"""

    items: Annotated[list[CaseSummary], Meta(description="本页的办件。")]
    total: Total


class MaterialLink(msgspec.Struct):
    """查看一份材料的临时链接。"""

    url: Annotated[
        str,
        Meta(
            description="文件地址（相对于 API 根地址），带签名，过期后答 410 link_expired。",
            examples=[
                "/api/v1/files/up_Zk3v9QpX2mR7tLw4bN8cYg.1796614400.sD2OTAJ994JNINSgCK1KWszWWll4pxPJpjJ_j10jBv4"
            ],
        ),
    ]
    expires_in: Annotated[int, Meta(ge=0, description="链接的有效秒数。", examples=[300])]


class RestrictedOpenIn(msgspec.Struct, forbid_unknown_fields=True):
    """查看受限办件的理由（写入审计日志）。"""

    reason: Annotated[
        str,
        Meta(
            max_length=500,
            description="查看理由，不能为空或只含空白。",
            examples=["法院调取档案（（2026）浙0109民初1234号）"],
        ),
    ]

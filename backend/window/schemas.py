"""Bodies of the window, review and routing routes, and what staff see of a case.

``CaseForStaff`` is written by hand (never a Piccolo row): the applicant appears with name and
masked ID number only. Times are ISO 8601 strings in Asia/Shanghai (``+08:00``), dates
``YYYY-MM-DD``, as the portal pages read them.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, TypeAlias

import msgspec
from litestar.openapi.spec import Example
from litestar.params import Parameter
from msgspec import Meta

from backend.cases.schemas import (
    CaseAction,
    CaseChannel,
    CaseStatus,
    CaseSubmission,
    DeliveryMethod,
    FiledByKind,
    LaterItemOut,
    PublicStatus,
)
from backend.http.fields import (
    BundleCode,
    CaseNumber,
    ContactPhoneIn,
    DepartmentCode,
    FormValue,
    ItemCode,
    MaskedIdNumber,
    Total,
    TownshipCode,
)
from backend.textrules import PLAIN_TEXT_PATTERN

# --- enumerations (API.md) ------------------------------------------------------------------

SendMethod: TypeAlias = Literal["builtin"]
"""Only this system's review queue: no adapter sends a case to a department's own platform."""

# --- inputs ---------------------------------------------------------------------------------

Code = Annotated[str, Meta(min_length=1, max_length=40)]
AreaCode = Annotated[str, Meta(min_length=1, max_length=12)]
MaterialType = Annotated[
    str, Meta(max_length=20, description="材料类型（事项材料清单中的 type）。", examples=["照片"])
]
Note = Annotated[str, Meta(max_length=500, pattern=PLAIN_TEXT_PATTERN)]
Reason = Annotated[str, Meta(min_length=1, max_length=500, pattern=PLAIN_TEXT_PATTERN)]

# --- path and query parameters --------------------------------------------------------------

CaseNumberPath: TypeAlias = Annotated[
    str,
    Parameter(
        description="办件编号；一件事的子件编号（带 -01 等后缀）也可以。",
        examples=[Example(value="XS20261207000123")],
    ),
]
UploadIdPath: TypeAlias = Annotated[
    str,
    Parameter(
        description="材料的上传编号（见办件 materials 的 upload_id）。",
        examples=[Example(value="up_3q2n8Zk1VbQm0rT7yXc4Lw")],
    ),
]
FormFieldPath: TypeAlias = Annotated[
    str,
    Parameter(
        description="表单字段名，须是办件 masked_fields 中的一项。",
        examples=[Example(value="guardian_id")],
    ),
]
StatusQuery: TypeAlias = Annotated[
    CaseStatus | None,
    Parameter(
        description="只列出该状态的办件。",
        examples=[Example(value="accepted")],
    ),
]


def _search_query(description: str, example: str, max_length: int) -> Any:
    return Parameter(
        description=description,
        examples=[Example(value=example)],
        max_length=max_length,
        required=False,
    )


NumberQuery: TypeAlias = Annotated[str, _search_query("办件编号（包含即可）。", "XS2026120", 40)]
NameQuery: TypeAlias = Annotated[str, _search_query("申请人姓名（包含即可）。", "王秀", 64)]
IdLast4Query: TypeAlias = Annotated[
    str, _search_query("申请人身份证号后4位（末位可为X）。", "1234", 8)
]
PhoneQuery: TypeAlias = Annotated[
    str,
    _search_query(
        "申请人登记的手机号码（完整号码，按查询用密钥哈希比对）；申请表中填写的联系电话不能搜索。",
        "13800001111",
        24,
    ),
]
ItemQuery: TypeAlias = Annotated[str, _search_query("事项或一件事的编码。", "GA-CSDJ", 40)]
FiledFromQuery: TypeAlias = Annotated[
    str, _search_query("提交日期起（含），年-月-日。", "2026-12-01", 10)
]
FiledToQuery: TypeAlias = Annotated[
    str, _search_query("提交日期止（含），年-月-日。", "2026-12-07", 10)
]


class RejectIn(msgspec.Struct, forbid_unknown_fields=True):
    """不予受理：理由。"""

    reason: Annotated[
        Reason,
        Meta(
            description="不予受理的理由，会告知申请人；不能只填空白。",
            examples=["申请人不符合首次申领条件"],
        ),
    ]


class SupplementRequestIn(msgspec.Struct, forbid_unknown_fields=True):
    """补正通知：一次列出需要补正的全部材料。"""

    missing: Annotated[
        list[MaterialType],
        Meta(
            max_length=50,
            description="需要补正的材料类型，一次列全；至少一项非空白。",
            examples=[["照片", "户口簿"]],
        ),
    ]
    note: Annotated[
        Note, Meta(description="补正说明（告知申请人），可不填。", examples=["请补交近期免冠照片"])
    ] = ""


class TransferIn(msgspec.Struct, forbid_unknown_fields=True):
    """转后台审批：审批部门（不填按分类审批规则）。"""

    department_code: (
        Annotated[
            str,
            Meta(
                min_length=1,
                max_length=16,
                description="审批部门编码；不填则按分类审批规则转交。一件事不能指定部门。",
                examples=["GA"],
            ),
        ]
        | None
    ) = None


class HandoffIn(msgspec.Struct, forbid_unknown_fields=True):
    """全区通办：转交受理的镇街。"""

    township_code: Annotated[
        AreaCode,
        Meta(description="接收办件的镇街区划代码（9 位）。", examples=["330109002"]),
    ]


class CaseNoteIn(msgspec.Struct, forbid_unknown_fields=True):
    """备注（可不填）。"""

    note: Annotated[
        Note, Meta(description="审批意见或出件说明，可不填。", examples=["符合条件，准予办理"])
    ] = ""


class DeliverIn(msgspec.Struct, forbid_unknown_fields=True):
    """送达：方式，邮寄的快递单号和收件地址，或窗口领取的领取人。"""

    method: Annotated[
        DeliveryMethod,
        Meta(
            description=(
                "送达方式：window 窗口领取，mail 邮寄（须填快递单号），agent 由代办员转交"
                "（窗口不能直接登记，须放入交接批次）。"
            )
        ),
    ]
    tracking_no: (
        Annotated[
            str,
            Meta(max_length=64, description="快递单号，邮寄时必填。", examples=["SF1234567890"]),
        ]
        | None
    ) = None
    collector_name: (
        Annotated[
            str,
            Meta(max_length=64, description="领取人姓名，窗口领取时必填。", examples=["王秀英"]),
        ]
        | None
    ) = None
    delivery_address: (
        Annotated[
            str,
            Meta(
                max_length=200,
                pattern=PLAIN_TEXT_PATTERN,
                description=(
                    "收件地址：邮寄时，办件没有收件地址（申请时选了窗口领取等）必填；填写后"
                    "作为办件的收件地址（替换原来的）。窗口领取时不填。"
                ),
                examples=["杭州市萧山区城厢街道高桥社区 8 幢 2 单元 301 室"],
            ),
        ]
        | None
    ) = None
    collector_id_number: (
        Annotated[
            str,
            Meta(
                max_length=24,
                description=(
                    "领取人身份证号码，窗口领取时必填：与办件申请人的号码核对（按查询用密钥哈希"
                    "比对），号码本身不保存，只记录核对一致及核对人。"
                ),
                examples=["330109195603120028"],
            ),
        ]
        | None
    ) = None


class DenyIn(msgspec.Struct, forbid_unknown_fields=True):
    """审批不通过：理由。"""

    reason: Annotated[
        Reason,
        Meta(
            description="审批不通过的理由，会告知申请人；不能只填空白。",
            examples=["出生医学证明与申报信息不一致"],
        ),
    ]


class ApplicantIn(msgspec.Struct, forbid_unknown_fields=True):
    """窗口前的申请人：按身份证号码查找，没有则登记（无需微信）。"""

    name: Annotated[
        str,
        Meta(
            max_length=64,
            description="申请人姓名，须与身份证一致；该号码已登记的，须与登记的姓名相同。",
            examples=["王秀英"],
        ),
    ]
    id_number: Annotated[
        str,
        Meta(
            max_length=32,
            description="申请人身份证号码（18 位，校验位须正确）。",
            examples=["11010519491231002X"],
        ),
    ]
    village_code: Annotated[
        str,
        Meta(
            max_length=32,
            description="申请人所在村（社区）区划代码（12 位）。",
            examples=["330109001001"],
        ),
    ]
    phone: ContactPhoneIn = None


class WalkInSubmission(CaseSubmission, kw_only=True, forbid_unknown_fields=True):
    """窗口收件：与市民提交办件相同的内容，加上窗口前的申请人。

    A citizen submission plus the applicant standing at the window.
    """

    EXAMPLE: ClassVar[dict[str, Any]] = {
        "item_code": "GA-SFZ-HL",
        "form": {},
        "materials": [{"type": "照片", "upload_id": "up_Zk3v9QpX2mR7tLw4bN8cYg"}],
        "paper_originals": ["身份证", "申请表"],
        "delivery": {"method": "window"},
        "applicant": {
            "name": "王秀英",
            "id_number": "11010519491231002X",
            "village_code": "330109001001",
            "phone": "13800138000",
        },
    }

    applicant: Annotated[
        ApplicantIn,
        Meta(
            description="窗口前的申请人：按身份证号码查找，没有则登记（无需微信）。",
            examples=[
                {
                    "name": "王秀英",
                    "id_number": "11010519491231002X",
                    "village_code": "330109001001",
                    "phone": "13800138000",
                }
            ],
        ),
    ]


class RoutingRuleIn(msgspec.Struct, forbid_unknown_fields=True):
    """分类审批规则：某镇街（或全区默认）的某事项由哪个部门审批。"""

    item_code: Annotated[Code, Meta(description="事项编码。", examples=["GA-HK-CSDJ"])]
    department_code: Annotated[
        str,
        Meta(min_length=1, max_length=16, description="审批部门编码。", examples=["GA"]),
    ]
    township_code: (
        Annotated[
            AreaCode,
            Meta(description="镇街区划代码；不填为全区默认规则。", examples=["330109001"]),
        ]
        | None
    ) = None
    send_method: Annotated[
        SendMethod,
        Meta(
            description="发送方式：目前只有 builtin（本系统的后台审批队列）。", examples=["builtin"]
        ),
    ] = "builtin"


class RevealIn(msgspec.Struct, forbid_unknown_fields=True):
    """查看完整号码的理由（记入审计日志）。"""

    reason: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=200,
            description="查看完整号码的理由，记入审计日志；不能只填空白。",
            examples=["核对监护人身份"],
        ),
    ]


# --- what staff see -------------------------------------------------------------------------

EventValue: TypeAlias = (
    str | int | float | bool | list[str] | dict[str, str | int | bool | None] | None
)
"""One value of a timeline event's data: a text, a number, a flag, a list of material types
or handover items, counts by status (a bundle's children), or the collector who picked a result
up (name, whether the ID number was checked, against whom, by whom — never the number)."""


class PersonRef(msgspec.Struct):
    """工作人员：编号和姓名。"""

    id: Annotated[
        str,
        Meta(description="工作人员编号。", examples=["6f1c2e4a-9b7d-4c3e-8a21-5d0f3b9e7c15"]),
    ]
    name: Annotated[str, Meta(description="姓名（账号已删除时为空）。", examples=["李晓明"])] | None


class FiledByOut(msgspec.Struct):
    """谁提交的：本人、代办员、窗口或银行网点，以及提交人姓名。"""

    kind: Annotated[
        FiledByKind,
        Meta(
            description="提交方：self 本人，agent 村社代办员，window 窗口，bank 银行网点。",
            examples=["window"],
        ),
    ]
    name: (
        Annotated[
            str, Meta(description="代办员或窗口人员的姓名；本人提交时为空。", examples=["张建国"])
        ]
        | None
    ) = None


class CaseEntry(msgspec.Struct):
    """工作人员列表中的一行办件（受理队列、本镇街办件、待审批）。"""

    number: CaseNumber
    parent_number: (
        Annotated[
            str,
            Meta(description="所属一件事的办件编号（仅子件有）。", examples=["XS20261207000123"]),
        ]
        | None
    )
    name: Annotated[str, Meta(description="事项或一件事的名称。", examples=["居民身份证换领"])]
    item_code: ItemCode | None
    bundle_code: BundleCode | None
    status: Annotated[CaseStatus, Meta(description="办件状态。", examples=["queued"])]
    status_label: Annotated[str, Meta(description="状态的中文名称。", examples=["待受理"])]
    applicant_name: Annotated[
        str, Meta(description="申请人姓名（遮掩中间字）。", examples=["王*英"])
    ]
    filed_by: Annotated[
        FiledByOut,
        Meta(
            description="谁提交的：本人、代办员、窗口或银行网点，以及提交人姓名。",
            examples=[{"kind": "agent", "name": "张建国"}],
        ),
    ]
    channel: Annotated[CaseChannel, Meta(description="申请渠道。", examples=["miniprogram"])]
    township_code: (
        Annotated[str, Meta(description="受理镇街区划代码。", examples=["330109001"])] | None
    )
    department_code: (
        Annotated[str, Meta(description="审批部门编码（转后台后才有）。", examples=["GA"])] | None
    )
    submitted_at: Annotated[
        str, Meta(description="提交时间（北京时间）。", examples=["2026-12-07T09:30:00+08:00"])
    ]
    deadline: (
        Annotated[str, Meta(description="办结期限（受理后才有）。", examples=["2026-12-28"])] | None
    )
    claimed_by: Annotated[PersonRef, Meta(description="认领该办件的工作人员。")] | None = None
    claimed_until: (
        Annotated[
            str,
            Meta(
                description="认领到期时间：超时未操作，办件回到队列。",
                examples=["2026-12-07T09:45:00+08:00"],
            ),
        ]
        | None
    ) = None


class StaffCasePage(msgspec.Struct):
    """一页办件（工作人员列表）。"""

    items: Annotated[list[CaseEntry], Meta(description="本页的办件。")]
    total: Total


class ApplicantOut(msgspec.Struct):
    """申请人：姓名和遮掩后的身份证号码。"""

    name: Annotated[str, Meta(description="申请人姓名。", examples=["王秀英"])] | None
    id_number_masked: MaskedIdNumber | None


class StaffTimelineEntry(msgspec.Struct):
    """办件时间线上的一步：谁、何时、做了什么、为谁、经哪个渠道。"""

    at: Annotated[
        str, Meta(description="发生时间（北京时间）。", examples=["2026-12-07T09:30:00+08:00"])
    ]
    action: Annotated[
        str,
        Meta(
            description=(
                "动作：状态机的动作（submit、forward、accept、transfer、approve…），或交接批次的"
                "记录 handover_sent、handover_received。"
            ),
            examples=["accept"],
        ),
    ]
    from_status: (
        Annotated[CaseStatus, Meta(description="动作前的状态（提交时为空）。", examples=["queued"])]
        | None
    )
    status: Annotated[CaseStatus, Meta(description="动作后的状态。", examples=["accepted"])]
    actor_role: Annotated[
        str,
        Meta(
            description=(
                "操作者角色：citizen、agent、window、approver 等工作人员角色，或 system、platform。"
            ),
            examples=["window"],
        ),
    ]
    actor: Annotated[PersonRef, Meta(description="操作的工作人员（市民或系统操作时为空）。")] | None
    on_behalf_of: (
        Annotated[
            str,
            Meta(
                description="代为操作时，被代理的群众编号。",
                examples=["0b7e5c1a-2d4f-4e8b-9a63-1f2c3d4e5f60"],
            ),
        ]
        | None
    )
    channel: (
        Annotated[
            str,
            Meta(
                description="渠道：miniprogram、window、backoffice、agent、bank、platform 等。",
                examples=["window"],
            ),
        ]
        | None
    )
    note: Annotated[str, Meta(description="备注或理由。", examples=["材料齐全，予以受理"])]
    data: Annotated[
        dict[str, EventValue],
        Meta(
            description=(
                "动作的附加数据，如不予受理的 reason、补正的 missing、转交的 department、"
                "送达的 method、tracking_no、address 和领取人 collector"
                "（姓名、是否已核对身份证件），全区通办的 from 和 to。"
            ),
            examples=[{"department": "GA", "send_method": "builtin", "routed_by": "item"}],
        ),
    ]


class StaffMaterial(msgspec.Struct):
    """办件的一份材料：上传的文件、共享的电子证照或核验过的纸质原件。"""

    type: Annotated[str, Meta(description="材料类型。", examples=["出生医学证明"])]
    source: Annotated[
        Literal["upload", "shared", "paper"],
        Meta(
            description="来源：upload 上传，shared 电子证照共享，paper 纸质原件。",
            examples=["upload"],
        ),
    ]
    upload_id: (
        Annotated[
            str,
            Meta(
                description="上传编号（来源为 upload 时）。", examples=["up_3q2n8Zk1VbQm0rT7yXc4Lw"]
            ),
        ]
        | None
    )
    shared_ref: (
        Annotated[
            str,
            Meta(description="共享证照的凭证号（来源为 shared 时）。", examples=["EL-2026-000123"]),
        ]
        | None
    )
    supplement: (
        Annotated[int, Meta(description="补正轮次编号（补正时交来的材料才有）。", examples=[1])]
        | None
    )
    added_at: Annotated[
        str, Meta(description="加入办件的时间。", examples=["2026-12-07T09:30:00+08:00"])
    ]


class StaffChild(msgspec.Struct):
    """一件事中的一个事项（子件）。"""

    number: CaseNumber
    item_code: ItemCode | None
    item_name: Annotated[str, Meta(description="事项名称。", examples=["出生登记"])] | None
    status: Annotated[CaseStatus, Meta(description="子件状态。", examples=["in_review"])]
    status_label: Annotated[str, Meta(description="状态的中文名称。", examples=["审批中"])]
    department_code: DepartmentCode | None
    deadline: (
        Annotated[str, Meta(description="办结期限（受理后才有）。", examples=["2026-12-28"])] | None
    )
    working_days_left: (
        Annotated[int, Meta(description="距期限还剩的工作日（逾期为负）。", examples=[5])] | None
    )


class SupplementRequestOut(msgspec.Struct):
    """待补正的通知：缺哪些材料。"""

    missing: Annotated[
        list[str], Meta(description="需要补正的材料类型。", examples=[["照片", "户口簿"]])
    ]
    note: Annotated[str, Meta(description="补正说明。", examples=["请补交近期免冠照片"])]
    requested_at: Annotated[
        str, Meta(description="通知补正的时间。", examples=["2026-12-07T10:00:00+08:00"])
    ]
    requested_by: (
        Annotated[
            str,
            Meta(
                description="通知补正的工作人员编号。",
                examples=["6f1c2e4a-9b7d-4c3e-8a21-5d0f3b9e7c15"],
            ),
        ]
        | None
    )


class ResultOut(msgspec.Struct):
    """办理结果：出件和送达。"""

    issued_at: (
        Annotated[str, Meta(description="出件时间。", examples=["2026-12-20T14:00:00+08:00"])]
        | None
    )
    note: Annotated[str, Meta(description="出件说明。", examples=["户口已登记"])]
    delivered_at: (
        Annotated[str, Meta(description="送达时间。", examples=["2026-12-21T10:00:00+08:00"])]
        | None
    ) = None
    delivery_method: (
        Annotated[DeliveryMethod, Meta(description="送达方式。", examples=["mail"])] | None
    ) = None
    tracking_no: (
        Annotated[str, Meta(description="快递单号（邮寄时）。", examples=["SF1234567890"])] | None
    ) = None
    collector_name: (
        Annotated[str, Meta(description="窗口领取时的领取人姓名。", examples=["王秀英"])] | None
    ) = None
    collector_id_checked: Annotated[
        bool,
        Meta(description="窗口领取时已核对领取人身份证号码与申请人一致（号码本身不保存）。"),
    ] = False


class ClaimOut(msgspec.Struct):
    """认领：谁正在处理该办件，到何时为止。"""

    staff: Annotated[
        PersonRef,
        Meta(
            description="工作人员：编号和姓名。",
            examples=[{"id": "6f1c2e4a-9b7d-4c3e-8a21-5d0f3b9e7c15", "name": "李晓明"}],
        ),
    ]
    claimed_at: Annotated[
        str, Meta(description="认领时间。", examples=["2026-12-07T09:30:00+08:00"])
    ]
    expires_at: Annotated[
        str,
        Meta(
            description="认领到期时间：超时未操作，办件回到队列。",
            examples=["2026-12-07T09:45:00+08:00"],
        ),
    ]
    mine: Annotated[bool, Meta(description="是否由我认领。", examples=[True])]


class CaseForStaff(msgspec.Struct):
    """工作人员看到的办件：申请人只显示姓名和遮掩后的身份证号码，表单中的敏感号码遮掩显示。"""

    number: CaseNumber
    status: Annotated[CaseStatus, Meta(description="办件状态。", examples=["accepted"])]
    status_label: Annotated[str, Meta(description="状态的中文名称。", examples=["已受理"])]
    public_status: Annotated[
        PublicStatus,
        Meta(
            description="open 办理中；closed 已办结（审批未通过、不予受理、已送达、已撤回）。",
            examples=["open"],
        ),
    ]
    item_code: ItemCode | None
    bundle_code: BundleCode | None
    name: Annotated[str, Meta(description="事项或一件事的名称。", examples=["居民身份证换领"])]
    parent_number: (
        Annotated[
            str,
            Meta(description="所属一件事的办件编号（仅子件有）。", examples=["XS20261207000123"]),
        ]
        | None
    )
    applicant: Annotated[
        ApplicantOut,
        Meta(
            description="申请人：姓名和遮掩后的身份证号码。",
            examples=[{"name": "王秀英", "id_number_masked": "110***********002X"}],
        ),
    ]
    filed_by: Annotated[
        FiledByOut,
        Meta(
            description="谁提交的：本人、代办员、窗口或银行网点，以及提交人姓名。",
            examples=[{"kind": "window", "name": "李晓明"}],
        ),
    ]
    mandate_id: (
        Annotated[
            str,
            Meta(
                description="代办所依据的委托编号（代办员提交时）。",
                examples=["3c9a1f0e-7b2d-4f5a-8e61-2b4c6d8e0a13"],
            ),
        ]
        | None
    )
    channel: Annotated[CaseChannel, Meta(description="申请渠道。", examples=["window"])]
    township_code: TownshipCode | None
    department_code: (
        Annotated[str, Meta(description="审批部门编码（转后台后才有）。", examples=["GA"])] | None
    )
    service_point_id: (
        Annotated[str, Meta(description="申请人选择的办事点。", examples=["HALL-330109001"])] | None
    )
    form: Annotated[
        dict[str, FormValue],
        Meta(
            description=(
                "申请表：字段名 → 填写的值。身份证号码、手机号码、银行账号和证件号码遮掩显示"
                "（见 masked_fields）。"
            ),
            examples=[{"baby_name": "王小明", "guardian_id": "110***********002X"}],
        ),
    ]
    delivery_method: Annotated[DeliveryMethod, Meta(description="送达方式。", examples=["window"])]
    delivery_address: Annotated[
        str,
        Meta(
            description="收件地址（邮寄时），否则为空。",
            examples=["杭州市萧山区城厢街道人民路 1 号"],
        ),
    ]
    submitted_at: Annotated[
        str, Meta(description="提交时间。", examples=["2026-12-07T09:30:00+08:00"])
    ]
    accepted_at: (
        Annotated[str, Meta(description="受理时间。", examples=["2026-12-07T10:05:00+08:00"])]
        | None
    )
    closed_at: (
        Annotated[str, Meta(description="办结时间。", examples=["2026-12-21T10:00:00+08:00"])]
        | None
    )
    deadline: (
        Annotated[
            str,
            Meta(
                description="办结期限（受理后才有；一件事取最晚的子件）。", examples=["2026-12-28"]
            ),
        ]
        | None
    )
    working_days_left: (
        Annotated[int, Meta(description="距期限还剩的工作日（逾期为负）。", examples=[5])] | None
    )
    paused_working_days: Annotated[
        int, Meta(ge=0, description="补正暂停计时的工作日数。", examples=[2])
    ]
    clock_paused: Annotated[
        bool, Meta(description="是否正在暂停计时（等待补正）。", examples=[False])
    ]
    overdue: Annotated[bool, Meta(description="是否已超过办结期限。", examples=[False])]
    allowed_actions: Annotated[
        list[CaseAction],
        Meta(
            description="当前状态下可以进行的动作（状态机的动作名）。",
            examples=[["accept", "reject"]],
        ),
    ]
    timeline: Annotated[list[StaffTimelineEntry], Meta(description="时间线，按时间先后。")]
    materials: Annotated[list[StaffMaterial], Meta(description="办件的材料。")]
    children: (
        Annotated[list[StaffChild], Meta(description="一件事所含的事项（子件）；单个事项为空。")]
        | None
    ) = None
    supplement: (
        Annotated[SupplementRequestOut, Meta(description="待补正的通知（仅待补正时）。")] | None
    ) = None
    result: Annotated[ResultOut, Meta(description="办理结果（出件后才有）。")] | None = None
    claim: Annotated[ClaimOut, Meta(description="有效的认领（没有则为空）。")] | None = None
    masked_fields: Annotated[
        list[str],
        Meta(
            description=(
                "form 中遮掩显示的字段；POST …/form/{field}/reveal 可查看其中一项的完整号码。"
            ),
            examples=[["guardian_id"]],
        ),
    ] = []
    later: Annotated[
        list[LaterItemOut],
        Meta(
            description="一件事中申请渠道不能申请、没有随之提交的事项：申请人须到窗口或请"
            "代办员另行办理（窗口可为其代录）。"
        ),
    ] = []


class RevealedOut(msgspec.Struct):
    """一项表单号码的完整值（不缓存）。"""

    field: Annotated[str, Meta(description="表单字段名。", examples=["guardian_id"])]
    value: Annotated[str, Meta(description="完整号码。", examples=["11010519491231002X"])]


class MaterialLinkOut(msgspec.Struct):
    """查看材料的临时链接。"""

    url: Annotated[
        str,
        Meta(
            description="材料文件的签名地址（本服务的相对路径），过期后须重新获取。",
            examples=["/api/v1/files/dXBfM3Eybjh…"],
        ),
    ]
    expires_in: Annotated[int, Meta(ge=0, description="链接有效秒数。", examples=[300])]


class RoutingRuleOut(msgspec.Struct):
    """一条分类审批规则。"""

    id: Annotated[int, Meta(description="规则编号。", examples=[12])]
    township_code: (
        Annotated[
            str, Meta(description="镇街区划代码；为空是全区默认规则。", examples=["330109001"])
        ]
        | None
    )
    item_code: ItemCode
    department_code: DepartmentCode
    send_method: Annotated[
        SendMethod,
        Meta(description="发送方式：builtin 本系统的后台审批队列。", examples=["builtin"]),
    ]
    updated_at: Annotated[
        str, Meta(description="最后修改时间。", examples=["2026-12-01T16:20:00+08:00"])
    ]


class RoutingRulePage(msgspec.Struct):
    """一页分类审批规则。"""

    items: Annotated[list[RoutingRuleOut], Meta(description="本页的规则。")]
    total: Total

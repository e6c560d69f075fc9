"""Request and response bodies of the delegation routes (msgspec).

Each field carries its Chinese description, an example and the limits the server enforces; the
first paragraph of each Struct's docstring describes it in the API document.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, TypeAlias

import msgspec.inspect as mi
from msgspec import Meta, Struct

from backend.cases.schemas import (
    CaseForCitizen,
    CaseStatus,
    CaseSubmission,
    DeliveryIn,
    DeliveryMethod,
    MaterialIn,
    PublicStatus,
)
from backend.http.fields import (
    CaseNumber,
    CaseNumberIn,
    ContactPhoneIn,
    FormValues,
    ItemCode,
    MaskedIdNumber,
    Timestamp,
    Total,
    TownshipCode,
    VillageCode,
)


def struct_example(struct: type[Struct]) -> dict[str, object]:
    """An example of ``struct`` built from its fields' own examples.

    A field typed with another Struct needs an example beside its description in the API
    document; building it from the Struct keeps the two in step.
    """
    value = _example(mi.type_info(struct))
    assert isinstance(value, dict)
    return value


def _example(kind: mi.Type) -> object:
    if isinstance(kind, mi.Metadata):
        given = (kind.extra_json_schema or {}).get("examples")
        return given[0] if given else _example(kind.type)
    if isinstance(kind, mi.StructType):
        return {f.encode_name: _example(f.type) for f in kind.fields}
    if isinstance(kind, mi.UnionType):
        real = [o for o in kind.types if not isinstance(o, mi.NoneType)]
        return _example(real[0]) if real else None
    if isinstance(kind, mi.CollectionType):
        item = _example(kind.item_type)
        return [] if item in (None, "", {}) else [item]
    if isinstance(kind, mi.LiteralType):
        return kind.values[0]
    if isinstance(kind, mi.BoolType):
        return True
    if isinstance(kind, (mi.IntType, mi.FloatType)):
        return 0
    if isinstance(kind, mi.StrType):
        return ""
    if isinstance(kind, mi.DictType):
        return {}
    return None


# --- values with a fixed set ------------------------------------------------------------------

MandateStatus: TypeAlias = Literal["pending", "active", "refused", "revoked", "expired"]
Consent: TypeAlias = Literal["paper", "miniprogram"]
NeedKind: TypeAlias = Literal[
    "supply_materials", "bring_originals", "bring_missing", "pick_up_result", "hand_over"
]
Direction: TypeAlias = Literal["to_township", "to_village"]
HandoverStatus: TypeAlias = Literal["sent", "received"]
ReferralStatus: TypeAlias = Literal["pending", "moved", "refused"]
ReferralOutcome: TypeAlias = Literal["moved", "refused"]
Sex: TypeAlias = Literal["male", "female"]

# --- shared pieces ----------------------------------------------------------------------------

EXAMPLE_CITIZEN_ID = "5b0f8c1e-2a7d-4c39-9e4b-1f6a2d3c4b5a"
EXAMPLE_MANDATE_ID = "9d2e4f60-7b1a-4c8e-a3d5-6f0b1c2d3e4f"
EXAMPLE_AGENT_ID = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"
EXAMPLE_HANDOVER_ID = "7e8f9a0b-1c2d-4e3f-9a4b-5c6d7e8f9a0b"
EXAMPLE_REFERRAL_ID = "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"
EXAMPLE_UPLOAD_ID = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"

ShanghaiTime: TypeAlias = Annotated[
    str,
    Meta(
        description="时间（ISO 8601，北京时间，精确到秒）。",
        examples=["2026-12-07T09:30:00+08:00"],
    ),
]
MaterialTypeIn: TypeAlias = Annotated[
    str, Meta(min_length=1, max_length=20, description="材料类型。", examples=["户口簿"])
]
MaterialTypes: TypeAlias = Annotated[
    list[str],
    Meta(description="材料类型。", examples=[["户口簿", "身份证"]]),
]
CodeIn: TypeAlias = Annotated[str, Meta(min_length=1, max_length=40)]
UploadIdIn: TypeAlias = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=40,
        description="上传编号（POST /api/v1/uploads 答复的 id）。",
        examples=[EXAMPLE_UPLOAD_ID],
    ),
]


# --- villagers --------------------------------------------------------------------------------


class AgentCitizenIn(Struct, forbid_unknown_fields=True):
    """代办员登记一位不用微信的群众（已登记的按身份证号码找到同一人）。

    All fields are checked together (one 422 names every problem).
    """

    name: Annotated[
        str,
        Meta(max_length=64, description="群众姓名，与身份证一致。", examples=["王秀英"]),
    ]
    id_number: Annotated[
        str,
        Meta(
            max_length=32,
            description="18 位居民身份证号码（校验位不对答 422 id_number_invalid）。",
            examples=["11010519491231002X"],
        ),
    ]
    village_code: Annotated[
        str,
        Meta(
            max_length=12,
            description="群众所在村（社区）的 12 位区划代码，须在代办员的服务范围内。",
            examples=["330109001001"],
        ),
    ]
    phone: ContactPhoneIn = None


class CitizenOut(Struct):
    """代办员服务范围内的一位群众。"""

    id: Annotated[str, Meta(description="群众编号。", examples=[EXAMPLE_CITIZEN_ID])]
    name: Annotated[str, Meta(description="姓名。", examples=["王秀英"])]
    village_code: Annotated[
        str | None, Meta(description="所在村（社区）的区划代码。", examples=["330109001001"])
    ]
    id_number_masked: MaskedIdNumber | None
    birth_year: Annotated[int | None, Meta(description="出生年份。", examples=[1956])]
    sex: Annotated[Sex | None, Meta(description="性别：male 男，female 女。")]
    has_wechat: Annotated[bool, Meta(description="是否已用微信小程序登录并绑定。")]
    identity_verified: Annotated[bool, Meta(description="是否已通过实名核验。")]
    registered_by_agent: Annotated[bool, Meta(description="是否由代办员登记。")]
    takeover_refused: Annotated[
        str | None,
        Meta(
            description="群众用微信绑定这条登记记录未成功时的原因（提示代办员核实）；无则为 null。",
            examples=["该身份证号码已由代办员或窗口登记，但姓名与登记的不一致，暂不能绑定。"],
        ),
    ] = None
    """Why a WeChat account could not take this record over (the agent is told), if it tried."""


class CitizenPage(Struct):
    """一页群众。"""

    items: Annotated[list[CitizenOut], Meta(description="本页的群众。")]
    total: Total


# --- mandates ---------------------------------------------------------------------------------


class MandateIn(Struct, forbid_unknown_fields=True):
    """代办员登记一份委托：事项（item_codes）或一件事（bundle_code）二者选一，和到期日。

    With evidence (the signed 委托书 and the ID photo) it is active at once; without, pending
    until the citizen confirms in the mini-program.
    """

    citizen_id: Annotated[
        str,
        Meta(
            max_length=40,
            description="委托人（群众）编号，须是代办员服务范围内的群众。",
            examples=[EXAMPLE_CITIZEN_ID],
        ),
    ]
    expires_on: Annotated[
        date,
        Meta(
            description="委托到期日（YYYY-MM-DD），须晚于今天，且不超过系统设定的最长期限。",
            examples=["2027-06-30"],
        ),
    ]
    item_codes: Annotated[
        list[Annotated[CodeIn, Meta(examples=["GA-HK-CSDJ"])]],
        Meta(
            max_length=50,
            description="委托办理的事项编码（均须可委托代办）；与 bundle_code 二者选一。",
            examples=[["GA-HK-CSDJ"]],
        ),
    ] = []
    bundle_code: (
        Annotated[
            CodeIn,
            Meta(
                description="委托办理的一件事编码；与 item_codes 二者选一。",
                examples=[None, "CSYJS"],
            ),
        ]
        | None
    ) = None
    evidence_upload_ids: Annotated[
        list[UploadIdIn],
        Meta(
            max_length=10,
            description=(
                "纸质委托凭证的上传编号：群众签字的委托书（材料类型“委托书”）和身份证照片"
                "（“身份证”）。带凭证的委托立即生效；不带的须群众在小程序中确认。"
            ),
            examples=[[EXAMPLE_UPLOAD_ID, "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"]],
        ),
    ] = []


class MandateOut(Struct):
    """一份委托：谁委托谁、办理哪些事项、到期日和状态。"""

    id: Annotated[str, Meta(description="委托编号。", examples=[EXAMPLE_MANDATE_ID])]
    status: Annotated[
        MandateStatus,
        Meta(
            description=(
                "状态：pending 待群众确认，active 生效中，refused 群众已拒绝，revoked 已撤销，"
                "expired 已过期（到期日已过的待确认或生效中的委托）。"
            )
        ),
    ]
    citizen_id: Annotated[
        str, Meta(description="委托人（群众）编号。", examples=[EXAMPLE_CITIZEN_ID])
    ]
    citizen_name: Annotated[str | None, Meta(description="委托人姓名。", examples=["王秀英"])]
    agent_id: Annotated[str, Meta(description="受托代办员编号。", examples=[EXAMPLE_AGENT_ID])]
    agent_name: Annotated[str, Meta(description="受托代办员姓名。", examples=["李建国"])]
    item_codes: Annotated[
        list[ItemCode],
        Meta(description="委托的事项编码（按一件事委托时为空）。", examples=[["GA-HK-CSDJ"]]),
    ]
    bundle_code: Annotated[
        str | None,
        Meta(description="委托的一件事编码（按事项委托时为 null）。", examples=[None, "CSYJS"]),
    ]
    scope: Annotated[
        list[str],
        Meta(description="委托范围的名称：各事项名称，或一件事的名称。", examples=[["出生一件事"]]),
    ]
    expires_on: Annotated[str, Meta(description="到期日（YYYY-MM-DD）。", examples=["2027-06-30"])]
    consent: Annotated[
        Consent,
        Meta(
            description="同意方式：paper 纸质委托书（已上传凭证），miniprogram 群众在小程序中确认。"
        ),
    ]
    created_at: ShanghaiTime
    decided_at: Annotated[
        str | None,
        Meta(
            description="群众确认或拒绝的时间（纸质委托为登记时间）；未决定为 null。",
            examples=["2026-12-07T10:05:00+08:00"],
        ),
    ]
    revoked_at: Annotated[
        str | None,
        Meta(description="撤销时间；未撤销为 null。", examples=["2027-01-15T16:20:00+08:00"]),
    ]
    evidence_count: Annotated[
        int, Meta(ge=0, description="已上传的纸质委托凭证份数。", examples=[2])
    ]


class MandatePage(Struct):
    """一页委托，最新的在前。"""

    items: Annotated[list[MandateOut], Meta(description="本页的委托。")]
    total: Total


class SpotCheckIn(Struct, forbid_unknown_fields=True):
    """督查人员对一份纸质委托的抽查结论。"""

    ok: Annotated[bool, Meta(description="凭证是否真实有效。")]
    note: Annotated[
        str,
        Meta(max_length=500, description="抽查说明。", examples=["已电话联系本人，确认委托属实。"]),
    ] = ""


class SpotCheckOut(Struct):
    """一份被抽中核查的纸质委托，及其抽查结论。"""

    mandate: Annotated[
        MandateOut, Meta(description="委托。", examples=[struct_example(MandateOut)])
    ]
    spot_check: Annotated[bool, Meta(description="是否被抽中核查。")]
    spot_check_ok: Annotated[
        bool | None, Meta(description="抽查结论：true 属实，false 不属实；尚未抽查为 null。")
    ]
    spot_check_note: Annotated[
        str,
        Meta(description="抽查说明（未抽查为空）。", examples=["已电话联系本人，确认委托属实。"]),
    ]
    evidence_upload_ids: Annotated[
        list[str],
        Meta(
            description="纸质委托凭证的上传编号（委托书和身份证照片）。",
            examples=[[EXAMPLE_UPLOAD_ID]],
        ),
    ]


class SpotCheckPage(Struct):
    """一页抽查的委托。"""

    items: Annotated[list[SpotCheckOut], Meta(description="本页的委托。")]
    total: Total


# --- filing and errands -----------------------------------------------------------------------


class AgentCaseSubmission(Struct, forbid_unknown_fields=True):
    """代办员受委托为群众提交办件：与群众自己提交的内容相同，另加委托编号和已收取的纸质原件。"""

    mandate_id: Annotated[
        str,
        Meta(
            max_length=40,
            description="委托编号：须是本人的、生效中的、包括所办事项的委托。",
            examples=[EXAMPLE_MANDATE_ID],
        ),
    ]
    delivery: Annotated[
        DeliveryIn,
        Meta(description="出件送达方式（代办员转交选 agent）。", examples=[{"method": "agent"}]),
    ]
    item_code: (
        Annotated[
            CodeIn,
            Meta(description="事项编码；与 bundle_code 二者选一。", examples=["GA-HK-CSDJ"]),
        ]
        | None
    ) = None
    bundle_code: (
        Annotated[
            CodeIn,
            Meta(description="一件事编码；与 item_code 二者选一。", examples=[None, "CSYJS"]),
        ]
        | None
    ) = None
    form: FormValues = {}
    materials: Annotated[
        list[MaterialIn],
        Meta(max_length=50, description="上传的申请材料，每份一个上传编号。"),
    ] = []
    service_point_id: (
        Annotated[
            str,
            Meta(
                max_length=40,
                description="办事点编号，可不填（按办件所属镇街受理）。",
                examples=["HALL-330109001"],
            ),
        ]
        | None
    ) = None
    paper_originals: Annotated[
        list[MaterialTypeIn],
        Meta(
            max_length=50,
            description="代办员已收取纸质原件的材料类型（之后放入交接批次送交镇街）。",
            examples=[["出生医学证明", "户口簿"]],
        ),
    ] = []

    def submission(self) -> CaseSubmission:
        return CaseSubmission(
            delivery=self.delivery,
            item_code=self.item_code,
            bundle_code=self.bundle_code,
            form=self.form,
            materials=self.materials,
            service_point_id=self.service_point_id,
            paper_originals=self.paper_originals,
        )


class NeedOut(Struct):
    """代办员现在要为一件办件做的一件事。"""

    kind: Annotated[
        NeedKind,
        Meta(
            description=(
                "supply_materials 补齐补正材料，bring_originals 送交纸质原件，bring_missing 补送"
                "镇街登记缺失的原件，pick_up_result 到镇街领取出件，hand_over 将出件交给申请人。"
            )
        ),
    ]
    case_number: CaseNumber
    detail: MaterialTypes
    text: Annotated[
        str, Meta(description="给代办员看的说明。", examples=["送交纸质原件：出生医学证明、户口簿"])
    ]


class CustodyOut(Struct):
    """一件办件的纸质原件和出件现在在哪里（镇村联动）。"""

    originals_to_send: Annotated[
        list[str],
        Meta(description="在代办员手中、尚未送交镇街的纸质原件。", examples=[["出生医学证明"]]),
    ]
    originals_in_transit: Annotated[
        list[str],
        Meta(description="已放入交接批次、镇街尚未确认接收的纸质原件。", examples=[["户口簿"]]),
    ]
    originals_missing: Annotated[
        list[str],
        Meta(description="镇街接收时登记缺失、须补送的纸质原件。", examples=[["身份证"]]),
    ]
    result_in_transit: Annotated[bool, Meta(description="出件已交给代办员的交接批次，尚未领取。")]
    result_with_agent: Annotated[bool, Meta(description="出件在代办员手中，尚未交给申请人。")]
    result_handed_over: Annotated[bool, Meta(description="代办员已将出件交给申请人。")]


class ErrandChild(Struct):
    """一件事中的一个子件。"""

    number: CaseNumber
    item_code: Annotated[str | None, Meta(description="事项编码。", examples=["GA-HK-CSDJ"])]
    status: Annotated[CaseStatus, Meta(description="办件状态。")]


class ErrandOut(Struct):
    """代办员经手的一件办件（一件事算一件）：期限、委托和现在要做的事。"""

    number: CaseNumber
    name: Annotated[str, Meta(description="事项或一件事的名称。", examples=["出生一件事"])]
    citizen_id: Annotated[
        str, Meta(description="申请人（群众）编号。", examples=[EXAMPLE_CITIZEN_ID])
    ]
    citizen_name: Annotated[str, Meta(description="申请人姓名。", examples=["王秀英"])]
    status: Annotated[CaseStatus, Meta(description="办件状态。")]
    status_label: Annotated[str, Meta(description="状态的中文名称。", examples=["已受理"])]
    public_status: Annotated[PublicStatus, Meta(description="open 办理中，closed 已办结。")]
    deadline: Annotated[
        str | None,
        Meta(
            description="承诺办结日期（YYYY-MM-DD）；未受理或已办结为 null。",
            examples=["2026-12-21"],
        ),
    ]
    working_days_left: Annotated[
        int | None,
        Meta(description="距承诺办结日期还剩的工作日（逾期为负数）；无期限为 null。", examples=[5]),
    ]
    delivery_method: Annotated[
        DeliveryMethod, Meta(description="送达方式：window 窗口领取，mail 邮寄，agent 代办员转交。")
    ]
    mandate_id: Annotated[
        str | None, Meta(description="所依据的委托编号。", examples=[EXAMPLE_MANDATE_ID])
    ]
    mandate_live: Annotated[bool, Meta(description="委托现在是否仍生效（失效后不能再代为办理）。")]
    needs: Annotated[list[NeedOut], Meta(description="代办员现在要做的事。")]
    custody: Annotated[
        CustodyOut,
        Meta(description="纸质原件和出件的去向。", examples=[struct_example(CustodyOut)]),
    ]
    children: Annotated[list[ErrandChild], Meta(description="一件事的子件（单个事项为空）。")]


class ErrandPage(Struct):
    """一页代办办件：未办结的按期限在前，其后是最新的。"""

    items: Annotated[list[ErrandOut], Meta(description="本页的办件。")]
    total: Total


class AgentCaseOut(Struct):
    """代办员看到的一件办件：群众看到的办件，加上委托、待办事项和原件去向。"""

    case: Annotated[
        CaseForCitizen,
        Meta(
            description="办件（与群众在小程序中看到的相同）。",
            examples=[struct_example(CaseForCitizen)],
        ),
    ]
    mandate_id: Annotated[
        str | None, Meta(description="所依据的委托编号。", examples=[EXAMPLE_MANDATE_ID])
    ]
    mandate_live: Annotated[bool, Meta(description="委托现在是否仍生效。")]
    needs: Annotated[list[NeedOut], Meta(description="代办员现在要为这件办件做的事。")]
    custody: Annotated[
        CustodyOut,
        Meta(description="纸质原件和出件的去向。", examples=[struct_example(CustodyOut)]),
    ]


# --- custody batches --------------------------------------------------------------------------


class HandoverIn(Struct, forbid_unknown_fields=True):
    """组一个交接批次：列出放入批次的办件。"""

    case_numbers: Annotated[
        list[CaseNumberIn],
        Meta(
            max_length=1000,
            description="放入批次的办件编号（重复的只算一次；一批最多件数由系统设定，默认 200）。",
            examples=[["XS20261207000123", "XS20261207000124"]],
        ),
    ]


class MissingIn(Struct, forbid_unknown_fields=True):
    """接收时发现一件办件缺了哪些东西。"""

    case_number: CaseNumberIn
    items: Annotated[
        list[MaterialTypeIn],
        Meta(
            max_length=50,
            description="缺失的纸质原件的材料类型（出件为 result），须是该办件在本批次中的内容。",
            examples=[["户口簿"]],
        ),
    ]


class ReceiveIn(Struct, forbid_unknown_fields=True):
    """确认交接批次已送到，并登记缺失的东西（没有缺失时为空）。"""

    missing: Annotated[
        list[MissingIn],
        Meta(max_length=1000, description="缺失登记，每件办件一条；全部收到时为空。"),
    ] = []


class HandoverLineOut(Struct):
    """交接清单上的一件办件。"""

    case_number: CaseNumber
    item_code: Annotated[str | None, Meta(description="事项编码。", examples=["GA-HK-CSDJ"])]
    bundle_code: Annotated[
        str | None, Meta(description="一件事编码（单个事项为 null）。", examples=[None, "CSYJS"])
    ]
    applicant_name: Annotated[str | None, Meta(description="申请人姓名。", examples=["王秀英"])]
    applicant_id_masked: MaskedIdNumber | None
    items: Annotated[
        list[str],
        Meta(
            description="交接的东西：纸质原件的材料类型，或出件 result。",
            examples=[["出生医学证明", "户口簿"]],
        ),
    ]
    missing: Annotated[list[str], Meta(description="接收时登记缺失的东西。", examples=[["户口簿"]])]


class HandoverOut(Struct):
    """一个交接批次及其清单（含供扫码的二维码）。"""

    id: Annotated[str, Meta(description="批次编号。", examples=[EXAMPLE_HANDOVER_ID])]
    code: Annotated[str, Meta(description="打印在清单上的 8 位批次码。", examples=["ACDE3467"])]
    direction: Annotated[
        Direction,
        Meta(description="方向：to_township 纸质原件送往镇街，to_village 出件交给代办员。"),
    ]
    status: Annotated[HandoverStatus, Meta(description="sent 已送出，received 已确认接收。")]
    township_code: TownshipCode
    township_name: Annotated[str, Meta(description="镇街名称。", examples=["城厢街道"])]
    agent_id: Annotated[str, Meta(description="代办员编号。", examples=[EXAMPLE_AGENT_ID])]
    agent_name: Annotated[str, Meta(description="代办员姓名。", examples=["李建国"])]
    created_at: ShanghaiTime
    received_at: Annotated[
        str | None,
        Meta(description="确认接收的时间；未接收为 null。", examples=["2026-12-08T14:00:00+08:00"]),
    ]
    qr_payload: Annotated[
        str, Meta(description="二维码的内容（接收方扫码找到批次）。", examples=["JJB-HO:ACDE3467"])
    ]
    qr_svg: Annotated[
        str,
        Meta(
            description="二维码图片（内嵌 SVG）。",
            examples=['<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 37 37">…</svg>'],
        ),
    ]
    lines: Annotated[list[HandoverLineOut], Meta(description="交接清单，按办件编号排列。")]


class HandoverSummary(Struct):
    """列表中的一个交接批次。"""

    id: Annotated[str, Meta(description="批次编号。", examples=[EXAMPLE_HANDOVER_ID])]
    code: Annotated[str, Meta(description="8 位批次码。", examples=["ACDE3467"])]
    direction: Annotated[
        Direction,
        Meta(description="方向：to_township 纸质原件送往镇街，to_village 出件交给代办员。"),
    ]
    status: Annotated[HandoverStatus, Meta(description="sent 已送出，received 已确认接收。")]
    township_code: TownshipCode
    agent_name: Annotated[str, Meta(description="代办员姓名。", examples=["李建国"])]
    created_at: ShanghaiTime
    received_at: Annotated[
        str | None,
        Meta(description="确认接收的时间；未接收为 null。", examples=["2026-12-08T14:00:00+08:00"]),
    ]
    cases: Annotated[int, Meta(ge=0, description="批次中的办件数。", examples=[3])]


class HandoverPage(Struct):
    """一页交接批次，最新的在前。"""

    items: Annotated[list[HandoverSummary], Meta(description="本页的批次。")]
    total: Total


class HandOverIn(Struct, forbid_unknown_fields=True):
    """代办员把出件交给申请人：交付时拍的照片作为凭证。"""

    photo_upload_id: Annotated[
        str,
        Meta(
            max_length=40,
            description="交付照片的上传编号（POST /api/v1/uploads 答复的 id）。",
            examples=[EXAMPLE_UPLOAD_ID],
        ),
    ]


# --- registrations the township settles -------------------------------------------------------


class ReferralOut(Struct):
    """一条待镇街核实的登记：代办员登记的姓名和村，旁边是该身份证号码已有的登记。"""

    id: Annotated[str, Meta(description="待核实登记编号。", examples=[EXAMPLE_REFERRAL_ID])]
    status: Annotated[
        ReferralStatus,
        Meta(description="pending 待核实，moved 已迁入代办员所在村，refused 不予登记。"),
    ]
    village_code: VillageCode
    registered_name: Annotated[
        str, Meta(description="代办员登记时填写的姓名。", examples=["王秀英"])
    ]
    agent: Annotated[str, Meta(description="提交登记的代办员姓名。", examples=["李建国"])]
    holder_name: Annotated[
        str | None, Meta(description="该身份证号码已有登记的姓名。", examples=["王秀英"])
    ]
    holder_id_masked: MaskedIdNumber | None
    holder_village_code: Annotated[
        str | None,
        Meta(description="已有登记所在村（社区）的区划代码。", examples=["330109002001"]),
    ]
    created_at: Timestamp
    resolved_at: (
        Annotated[
            datetime,
            Meta(description="处理时间；未处理为 null。", examples=["2026-12-08T15:30:00+08:00"]),
        ]
        | None
    )
    note: Annotated[
        str,
        Meta(
            description="镇街的核实情况（未处理为空）。", examples=["查验户口簿，已迁入高桥社区。"]
        ),
    ]


class ReferralPage(Struct):
    """一页待核实登记，最新的在前。"""

    items: Annotated[list[ReferralOut], Meta(description="本页的登记。")]
    total: Total


class ReferralResolveIn(Struct, forbid_unknown_fields=True):
    """镇街处理一条待核实登记。"""

    outcome: Annotated[
        ReferralOutcome,
        Meta(description="moved 已迁入代办员所在村（登记随之迁入），refused 不予登记。"),
    ]
    note: Annotated[
        str,
        Meta(
            max_length=500,
            description="核实情况（如查验身份证件的结果），必填。",
            examples=["查验户口簿，已迁入高桥社区。"],
        ),
    ]


class ReferralResolved(Struct):
    """处理结果。"""

    id: Annotated[str, Meta(description="待核实登记编号。", examples=[EXAMPLE_REFERRAL_ID])]
    status: Annotated[
        ReferralOutcome, Meta(description="moved 已迁入代办员所在村，refused 不予登记。")
    ]

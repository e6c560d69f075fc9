"""Request and response bodies of the identity routes, per audience.

Every field carries its Chinese description and an example for the API description; input
fields carry the limits the server enforces. Rules checked by the use case all at once (a staff
account's rules, an identity binding's fields) stay in the use case, so that one answer names
every problem, and are described on the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, TypeAlias

import msgspec
from msgspec import Meta

from backend.http.fields import (
    AreaCode,
    CaseNumber,
    CaseStatus,
    Day,
    Timestamp,
    Total,
)
from backend.http.openapi import example_of
from backend.identity.roles import Role


def example(struct: type[msgspec.Struct]) -> dict[str, Any]:
    """An example of ``struct`` from its fields' own examples, for a field of that type."""
    (schema,), definitions = msgspec.json.schema_components([struct])
    found = example_of(schema, definitions)
    assert isinstance(found, dict), struct
    return found


# --- shared field types ---------------------------------------------------------------------

CitizenId: TypeAlias = Annotated[
    str,
    Meta(
        description="群众编号（不透明字符串）。", examples=["0f8e6d2a-3b4c-4d5e-8f90-1a2b3c4d5e6f"]
    ),
]
StaffId: TypeAlias = Annotated[
    str,
    Meta(
        description="工作人员账号编号（不透明字符串）。",
        examples=["5b0c2f4e-8a1d-4c7e-9f3a-2d6b1e0c9a47"],
    ),
]
MaskedId: TypeAlias = Annotated[
    str,
    Meta(
        description="遮掩后的身份证号码：只显示前 3 位和后 4 位。",
        examples=["110***********002X"],
    ),
]
AccessToken: TypeAlias = Annotated[
    str,
    Meta(
        description="访问令牌（JWT），之后每个请求放在 Authorization: Bearer 头中。",
        examples=["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjaXRpemVuOjEifQ.c2lnbmF0dXJl"],
    ),
]
ExpiresIn: TypeAlias = Annotated[
    int, Meta(ge=1, description="令牌有效期（秒），过期后须重新登录。", examples=[7200])
]
TokenType: TypeAlias = Annotated[
    Literal["Bearer"], Meta(description="令牌类型，固定为 Bearer。", examples=["Bearer"])
]
RoleField: TypeAlias = Annotated[
    Role,
    Meta(
        description=(
            "角色：agent 代办员（村社代办点或银行网点）、window 窗口人员、approver 后台审批"
            "（有 department_code）、supervisor 督查人员（镇街或区级）、admin 管理员（区级）。"
        ),
        examples=["window"],
    ),
]
RoleLabel: TypeAlias = Annotated[str, Meta(description="角色的中文名称。", examples=["窗口人员"])]
AreaName: TypeAlias = Annotated[
    str, Meta(description="账号所属区划的名称。", examples=["城厢街道"])
]
Username: TypeAlias = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=64,
        description="用户名（不区分大小写）。",
        examples=["window-330109001"],
    ),
]
Password: TypeAlias = Annotated[
    str,
    Meta(min_length=1, max_length=256, description="密码。", examples=["Qiantang-River-2026"]),
]
WeChatCode: TypeAlias = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=256,
        pattern=r"\S",
        description="微信给小程序的一次性凭证 code（不能全是空白），5 分钟内有效，只能用一次。",
        examples=["0a3Xk2100Qxyz01PlB200mTjRh0Xk21A"],
    ),
]
AdminReason: TypeAlias = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=500,
        description="操作理由（写入审计日志）；不能全是空白。",
        examples=["该工作人员已调离城厢街道便民服务中心"],
    ),
]
DeletionStatus: TypeAlias = Literal["pending", "approved", "refused", "completed"]
"""A deletion request's status: waiting, approved (erasure scheduled), refused, carried out."""


# --- login ----------------------------------------------------------------------------------


class WeChatLoginRequest(msgspec.Struct, forbid_unknown_fields=False):
    """微信登录：小程序 wx.login() 得到的 code。"""

    code: WeChatCode


class CitizenSummary(msgspec.Struct):
    """登录的群众：编号和是否已实名登记。"""

    id: CitizenId
    identity_bound: Annotated[
        bool,
        Meta(
            description="是否已绑定姓名和身份证号码；未绑定时须先实名登记再提交申请。",
            examples=[True],
        ),
    ]


class WeChatLoginResponse(msgspec.Struct):
    """群众登录成功：访问令牌和群众信息。"""

    access_token: AccessToken
    expires_in: ExpiresIn
    citizen: Annotated[
        CitizenSummary, Meta(description="登录的群众。", examples=[example(CitizenSummary)])
    ]
    token_type: TokenType = "Bearer"  # noqa: S105 - the OAuth token type, not a secret


class StaffLoginRequest(msgspec.Struct):
    """工作人员用户名密码登录。"""

    username: Username
    password: Password


class StaffSummary(msgspec.Struct):
    """登录的工作人员：编号、角色和管辖范围。"""

    id: StaffId
    role: RoleField
    area_code: AreaCode
    department_code: Annotated[
        str | None, Meta(description="审批部门编码（只有 approver 有）。", examples=["GA"])
    ]


class StaffLoginResponse(msgspec.Struct):
    """工作人员登录成功（或修改密码后）：访问令牌和账号信息。

    ``password_change_required``: an administrator reset the password; until it is changed
    (``POST /api/v1/staff/me/password``) every other call answers 403
    ``password_change_required``.
    """

    access_token: AccessToken
    expires_in: Annotated[int, Meta(ge=1, description="令牌有效期（秒）。", examples=[28800])]
    staff: Annotated[
        StaffSummary, Meta(description="登录的工作人员。", examples=[example(StaffSummary)])
    ]
    token_type: TokenType = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    password_change_required: Annotated[
        bool,
        Meta(
            description=(
                "管理员重置过密码，须先修改密码（POST /api/v1/staff/me/password）；"
                "改密前其他接口一律答 403 password_change_required。"
            ),
            examples=[False],
        ),
    ] = False


# --- the citizen's own record ---------------------------------------------------------------


class CitizenMe(msgspec.Struct):
    """群众本人的信息（号码均已遮掩）。"""

    id: CitizenId
    name: Annotated[
        str | None, Meta(description="实名登记的姓名；未登记时为 null。", examples=["王秀英"])
    ]
    id_number_masked: Annotated[
        str | None,
        Meta(description="遮掩后的身份证号码；未登记时为 null。", examples=["110***********002X"]),
    ]
    phone_masked: Annotated[
        str | None,
        Meta(description="遮掩后的手机号码；未绑定时为 null。", examples=["138****8000"]),
    ]
    identity_bound: Annotated[
        bool, Meta(description="是否已绑定姓名和身份证号码。", examples=[True])
    ]
    identity_verified: Annotated[
        bool, Meta(description="姓名和身份证号码是否已通过实名核验。", examples=[True])
    ]
    village_code: Annotated[
        str | None,
        Meta(description="所在村（社区）区划代码；未登记时为 null。", examples=["330109001001"]),
    ]


class IdentityBindRequest(msgspec.Struct, forbid_unknown_fields=True):
    """实名登记：姓名、身份证号码、所在村（社区）和同意的告知书版本。

    Every field is checked by the use case, all at once: one 422 names every problem.
    """

    name: Annotated[
        str,
        Meta(
            max_length=64,
            description="真实姓名：2–30 个汉字或字母，少数民族姓名可用间隔号“·”。",
            examples=["王秀英"],
        ),
    ]
    id_number: Annotated[
        str,
        Meta(
            max_length=32,
            description="18 位公民身份号码（末位可为 X），校验地区、出生日期和校验位。",
            examples=["11010519491231002X"],
        ),
    ]
    village_code: Annotated[
        str,
        Meta(
            max_length=32,
            description="所在村（社区）的 12 位区划代码（须为村社一级）。",
            examples=["330109001001"],
        ),
    ]
    consent_version: Annotated[
        str,
        Meta(
            max_length=64,
            description="群众同意的《个人信息保护告知书》版本（去掉首尾空白后 1–32 个字符）。",
            examples=["2026-01"],
        ),
    ]
    join_code: (
        Annotated[
            str,
            Meta(
                max_length=16,
                description=(
                    "把本账号并入已登记该身份的账号时，发往其登记手机的 6 位短信验证码"
                    "（先不带此项提交，答 409 account_join_code_sent 后再带上）。"
                ),
                examples=["123456"],
            ),
        ]
        | None
    ) = None


class IdentityBound(CitizenMe, omit_defaults=True):
    """实名登记后的本人信息，以及实名核验的结果。"""

    verification: Annotated[
        Literal["verified", "unavailable", "disabled"],
        Meta(
            description=(
                "实名核验结果：verified 已通过；unavailable 核验服务暂时不可用（已保存但未核验，"
                "稍后再提交一次即可完成核验）；disabled 未开通实名核验。"
            )
        ),
    ]
    verification_note: Annotated[
        str, Meta(description="可直接展示给群众的核验说明。", examples=["实名核验已通过。"])
    ]
    access_token: Annotated[
        str | None,
        Meta(
            description=(
                "仅当本微信账号并入已持有该实名身份的群众档案时出现：该档案的新访问令牌。"
                "原令牌随即失效，客户端须换用此令牌。"
            ),
            examples=["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaXRpemVuOjEifQ.c2lnbmF0dXJl"],
        ),
    ] = None
    expires_in: Annotated[
        int | None,
        Meta(description="新访问令牌的有效秒数（与 access_token 一同出现）。", examples=[7200]),
    ] = None


class PhoneBindRequest(msgspec.Struct, forbid_unknown_fields=True):
    """绑定手机号码：小程序 getPhoneNumber 得到的 code。"""

    code: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=256,
            pattern=r"\S",
            description="手机号授权按钮（getPhoneNumber）回调中的 code（不能全是空白），一次有效。",
            examples=["e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144"],
        ),
    ]


# --- deletion requests (PIPL art. 47) -------------------------------------------------------


class DeletionRequestBody(msgspec.Struct, forbid_unknown_fields=True):
    """申请删除个人信息时可附上的理由（请求体可省略）。"""

    reason: Annotated[
        str,
        Meta(max_length=500, description="申请删除的理由（可不填）。", examples=["不再使用本服务"]),
    ] = ""


class RetainedData(msgspec.Struct):
    """删除后依法仍须保存的一类信息、保存期限和法律依据。"""

    data: Annotated[
        str, Meta(description="保存的信息。", examples=["已提交的办件及其申请材料、审批记录"])
    ]
    retention: Annotated[str, Meta(description="保存期限。", examples=["30 年"])]
    basis: Annotated[
        str, Meta(description="保存的依据。", examples=["政务服务办件须按档案管理规定保存"])
    ]


class DeletionReceiptOut(msgspec.Struct):
    """删除申请已登记：哪些信息将删除，哪些依法保存、保存多久。

    Asking again while a request is pending answers that request again.
    """

    id: Annotated[
        str,
        Meta(description="删除申请编号。", examples=["7d1e5c3b-2a4f-4e6d-9c8b-0a1b2c3d4e5f"]),
    ]
    status: Annotated[Literal["pending"], Meta(description="申请状态：pending 等待管理员处理。")]
    requested_at: Annotated[Timestamp, Meta(description="提出申请的时间。")]
    detail: Annotated[
        str,
        Meta(
            description="可直接展示给群众的说明（首次提交或已提交过）。",
            examples=["您已提交过删除申请，正在等待管理员处理。"],
        ),
    ]
    will_delete: Annotated[
        list[str],
        Meta(
            description="管理员批准后将删除的信息。",
            examples=[["微信登录信息（openid、unionid、会话密钥）", "手机号码"]],
        ),
    ]
    will_keep: Annotated[list[RetainedData], Meta(description="依法仍须保存的信息。")]


class DeletionRequestOut(msgspec.Struct):
    """管理员看到的一件删除申请。"""

    id: Annotated[
        str,
        Meta(description="删除申请编号。", examples=["7d1e5c3b-2a4f-4e6d-9c8b-0a1b2c3d4e5f"]),
    ]
    status: Annotated[
        DeletionStatus,
        Meta(
            description=(
                "状态：pending 待处理、approved 已批准（通知后删除）、refused 已驳回、"
                "completed 已删除。"
            )
        ),
    ]
    citizen_id: Annotated[
        str | None,
        Meta(
            description="申请人的群众编号；删除完成后为 null。",
            examples=["0f8e6d2a-3b4c-4d5e-8f90-1a2b3c4d5e6f"],
        ),
    ]
    name: Annotated[
        str | None,
        Meta(description="申请人姓名；未实名登记或已删除时为 null。", examples=["王秀英"]),
    ]
    id_number_masked: Annotated[
        str | None,
        Meta(
            description="申请人遮掩后的身份证号码；未登记或已删除时为 null。",
            examples=["110***********002X"],
        ),
    ]
    reason: Annotated[
        str, Meta(description="群众填写的理由（可能为空）。", examples=["不再使用本服务"])
    ]
    requested_at: Annotated[Timestamp, Meta(description="提出申请的时间。")]
    handled_at: Annotated[
        datetime | None,
        Meta(
            description="批准或驳回的时间；未处理时为 null。",
            examples=["2026-12-07T09:30:00+08:00"],
        ),
    ]
    decision_reason: Annotated[
        str, Meta(description="管理员批准或驳回的理由（未处理时为空）。", examples=["核实无误"])
    ]
    completed_at: Annotated[
        datetime | None,
        Meta(
            description="删除完成的时间；未完成时为 null。", examples=["2026-12-07T09:30:00+08:00"]
        ),
    ]
    cases: Annotated[
        int,
        Meta(
            ge=0,
            description="申请人的办件数（批准后依法保存并限制处理；尚有未办结的办件时不能批准）。",
            examples=[2],
        ),
    ]


class DeletionRequestPage(msgspec.Struct):
    """删除申请的一页，最早提出的在前。"""

    items: Annotated[list[DeletionRequestOut], Meta(description="本页的删除申请。")]
    total: Total


class DecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    """批准或驳回删除申请的理由（会告知申请人）。"""

    reason: Annotated[
        str,
        Meta(
            max_length=500,
            description="理由，必填（不能全是空白），会通过消息告知申请人。",
            examples=["核实无误"],
        ),
    ]


class DecisionOut(msgspec.Struct):
    """删除申请处理后的状态。"""

    id: Annotated[
        str,
        Meta(description="删除申请编号。", examples=["7d1e5c3b-2a4f-4e6d-9c8b-0a1b2c3d4e5f"]),
    ]
    status: Annotated[
        Literal["approved", "refused"],
        Meta(description="处理结果：approved 已批准（告知申请人后删除）、refused 已驳回。"),
    ]


# --- the PIPL export (个人信息副本, art. 45) ------------------------------------------------


class ExportedProfile(msgspec.Struct):
    """导出的本人档案，含完整身份证号码。"""

    id: CitizenId
    name: Annotated[str | None, Meta(description="姓名；未登记时为 null。", examples=["王秀英"])]
    id_number: Annotated[
        str | None,
        Meta(description="完整的身份证号码；未登记时为 null。", examples=["11010519491231002X"]),
    ]
    id_number_masked: Annotated[
        str | None, Meta(description="遮掩后的身份证号码。", examples=["110***********002X"])
    ]
    birth_year: Annotated[
        int | None, Meta(description="由身份证号码得出的出生年份。", examples=[1972])
    ]
    sex: Annotated[
        Literal["male", "female"] | None,
        Meta(description="由身份证号码得出的性别：male 男、female 女。"),
    ]
    village_code: Annotated[
        str | None, Meta(description="所在村（社区）区划代码。", examples=["330109001001"])
    ]
    identity_bound: Annotated[
        bool, Meta(description="是否已绑定姓名和身份证号码。", examples=[True])
    ]
    identity_verified: Annotated[bool, Meta(description="是否已通过实名核验。", examples=[True])]
    verified_at: Annotated[
        datetime | None,
        Meta(description="通过实名核验的时间。", examples=["2026-12-07T09:30:00+08:00"]),
    ]
    created_at: Annotated[Timestamp, Meta(description="首次登录（建档）的时间。")]
    updated_at: Annotated[Timestamp, Meta(description="档案最近修改的时间。")]
    last_login_at: Annotated[
        datetime | None,
        Meta(description="最近一次登录的时间。", examples=["2026-12-07T09:30:00+08:00"]),
    ]


class ExportedPhone(msgspec.Struct):
    """导出的手机号码，含完整号码。"""

    number: Annotated[str, Meta(description="完整的手机号码。", examples=["13800138000"])]
    masked: Annotated[str | None, Meta(description="遮掩后的手机号码。", examples=["138****8000"])]


class ExportedConsent(msgspec.Struct):
    """个人信息保护告知的同意记录。"""

    version: Annotated[
        str | None, Meta(description="同意的告知书版本；未同意时为 null。", examples=["2026-01"])
    ]
    consented_at: Annotated[
        datetime | None, Meta(description="同意的时间。", examples=["2026-12-07T09:30:00+08:00"])
    ]


class ExportedWeChatAccount(msgspec.Struct):
    """一个用于登录的微信账号（小程序或公众号网页各有各的 appid 和 openid）。"""

    appid: Annotated[
        str, Meta(description="该账号所属的微信应用 appid。", examples=["wx1234567890abcdef"])
    ]
    openid: Annotated[
        str, Meta(description="该应用下的 openid。", examples=["oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"])
    ]
    unionid: Annotated[
        str | None,
        Meta(description="开放平台 unionid（如有）。", examples=["o6_bmasdasdsad6_2sgVt7hMZOPfL"]),
    ]
    created_at: Annotated[Timestamp, Meta(description="首次用该账号登录的时间。")]
    last_login_at: Annotated[
        datetime | None,
        Meta(description="最近一次用该账号登录的时间。", examples=["2026-12-07T09:30:00+08:00"]),
    ]


class ExportedWeChat(msgspec.Struct):
    """微信登录信息（会话密钥本身不导出）。"""

    openid: Annotated[
        str | None,
        Meta(description="小程序下的 openid。", examples=["oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"]),
    ]
    unionid: Annotated[
        str | None,
        Meta(description="开放平台 unionid（如有）。", examples=["o6_bmasdasdsad6_2sgVt7hMZOPfL"]),
    ]
    session_key_held: Annotated[
        bool, Meta(description="是否保存着微信会话密钥（加密保存）。", examples=[True])
    ]
    accounts: Annotated[
        list[ExportedWeChatAccount],
        Meta(description="用于登录的全部微信账号（小程序、公众号网页）。", examples=[[]]),
    ] = msgspec.field(default_factory=list)


class AccessRecordOut(msgspec.Struct):
    """一次对本人信息的访问记录（审计日志）。"""

    at: Annotated[Timestamp, Meta(description="访问时间。")]
    action: Annotated[
        str,
        Meta(
            description=(
                "访问的种类：read_id_number 查看完整身份证号码、read_form_field 查看办件表单中的"
                "完整号码、export_personal_data 导出个人信息副本。"
            ),
            examples=["read_id_number"],
        ),
    ]
    actor_kind: Annotated[
        Literal["citizen", "staff", "system"],
        Meta(description="访问者：citizen 本人、staff 工作人员、system 系统。"),
    ]
    on_behalf_of: Annotated[
        str | None,
        Meta(
            description="访问者代为办理的群众编号（如有）。",
            examples=["0f8e6d2a-3b4c-4d5e-8f90-1a2b3c4d5e6f"],
        ),
    ]
    reason: Annotated[
        str, Meta(description="访问的理由。", examples=["核对申请人身份（办件 XS20261207000123）"])
    ]


class ExportedDeletionRequest(msgspec.Struct):
    """本人提出过的一次删除申请。"""

    id: Annotated[
        str,
        Meta(description="删除申请编号。", examples=["7d1e5c3b-2a4f-4e6d-9c8b-0a1b2c3d4e5f"]),
    ]
    status: Annotated[
        DeletionStatus,
        Meta(
            description="状态：pending 待处理、approved 已批准、refused 已驳回、completed 已删除。"
        ),
    ]
    requested_at: Annotated[Timestamp, Meta(description="提出申请的时间。")]
    handled_at: Annotated[
        datetime | None,
        Meta(description="处理的时间；未处理时为 null。", examples=["2026-12-07T09:30:00+08:00"]),
    ]


class ExportedCase(msgspec.Struct):
    """本人作为申请人的一件办件。"""

    number: CaseNumber
    item_code: Annotated[
        str | None, Meta(description="事项编码；一件事的主件为 null。", examples=["GA-SFZ-HL"])
    ]
    bundle_code: Annotated[
        str | None, Meta(description="一件事编码；单个事项为 null。", examples=["CSYJS"])
    ]
    status: Annotated[CaseStatus, Meta(description="办件状态。")]
    channel: Annotated[
        Literal["miniprogram", "agent", "window", "bank", "self_service"],
        Meta(description="申请渠道。"),
    ]
    created_at: Annotated[Timestamp, Meta(description="提交的时间。")]


class ExportedUpload(msgspec.Struct):
    """本人上传的一份材料文件（只列信息，不含文件内容）。"""

    id: Annotated[str, Meta(description="上传编号。", examples=["u_9f86d081884c7d659a2feaa0"])]
    material_type: Annotated[str, Meta(description="材料类型。", examples=["身份证"])]
    content_type: Annotated[str, Meta(description="文件类型。", examples=["image/jpeg"])]
    size: Annotated[int, Meta(ge=0, description="文件大小（字节）。", examples=[184320])]
    sha256: Annotated[
        str,
        Meta(
            description="文件内容的 SHA-256（十六进制）。",
            examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
        ),
    ]
    created_at: Annotated[Timestamp, Meta(description="上传的时间。")]
    attached_kind: Annotated[
        str | None,
        Meta(
            description="用在了哪类对象上（case 办件、mandate 委托）；未使用时为 null。",
            examples=["case"],
        ),
    ]
    attached_id: Annotated[
        str | None,
        Meta(
            description="用在的办件编号或委托编号；未使用时为 null。", examples=["XS20261207000123"]
        ),
    ]


class ExportedMandate(msgspec.Struct):
    """本人给代办员的一份委托。"""

    id: Annotated[
        str,
        Meta(description="委托编号。", examples=["2c9a7b6e-1d3f-4a5b-8c7d-6e5f4a3b2c1d"]),
    ]
    status: Annotated[
        Literal["pending", "active", "refused", "revoked", "expired"],
        Meta(description="委托状态。"),
    ]
    item_codes: Annotated[
        list[str], Meta(description="委托办理的事项编码。", examples=[["GA-SFZ-HL"]])
    ]
    bundle_code: Annotated[
        str | None, Meta(description="委托办理的一件事编码（如有）。", examples=["CSYJS"])
    ]
    expires_on: Annotated[Day, Meta(description="委托到期日。")]
    created_at: Annotated[Timestamp, Meta(description="发起委托的时间。")]


class PersonalDataExport(msgspec.Struct):
    """个人信息副本：本系统保存的关于本人的全部信息，按类分节，含完整号码。"""

    generated_at: Annotated[Timestamp, Meta(description="生成副本的时间。")]
    profile: Annotated[
        ExportedProfile, Meta(description="本人档案。", examples=[example(ExportedProfile)])
    ]
    phone: Annotated[ExportedPhone | None, Meta(description="手机号码；未绑定时为 null。")]
    consent: Annotated[
        ExportedConsent, Meta(description="告知同意记录。", examples=[example(ExportedConsent)])
    ]
    wechat: Annotated[
        ExportedWeChat, Meta(description="微信登录信息。", examples=[example(ExportedWeChat)])
    ]
    access_records: Annotated[
        list[AccessRecordOut], Meta(description="谁在何时因何访问过本人信息，最早的在前。")
    ]
    deletion_requests: Annotated[
        list[ExportedDeletionRequest], Meta(description="本人提出过的删除申请，最早的在前。")
    ]
    cases: Annotated[list[ExportedCase], Meta(description="本人作为申请人的办件。")]
    uploads: Annotated[list[ExportedUpload], Meta(description="本人上传的材料文件（未删除的）。")]
    mandates: Annotated[list[ExportedMandate], Meta(description="本人给代办员的委托。")]


# --- staff ----------------------------------------------------------------------------------


class StaffMe(msgspec.Struct):
    """工作人员账号：身份、角色和管辖范围。"""

    id: StaffId
    username: Annotated[str, Meta(description="用户名。", examples=["window-330109001"])]
    display_name: Annotated[str, Meta(description="显示名称。", examples=["城厢街道窗口张敏"])]
    role: RoleField
    role_label: RoleLabel
    area_code: AreaCode
    area_name: AreaName
    department_code: Annotated[
        str | None, Meta(description="审批部门编码（只有 approver 有）。", examples=["GA"])
    ]


class StaffCreateRequest(msgspec.Struct, forbid_unknown_fields=True):
    """新建工作人员账号。

    The use case checks every rule at once and names each broken one in one 422
    ``staff_invalid``: the username's shape, the password policy, the area's level for the
    role, the department (approvers only).
    """

    username: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=64,
            description=(
                "用户名：3–64 位小写字母、数字、点、下划线或连字符，以字母或数字开头"
                "（大写字母转为小写，首尾空白忽略）。"
            ),
            examples=["window-330109001"],
        ),
    ]
    password: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=256,
            description="初始密码：至少 12 位，不能与用户名相同，不能过于常见或容易猜到。",
            examples=["Qiantang-River-2026"],
        ),
    ]
    role: RoleField
    area_code: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=12,
            description=(
                "所属区划代码：代办员为村（社区）或镇街，窗口人员为镇街，审批和督查人员为镇街或区，"
                "管理员为区。"
            ),
            examples=["330109001"],
        ),
    ]
    display_name: Annotated[
        str | None,
        Meta(
            description="显示名称（超过 64 个字的部分不保存）；不填则用用户名。",
            examples=["城厢街道窗口张敏"],
        ),
    ] = None
    department_code: (
        Annotated[
            str,
            Meta(
                max_length=16,
                description="审批部门编码：后台审批账号必填，其他角色不能填。",
                examples=["GA"],
            ),
        ]
        | None
    ) = None


class StaffAdminView(StaffMe):
    """管理员看到的工作人员账号，含账号状态。"""

    active: Annotated[bool, Meta(description="账号是否启用（停用后不能登录）。", examples=[True])]
    locked: Annotated[bool, Meta(description="是否因登录失败过多而暂时锁定。", examples=[False])]
    password_change_required: Annotated[
        bool,
        Meta(description="是否须在下次登录后先修改密码（管理员重置过密码）。", examples=[False]),
    ]
    last_login_at: Annotated[
        datetime | None,
        Meta(
            description="最近一次登录的时间；从未登录时为 null。",
            examples=["2026-12-07T09:30:00+08:00"],
        ),
    ]


class StaffAdminPage(msgspec.Struct):
    """工作人员账号的一页，按用户名排序。"""

    items: Annotated[list[StaffAdminView], Meta(description="本页的账号。")]
    total: Total


class AdminActionRequest(msgspec.Struct, forbid_unknown_fields=True):
    """管理员变更账号的理由（写入审计日志）。"""

    reason: AdminReason


class PasswordResetOut(msgspec.Struct):
    """重置后的账号和临时密码（只显示这一次，下次登录后须修改）。"""

    staff: Annotated[
        StaffAdminView, Meta(description="重置后的账号。", examples=[example(StaffAdminView)])
    ]
    temporary_password: Annotated[
        str,
        Meta(
            description="临时密码：16 个字符，分 4 组，便于电话告知；只显示这一次。",
            examples=["Ab3d-Ef4g-Hj5k-Mn6p"],
        ),
    ]


class PasswordChangeRequest(msgspec.Struct, forbid_unknown_fields=True):
    """工作人员修改自己的密码。"""

    current_password: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=256,
            description="当前密码（或管理员给的临时密码）。",
            examples=["Ab3d-Ef4g-Hj5k-Mn6p"],
        ),
    ]
    new_password: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=256,
            description="新密码：至少 12 位，不能与用户名或当前密码相同，不能过于常见或容易猜到。",
            examples=["Qiantang-River-2026"],
        ),
    ]

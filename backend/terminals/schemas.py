"""Requests and answers of the self-service terminal (自助终端) routes (docs/terminals.md)."""

from __future__ import annotations

from typing import Annotated, Literal, TypeAlias

import msgspec
from msgspec import Meta

TerminalId: TypeAlias = Annotated[
    str,
    Meta(
        max_length=64,
        description="自助终端编号（登记时发放，不透明字符串）。",
        examples=["7d1f0b6a-2c3e-4f5a-9b8c-0d1e2f3a4b5c"],
    ),
]
Token: TypeAlias = Annotated[
    str,
    Meta(
        description="访问令牌（JWT），之后每个请求放在 Authorization: Bearer 头中。",
        examples=["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ0ZXJtaW5hbDoxIn0.c2lnbmF0dXJl"],
    ),
]
TokenType: TypeAlias = Annotated[
    Literal["Bearer"], Meta(description="令牌类型，固定为 Bearer。", examples=["Bearer"])
]


class TerminalLoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    """自助终端登录：管理员登记终端时只显示一次的终端编号和凭证。"""

    terminal_id: TerminalId
    secret: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=200,
            description="终端凭证（登记或重新签发时只显示一次的随机串）。",
            examples=["q8V3x2lJ0mF5c1tN7bR9aK4eW6yH2uZs3pD0gL8iX1o"],
        ),
    ]


class TerminalSummary(msgspec.Struct):
    """登录的自助终端：编号、名称、所在办事点和镇街。"""

    id: TerminalId
    name: Annotated[str, Meta(description="终端名称。", examples=["益农镇便民服务中心 1 号自助机"])]
    service_point_id: Annotated[
        str,
        Meta(
            description="终端所在办事点（类型为 self_service_terminal）。",
            examples=["SST-330109001-01"],
        ),
    ]
    township_code: Annotated[
        str, Meta(description="办事点所在镇街的区划代码。", examples=["330109001"])
    ]


class TerminalLoginResponse(msgspec.Struct):
    """自助终端登录成功：终端令牌（只能开启群众会话）和终端信息。"""

    access_token: Token
    expires_in: Annotated[int, Meta(ge=1, description="令牌有效期（秒）。", examples=[43200])]
    terminal: Annotated[
        TerminalSummary,
        Meta(
            description="登录的终端。",
            examples=[
                {
                    "id": "7d1f0b6a-2c3e-4f5a-9b8c-0d1e2f3a4b5c",
                    "name": "益农镇便民服务中心 1 号自助机",
                    "service_point_id": "SST-330109001-01",
                    "township_code": "330109001",
                }
            ],
        ),
    ]
    token_type: TokenType = "Bearer"  # noqa: S105 - the OAuth token type, not a secret


class ReaderRead(msgspec.Struct, forbid_unknown_fields=True):
    """读卡器的这次读卡：读卡器序列号和读卡时间（终端本地读卡服务给出）。"""

    serial: Annotated[
        str,
        Meta(
            max_length=64,
            description="身份证读卡器的序列号（记入会话，便于排查设备问题）。",
            examples=["SR-2026-000117"],
        ),
    ]
    read_at: Annotated[
        str,
        Meta(
            max_length=40,
            description="读卡时间（ISO 8601，带时区）。",
            examples=["2026-12-07T09:30:00+08:00"],
        ),
    ]


class SessionRequest(msgspec.Struct, forbid_unknown_fields=True):
    """群众在自助终端放上身份证：读卡器读出的姓名和身份证号码。

    Nothing else of the card (address, photo, validity) is sent: the server needs only what
    finds the person.
    """

    name: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=64,
            description="身份证上的姓名。",
            examples=["王秀英"],
        ),
    ]
    id_number: Annotated[
        str,
        Meta(
            max_length=32,
            description="身份证上的 18 位公民身份号码（校验位不对答 422 id_number_invalid）。",
            examples=["11010519491231002X"],
        ),
    ]
    reader: Annotated[
        ReaderRead,
        Meta(
            description="读卡器和读卡时间。",
            examples=[{"serial": "SR-2026-000117", "read_at": "2026-12-07T09:30:00+08:00"}],
        ),
    ]


class SessionCitizen(msgspec.Struct):
    """放卡的群众：编号、姓名和遮掩后的身份证号码（只在此答复中出现一次）。"""

    id: Annotated[
        str,
        Meta(
            description="群众编号（不透明字符串）。",
            examples=["0f8e6d2a-3b4c-4d5e-8f90-1a2b3c4d5e6f"],
        ),
    ]
    name: Annotated[str, Meta(description="姓名。", examples=["王秀英"])]
    id_number_masked: Annotated[
        str,
        Meta(
            description="遮掩后的身份证号码：只显示前 3 位和后 4 位。",
            examples=["110***********002X"],
        ),
    ]


class SessionResponse(msgspec.Struct):
    """群众的自助终端会话：短时令牌（最长 10 分钟）和群众信息。"""

    access_token: Token
    expires_in: Annotated[
        int, Meta(ge=1, le=600, description="会话有效期（秒），不超过 600。", examples=[600])
    ]
    citizen: Annotated[
        SessionCitizen,
        Meta(
            description="放卡的群众。",
            examples=[
                {
                    "id": "0f8e6d2a-3b4c-4d5e-8f90-1a2b3c4d5e6f",
                    "name": "王秀英",
                    "id_number_masked": "110***********002X",
                }
            ],
        ),
    ]
    token_type: TokenType = "Bearer"  # noqa: S105 - the OAuth token type, not a secret

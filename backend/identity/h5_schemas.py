"""Schemas of the H5's own sign-in (WeChat web-page OAuth) and phone confirmation by SMS."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from backend.identity.oauth_state import NONCE_PATTERN


class OAuthLoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    """公众号网页授权登录：微信回调到就近办网页时带回的 code 和 state，以及本页的 nonce。"""

    code: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=256,
            pattern=r"\S",
            description="微信网页授权回调地址上的 code（不能全是空白），5 分钟内有效，只能用一次。",
            examples=["061Qx7Ga1kGt5K0rU9Ia1rUq2f1Qx7GX"],
        ),
    ]
    state: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=128,
            description=(
                "GET /api/v1/auth/wechat/oauth-url 答复的 state，微信回调时原样带回；"
                "10 分钟内有效，只能用一次。"
            ),
            examples=["1796544000a1b2c3d4e5f60718c0ffee00112233445566778899aabbccddeeff"],
        ),
    ]
    nonce: Annotated[
        str,
        Meta(
            pattern=NONCE_PATTERN,
            description=(
                "页面开始登录时生成并保存在本页 sessionStorage 中的随机串，与请求 "
                "GET /api/v1/auth/wechat/oauth-url 时所带的相同（22 至 64 个字母、数字、- 或 _）；"
                "与 state 不符答 401 oauth_state_invalid。"
            ),
            examples=["q8Zf3n1XvB0aLr7YcT2mWg"],
        ),
    ]


class OAuthUrlOut(msgspec.Struct):
    """把浏览器带到微信网页授权页的地址。"""

    url: Annotated[
        str,
        Meta(
            description="微信网页授权地址（snsapi_base，静默授权），在微信内置浏览器中打开。",
            examples=[
                "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx0123456789abcdef"
                "&redirect_uri=https%3A%2F%2Fjjb.example.gov.cn%2Fm%2F&response_type=code"
                "&scope=snsapi_base&state=1796544000a1b2c3#wechat_redirect"
            ],
        ),
    ]
    state: Annotated[
        str,
        Meta(
            description="本次登录的 state；回调时与 code 一起提交。",
            examples=["1796544000a1b2c3d4e5f60718c0ffee00112233445566778899aabbccddeeff"],
        ),
    ]


Phone = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=32,
        description="中国大陆 11 位手机号码（可带 +86、空格或短横线）。",
        examples=["13812345678"],
    ),
]


class SmsCodeRequest(msgspec.Struct, forbid_unknown_fields=True):
    """请求向手机号码发送验证码。"""

    phone: Phone


class SmsCodeSent(msgspec.Struct):
    """验证码已发送。"""

    phone_masked: Annotated[
        str, Meta(description="收到验证码的手机号码（已遮掩）。", examples=["138****5678"])
    ]
    expires_in: Annotated[int, Meta(description="验证码有效的秒数。", examples=[300])]


class SmsVerifyRequest(msgspec.Struct, forbid_unknown_fields=True):
    """用短信验证码确认手机号码。"""

    phone: Phone
    code: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=16,
            description="短信中的 6 位验证码，5 分钟内有效，只能用一次，最多输错 5 次。",
            examples=["036251"],
        ),
    ]

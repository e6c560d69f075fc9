"""The H5's sign-in inside WeChat (web-page OAuth) and its phone confirmation by SMS code."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.openapi.spec import Example
from litestar.params import Parameter

from backend.deps import Deps
from backend.http.auth import PUBLIC, ApiRequest, Principal, citizen_only, issue_token
from backend.http.openapi import operation
from backend.identity import oauth_login, phone_sms
from backend.identity.h5_schemas import (
    OAuthLoginRequest,
    OAuthUrlOut,
    SmsCodeRequest,
    SmsCodeSent,
    SmsVerifyRequest,
)
from backend.identity.present import citizen_me
from backend.identity.schemas import CitizenMe, CitizenSummary, WeChatLoginResponse
from backend.identity.service import CitizenLogin
from backend.identity.tokens import issuer
from backend.settings import Settings

NO_STORE = {"Cache-Control": "no-store"}


def citizen_login_response(settings: Settings, login: CitizenLogin) -> WeChatLoginResponse:
    """A citizen's sign-in answer: a token under the citizen's current token version."""
    ttl = settings.access_token_ttl_s
    token = issue_token(
        issuer(settings), Principal("citizen", login.citizen_id), ttl, version=login.token_version
    )
    return WeChatLoginResponse(
        access_token=token,
        expires_in=ttl,
        citizen=CitizenSummary(id=login.citizen_id, identity_bound=login.identity_bound),
    )


def _limits(settings: Settings) -> phone_sms.CodeLimits:
    return phone_sms.CodeLimits(
        per_minute=settings.sms_code_per_minute, per_day=settings.sms_code_per_day
    )


class WeChatOAuthController(Controller):
    path = "/api/v1/auth/wechat"
    opt = PUBLIC
    tags = ["登录与会话"]

    @get(
        "/oauth-url",
        response_headers=NO_STORE,
        **operation(
            "微信网页授权地址",
            "就近办网页（H5，在微信内打开）登录的第一步：答复微信网页授权地址和本次的 state。"
            "redirect 须为本站 /m/ 下的路径，微信授权后带着 code 和 state 回到该页面；"
            "其他地址答 422 redirect_invalid。nonce 是页面生成并保存在本页 sessionStorage "
            "中的随机串（至少 128 位随机数），state 与它绑定：登录时须带同一 nonce，"
            "state 只能用一次；"
            "nonce 不是 22 至 64 个字母、数字、- 或 _ 答 422 oauth_nonce_invalid。",
            problems={422: ["redirect_invalid", "oauth_nonce_invalid"]},
        ),
    )
    async def oauth_url(
        self,
        deps: Deps,
        redirect: Annotated[
            str,
            Parameter(
                description="授权后回到的本站页面路径，须以 /m/ 开头。",
                max_length=512,
                examples=[Example(value="/m/")],
            ),
        ],
        nonce: Annotated[
            str,
            Parameter(
                description=(
                    "页面生成的随机串（22 至 64 个字母、数字、- 或 _），保存在本页 sessionStorage "
                    "中，登录时随 code 和 state 一起提交。"
                ),
                max_length=64,
                examples=[Example(value="q8Zf3n1XvB0aLr7YcT2mWg")],
            ),
        ],
    ) -> OAuthUrlOut:
        start = oauth_login.start_oauth(
            gateway=deps.wechat_oauth,
            secret_key=deps.settings.secret_key,
            base_url=deps.settings.base_url,
            redirect=redirect,
            nonce=nonce,
        )
        return OAuthUrlOut(url=start.url, state=start.state)

    @post(
        "/oauth",
        status_code=200,
        **operation(
            "群众微信网页授权登录",
            "就近办网页（H5）在微信内的登录：用网页授权回调带回的 code 和 state，以及请求授权地址"
            "时的 nonce 登录，首次登录"
            "时建档；同一人的小程序账号已在本系统时（微信给出相同的 unionid）登录到同一档案。"
            "答复与小程序登录相同。code 无效、过期或已用过答 401 wechat_code_invalid；state 不是"
            "本系统签发、已过期、不是为这个 nonce 签发或已用过答 401 oauth_state_invalid。",
            problems={
                401: ["wechat_code_invalid", "oauth_state_invalid"],
                503: ["wechat_unavailable"],
            },
        ),
    )
    async def oauth_login(self, deps: Deps, data: OAuthLoginRequest) -> WeChatLoginResponse:
        login = await oauth_login.login_with_oauth(
            gateway=deps.wechat_oauth,
            redis=deps.redis,
            redis_prefix=deps.settings.redis_prefix,
            secret_key=deps.settings.secret_key,
            code=data.code,
            state=data.state,
            nonce=data.nonce,
        )
        return citizen_login_response(deps.settings, login)


class PhoneSmsController(Controller):
    path = "/api/v1/me/phone"
    guards = [citizen_only]
    tags = ["我的信息"]

    @post(
        "/sms-code",
        status_code=200,
        **operation(
            "发送手机验证码",
            "就近办网页（H5）没有手机号授权按钮：向填写的中国大陆手机号码发送 6 位短信验证码，"
            "5 分钟内有效。每个账号、每个号码每分钟最多 1 条、每天最多 5 条，超过答 429 "
            "sms_rate_limited（见 Retry-After）。号码不是中国大陆手机号码答 422 phone_invalid。",
            problems={
                404: ["citizen_not_found"],
                422: ["phone_invalid"],
                429: ["sms_rate_limited"],
                503: ["sms_unavailable"],
            },
        ),
    )
    async def send_code(self, request: ApiRequest, deps: Deps, data: SmsCodeRequest) -> SmsCodeSent:
        sent = await phone_sms.send_phone_code(
            citizen_id=request.user.id,
            phone=data.phone,
            sender=deps.sms,
            cipher=deps.cipher,
            secret_key=deps.settings.secret_key,
            limits=_limits(deps.settings),
        )
        return SmsCodeSent(phone_masked=sent.phone_masked, expires_in=sent.expires_in)

    @post(
        "/sms-verify",
        status_code=200,
        **operation(
            "用短信验证码绑定手机号码",
            "提交手机号码和收到的短信验证码；正确时加密保存号码，答复本人信息（号码已遮掩），"
            "与 POST /api/v1/me/phone 相同。验证码错误答 422 sms_code_invalid；过期、已用过"
            "或输错 5 次答 422 sms_code_expired，须重新获取。",
            problems={
                404: ["citizen_not_found"],
                422: ["phone_invalid", "sms_code_invalid", "sms_code_expired"],
            },
        ),
    )
    async def verify_code(
        self, request: ApiRequest, deps: Deps, data: SmsVerifyRequest
    ) -> CitizenMe:
        profile = await phone_sms.verify_phone_code(
            citizen_id=request.user.id,
            phone=data.phone,
            code=data.code,
            cipher=deps.cipher,
            secret_key=deps.settings.secret_key,
            max_tries=deps.settings.sms_code_max_tries,
        )
        return citizen_me(profile)

"""``/me`` routes: the signed-in citizen's identity, phone and PIPL rights; the staff ``/me``."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, post, put
from litestar.params import Body

from backend.deps import Deps
from backend.errors import Unauthenticated
from backend.http.auth import (
    KIOSK_OK,
    PASSWORD_CHANGE_PENDING_OK,
    ApiRequest,
    Principal,
    citizen_only,
    issue_token,
    staff_roles,
)
from backend.http.openapi import operation
from backend.http.throttle import limit_id_lookup
from backend.identity import binding, deletion, export, phone, phone_sms, service
from backend.identity.present import citizen_me, deletion_receipt, identity_bound, staff_me
from backend.identity.schemas import (
    CitizenMe,
    DeletionReceiptOut,
    DeletionRequestBody,
    IdentityBindRequest,
    IdentityBound,
    PersonalDataExport,
    PhoneBindRequest,
    StaffMe,
)
from backend.identity.service import account_merge
from backend.identity.tokens import issuer
from backend.settings import Settings

NO_STORE = {"Cache-Control": "no-store"}


_GONE = {404: ["citizen_not_found"]}
"""The account was erased between the token check and the use case."""


async def _bound_answer(settings: Settings, outcome: binding.BindOutcome) -> IdentityBound:
    """The binding's answer; after an account joined another citizen (``account_merge``) its
    token's citizen is gone, so it carries a token for the citizen it joined."""
    answer = identity_bound(outcome)
    if outcome.joined:
        version = await service.citizen_token_version(citizen_id=answer.id)
        ttl = settings.access_token_ttl_s
        answer.access_token = issue_token(
            issuer(settings), Principal("citizen", answer.id), ttl, version=version
        )
        answer.expires_in = ttl
    return answer


def _join_sms(deps: Deps) -> account_merge.JoinSms:
    """The SMS code machinery for the holder's join code, with its configured limits."""
    settings = deps.settings
    return account_merge.JoinSms(
        sender=deps.sms,
        secret_key=settings.secret_key,
        limits=phone_sms.CodeLimits(
            per_minute=settings.sms_code_per_minute,
            per_day=settings.sms_code_per_day,
            max_tries=settings.sms_code_max_tries,
        ),
        doorbell=deps.doorbell,
    )


class MeController(Controller):
    tags = ["我的信息"]

    @get(
        "/api/v1/me",
        guards=[citizen_only],
        **operation(
            "查看本人信息",
            "返回登录群众本人的信息：姓名、遮掩后的身份证号码和手机号码、是否已实名登记和核验、"
            "所在村（社区）。完整号码只在导出个人信息副本时给出。",
            problems=_GONE,
            opt={KIOSK_OK: True},
        ),
    )
    async def citizen_me(self, request: ApiRequest) -> CitizenMe:
        return citizen_me(await service.get_citizen_profile(citizen_id=request.user.id))

    @put(
        "/api/v1/me/identity",
        guards=[citizen_only],
        **operation(
            "实名登记",
            "绑定（或在核验通过前更改）本人的姓名、身份证号码和所在村（社区），并记录同意的告知书"
            "版本。各项一并检查，一次 422 列出全部问题（errors）。开通实名核验时先核验姓名与号码；"
            "核验服务暂时不可用时照样保存、标为未核验，可稍后再提交一次完成核验。核验通过后不能再"
            "更改姓名和号码。按账号和网络地址限制尝试次数，超过答 429（见 Retry-After）。"
            "该身份已由另一个微信账号登记、本账号尚无实名信息时，只有凭发往其登记手机的短信"
            "验证码才能把本账号并入：不带 join_code 时发送验证码，答 409 account_join_code_sent"
            "（phone_masked 为遮掩的号码）；带上正确的 join_code 再提交一次即并入，答复其本人信息"
            "和新的 access_token。验证码错误答 422 sms_code_invalid，过期或输错次数过多答 422 "
            "sms_code_expired；其未登记手机答 409 id_number_taken。",
            problems={
                404: ["citizen_not_found"],
                409: [
                    "identity_locked",
                    "id_number_taken",
                    "identity_needs_verification",
                    "takeover_refused",
                    "account_join_code_sent",
                ],
                422: [
                    "id_number_invalid",
                    "identity_invalid",
                    "identity_not_matched",
                    "sms_code_invalid",
                    "sms_code_expired",
                ],
                429: ["rate_limited", "sms_rate_limited"],
                503: ["rate_limit_unavailable", "sms_unavailable"],
            },
        ),
    )
    async def bind_identity(
        self, request: ApiRequest, deps: Deps, data: IdentityBindRequest
    ) -> IdentityBound:
        await limit_id_lookup(
            request, route="bind", account=request.user.scope_key, fail_open=False
        )
        outcome = await binding.bind_identity(
            citizen_id=request.user.id,
            **msgspec.structs.asdict(data),
            cipher=deps.cipher,
            verifier=deps.identity_verifier,
            join_sms=_join_sms(deps),
        )
        return await _bound_answer(deps.settings, outcome)

    @post(
        "/api/v1/me/phone",
        guards=[citizen_only],
        status_code=200,
        **operation(
            "绑定手机号码",
            "用小程序手机号授权（getPhoneNumber）得到的 code 向微信换取手机号码，加密保存，"
            "答复本人信息（号码已遮掩）。再次绑定会替换原号码。",
            problems={
                404: ["citizen_not_found"],
                422: ["phone_code_invalid"],
                503: ["wechat_unavailable"],
            },
        ),
    )
    async def bind_phone(
        self, request: ApiRequest, deps: Deps, data: PhoneBindRequest
    ) -> CitizenMe:
        profile = await phone.bind_phone(
            citizen_id=request.user.id, code=data.code, gateway=deps.wechat, cipher=deps.cipher
        )
        return citizen_me(profile)

    @get(
        "/api/v1/me/export",
        guards=[citizen_only],
        response_headers=NO_STORE,
        **operation(
            "导出个人信息副本",
            "按《个人信息保护法》第四十五条，导出本系统保存的关于本人的全部信息，按类分节：档案"
            "（含完整身份证号码）、手机号码、告知同意、微信登录信息、访问记录、删除申请、办件、"
            "上传的材料和委托。每次导出都记入审计日志；答复不得缓存（Cache-Control: no-store）。",
            problems=_GONE,
        ),
    )
    async def export_me(self, request: ApiRequest, deps: Deps) -> PersonalDataExport:
        return await export.export_personal_data(
            citizen_id=request.user.id, cipher=deps.cipher, audit=deps.audit
        )

    @post(
        "/api/v1/me/deletion-request",
        guards=[citizen_only],
        status_code=202,
        **operation(
            "申请删除个人信息",
            "按《个人信息保护法》第四十七条申请删除本人的个人信息，由管理员核实后办理，结果以消息"
            "通知。答复列出将删除的信息，以及依法仍须保存的信息和保存期限。已有待处理的申请时，"
            "再次提交答复同一份申请；申请已获批准、等待删除期间再次提交答 409"
            "（deletion_request_exists）。请求体可省略。",
            problems={**_GONE, 409: ["deletion_request_exists"]},
        ),
    )
    async def request_deletion(
        self,
        request: ApiRequest,
        deps: Deps,
        data: DeletionRequestBody | None = Body(default=None),  # noqa: B008 - Litestar's idiom
    ) -> DeletionReceiptOut:
        receipt = await deletion.request_deletion(
            citizen_id=request.user.id,
            reason=data.reason if data is not None else "",
            retention=deletion.Retention.of(deps.settings),
        )
        return deletion_receipt(receipt)

    @get(
        "/api/v1/staff/me",
        guards=[staff_roles()],
        **operation(
            "查看本人账号",
            "返回登录工作人员本人的账号：用户名、显示名称、角色和管辖范围。管理员重置密码后、"
            "修改密码前也可以调用。",
            opt={PASSWORD_CHANGE_PENDING_OK: True},
        ),
    )
    async def staff_me(self, request: ApiRequest) -> StaffMe:
        account = request.user.account  # loaded (active) by the authentication middleware
        if not isinstance(account, service.StaffAccount):
            raise Unauthenticated("账号已停用，请联系管理员。", code="account_inactive")
        return staff_me(account)

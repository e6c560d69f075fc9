"""Identity use cases: WeChat login for citizens, password login and accounts for staff."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from asyncpg.exceptions import UniqueViolationError

from backend import db
from backend.catalogue.store import departments
from backend.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
    Unauthenticated,
)
from backend.identity import roles
from backend.identity.password_policy import STRICT, PasswordRules, password_problems
from backend.identity.reveal import read_full_id_number as read_full_id_number
from backend.identity.sealed import session_key_context
from backend.identity.store import accounts, areas, citizens, users
from backend.identity.store.users import StaffAccount as StaffAccount
from backend.security.fieldcrypt import FieldCipher
from backend.security.passwords import hash_password
from backend.wechat.ports import WeChatCodeInvalid, WeChatError, WeChatGateway

log = structlog.get_logger(__name__)

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


@dataclass(frozen=True, slots=True)
class CitizenLogin:
    citizen_id: str
    identity_bound: bool
    first_login: bool
    token_version: int = 0


@dataclass(frozen=True, slots=True)
class CitizenProfile:
    """What a citizen may see of themselves: masked numbers only."""

    id: str
    name: str | None
    id_number_masked: str | None
    phone_masked: str | None
    identity_bound: bool
    identity_verified: bool
    village_code: str | None
    erasure_pending: bool = False
    """An approved deletion awaits its erasure: no new application may be filed (PIPL art. 47)."""


def _now() -> datetime:
    return datetime.now(UTC)


# --- citizens -------------------------------------------------------------------------------


async def login_with_wechat(
    *, gateway: WeChatGateway, cipher: FieldCipher, code: str, appid: str
) -> CitizenLogin:
    """Exchange a ``wx.login`` code for the citizen behind it, creating them on first login.

    WeChat is called before the transaction opens: nothing waits on the network while holding
    database locks. The ``session_key`` is stored encrypted and never returned.
    """
    code = code.strip()
    if not code:
        raise InvalidInput("登录凭证不能为空。", code="wechat_code_invalid")
    try:
        session = await gateway.code_to_session(code)
    except WeChatCodeInvalid as exc:
        raise Unauthenticated(
            "微信登录凭证无效或已过期，请重新进入小程序后再试。", code="wechat_code_invalid"
        ) from exc
    except WeChatError as exc:
        log.warning("wechat_login_unavailable", errcode=exc.errcode)
        raise ServiceUnavailable(
            "微信服务暂时不可用，请稍后再试。", code="wechat_unavailable"
        ) from exc

    now = _now()
    async with db.engine().transaction():
        row = await accounts.login(
            appid=appid,
            openid=session.openid,
            unionid=session.unionid,
            miniprogram=True,
            now=now,
        )
        sealed = cipher.encrypt(session.session_key, context=session_key_context(row.id))
        await citizens.save_session_key(citizen_id=row.id, sealed=sealed, now=now)
    if row.created:
        log.info("citizen_created", citizen_id=row.id)
    return CitizenLogin(row.id, row.identity_bound, row.created, row.token_version)


async def citizen_token_version(*, citizen_id: str) -> int:
    """The citizen's current token version (for a token issued now)."""
    version = await citizens.token_version(citizen_id=citizen_id)
    if version is None:
        raise NotFound("找不到该群众。", code="citizen_not_found")
    return version


async def citizen_exists(*, citizen_id: str) -> bool:
    return await citizens.exists(citizen_id=citizen_id)


async def get_citizen_profile(*, citizen_id: str) -> CitizenProfile:
    row = await citizens.profile(citizen_id=citizen_id)
    if row is None:
        raise NotFound("找不到该群众。", code="citizen_not_found")
    return CitizenProfile(
        erasure_pending=row.erasure_pending,
        id=row.id,
        name=row.name,
        id_number_masked=row.id_number_masked,
        phone_masked=row.phone_masked,
        identity_bound=row.identity_bound,
        identity_verified=row.identity_verified,
        village_code=row.village_code,
    )


# --- staff ----------------------------------------------------------------------------------


async def get_staff_account(
    *, staff_id: str, include_inactive: bool = False
) -> StaffAccount | None:
    """The active staff account ``staff_id`` (or a disabled one too, if asked), or None."""
    account = await users.account(staff_id=staff_id)
    if account is None or not (account.active or include_inactive):
        return None
    return account


async def get_staff_accounts(*, staff_ids: list[str]) -> dict[str, StaffAccount]:
    """The staff accounts among ``staff_ids`` (disabled ones too), by id."""
    return await users.accounts(staff_ids=staff_ids)


async def assignment_problems(
    *, role: str, area_code: str, department_code: str | None
) -> list[str]:
    """What is wrong with a role, area and department given to a staff account (none: fine)."""
    problems: list[str] = []
    if role not in roles.ROLES:
        problems.append("角色须为 " + "、".join(roles.ROLES) + " 之一")
    level = await areas.level_of(area_code=area_code)
    if level is None:
        problems.append(f"区划代码 {area_code} 不存在")
    elif role in roles.AREA_LEVELS and level not in roles.AREA_LEVELS[role]:
        problems.append(f"{roles.LABELS[role]}不能设在该级区划")
    if role == roles.APPROVER:
        if not department_code:
            problems.append("后台审批账号须指定部门")
        elif not await departments.exists(code=department_code):
            problems.append(f"部门代码 {department_code} 不存在")
    elif department_code:
        problems.append("只有后台审批账号可以指定部门")
    return problems


async def create_staff(
    *,
    username: str,
    password: str,
    role: str,
    area_code: str,
    department_code: str | None = None,
    display_name: str | None = None,
    password_hash: str | None = None,
    rules: PasswordRules = STRICT,
) -> StaffAccount:
    """Create a staff account; every rule is checked and reported in one error.

    ``password_hash`` (the demo loader's shared hash) skips the password policy.
    """
    name = username.strip().lower()
    problems: list[str] = []
    if not USERNAME.match(name):
        problems.append("用户名须为 3–64 位小写字母、数字、点、下划线或连字符")
    if password_hash is None:
        problems.extend(password_problems(password, username=name, rules=rules))
    problems.extend(
        await assignment_problems(role=role, area_code=area_code, department_code=department_code)
    )
    if problems:
        raise InvalidInput("；".join(problems) + "。", code="staff_invalid")
    if await users.username_taken(username=name):
        raise Conflict(f"用户名 {name} 已被使用。", code="username_taken")
    try:
        staff_id = await users.insert(
            username=name,
            display_name=(display_name or name).strip()[:64],
            password_hash=password_hash or hash_password(password),
            role=role,
            area_code=area_code,
            department_code=department_code if role == roles.APPROVER else None,
        )
    except UniqueViolationError as exc:
        raise Conflict(f"用户名 {name} 已被使用。", code="username_taken") from exc
    account = await get_staff_account(staff_id=staff_id)
    assert account is not None
    return account

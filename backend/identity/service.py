"""Identity use cases: WeChat login for citizens, password login and accounts for staff."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from asyncpg.exceptions import UniqueViolationError

from backend import db
from backend.catalogue.tables import Department
from backend.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
    Unauthenticated,
)
from backend.geo.tables import Area
from backend.identity import roles
from backend.identity.ids import is_uuid
from backend.identity.password_policy import STRICT, PasswordRules, password_problems
from backend.identity.reveal import read_full_id_number as read_full_id_number
from backend.identity.sealed import session_key_context
from backend.identity.tables import Citizen, DeletionRequest, StaffUser, WeChatSession
from backend.security.fieldcrypt import FieldCipher
from backend.security.passwords import hash_password
from backend.wechat.ports import WeChatCodeInvalid, WeChatError, WeChatGateway

log = structlog.get_logger(__name__)

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


@dataclass(frozen=True, slots=True)
class StaffAccount:
    id: str
    username: str
    display_name: str
    role: roles.Role
    area_code: str
    area_name: str
    department_code: str | None
    active: bool = True
    token_version: int = 0
    must_change_password: bool = False

    @property
    def role_label(self) -> str:
        return roles.LABELS.get(self.role, self.role)


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
    *, gateway: WeChatGateway, cipher: FieldCipher, code: str
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
        rows = await Citizen.raw(
            "INSERT INTO citizen (id, openid, unionid, identity_bound, identity_verified,"
            " created_at, updated_at, last_login_at)"
            " VALUES (gen_random_uuid(), {}, {}, false, false, {}, {}, {})"
            " ON CONFLICT (openid) DO UPDATE SET last_login_at = EXCLUDED.last_login_at,"
            " unionid = COALESCE(EXCLUDED.unionid, citizen.unionid)"
            " RETURNING id, identity_bound, token_version, (xmax = 0) AS inserted",
            session.openid,
            session.unionid,
            now,
            now,
            now,
        ).run()
        row = rows[0]
        citizen_id = str(row["id"])
        sealed = cipher.encrypt(session.session_key, context=session_key_context(citizen_id))
        await WeChatSession.raw(
            "INSERT INTO wechat_session (citizen, session_key_enc, updated_at) VALUES ({}, {}, {})"
            " ON CONFLICT (citizen) DO UPDATE SET session_key_enc = EXCLUDED.session_key_enc,"
            " updated_at = EXCLUDED.updated_at",
            row["id"],
            sealed,
            now,
        ).run()
    if row["inserted"]:
        log.info("citizen_created", citizen_id=citizen_id)
    return CitizenLogin(
        citizen_id,
        bool(row["identity_bound"]),
        bool(row["inserted"]),
        int(row["token_version"]),
    )


async def citizen_exists(*, citizen_id: str) -> bool:
    if not is_uuid(citizen_id):
        return False
    return bool(
        await Citizen.exists()
        .where((Citizen.id == citizen_id) & Citizen.restricted_at.is_null())
        .run()
    )


async def get_citizen_profile(*, citizen_id: str) -> CitizenProfile:
    if not is_uuid(citizen_id):
        raise NotFound("找不到该群众。", code="citizen_not_found")
    row = (
        await Citizen.select(
            Citizen.id,
            Citizen.name,
            Citizen.id_number_masked,
            Citizen.phone_masked,
            Citizen.identity_bound,
            Citizen.identity_verified,
            Citizen.village,
        )
        .where(Citizen.id == citizen_id)
        .first()
        .run()
    )
    if row is None:
        raise NotFound("找不到该群众。", code="citizen_not_found")
    erasure_pending = (
        await DeletionRequest.exists()
        .where((DeletionRequest.citizen == citizen_id) & (DeletionRequest.status == "approved"))
        .run()
    )
    return CitizenProfile(
        erasure_pending=erasure_pending,
        id=str(row["id"]),
        name=row["name"],
        id_number_masked=row["id_number_masked"],
        phone_masked=row["phone_masked"],
        identity_bound=row["identity_bound"],
        identity_verified=row["identity_verified"],
        village_code=row["village"],
    )


# --- staff ----------------------------------------------------------------------------------

_STAFF_COLUMNS = (
    StaffUser.id,
    StaffUser.username,
    StaffUser.display_name,
    StaffUser.role,
    StaffUser.area,
    StaffUser.area.name,
    StaffUser.department,
    StaffUser.active,
    StaffUser.token_version,
    StaffUser.must_change_password,
)


def _account(row: dict[str, Any]) -> StaffAccount:
    return StaffAccount(
        id=str(row["id"]),
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        area_code=row["area"],
        area_name=row["area.name"],
        department_code=row["department"],
        active=row["active"],
        token_version=row["token_version"],
        must_change_password=row["must_change_password"],
    )


async def get_staff_account(
    *, staff_id: str, include_inactive: bool = False
) -> StaffAccount | None:
    """The active staff account ``staff_id`` (or a disabled one too, if asked), or None."""
    if not is_uuid(staff_id):
        return None
    row = await StaffUser.select(*_STAFF_COLUMNS).where(StaffUser.id == staff_id).first().run()
    if row is None or not (row["active"] or include_inactive):
        return None
    return _account(row)


async def get_staff_accounts(*, staff_ids: list[str]) -> dict[str, StaffAccount]:
    """The staff accounts among ``staff_ids`` (disabled ones too), by id."""
    ids = [i for i in staff_ids if is_uuid(i)]
    if not ids:
        return {}
    rows = await StaffUser.select(*_STAFF_COLUMNS).where(StaffUser.id.is_in(ids)).run()
    return {str(r["id"]): _account(r) for r in rows}


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
    if role not in roles.ROLES:
        problems.append("角色须为 " + "、".join(roles.ROLES) + " 之一")
    area = await Area.select(Area.level).where(Area.code == area_code).first().run()
    if area is None:
        problems.append(f"区划代码 {area_code} 不存在")
    elif role in roles.AREA_LEVELS and area["level"] not in roles.AREA_LEVELS[role]:
        problems.append(f"{roles.LABELS[role]}不能设在该级区划")
    if role == roles.APPROVER:
        if not department_code:
            problems.append("后台审批账号须指定部门")
        elif not await Department.exists().where(Department.code == department_code).run():
            problems.append(f"部门代码 {department_code} 不存在")
    elif department_code:
        problems.append("只有后台审批账号可以指定部门")
    if problems:
        raise InvalidInput("；".join(problems) + "。", code="staff_invalid")
    if await StaffUser.exists().where(StaffUser.username == name).run():
        raise Conflict(f"用户名 {name} 已被使用。", code="username_taken")
    staff = StaffUser(
        username=name,
        display_name=(display_name or name).strip()[:64],
        password_hash=password_hash or hash_password(password),
        role=role,
        area=area_code,
        department=department_code if role == roles.APPROVER else None,
    )
    try:
        await staff.save().run()
    except UniqueViolationError as exc:
        raise Conflict(f"用户名 {name} 已被使用。", code="username_taken") from exc
    account = await get_staff_account(staff_id=str(staff.id))
    assert account is not None
    return account

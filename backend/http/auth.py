"""Bearer tokens (JWT) for citizens and staff, the principal behind a request, and role guards."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.security.jwt import JWTAuth, Token

from backend.identity import service as identity
from backend.settings import Settings

PUBLIC = {"exclude_from_auth": True}
"""Route ``opt`` for the public routes of API.md."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a citizen (mini-program) or a staff member, with their scope."""

    kind: Literal["citizen", "staff"]
    id: str
    role: str | None = None
    area_code: str | None = None
    department_code: str | None = None
    account: identity.StaffAccount | None = None
    """The staff account as loaded for this request (None for citizens)."""

    @property
    def scope_key(self) -> str:
        return f"{self.kind}:{self.id}"


CITIZEN_CHECK_TTL_S = 5.0
"""How long a process trusts that a citizen it has seen still exists (a token's subject).

Every citizen request used to read the citizen row just to check it is there. A citizen whose
record is removed is refused by every process at most this long afterwards; a citizen not found
is never remembered, so a new record is usable at once.
"""
_CITIZEN_CHECK_MAX = 50_000


class KnownCitizens:
    """The per-process memory of citizens recently found to exist (see CITIZEN_CHECK_TTL_S)."""

    def __init__(self, ttl_s: float = CITIZEN_CHECK_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._until: dict[str, float] = {}

    async def exists(self, citizen_id: str) -> bool:
        now = time.monotonic()
        if self._until.get(citizen_id, 0.0) > now:
            return True
        if not await identity.citizen_exists(citizen_id=citizen_id):
            self._until.pop(citizen_id, None)
            return False
        if len(self._until) >= _CITIZEN_CHECK_MAX:
            self._until.clear()
        self._until[citizen_id] = now + self.ttl_s
        return True

    def forget(self) -> None:
        self._until.clear()


known_citizens = KnownCitizens()


async def retrieve_principal(
    token: Token, connection: ASGIConnection[Any, Any, Any, Any]
) -> Principal | None:
    kind, _, ident = token.sub.partition(":")
    if kind == "citizen":
        return Principal("citizen", ident) if await known_citizens.exists(ident) else None
    if kind == "staff":
        account = await identity.get_staff_account(staff_id=ident)
        if account is None:
            return None
        return Principal(
            "staff",
            account.id,
            role=account.role,
            area_code=account.area_code,
            department_code=account.department_code,
            account=account,
        )
    return None


def make_jwt_auth(settings: Settings, *, exclude: list[str]) -> JWTAuth[Principal, Token]:
    return JWTAuth[Principal, Token](
        retrieve_user_handler=retrieve_principal,
        token_secret=settings.secret_key,
        exclude=exclude,
        exclude_opt_key="exclude_from_auth",
        default_token_expiration=timedelta(seconds=settings.access_token_ttl_s),
    )


def issue_token(auth: JWTAuth[Principal, Token], principal: Principal, ttl_s: int) -> str:
    return auth.create_token(
        identifier=principal.scope_key,
        token_expiration=timedelta(seconds=ttl_s),
        token_extras={"kind": principal.kind, "role": principal.role},
    )


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise NotAuthorizedException()
    return user


def citizen_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if principal_of(connection).kind != "citizen":
        raise PermissionDeniedException()


Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def staff_roles(*roles: str) -> Guard:
    """A guard that lets in staff holding one of ``roles`` (any staff role when none given)."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        who = principal_of(connection)
        if who.kind != "staff" or (roles and who.role not in roles):
            raise PermissionDeniedException()

    return guard

"""Bearer tokens (JWT) for citizens and staff, the principal behind a request, and role guards."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final, Literal, TypeAlias

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.security.jwt import JWTAuth, Token

from backend.errors import NotAllowed, Unauthenticated
from backend.http import openapi
from backend.http.openapi import audience
from backend.identity import service as identity
from backend.identity import texts
from backend.identity.roles import ROLES as STAFF_ROLES
from backend.identity.sessions import CITIZEN_CHECK_TTL_S as CITIZEN_CHECK_TTL_S
from backend.identity.sessions import KnownCitizens as KnownCitizens
from backend.identity.sessions import known_citizens
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


ApiRequest: TypeAlias = Request[Principal, Token, State]
"""The request of a route that needs a token: ``request.user`` is the caller."""

PublicRequest: TypeAlias = Request[None, None, State]
"""The request of a public route: nobody is logged in."""


PASSWORD_CHANGE_PENDING_OK: Final = openapi.PASSWORD_CHANGE_PENDING_OK
"""Route ``opt`` key of the few routes a staff member whose password an administrator reset may
still call (change the password, log out, who am I); every other route answers 403
``password_change_required`` until the password is changed."""


def token_version(token: Token) -> int:
    """The account's token version the token was issued under (0 for tokens from before)."""
    version = token.extras.get("ver", 0)
    return version if isinstance(version, int) else -1


async def retrieve_principal(
    token: Token, connection: ASGIConnection[Any, Any, Any, Any]
) -> Principal | None:
    """The caller behind a valid token, or None (401 ``unauthenticated``).

    Disabled staff get 401 ``account_inactive``; a token whose account's version moved on
    (logout, password change, disabling, deletion) gets 401 ``token_revoked``.
    """
    scheme = connection.headers.get("authorization", "").partition(" ")[0]
    if scheme.lower() != "bearer":  # the framework reads the token after any word
        raise Unauthenticated(texts.AUTH_SCHEME_WRONG, code="token_invalid")
    kind, _, ident = token.sub.partition(":")
    if kind == "citizen":
        current = await known_citizens.version(ident)
        if current is None:
            return None
        if current != token_version(token):
            raise Unauthenticated(texts.SESSION_REVOKED, code="token_revoked")
        return Principal("citizen", ident)
    if kind == "staff":
        account = await identity.get_staff_account(staff_id=ident, include_inactive=True)
        if account is None:
            return None
        if not account.active:
            raise Unauthenticated(texts.ACCOUNT_INACTIVE, code="account_inactive")
        if account.token_version != token_version(token):
            raise Unauthenticated(texts.SESSION_REVOKED, code="token_revoked")
        if account.must_change_password and not _allowed_before_change(connection):
            raise NotAllowed(texts.PW_CHANGE_REQUIRED, code="password_change_required")
        return Principal(
            "staff",
            account.id,
            role=account.role,
            area_code=account.area_code,
            department_code=account.department_code,
            account=account,
        )
    return None


def _allowed_before_change(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    handler = connection.scope.get("route_handler")
    return bool(handler is not None and handler.opt.get(PASSWORD_CHANGE_PENDING_OK))


def make_jwt_auth(settings: Settings, *, exclude: list[str]) -> JWTAuth[Principal, Token]:
    return JWTAuth[Principal, Token](
        retrieve_user_handler=retrieve_principal,
        token_secret=settings.secret_key,
        exclude=exclude,
        exclude_opt_key="exclude_from_auth",
        default_token_expiration=timedelta(seconds=settings.access_token_ttl_s),
    )


def issue_token(
    auth: JWTAuth[Principal, Token], principal: Principal, ttl_s: int, *, version: int
) -> str:
    """A bearer token for ``principal`` under its account's current token ``version``."""
    return auth.create_token(
        identifier=principal.scope_key,
        token_expiration=timedelta(seconds=ttl_s),
        token_extras={"kind": principal.kind, "role": principal.role, "ver": version},
    )


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise NotAuthorizedException()
    return user


@audience("citizen")
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

    return audience(*(roles or STAFF_ROLES))(guard)

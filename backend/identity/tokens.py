"""The principal behind a bearer token: the JWT middleware's loader, built for the app.

``backend.http.auth`` holds what every route uses (the principal, guards, issuing tokens); the
loading of a token's account lives here, with the accounts, so the HTTP plumbing does not depend
on the identity context.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any, TypeAlias

from litestar.connection import ASGIConnection
from litestar.security.jwt import JWTAuth, Token

from backend.errors import NotAllowed, Unauthenticated
from backend.http.auth import (
    KIOSK_OK,
    PASSWORD_CHANGE_PENDING_OK,
    TERMINAL_OK,
    CheckedToken,
    Principal,
)
from backend.identity import texts
from backend.identity.service import get_staff_account
from backend.identity.sessions import known_citizens
from backend.settings import Settings

PrincipalLoader: TypeAlias = Callable[[str, Token], Awaitable[Principal | None]]
"""Loads the principal of a token whose subject is ``<kind>:<id>`` for a kind another package
owns (``terminal``, ``kiosk``): given the id and the token; None answers 401."""


def token_version(token: Token) -> int:
    """The account's token version the token was issued under (0 for tokens from before)."""
    version = token.extras.get("ver", 0)
    return version if isinstance(version, int) else -1


async def retrieve_principal(
    token: Token,
    connection: ASGIConnection[Any, Any, Any, Any],
    loaders: Mapping[str, PrincipalLoader] | None = None,
) -> Principal | None:
    """The caller behind a valid token, or None (401 ``unauthenticated``).

    Disabled staff get 401 ``account_inactive``; a token whose account's version moved on
    (logout, password change, disabling, deletion) gets 401 ``token_revoked``.
    """
    scheme = connection.headers.get("authorization", "").partition(" ")[0]
    if scheme.lower() != "bearer":  # the framework reads the token after any word
        raise Unauthenticated(texts.AUTH_SCHEME_WRONG, code="token_invalid")
    kind, _, ident = token.sub.partition(":")
    load = (loaders or {}).get(kind)
    if load is not None:
        principal = await load(ident, token)
        if principal is not None:
            _check_device_routes(principal, connection)
        return principal
    if kind == "citizen":
        current = await known_citizens.version(ident)
        if current is None:
            return None
        if current != token_version(token):
            raise Unauthenticated(texts.SESSION_REVOKED, code="token_revoked")
        return Principal("citizen", ident)
    if kind == "staff":
        account = await get_staff_account(staff_id=ident, include_inactive=True)
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


def _check_device_routes(
    principal: Principal, connection: ASGIConnection[Any, Any, Any, Any]
) -> None:
    """A terminal's token and a citizen's session at a terminal reach only the routes marked
    for them (deny by default: a new route is closed to them until it says otherwise)."""
    handler = connection.scope.get("route_handler")
    opt = handler.opt if handler is not None else {}
    if principal.kind == "terminal" and not opt.get(TERMINAL_OK):
        raise NotAllowed(texts.TERMINAL_NOT_ALLOWED, code="terminal_not_allowed")
    if principal.at_terminal and not opt.get(KIOSK_OK):
        raise NotAllowed(texts.KIOSK_NOT_ALLOWED, code="kiosk_not_allowed")


def _allowed_before_change(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    handler = connection.scope.get("route_handler")
    return bool(handler is not None and handler.opt.get(PASSWORD_CHANGE_PENDING_OK))


def make_jwt_auth(
    settings: Settings,
    *,
    exclude: list[str],
    loaders: Mapping[str, PrincipalLoader] | None = None,
) -> JWTAuth[Principal, Token]:
    """The app's JWT authentication; ``loaders`` load the principals of the token kinds other
    packages own (the composition root wires them)."""

    async def retrieve(
        token: Token, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> Principal | None:
        return await retrieve_principal(token, connection, loaders)

    return JWTAuth[Principal, Token](
        retrieve_user_handler=retrieve,
        token_secret=settings.secret_key,
        exclude=exclude,
        exclude_opt_key="exclude_from_auth",
        token_cls=CheckedToken,
        default_token_expiration=timedelta(seconds=settings.access_token_ttl_s),
    )


def issuer(settings: Settings) -> JWTAuth[Principal, Token]:
    """The app's token settings (secret, algorithm, lifetime), for issuing a token."""
    return make_jwt_auth(settings, exclude=[])

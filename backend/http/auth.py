"""Bearer tokens (JWT) for citizens and staff, the principal behind a request, and role guards."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar, Final, Literal, Protocol, Self, TypeAlias, cast

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.security.jwt import JWTAuth, Token

from backend.http import openapi
from backend.http.openapi import audience

STAFF_ROLES: Final = tuple(
    role for role in openapi.AUDIENCES if role not in ("citizen", "terminal")
)
"""Every staff role (``backend.identity.roles.ROLES``), as the API description names them."""

PUBLIC = {"exclude_from_auth": True}
"""Route ``opt`` for the public routes of API.md."""


class StaffCard(Protocol):
    """What a handler may read of the staff account the authentication loaded
    (``backend.identity.store.users.StaffAccount``)."""

    @property
    def id(self) -> str: ...

    @property
    def display_name(self) -> str: ...


KIOSK_OK: Final = "kiosk_ok"
"""Route ``opt`` key of the citizen routes a self-service terminal's session may call (read the
catalogue and one's own cases, file, supply, uploads, notices); every other route answers 403
``kiosk_not_allowed`` to a session token (docs/terminals.md)."""

TERMINAL_OK: Final = "terminal_ok"
"""Route ``opt`` key of the routes a self-service terminal's own device token may call (open a
citizen session); every other route answers 403 ``terminal_not_allowed`` to it."""


@dataclass(frozen=True, slots=True)
class TerminalSeat:
    """The self-service terminal (自助终端) a request comes from, and where it stands."""

    id: str
    service_point_id: str
    township_code: str


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a citizen (mini-program, or a session at a self-service terminal), a staff
    member, or a self-service terminal itself, with their scope."""

    kind: Literal["citizen", "staff", "terminal"]
    id: str
    role: str | None = None
    area_code: str | None = None
    department_code: str | None = None
    account: StaffCard | None = None
    """The staff account as loaded for this request (None for citizens)."""
    terminal: TerminalSeat | None = None
    """The terminal: of a terminal's own token, or of a citizen's session at it."""
    session_id: str | None = None
    """A citizen's session at a terminal (None for the mini-program's tokens)."""

    @property
    def at_terminal(self) -> bool:
        """A citizen's session at a self-service terminal (channel ``self_service``)."""
        return self.kind == "citizen" and self.terminal is not None

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


_CHECKED_MAX: Final = 10_000
"""Tokens remembered per process; the memory starts afresh when full."""


class CheckedToken(Token):
    """A bearer token whose decoding is remembered per process until it expires.

    Checking a token's signature and claims (PyJWT, then Litestar's ``Token``) was the largest
    part of the authentication layer's cost, about 40 µs a request, and its result depends only
    on the token text, the secret and the clock. So a token decoded once is kept, by its text,
    and handed out again while ``now < exp`` — the expiry check itself runs on every request.
    Nothing about revocation changes: whether the account still has the token's version is
    checked on every request after the decoding (``backend.identity.tokens``), as before. A
    token that fails to decode is never remembered.
    """

    _checked: ClassVar[dict[tuple[str, str, str], Token]] = {}

    @classmethod
    def decode(
        cls,
        encoded_token: str,
        secret: str,
        algorithm: str,
        audience: str | Sequence[str] | None = None,
        issuer: str | Sequence[str] | None = None,
        require_claims: Sequence[str] | None = None,
        verify_exp: bool = True,
        verify_nbf: bool = True,
        strict_audience: bool = False,
    ) -> Self:
        checks = (audience, issuer, require_claims, strict_audience)
        if any(checks) or not (verify_exp and verify_nbf):  # not how this app checks tokens
            return super().decode(
                encoded_token, secret, algorithm, audience, issuer, require_claims,
                verify_exp, verify_nbf, strict_audience,
            )  # fmt: skip
        key = (encoded_token, secret, algorithm)
        found = cls._checked.get(key)
        if found is not None and time.time() < found.exp.timestamp():
            return cast(Self, found)
        token = super().decode(encoded_token, secret, algorithm)
        if len(cls._checked) >= _CHECKED_MAX:
            cls._checked.clear()
        cls._checked[key] = token
        return token


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


# Guards are coroutines on purpose: Litestar runs a plain-function guard in its thread pool,
# a hand-off to a worker thread and back on every request (tens of µs of CPU for a check of one
# attribute).


@audience("citizen")
async def citizen_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if principal_of(connection).kind != "citizen":
        raise PermissionDeniedException()


@audience("terminal")
async def terminal_only(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    if principal_of(connection).kind != "terminal":
        raise PermissionDeniedException()


@audience("citizen")
async def kiosk_session_only(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    if not principal_of(connection).at_terminal:
        raise PermissionDeniedException()


Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


def staff_roles(*roles: str) -> Guard:
    """A guard that lets in staff holding one of ``roles`` (any staff role when none given)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        who = principal_of(connection)
        if who.kind != "staff" or (roles and who.role not in roles):
            raise PermissionDeniedException()

    return audience(*(roles or STAFF_ROLES))(guard)

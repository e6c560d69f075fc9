"""Who calls each operation, and a bearer token minted for every single call.

Each operation is called with the principals of the audience its guards name
(``backend.http.openapi._roles``): one of every audience lives in the access sweep's world
(``citizen_a``, ``agent_a``, ``window_a``, ``approver_a``, ``supervisor_a``, ``admin``).
Operations whose guards name no audience (the case owner's ``own_case``, logout …) are called by
the principal the access rule names. Public and signed operations are called with no token.

Tokens are minted here (the JWT the login routes issue) from each account's current
``token_version``, afresh before every operation, so whatever an operation did to an account's
sessions never spoils the operations after it. The operations that end their caller's own
sessions (logout, a password change) are called by the access rules' throwaway accounts
(``leaving_clerk``, ``changer``) with a token minted for every call; those that change another
account (disable, reset a password, approve a deletion) reach the throwaway accounts the rules
seed (``managed``, ``leaver``) through their real path parameters, never a principal of the
world, and random path parameters never name an existing account.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Litestar
from litestar.routes import HTTPRoute

from backend.http.auth import Principal, issue_token
from backend.http.openapi import _roles
from backend.identity import service as identity
from backend.identity.tables import Citizen
from backend.identity.tokens import make_jwt_auth
from backend.settings import Settings
from tests.access.rules import Rule
from tests.access.world import World

AUDIENCES = {
    "citizen": "citizen_a",
    "agent": "agent_a",
    "window": "window_a",
    "approver": "approver_a",
    "supervisor": "supervisor_a",
    "admin": "admin",
}
"""One principal of the world per audience a guard can name."""


@dataclass(frozen=True)
class Plan:
    """How one operation is called."""

    key: str
    package: str
    """The route's package (``cases``, ``window`` …), for the summary."""
    public: bool
    callers: tuple[str, ...]
    """Principals for generated calls (empty: no token)."""
    owner: str | None
    """The principal whose objects the access rule seeds (real path parameters), or None."""
    revokes_own_token: bool
    """Called by a throwaway account whose own tokens it may end (logout, password change):
    a token is minted for every call."""


def plans(app: Litestar, rules: dict[str, Rule]) -> dict[str, Plan]:
    """A plan for every operation of the app's document, by ``"METHOD /path"``."""
    found: dict[str, Plan] = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            module = getattr(handler.fn, "__module__", "") or ""
            parts = module.split(".")
            package = parts[1] if parts[0] == "backend" and len(parts) > 1 else parts[0]
            for method in handler.http_methods:
                key = f"{method} {route.path_format}"
                rule = rules.get(key)
                public = bool(handler.opt.get("exclude_from_auth"))
                owner = None if rule is None or rule.public or rule.signed else rule.who
                roles = _roles(handler)
                if public:
                    callers: tuple[str, ...] = ()
                elif owner is not None and owner not in AUDIENCES.values():
                    callers = (owner,)  # a throwaway account: no principal of the world does it
                elif roles:
                    callers = tuple(AUDIENCES[r] for r in roles if r in AUDIENCES)
                else:
                    callers = (owner,) if owner else ()
                throwaway = owner is not None and owner not in AUDIENCES.values()
                found[key] = Plan(key, package, public, callers, owner, throwaway)
    return found


DEVICE_TOKENS = frozenset({"terminal_a", "kiosk_a"})
"""A terminal's token and a citizen's session at it are not an account's tokens: kept as issued
(a session that ends is not renewed; its operation's later calls go without it)."""


class Tokens:
    """Bearer tokens of the world's accounts, minted from each account's current version."""

    def __init__(self, settings: Settings, world: World) -> None:
        self.auth = make_jwt_auth(settings, exclude=[])
        self.world = world
        self.ttl_s = settings.access_token_ttl_s

    async def refresh(self) -> None:
        """A fresh token in every client of the world (the access rules' prepare steps use
        them too): two queries for every account's current version."""
        clients = {
            name: c
            for name, c in self.world.who.items()
            if c is not None and name not in DEVICE_TOKENS
        }
        staff = await identity.get_staff_accounts(staff_ids=[c.id for c in clients.values()])
        rows = (
            await Citizen.select(Citizen.id, Citizen.token_version)
            .where(Citizen.id.is_in([c.id for c in clients.values() if c.id not in staff] or [""]))
            .run()
        )
        citizens = {str(r["id"]): int(r["token_version"]) for r in rows}
        for client in clients.values():
            if client.id in staff:
                account = staff[client.id]
                principal = Principal("staff", client.id, role=account.role)
                version = account.token_version
            else:
                principal, version = Principal("citizen", client.id), citizens.get(client.id, 0)
            token = issue_token(self.auth, principal, self.ttl_s, version=version)
            client.headers["Authorization"] = f"Bearer {token}"

    async def fresh(self, name: str | None) -> dict[str, str]:
        """The headers of ``name`` with a token minted now (after a call that revoked it)."""
        if name is None:
            return {}
        await self.refresh()
        return self.world.headers(name) if name in self.world.who else {}

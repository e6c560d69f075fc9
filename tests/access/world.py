"""The shared cast of the access and hostile-input sweeps: one of every role, twice over.

Every role has an owner (``*_a``: citizen A's village 群围村, township 益农镇, department GA) and a
stranger of the same role (``*_b``: another citizen, another village's agent, another township's
window, another department's approver). ``World.objects`` holds the owners' objects by name;
the rules in ``rules.py`` fill path parameters from it, and their ``prepare`` steps make the
fresh objects a state-changing operation needs, through the API with the existing helpers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import httpx

from backend import db
from backend.cases.tables import Case
from tests.delegation.support import OTHER_VILLAGE
from tests.factories import DISTRICT, make_area, make_department, make_id_number
from tests.support import CitizenClient, citizen
from tests.window.support import OTHER_TOWNSHIP, TOWNSHIP, forward, staff

ANON = "anonymous"
PRINCIPALS = (
    ANON,
    "citizen_a",
    "citizen_b",
    "agent_a",
    "agent_b",
    "window_a",
    "window_b",
    "approver_a",
    "approver_b",
    "supervisor_a",
    "supervisor_b",
    "admin",
    "terminal_a",
)
"""Everyone who calls: ``*_a`` owns the objects, ``*_b`` is the same role elsewhere;
``terminal_a`` is a self-service terminal's own token (it may only open citizens' sessions).
A citizen's session at the terminal (``kiosk_a``) is made by the rule that ends it: its
refusals elsewhere are tested in tests/terminals."""


@dataclass
class World:
    api: httpx.AsyncClient
    who: dict[str, CitizenClient | None] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)
    settings: Any = None
    """The sweep app's settings (for what the worker would do in-process: the audit key …)."""
    idverify: Any = None
    """The session's fake identity-verification server (``FakeIdVerify``)."""

    def headers(self, name: str) -> dict[str, str]:
        client = self.who[name]
        return dict(client.headers) if client is not None else {}

    def client(self, name: str) -> CitizenClient:
        client = self.who[name]
        assert client is not None, name
        return client

    async def submitted(
        self, body: dict[str, Any] | None = None, applicant: str = "citizen_a"
    ) -> str:
        """A new case of citizen A (出生登记 at the window, nothing to upload), or of
        ``applicant``."""
        from tests.window.support import SINGLE

        response = await self.client(applicant).post("/api/v1/cases", json=body or SINGLE)
        assert response.status_code == 201, response.text
        return str(response.json()["number"])

    async def queued(self, body: dict[str, Any] | None = None, applicant: str = "citizen_a") -> str:
        number = await self.submitted(body, applicant)
        await forward(number)
        return number

    async def act(self, name: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = await self.client(name).post(path, json=body or {})
        assert response.status_code in (200, 201), (path, response.text)
        return response.json()

    async def accepted(
        self, body: dict[str, Any] | None = None, applicant: str = "citizen_a"
    ) -> str:
        number = await self.queued(body, applicant)
        await self.act("window_a", f"/api/v1/window/cases/{number}/accept")
        return number

    async def transferred(
        self, body: dict[str, Any] | None = None, applicant: str = "citizen_a"
    ) -> str:
        number = await self.accepted(body, applicant)
        await self.act(
            "window_a", f"/api/v1/window/cases/{number}/transfer", {"department_code": "GA"}
        )
        return number

    async def approved(
        self, body: dict[str, Any] | None = None, applicant: str = "citizen_a"
    ) -> str:
        number = await self.transferred(body, applicant)
        await self.act("approver_a", f"/api/v1/review/cases/{number}/approve")
        return number

    async def issued(self, body: dict[str, Any] | None = None, applicant: str = "citizen_a") -> str:
        number = await self.approved(body, applicant)
        await self.act("window_a", f"/api/v1/window/cases/{number}/result")
        return number

    async def delivered(
        self, body: dict[str, Any] | None = None, applicant: str = "citizen_a"
    ) -> str:
        number = await self.issued(body, applicant)
        await self.act("window_a", f"/api/v1/window/cases/{number}/deliver", self.pickup(applicant))
        return number

    def pickup(self, applicant: str = "citizen_a") -> dict[str, Any]:
        """A delivery at the window, collected by the applicant (出生登记 is not mailed)."""
        who = self.client(applicant)
        return {
            "method": "window",
            "collector_name": who.name,
            "collector_id_number": who.id_number,
        }


async def build(api: httpx.AsyncClient, settings: Any = None) -> World:
    """Every principal, logged in; the owners' long-lived objects in ``objects``.

    Without ``settings`` (whose audit key registers the terminal) ``terminal_a`` calls
    without a token."""
    world = World(api)
    for code in (DISTRICT, TOWNSHIP, OTHER_TOWNSHIP, OTHER_VILLAGE):
        await make_area(code)
    for code in ("GA", "YB"):
        await make_department(code)
    world.who[ANON] = None
    world.who["citizen_a"] = await citizen(api, "access-a", seq=81)
    world.who["citizen_b"] = await citizen(api, "access-b", seq=82, name="李四")
    world.who["agent_a"] = await staff(api, role="agent", username="agent-a", display_name="陈代办")
    world.who["agent_b"] = await staff(
        api, role="agent", username="agent-b", area_code=OTHER_VILLAGE, display_name="李代办"
    )
    world.who["window_a"] = await staff(api, username="window-a", area_code=TOWNSHIP)
    world.who["window_b"] = await staff(api, username="window-b", area_code=OTHER_TOWNSHIP)
    world.who["approver_a"] = await staff(
        api, role="approver", username="approver-ga", department_code="GA"
    )
    world.who["approver_b"] = await staff(
        api, role="approver", username="approver-yb", department_code="YB"
    )
    world.who["supervisor_a"] = await staff(
        api, role="supervisor", username="sup-a", area_code=TOWNSHIP
    )
    world.who["supervisor_b"] = await staff(
        api, role="supervisor", username="sup-b", area_code=OTHER_TOWNSHIP
    )
    world.who["admin"] = await staff(api, role="admin", username="admin-a", area_code=DISTRICT)
    world.objects["villager_id_number"] = make_id_number(seq=83, birth="19440205")
    world.who["terminal_a"] = None
    if settings is not None:
        world.who["terminal_a"] = await _terminal(world, settings)
    return world


async def _terminal(world: World, settings: Any) -> CitizenClient:
    """The catalogue's self-service terminal registered and logged in; its credential kept."""
    from backend.audit.service import Actor, AuditLog
    from backend.terminals import service as terminals

    credential = await terminals.issue(
        audit=AuditLog(settings.audit_key),
        actor=Actor("system", "cli:access"),
        point_code="TERM-330109105",
        name="访问测试自助机",
    )
    world.objects["terminal_id"] = credential.terminal.id
    world.objects["terminal_secret"] = credential.secret
    login = await world.api.post(
        "/api/v1/auth/terminal/login",
        json={"terminal_id": credential.terminal.id, "secret": credential.secret},
    )
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    return CitizenClient(world.api, {"Authorization": f"Bearer {token}"}, credential.terminal.id)


# --- "nothing changed" ---------------------------------------------------------------------

_CHECKSUM: str | None = None


async def checksum() -> dict[str, str]:
    """A digest of every row of every table, by table (one round trip)."""
    global _CHECKSUM
    if _CHECKSUM is None:
        names = sorted(t._meta.tablename for t in db.all_tables())
        _CHECKSUM = " UNION ALL ".join(
            f"SELECT '{n}' AS t, count(*)::text || ':' || coalesce(md5(string_agg(md5(x::text),"
            f" '' ORDER BY md5(x::text))), '') AS d FROM \"{n}\" x"
            for n in names
        )
    rows = await Case.raw(_CHECKSUM).run()
    return {r["t"]: r["d"] for r in rows}


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(t for t in before if before[t] != after.get(t))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]

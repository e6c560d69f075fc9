"""Who an agent is and whom they may serve.

A village agent (代办员) serves the citizens of their own village or community; a 政银通 bank
clerk (also role ``agent``, scoped to a township) serves the citizens of the outlet's township.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend.cases.transitions import Actor
from backend.delegation import texts
from backend.errors import NotFound
from backend.geo.tables import Area
from backend.identity.tables import Citizen


@dataclass(frozen=True, slots=True)
class Agent:
    id: str
    name: str
    area_code: str
    level: str  # village | township (a bank outlet's clerk)
    township_code: str

    @property
    def kind(self) -> str:
        """``filed_by.kind`` and the case channel: ``agent`` in a village, ``bank`` at an outlet."""
        return "agent" if self.level == "village" else "bank"

    def actor(self, on_behalf_of: str | None) -> Actor:
        return Actor("staff", self.id, "agent", on_behalf_of=on_behalf_of, channel=self.kind)

    def serves(self, village_code: str | None, township_code: str | None) -> bool:
        if self.level == "village":
            return village_code == self.area_code
        return township_code == self.area_code


async def load_agent(*, staff_id: str, name: str, area_code: str) -> Agent:
    area = await Area.select(Area.level, Area.parent).where(Area.code == area_code).first().run()
    level = area["level"] if area else "village"
    township = (area["parent"] if level == "village" else area_code) if area else ""
    return Agent(staff_id, name, area_code, level, township or "")


async def citizen_of(agent: Agent, citizen_id: str) -> dict[str, Any]:
    """The citizen, when the agent may serve them; else 404 (whether they exist is not told)."""
    rows = await Citizen.raw(
        "SELECT c.id::text AS id, c.name, c.village, v.parent AS township, c.openid IS NOT NULL"
        " AS has_wechat, c.id_number_masked, c.identity_verified"
        " FROM citizen c LEFT JOIN area v ON v.code = c.village"
        " WHERE c.id::text = {}",
        citizen_id,
    ).run()
    if not rows or not agent.serves(rows[0]["village"], rows[0]["township"]):
        raise NotFound(texts.CITIZEN_NOT_FOUND, code="citizen_not_found")
    return dict(rows[0])

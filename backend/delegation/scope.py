"""Who an agent is and whom they may serve.

A village agent (代办员) serves the citizens of their own village or community; a 政银通 bank
clerk (also role ``agent``, scoped to a township) serves the citizens of the outlet's township.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.cases.transitions import Actor
from backend.delegation import texts
from backend.errors import NotFound
from backend.geo.store import delegation as areas
from backend.identity.store import agents
from backend.identity.store.agents import ServedCitizen


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
    area = await areas.place_of(area_code)
    level = area.level if area else "village"
    township = (area.parent if level == "village" else area_code) if area else ""
    return Agent(staff_id, name, area_code, level, township or "")


async def citizen_of(agent: Agent, citizen_id: str) -> ServedCitizen:
    """The citizen, when the agent may serve them; else 404 (whether they exist is not told)."""
    found = await agents.citizen_with_area(citizen_id)
    if found is None or not agent.serves(found.village, found.township):
        raise NotFound(texts.CITIZEN_NOT_FOUND, code="citizen_not_found")
    return found

"""The authentication layer remembers for a few seconds that a token's citizen exists."""

from __future__ import annotations

import uuid

import pytest

from backend.identity.sessions import KnownCitizens
from backend.identity.tables import Citizen

pytestmark = pytest.mark.integration


async def test_a_removed_citizen_is_refused_once_the_memory_expires(database: None) -> None:
    citizen_id = uuid.uuid4()
    await Citizen.insert(Citizen(id=citizen_id, name="王秀英")).run()
    remembering, not_remembering = KnownCitizens(ttl_s=60), KnownCitizens(ttl_s=0)
    assert await remembering.exists(str(citizen_id))
    assert await not_remembering.exists(str(citizen_id))
    await Citizen.delete().where(Citizen.id == citizen_id).run()
    assert await remembering.exists(str(citizen_id))  # within its TTL
    assert not await not_remembering.exists(str(citizen_id))
    remembering.forget()
    assert not await remembering.exists(str(citizen_id))


async def test_an_unknown_citizen_is_not_remembered(database: None) -> None:
    known = KnownCitizens(ttl_s=60)
    citizen_id = uuid.uuid4()
    assert not await known.exists(str(citizen_id))
    await Citizen.insert(Citizen(id=citizen_id, name="李建国")).run()
    assert await known.exists(str(citizen_id))

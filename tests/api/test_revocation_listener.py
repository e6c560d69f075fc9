"""A revocation in one process reaches the citizens' version memory of every other process."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from backend import db
from backend.identity.sessions import KnownCitizens, RevocationListener, revoke_all
from backend.identity.tables import Citizen
from backend.settings import Settings

pytestmark = pytest.mark.integration


async def test_another_process_forgets_a_revoked_citizen_on_commit(
    database: None, settings: Settings
) -> None:
    citizen_id = uuid.uuid4()
    await Citizen.insert(Citizen(id=citizen_id, name="王秀英")).run()
    # Stands for another server process: its own memory, remembering for an hour.
    elsewhere = KnownCitizens(ttl_s=3600)
    listener = RevocationListener(settings.database_url, known=elsewhere)
    listener.start()
    try:
        await asyncio.wait_for(listener.listening.wait(), timeout=30)
        assert await elsewhere.version(str(citizen_id)) == 0
        async with db.engine().transaction():
            assert await revoke_all(kind="citizen", account_id=str(citizen_id)) == 1
            await asyncio.sleep(0.2)
            # Not committed yet: no notification, the old version is still the one in force.
            assert await elsewhere.version(str(citizen_id)) == 0
        for _ in range(300):  # liveness deadline for the notification, not a timing claim
            if await elsewhere.version(str(citizen_id)) == 1:
                break
            await asyncio.sleep(0.1)
        assert await elsewhere.version(str(citizen_id)) == 1
    finally:
        await listener.close()


async def test_revoking_an_unknown_account_changes_nothing(database: None) -> None:
    assert await revoke_all(kind="citizen", account_id=str(uuid.uuid4())) is None
    assert await revoke_all(kind="staff", account_id="not-a-uuid") is None

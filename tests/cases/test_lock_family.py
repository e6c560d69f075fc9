"""The one locking order of a case family: parent first, the case, children by number."""

from __future__ import annotations

import os
from pathlib import Path

import asyncpg
import pytest

from backend import db
from backend.cases.store.locks import lock_family
from tests.support import citizen
from tests.window.support import BIRTH, queued, row

pytestmark = pytest.mark.api


async def _locked_elsewhere(case_id: int) -> bool:
    """Whether another session finds the row locked."""
    other = await asyncpg.connect(os.environ["DATABASE_URL"])
    try:
        await other.execute("SET lock_timeout = '50ms'")
        await other.fetch("SELECT id FROM case_record WHERE id = $1 FOR UPDATE", case_id)
    except asyncpg.exceptions.LockNotAvailableError:
        return True
    finally:
        await other.close()
    return False


async def test_a_child_is_locked_with_its_parent_and_a_parent_with_its_children(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "lf-bundle")
    photo = await me.upload("照片")
    number = await queued(
        me, {**BIRTH, "bundle_code": "CSYJS", "materials": [{"type": "照片", "upload_id": photo}]}
    )
    parent = await row(number)
    child = await row(f"{number}-02")
    sibling = await row(f"{number}-03")

    async with db.engine().transaction():
        family = await lock_family(child.id)
        assert family is not None
        assert family.case.number == f"{number}-02"
        assert family.parent is not None and family.parent.number == number
        assert family.children == []
        assert await _locked_elsewhere(parent.id)
        assert await _locked_elsewhere(child.id)
        assert not await _locked_elsewhere(sibling.id)

    async with db.engine().transaction():
        whole = await lock_family(parent.id, children=True)
        assert whole is not None and whole.parent is None
        assert [c.number for c in whole.children] == [f"{number}-0{i}" for i in (1, 2, 3)]
        assert await _locked_elsewhere(sibling.id)

    assert await lock_family(0) is None

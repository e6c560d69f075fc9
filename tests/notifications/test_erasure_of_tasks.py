"""A deletion removes the staff's notices about the person's cases whose text names them or holds
a supervisor's free text (请当面告知, 督办说明). Other notices (reminders name no one) stay."""

from __future__ import annotations

import uuid

import pytest

from backend import db
from backend.erasure import KeptCase, Person
from notifications.erase import erase_person

pytestmark = pytest.mark.integration


async def test_a_deletion_removes_the_tell_in_person_tasks_naming_the_person(database: None):
    for key, kind, number, text in (
        ("t1", "tell_citizen", "XS20261207000001", "请当面告知王秀英：请补正材料"),
        ("t2", "tell_citizen", "XS20261207000002", "请当面告知李建国：已出件"),
        ("r1", "deadline_soon", "XS20261207000001", "办件即将到期"),
        ("u1", "urged", "XS20261207000001", "督办催办：…督办说明：请联系 13800001111"),
    ):
        await db.execute(
            "INSERT INTO staff_notice (key, township, kind, case_number, text)"
            " VALUES ($1, '330109110', $2, $3, $4)",
            key,
            kind,
            number,
            text,
        )
    person = Person(str(uuid.uuid4()), (KeptCase(1, "XS20261207000001", None, True),))
    await erase_person(person)
    left = await db.fetch("SELECT key FROM staff_notice ORDER BY key")
    assert [r["key"] for r in left] == ["r1", "t2"]

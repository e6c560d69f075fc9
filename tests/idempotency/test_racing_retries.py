"""Retries that race: one key, twenty requests at once, one thing created, one answer.

Every request with the same key and body gets the first answer (the later ones wait for the
first to commit and replay it); none gets a domain error caused by the first one's effects.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from backend.cases.tables import Case
from tests.api.test_login import assert_problem
from tests.support import citizen

pytestmark = pytest.mark.api

RACERS = 20
BODY = {
    "item_code": "GA-CSDJ",
    "delivery": {"method": "window"},
    "form": {
        "baby_name": "王小宝",
        "birth_date": "2026-11-20",
        "relationship": "子",
        "guardian_phone": "13800001111",
    },
}


async def test_twenty_racing_retries_create_one_case_and_answer_alike(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "c-race")
    elicense.types = set()  # every material is uploaded, so a second attach would be refused
    body = {
        **BODY,
        "materials": [
            {"type": kind, "upload_id": await me.upload(kind)}
            for kind in ("出生医学证明", "户口簿", "身份证")
        ],
    }
    headers = {"Idempotency-Key": "race-1"}
    answers = await asyncio.gather(
        *(me.post("/api/v1/cases", json=body, headers=headers) for _ in range(RACERS))
    )

    assert await Case.count().run() == 1
    first = next(a for a in answers if "Idempotent-Replayed" not in a.headers)
    assert first.status_code == 201, first.text
    for answer in answers:
        if answer.status_code == 409 and answer.json().get("code") == "request_in_progress":
            assert int(answer.headers["Retry-After"]) >= 1
            continue
        assert (answer.status_code, answer.json()) == (201, first.json()), answer.text
    # A retry after the race gets the first answer too.
    later = await me.post("/api/v1/cases", json=body, headers=headers)
    assert (later.status_code, later.json()) == (201, first.json())
    assert later.headers["Idempotent-Replayed"] == "true"

    # The same key with another body is refused as such, and creates nothing.
    other = await me.post(
        "/api/v1/cases",
        json={**body, "delivery": {"method": "mail", "address": "青石村 3 组"}},
        headers=headers,
    )
    assert_problem(other, 422, "idempotency_key_reused")
    assert await Case.count().run() == 1


async def test_a_retry_that_waits_too_long_is_told_to_come_back(
    api, small_catalogue: Path, elicense, wechat, settings
):
    """The first request still holds its key (its transaction open): the retry answers 409
    ``request_in_progress`` with ``Retry-After`` and creates nothing; once the first is gone,
    the same retry goes through."""
    me = await citizen(api, "c-slow")
    body = {**BODY}
    holder = await asyncpg.connect(settings.database_url)
    try:
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute(
            "INSERT INTO idempotency_key (scoped_key, request_hash, created_at, expires_at)"
            " VALUES ($1, 'first', now(), now() + interval '1 hour')",
            f"citizen:{me.id}|slow-1",
        )
        waited = await me.post(
            "/api/v1/cases", json=body, headers={"Idempotency-Key": "slow-1"}, timeout=60.0
        )
        assert_problem(waited, 409, "request_in_progress")
        assert int(waited.headers["Retry-After"]) >= 1
        assert await Case.count().run() == 0
        await transaction.rollback()
    finally:
        await holder.close()
    again = await me.post("/api/v1/cases", json=body, headers={"Idempotency-Key": "slow-1"})
    assert again.status_code == 201, again.text
    assert await Case.count().run() == 1

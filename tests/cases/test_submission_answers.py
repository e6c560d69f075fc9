"""A submission answers with the case as it is stored, and claims its uploads exactly once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from backend.cases.tables import Case
from backend.uploads.tables import Upload
from tests.api.test_login import assert_problem
from tests.support import citizen

pytestmark = pytest.mark.api

BIRTH = {
    "delivery": {"method": "window"},
    "form": {
        "baby_name": "王小宝",
        "birth_date": "2026-11-20",
        "relationship": "子",
        "guardian_phone": "13800001111",
    },
}


async def test_the_answer_to_a_submission_is_the_stored_case(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "c-answer")
    photo = await me.upload("照片")
    bundle = {**BIRTH, "bundle_code": "CSYJS", "materials": [{"type": "照片", "upload_id": photo}]}
    answers = [await me.post("/api/v1/cases", json=bundle)]  # the rest from shared data
    elicense.types = set()
    uploaded = [
        {"type": t, "upload_id": await me.upload(t)} for t in ("身份证", "出生医学证明", "户口簿")
    ]
    answers.append(
        await me.post(
            "/api/v1/cases", json={**BIRTH, "item_code": "GA-CSDJ", "materials": uploaded}
        )
    )
    for answer in answers:
        assert answer.status_code == 201, answer.text
        stored = await me.get(f"/api/v1/cases/{answer.json()['number']}")
        assert answer.json() == stored.json()
    assert len(answers[0].json()["children"]) == 3
    assert len(answers[1].json()["materials"]) == 3


async def test_two_submissions_racing_for_the_same_uploads_make_one_case(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "c-race")
    elicense.types = set()
    uploaded = [
        {"type": t, "upload_id": await me.upload(t)} for t in ("身份证", "出生医学证明", "户口簿")
    ]
    body = {**BIRTH, "item_code": "GA-CSDJ", "materials": uploaded}
    answers = await asyncio.gather(*(me.post("/api/v1/cases", json=body) for _ in range(3)))
    assert sorted(a.status_code for a in answers) == [201, 409, 409]
    for lost in (a for a in answers if a.status_code == 409):
        assert_problem(lost, 409, "upload_already_attached")
    number = next(a for a in answers if a.status_code == 201).json()["number"]
    assert await Case.count().run() == 1
    attached = await Upload.select(Upload.attached_id).where(Upload.attached_id.is_not_null()).run()
    assert [r["attached_id"] for r in attached] == [number] * 3

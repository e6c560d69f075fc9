"""Upgrading: case forms written in plain before the codec are sealed, batch by batch, and no
dead row version keeps a plain value (``jiujinban privacy encrypt-forms``)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend.cases import formseal
from backend.cases.tables import Case
from backend.catalogue import service as catalogue
from backend.idempotency.tables import IdempotencyKey
from backend.identity.sealed import ID_NUMBER_LOOKUP
from backend.security.fieldcrypt import FieldCipher
from backend.settings import Settings
from tests.conftest import ROOT
from tests.factories import make_id_number
from tests.support import citizen

pytestmark = pytest.mark.api

GUARDIANS = [make_id_number(birth=f"1979{m:02d}1{m % 9}", seq=40 + m) for m in range(1, 6)]
PHONES = [f"1390000{n:04d}" for n in range(5)]
ACCOUNT = "6228480099887766554"


def _plain_form(n: int) -> dict[str, str]:
    form = {
        "baby_name": f"王小{n}",
        "birth_date": "2026-11-20",
        "relationship": "子",
        "guardian_phone": PHONES[n],
        "guardian_id": GUARDIANS[n],
    }
    if n == 0:
        form["disability_cert_no"] = GUARDIANS[0] + "31"
        form["bank_account"] = ACCOUNT
    return form


SECRETS = [*GUARDIANS, *PHONES, ACCOUNT] + [g[6:14] for g in GUARDIANS]


async def _old_rows(applicant: str) -> list[int]:
    """Cases filed the old way: the form's numbers in plain text."""
    version = (await catalogue.get_item(code="GA-CSDJ")).version_id
    ids = []
    for n in range(5):
        rows = await Case.raw(
            "INSERT INTO case_record (number, item_code, item_version, applicant, filed_by_kind,"
            " channel, status, form, delivery_method, committed_days, created_at, updated_at)"
            " VALUES ({}, 'GA-CSDJ', {}, {}, 'self', 'miniprogram', 'submitted', {}::jsonb,"
            " 'window', 5, now(), now()) RETURNING id",
            f"XS20261120{n:09d}",
            version,
            applicant,
            json.dumps(_plain_form(n), ensure_ascii=False),
        ).run()
        ids.append(rows[0]["id"])
    await IdempotencyKey.raw(
        "INSERT INTO idempotency_key (scoped_key, request_hash, response_status, response_body,"
        " created_at, expires_at) VALUES ('staff:x|k1', 'h', 201, {}::jsonb, now(),"
        " now() + interval '1 day')",
        json.dumps({"number": "XS20261120000000000", "form": _plain_form(0)}, ensure_ascii=False),
    ).run()
    return ids


async def _on_disk(table: str) -> bytes:
    """The table's file as PostgreSQL wrote it: dead row versions included."""
    await Case.raw("CHECKPOINT").run()
    rows = await Case.raw(
        "SELECT pg_read_binary_file(pg_relation_filepath({})) AS data", table
    ).run()
    return bytes(rows[0]["data"])


def _found(data: bytes) -> list[str]:
    return [s for s in SECRETS if s.encode() in data]


def run_cli(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", "privacy", "encrypt-forms", "--batch-size", "2"],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


async def test_plain_rows_are_sealed_resumably_and_nothing_plain_survives(
    api, small_catalogue: Path, elicense, wechat, settings: Settings, test_env: dict[str, str]
):
    me = await citizen(api, "seal-old")
    ids = await _old_rows(me.id)
    assert _found(await _on_disk("case_record"))  # the check can see plain values

    cipher = FieldCipher(settings.field_key_ring())
    seen: list[tuple[int, int, int]] = []
    # Interrupted after the first two rows …
    first = await formseal.seal_stored_forms(
        cipher=cipher, batch_size=2, after=ids[1], progress=lambda *p: seen.append(p)
    )
    assert (first.checked, first.sealed, first.last_id, first.answers_masked) == (3, 3, ids[-1], 1)
    assert seen[0] == (0, 3, 0) and seen[-1] == (3, 3, 3)
    # … resumed from the start: only what is left is rewritten.
    rest = await formseal.seal_stored_forms(cipher=cipher, batch_size=2)
    assert (rest.checked, rest.sealed, rest.failed, rest.answers_masked) == (5, 2, 0, 0)

    stored = {r["id"]: json.loads(r["form"]) for r in await Case.select(Case.id, Case.form).run()}
    first_form = stored[ids[0]]
    assert first_form["baby_name"] == "王小0"
    assert first_form["guardian_id"]["masked"] == GUARDIANS[0][:3] + "*" * 11 + GUARDIANS[0][-4:]
    owner = cipher.lookup_hash(GUARDIANS[0], context=ID_NUMBER_LOOKUP)
    assert first_form["guardian_id"]["hash"] == first_form["disability_cert_no"]["hash"] == owner
    answer = await IdempotencyKey.select(IdempotencyKey.response_body).first().run()
    assert (
        json.loads(answer["response_body"])["form"]["guardian_phone"] == "*******" + PHONES[0][-4:]
    )

    # The dead row versions still hold the plain values until the table is rewritten.
    assert _found(await _on_disk("case_record"))
    # The command runs again as a no-op and vacuums.
    done = await asyncio.to_thread(run_cli, test_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "case forms: 5/5 rows checked, 0 sealed" in done.stdout
    assert "done: 5 rows checked, 0 sealed, 0 failed" in done.stdout
    for table in formseal.VACUUMED:
        assert _found(await _on_disk(table)) == [], table

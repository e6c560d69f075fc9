"""Key rotation: everything re-encrypted under the new key, resumably; lookups keep working."""

import asyncio
import base64
import os
import subprocess
import sys

import pytest

from backend.errors import Conflict
from backend.identity import binding
from backend.identity.keys import key_usage, rotate_keys
from backend.identity.sealed import (
    ID_NUMBER_LOOKUP,
    id_number_context,
    phone_context,
    session_key_context,
)
from backend.identity.tables import Citizen, WeChatSession
from backend.security.fieldcrypt import FieldCipher
from backend.settings import Settings
from tests.conftest import ROOT
from tests.identity.helpers import VILLAGE, make_id_number, make_village

pytestmark = pytest.mark.integration

K2 = b"rotation-key-k2!"


@pytest.fixture
def old(settings: Settings) -> FieldCipher:
    return FieldCipher(settings.field_key_ring())


@pytest.fixture
def new(settings: Settings) -> FieldCipher:
    return FieldCipher({"k2": K2, **settings.field_key_ring()})


async def citizens_under(cipher: FieldCipher, count: int) -> list[tuple[str, str]]:
    """``count`` citizens with ID number, phone and WeChat session key, all under ``cipher``."""
    await make_village()
    made = []
    for i in range(count):
        citizen = Citizen(openid=f"rotate-{i}")
        await citizen.save().run()
        cid, number = str(citizen.id), make_id_number(seq=100 + i)
        await binding.bind_identity(
            citizen_id=cid,
            name="钱学森",
            id_number=number,
            village_code=VILLAGE,
            consent_version="2026-01",
            cipher=cipher,
            verifier=None,
        )
        await (
            Citizen.update(
                {Citizen.phone_enc: cipher.encrypt(f"1380000{i:04d}", context=phone_context(cid))}
            )
            .where(Citizen.id == cid)
            .run()
        )
        await (
            WeChatSession(
                citizen=cid,
                session_key_enc=cipher.encrypt(f"sk-{i}", context=session_key_context(cid)),
            )
            .save()
            .run()
        )
        made.append((cid, number))
    return made


async def test_rotation_reencrypts_everything_and_lookups_still_work(old, new, settings: Settings):
    made = await citizens_under(old, 5)
    seen: list[tuple[str, int, int]] = []
    report = await rotate_keys(cipher=new, batch_size=2, progress=lambda *a: seen.append(a))
    assert report.current_key_id == "k2"
    assert [(c.label, c.pending, c.rotated, c.failed) for c in report.columns] == [
        ("citizen ID numbers", 5, 5, 0),
        ("citizen phones", 5, 5, 0),
        ("WeChat session keys", 5, 5, 0),
    ]
    assert ("citizen ID numbers", 5, 5) in seen
    assert await key_usage() == {
        "citizen ID numbers": {"k2": 5},
        "citizen phones": {"k2": 5},
        "WeChat session keys": {"k2": 5},
    }

    # k1 can now leave the ring, its bytes pinned as the lookup root: nothing else changes.
    k1 = settings.field_key_ring()["k1"]
    k2_only = FieldCipher({"k2": K2, "lookup": k1})
    for i, (cid, number) in enumerate(made):
        row = await Citizen.select().where(Citizen.id == cid).first().run()
        assert k2_only.decrypt(row["id_number_enc"], context=id_number_context(cid)) == number
        assert k2_only.decrypt(row["phone_enc"], context=phone_context(cid)) == f"1380000{i:04d}"
        assert row["id_number_hash"] == k2_only.lookup_hash(number, context=ID_NUMBER_LOOKUP)
        session = await WeChatSession.select().where(WeChatSession.citizen == cid).first().run()
        assert k2_only.decrypt(session["session_key_enc"], context=session_key_context(cid)) == (
            f"sk-{i}"
        )
    # The unique lookup still refuses a second holder, and rebinding one's own is idempotent.
    stranger = Citizen(openid="rotate-stranger")
    await stranger.save().run()
    with pytest.raises(Conflict):
        await binding.bind_identity(
            citizen_id=str(stranger.id),
            name="钱学森",
            id_number=made[0][1],
            village_code=VILLAGE,
            consent_version="2026-01",
            cipher=k2_only,
            verifier=None,
        )
    before = await Citizen.select().where(Citizen.id == made[0][0]).first().run()
    await binding.bind_identity(
        citizen_id=made[0][0],
        name="钱学森",
        id_number=made[0][1],
        village_code=VILLAGE,
        consent_version="2026-01",
        cipher=k2_only,
        verifier=None,
    )
    assert await Citizen.select().where(Citizen.id == made[0][0]).first().run() == before

    again = await rotate_keys(cipher=new)
    assert again.rotated == 0 and again.failed == 0


async def test_an_interrupted_rotation_resumes_where_it_stopped(old, new):
    await citizens_under(old, 4)

    class Stop(Exception):
        pass

    def stop_after_first_batch(label: str, done: int, total: int) -> None:
        if done >= 1:
            raise Stop

    with pytest.raises(Stop):
        await rotate_keys(cipher=new, batch_size=1, progress=stop_after_first_batch)
    assert (await key_usage())["citizen ID numbers"] == {"k1": 3, "k2": 1}
    report = await rotate_keys(cipher=new, batch_size=3)
    assert [c.rotated for c in report.columns] == [3, 4, 4]
    assert {label: set(held) for label, held in (await key_usage()).items()} == {
        "citizen ID numbers": {"k2"},
        "citizen phones": {"k2"},
        "WeChat session keys": {"k2"},
    }


async def test_values_that_do_not_decrypt_are_counted_and_left_alone(old, new):
    [(cid, _number)] = await citizens_under(old, 1)
    foreign = "k9:" + base64.b64encode(b"\0" * 40).decode()
    await Citizen.update({Citizen.phone_enc: foreign}).where(Citizen.id == cid).run()
    report = await rotate_keys(cipher=new)
    assert [(c.rotated, c.failed) for c in report.columns] == [(1, 0), (0, 1), (1, 0)]
    row = await Citizen.select(Citizen.phone_enc).where(Citizen.id == cid).first().run()
    assert row["phone_enc"] == foreign


def run_rotate(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend.identity.keys_cli", "rotate", "--batch-size", "2"],
        env={**os.environ, **env, "COLUMNS": "200"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_the_cli_rotates_prints_counts_and_says_which_key_may_go(
    old, test_env: dict[str, str], settings: Settings
):
    await citizens_under(old, 3)
    ring = f"k2:{base64.b64encode(K2).decode()},{settings.field_keys}"
    done = await asyncio.to_thread(run_rotate, {**test_env, "FIELD_KEYS": ring})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "total: 9 re-encrypted, 0 failed" in done.stdout
    assert "k1 any more" in done.stdout.replace("\n", " ")
    assert "lookup:" in done.stdout  # k1 is the lookup root: pin it before removing it
    assert (await key_usage())["citizen phones"] == {"k2": 3}
    again = await asyncio.to_thread(run_rotate, {**test_env, "FIELD_KEYS": ring})
    assert again.returncode == 0 and "total: 0 re-encrypted" in again.stdout

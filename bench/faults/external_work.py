"""The work of the external-service scenarios, written as the domain writes it, and counted back.

Three services, each behind a local fake running in the runner's process:

- WeChat: submitted cases whose ``submit`` event has its ``case.event`` outbox row
  (``bench.notify_load.seed_case_events``); the worker plans a ``case.received`` subscribe
  message per case and sends it. Counted: the fake's accepted messages, per case number.
- the external one-window platform: submitted cases of citizens in a township that takes its
  cases on the platform (a ``township_platform`` row), with their ``case.forward`` outbox rows
  (what ``backend.cases.filing`` publishes). Counted: the pushes the fake took, per case number.
- SMS: rejected cases (不予受理) of villagers without WeChat who have a phone, with the
  ``case.event`` outbox row of the rejection; the planner writes an inbox message, an SMS (the
  citizen must act) and a task to tell them in person. Counted: the fake's messages, per phone.

Each row of a scenario uses its own ``tag``: case numbers start with it.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from arq.connections import ArqRedis
from redis.asyncio import ConnectionPool

from backend import db
from backend.fakes.platform_server import FakePlatform
from backend.fakes.sms_server import FakeSms
from backend.fakes.wechat_rules import SUBSCRIBE_PATH
from backend.fakes.wechat_server import FakeWeChat
from backend.identity.sealed import phone_context
from backend.outbox.doorbell import ArqDoorbell
from backend.security.fieldcrypt import FieldCipher
from bench import notify_load

Fault = Literal["slow", "failing", "down"]
SLOW_S = 2.0
RING_CONCURRENCY = 50
ITEM = "GA-CSDJ"  # 出生登记 in the demo catalogue, as bench.notify_load's cases
REJECTION = "材料不齐全，请补齐后重新申请"


@dataclass(frozen=True)
class Tally:
    """What a fake's own records show for one row's items."""

    reached: set[str]
    """Case numbers of the items the service has at least once."""
    duplicated: int
    """Extra copies: an item the service took ``k`` times counts ``k - 1``."""
    requests: int
    """Requests for these items that reached the service, answered or not."""


def _extra(counts: Counter[str]) -> int:
    return sum(c - 1 for c in counts.values() if c > 1)


async def ring(redis_url: str, queue: str, outbox_ids: list[int]) -> None:
    """Enqueue the rows, as the app does after its commit (the sweeper would find them too)."""
    client = ArqRedis(connection_pool=ConnectionPool.from_url(redis_url))
    try:
        doorbell = ArqDoorbell(client, queue_name=queue)
        await notify_load.ring(doorbell, outbox_ids, concurrency=RING_CONCURRENCY)
    finally:
        await client.aclose()


async def send_attempts(tag: str, channel: str) -> list[int]:
    """How often each message of the row's cases was sent (``message.attempts``)."""
    rows = await db.fetch(
        "SELECT attempts FROM message WHERE channel = $2 AND case_number LIKE $1 || '%'",
        tag,
        channel,
    )
    return [int(r["attempts"]) for r in rows]


async def delivered(tag: str, channel: str) -> set[str]:
    """Case numbers whose message PostgreSQL records as ``delivered``."""
    rows = await db.fetch(
        "SELECT case_number FROM message WHERE channel = $2 AND status = 'delivered'"
        " AND case_number LIKE $1 || '%'",
        tag,
        channel,
    )
    return {str(r["case_number"]) for r in rows}


async def a_village() -> tuple[str, str]:
    """(village, its township) of the demo's area tree: the first village under a township."""
    row = await db.fetchrow(
        "SELECT v.code, v.parent FROM area v JOIN area t ON t.code = v.parent"
        " WHERE v.level = 'village' AND t.level = 'township' ORDER BY v.code LIMIT 1"
    )
    if row is None:
        raise RuntimeError("the demo data has no village under a township")
    return str(row["code"]), str(row["parent"])


# --- WeChat ---------------------------------------------------------------------------------


@dataclass
class WeChatWork:
    """Subscribe messages of submitted cases; the fake is the runner's ``FakeWeChat``."""

    fake: FakeWeChat
    redis_url: str
    queue: str
    title: str = "WeChat"
    channel: str = "wechat"

    def fail(self, fault: Fault) -> None:
        if fault == "slow":
            self.fake.set_delay(SLOW_S)  # every API path: the token too
        elif fault == "failing":
            self.fake.set_http_error(500)
        else:
            self.fake.stop()

    def recover(self) -> None:
        self.fake.set_delay(0)
        self.fake.set_http_error(None)
        self.fake.start()  # the same port again

    async def push(self, tag: str, n: int) -> None:
        await ring(self.redis_url, self.queue, await notify_load.seed_case_events(n, tag=tag))

    def tally(self, tag: str) -> Tally:
        counts = Counter(
            n for n in map(notify_load.case_number_of, self.fake.messages()) if n.startswith(tag)
        )
        requests = sum(
            1 for r in self.fake.received(SUBSCRIBE_PATH) if _wechat_number(r).startswith(tag)
        )
        return Tally(set(counts), _extra(counts), requests)

    async def attempts(self, tag: str) -> list[int]:
        return await send_attempts(tag, self.channel)

    async def recorded(self, tag: str) -> set[str]:
        return await delivered(tag, self.channel)


def _wechat_number(request: dict[str, object]) -> str:
    body = request.get("body")
    try:
        return notify_load.case_number_of(body) if isinstance(body, dict) else ""
    except (KeyError, TypeError):
        return ""


# --- the external one-window platform -------------------------------------------------------

_PLATFORM_CASES = (
    "WITH cz AS (INSERT INTO citizen (id, name, village, identity_bound, identity_verified,"
    " id_number_masked, created_at, updated_at) SELECT gen_random_uuid(), '测试' || g, $3, true,"
    " true, '330***********001X', now(), now() FROM generate_series(1, $2::int) g"
    " RETURNING id, name),"
    " cs AS (INSERT INTO case_record (number, item_code, applicant, filed_by_kind, channel,"
    " status, form, delivery_method, delivery_address, committed_days, created_at, updated_at)"
    " SELECT $1 || lpad(substr(name, 3), 6, '0'), $4, id, 'self', 'app', 'submitted',"
    " '{}'::jsonb, 'window', '', 5, now(), now() FROM cz RETURNING id, number),"
    ' ev AS (INSERT INTO case_event ("case", at, action, from_status, to_status, actor_kind,'
    " actor_role, channel, note, data) SELECT id, now(), 'submit', NULL, 'submitted', 'citizen',"
    " 'citizen', 'app', '', '{}'::jsonb FROM cs)"
    " INSERT INTO outbox_event (kind, payload, dedup_key, status, attempts, due_at, last_error,"
    " created_at) SELECT 'case.forward', jsonb_build_object('case_id', id), 'forward:' || number,"
    " 'pending', 0, now(), '', now() FROM cs RETURNING id"
)


@dataclass
class PlatformWork:
    """Cases forwarded to the external platform; the scenario starts the ``FakePlatform``."""

    fake: FakePlatform
    redis_url: str
    queue: str
    village: str = ""
    title: str = "platform"

    async def configure(self) -> str:
        """Make the township of a demo village take its cases on the fake; returns its code."""
        village, township = await a_village()
        await db.fetch(
            "INSERT INTO township_platform (township_code, base_url, app_id, active, updated_by,"
            " updated_at) VALUES ($1, $2, $3, true, 'faults', now())",
            township,
            self.fake.url,
            self.fake.app_id,
        )
        self.village = village
        return township

    def fail(self, fault: Fault) -> None:
        if fault == "slow":
            self.fake.set_delay(SLOW_S)
        elif fault == "failing":
            self.fake.set_failing(True)
        else:
            self.fake.set_down(True)

    def recover(self) -> None:
        self.fake.set_delay(0)
        self.fake.set_failing(False)
        self.fake.set_down(False)

    async def push(self, tag: str, n: int) -> None:
        rows = await db.fetch(_PLATFORM_CASES, tag, n, self.village, ITEM)
        await ring(self.redis_url, self.queue, [int(r["id"]) for r in rows])

    def tally(self, tag: str) -> Tally:
        mine = [r for r in list(self.fake.received) if str(r.get("number") or "").startswith(tag)]
        taken = Counter(str(r["number"]) for r in mine if r.get("status") in (200, 201))
        held = {n for n in list(self.fake.pushes) if n.startswith(tag)}
        return Tally(held, _extra(taken), len(mine))

    async def attempts(self, tag: str) -> list[int]:
        rows = await db.fetch(
            'SELECT p.attempts FROM platform_push p JOIN case_record c ON c.id = p."case"'
            " WHERE c.number LIKE $1 || '%'",
            tag,
        )
        return [int(r["attempts"]) for r in rows]

    async def recorded(self, tag: str) -> set[str]:
        """Cases our side moved on to ``queued`` after the platform took them."""
        rows = await db.fetch(
            'SELECT c.number FROM case_record c JOIN platform_push p ON p."case" = c.id'
            " WHERE c.number LIKE $1 || '%' AND c.status = 'queued' AND p.pushed_at IS NOT NULL",
            tag,
        )
        return {str(r["number"]) for r in rows}


# --- SMS ------------------------------------------------------------------------------------

_SMS_CASES = (
    "WITH cz AS (INSERT INTO citizen (id, name, village, identity_bound, identity_verified,"
    " phone_enc, created_at, updated_at) SELECT t.id, '测试' || t.g, $3, true, true, t.phone,"
    " now(), now() FROM unnest($5::uuid[], $6::text[], $7::int[]) AS t(id, phone, g)"
    " RETURNING id, name),"
    " cs AS (INSERT INTO case_record (number, item_code, applicant, filed_by_kind, channel,"
    " status, township, form, delivery_method, delivery_address, committed_days, created_at,"
    " updated_at) SELECT $1 || lpad(substr(name, 3), 6, '0'), $4, id, 'self', 'app',"
    " 'rejected', $2, '{}'::jsonb, 'window', '', 5, now(), now() FROM cz RETURNING id),"
    ' ev AS (INSERT INTO case_event ("case", at, action, from_status, to_status, actor_kind,'
    " actor_role, channel, note, data) SELECT id, now(), 'reject', 'claimed', 'rejected',"
    " 'staff', 'window', 'portal', $8, '{}'::jsonb FROM cs RETURNING id)"
    " INSERT INTO outbox_event (kind, payload, dedup_key, status, attempts, due_at, last_error,"
    " created_at) SELECT 'case.event', jsonb_build_object('event_id', id), 'case-event:' || id,"
    " 'pending', 0, now(), '', now() FROM ev RETURNING id"
)


@dataclass
class SmsWork:
    """SMS to villagers without WeChat told of a rejection; the fake is the runner's ``FakeSms``."""

    fake: FakeSms
    redis_url: str
    queue: str
    cipher: FieldCipher
    village: str = ""
    township: str = ""
    title: str = "SMS"
    channel: str = "sms"
    phones: dict[str, dict[str, str]] = field(default_factory=dict)
    """Each row's villagers' phone numbers and their case numbers, by tag."""
    _requests_before: dict[str, int] = field(default_factory=dict)

    async def configure(self) -> None:
        self.village, self.township = await a_village()

    def fail(self, fault: Fault) -> None:
        if fault == "slow":
            self.fake.set_delay(SLOW_S)
        elif fault == "failing":
            self.fake.set_unavailable(True)  # 503 to every send
        else:
            self.fake.stop()

    def recover(self) -> None:
        self.fake.set_delay(0)
        self.fake.set_unavailable(False)
        self.fake.start()  # the same port again

    async def push(self, tag: str, n: int) -> None:
        row = len(self.phones) + 1
        ids = [str(uuid.uuid4()) for _ in range(n)]
        phones = [f"13{row % 10}{k:08d}" for k in range(1, n + 1)]
        sealed = [
            self.cipher.encrypt(p, context=phone_context(i))
            for i, p in zip(ids, phones, strict=True)
        ]
        self.phones[tag] = dict(zip(phones, numbers(tag, n), strict=True))
        self._requests_before[tag] = self.fake.requests
        rows = await db.fetch(
            _SMS_CASES,
            tag,
            self.township,
            self.village,
            ITEM,
            ids,
            sealed,
            list(range(1, n + 1)),
            REJECTION,
        )
        await ring(self.redis_url, self.queue, [int(r["id"]) for r in rows])

    def tally(self, tag: str) -> Tally:
        mine = self.phones.get(tag, {})
        counts = Counter(mine[m["phone"]] for m in self.fake.messages() if m["phone"] in mine)
        # rows run one after the other: the requests since this row's work was written
        requests = self.fake.requests - self._requests_before.get(tag, 0)
        return Tally(set(counts), _extra(counts), requests)

    async def attempts(self, tag: str) -> list[int]:
        return await send_attempts(tag, self.channel)

    async def recorded(self, tag: str) -> set[str]:
        return await delivered(tag, self.channel)


def numbers(tag: str, n: int) -> Iterable[str]:
    """The case numbers of a row's ``n`` items (``<tag>000001`` …)."""
    return (f"{tag}{k:06d}" for k in range(1, n + 1))

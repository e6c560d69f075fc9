"""Load for the notification figures: case events or messages written in bulk, workers killed.

Used by ``bench.notify`` (``make bench``) and by the quick version in the test suite
(``tests/notifications/test_kills.py``), so both measure the same thing:

- ``seed_case_events``: ``n`` citizens with WeChat, each with one credit for the
  ``case.received`` template and one submitted case whose ``submit`` event has its outbox row
  (what ``POST /api/v1/cases`` writes), in one statement; the worker plans and delivers them;
- ``seed_messages``: ``n`` planned WeChat messages with their delivery outbox rows, for the
  backlog drain;
- ``kill_while_sending``: run ``jiujinban worker`` processes, SIGKILL each at a random moment
  once it is sending, start the next at once, and let the last one finish;
- ``duplicates``: the case numbers that reached the fake WeChat more than once.
"""

from __future__ import annotations

import asyncio
import random
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from backend import db
from backend.outbox.doorbell import ArqDoorbell

TEMPLATE_ID = "jjb-case-received"  # the default template of case.received (templates.parse_config)

_CITIZENS = (
    "INSERT INTO citizen (id, openid, name, identity_bound, identity_verified, created_at,"
    " updated_at) SELECT gen_random_uuid(), $1 || g, '测试' || g, true, true, now(), now()"
    " FROM generate_series($5::int, $5::int + $2 - 1) g RETURNING id, openid"
)
# Built from constants only; every value is a bound parameter.
_SEED_EVENTS = (
    f"WITH cz AS ({_CITIZENS}),"  # noqa: S608
    " sub AS (INSERT INTO subscription (citizen, template_id, status, credits, updated_at, source)"
    " SELECT id, $3, 'accept', 1, now(), 'app' FROM cz),"
    " cs AS (INSERT INTO case_record (number, item_code, applicant, filed_by_kind, channel,"
    " status, form, delivery_method, delivery_address, committed_days, created_at, updated_at)"
    " SELECT $4 || lpad(substr(openid, length($1) + 1), 6, '0'), 'GA-CSDJ', id, 'self', 'app',"
    " 'submitted', '{}'::jsonb, 'window', '', 5, now(), now() FROM cz RETURNING id),"
    ' ev AS (INSERT INTO case_event ("case", at, action, from_status, to_status, actor_kind,'
    " actor_role, channel, note, data) SELECT id, now(), 'submit', NULL, 'submitted', 'citizen',"
    " 'citizen', 'app', '', '{}'::jsonb FROM cs RETURNING id)"
    " INSERT INTO outbox_event (kind, payload, dedup_key, status, attempts, due_at, last_error,"
    " created_at) SELECT 'case.event', jsonb_build_object('event_id', id), 'case-event:' || id,"
    " 'pending', 0, now(), '', now() FROM ev RETURNING id"
)
_SEED_MESSAGES = (
    f"WITH cz AS ({_CITIZENS}),"  # noqa: S608
    " sub AS (INSERT INTO subscription (citizen, template_id, status, credits, updated_at, source)"
    " SELECT id, $3, 'accept', 1, now(), 'app' FROM cz),"
    " m AS (INSERT INTO message (key, event, recipient_kind, recipient_id, channel, case_number,"
    " title, body, page, template_id, template_version, data, needs_action, status, attempts,"
    " credit_spent, last_error, created_at) SELECT 'bench:' || openid || ':wechat',"
    " 'case.received', 'citizen', id::text, 'wechat', n, '申请已提交', '您的申请已提交。',"
    " 'pages/case/index?number=' || n, $3, 'bench', jsonb_build_object("
    "'character_string1', jsonb_build_object('value', n),"
    " 'thing2', jsonb_build_object('value', '出生医学证明'),"
    " 'phrase3', jsonb_build_object('value', '已提交'),"
    " 'time4', jsonb_build_object('value', '2026年11月27日 09:00'),"
    " 'thing5', jsonb_build_object('value', '无')), false, 'created', 0, false, '', now()"
    " FROM (SELECT id, openid, $4 || lpad(substr(openid, length($1) + 1), 6, '0') AS n FROM cz) x"
    " RETURNING id)"
    " INSERT INTO outbox_event (kind, payload, dedup_key, status, attempts, due_at, last_error,"
    " created_at) SELECT 'message.deliver', jsonb_build_object('message_id', id),"
    " 'deliver:' || id, 'pending', 0, now(), '', now() FROM m RETURNING id"
)


async def seed_case_events(n: int, *, tag: str, start: int = 1) -> list[int]:
    """``n`` submitted cases numbered ``<tag><start…>`` (six digits); returns their outbox rows'
    ids. Calls with the same tag must not overlap in ``start .. start + n - 1``."""
    rows = await db.fetch(_SEED_EVENTS, f"{tag}-", n, TEMPLATE_ID, tag, start)
    return [int(r["id"]) for r in rows]


async def seed_messages(n: int, *, tag: str, start: int = 1) -> list[int]:
    """``n`` planned WeChat messages for cases ``<tag><start…>``; returns the outbox ids."""
    rows = await db.fetch(_SEED_MESSAGES, f"{tag}-", n, TEMPLATE_ID, tag, start)
    return [int(r["id"]) for r in rows]


async def ring(doorbell: ArqDoorbell, outbox_ids: Iterable[int], *, concurrency: int = 1) -> None:
    """Enqueue the rows now rather than waiting for the sweeper (1,000 rows per sweep), as the
    app does after its commit; ``concurrency`` enqueues run at once (for a large backlog)."""
    ids = list(outbox_ids)
    step = max(1, concurrency)
    for at in range(0, len(ids), step):
        await asyncio.gather(*(doorbell.enqueue(i, attempts=0) for i in ids[at : at + step]))


def forget_dead_jobs(redis_url: str, queue_name: str) -> int:
    """Drop arq's in-progress markers of this queue's jobs (only a dead worker holds any when
    this is called: between a kill and the next start).

    A job a killed worker had started stays in arq's queue, marked as started for the longest
    job or cron timeout + 10 s (1,810 s with the 30-minute statistics cron). A live worker reads
    the queue's 100 oldest due jobs per poll and skips those marked: once a hundred dead jobs
    are at the head of the queue it starts nothing, not even the jobs the sweeper enqueues
    afresh behind them, until the markers expire. This stands for that expiry.
    """
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"arq:in-progress:{queue_name}:*", count=1000))
        if keys:
            client.delete(*keys)
        return len(keys)
    finally:
        client.close()  # type: ignore[no-untyped-call]


def case_number_of(message: Mapping[str, Any]) -> str:
    return str(message["data"]["character_string1"]["value"])


def duplicates(messages: Iterable[Mapping[str, Any]], tag: str) -> dict[str, int]:
    """Case numbers of this run that reached WeChat more than once, and how often."""
    seen = Counter(n for n in map(case_number_of, messages) if n.startswith(tag))
    return {n: c for n, c in sorted(seen.items()) if c > 1}


def reached(messages: Iterable[Mapping[str, Any]], tag: str) -> set[str]:
    return {n for n in map(case_number_of, messages) if n.startswith(tag)}


@dataclass
class KillRun:
    kills: int = 0
    workers_started: int = 0
    seconds: float = 0.0
    killed_at_sent: list[int] = field(default_factory=list)


def kill_while_sending(
    *,
    spawn: Callable[[], subprocess.Popen[bytes]],
    stop: Callable[[subprocess.Popen[bytes]], None],
    sent: Callable[[], int],
    finished: Callable[[], bool],
    kills: int,
    seed: int,
    timeout_s: float,
    max_after_sending_s: float = 0.5,
    after_kill: Callable[[], object] | None = None,
) -> KillRun:
    """SIGKILL ``kills`` workers, each at a random moment within ``max_after_sending_s`` of
    seeing it send (``sent()``, the messages WeChat has, went up since it started), starting the
    next at once; then wait for ``finished()`` with the last worker alive, and stop it.

    A row a dead worker had claimed comes back when its lease runs out; a row whose arq job had
    started but was not yet claimed gets a job id of its own from the sweeper once it is a minute
    overdue. ``after_kill`` runs between a kill and the next start (``forget_dead_jobs``, when
    more dead jobs than arq reads per poll would otherwise starve the next worker)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible schedule, not security
    run = KillRun()
    started = time.monotonic()
    deadline = started + timeout_s
    worker = spawn()
    run.workers_started = 1
    try:
        while run.kills < kills:
            before = sent()
            while sent() == before:
                if finished():
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no sending after {run.kills} kills")
                if worker.poll() is not None:
                    raise RuntimeError(f"worker exited by itself with {worker.returncode}")
                time.sleep(0.01)
            if finished():
                break  # everything was delivered before all the kills were spent
            time.sleep(rng.uniform(0.0, max_after_sending_s))
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            run.kills += 1
            run.killed_at_sent.append(sent())
            if after_kill is not None:
                after_kill()
            worker = spawn()
            run.workers_started += 1
        while not finished():
            if time.monotonic() > deadline:
                raise TimeoutError("not every message reached WeChat in time")
            if worker.poll() is not None:
                raise RuntimeError(f"worker exited by itself with {worker.returncode}")
            time.sleep(0.05)
        run.seconds = time.monotonic() - started
    finally:
        stop(worker)
    return run

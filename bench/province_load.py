"""The open-loop load of ``province``, in a process of its own (``python -m bench.province_load
PLAN OUT``).

``bench.province`` writes a plan (ports, tokens, the item, the arrival segments) and starts this
as a child process, so that building and timing thousands of requests never takes the servers'
event loop or the bench's: the servers, this process and the bench each have their own.

Cases arrive on the plan's schedule (``province_profile.arrivals``); each case runs the pinned
``CASE_STEPS``, every step started at its due time whether or not earlier requests have been
answered (open loop), except where a step needs an earlier one's answer (the submission needs
its uploads' ids, the reads of a case its number, each window step the previous one). Such a
step starts as soon as its dependency is done if that is later than its due time, and its
latency counts from then. Every request goes over a raw keep-alive HTTP/1.1 connection
(``bench.queue_latency.Connections``). A window clerk who does not find the case in the queue
yet looks again every ``QUEUE_POLL_S`` (each look is a real request).

Each phase of a run has its own ``variant_offset``: every upload is a photo of its own (a base
photo with one luminance and one chrominance quantisation entry changed, so the cleaned JPEG
differs too), and the stored objects are not shared.

The output (JSON): per operation the due time (s from the start), latency (ms) and status (0:
no answer) of every request, error samples, what was skipped because a dependency failed, the
case numbers submitted and the wall-clock time of the start.
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import secrets
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.citizens import multipart, phone_photo
from bench.province_profile import (
    CASE_STEPS,
    DASHBOARD_EVERY_S,
    QUEUE_POLL_S,
    QUEUE_WAIT_S,
    Segment,
    Step,
    arrivals,
)
from bench.queue_latency import MAX_IN_FLIGHT, REQUEST_TIMEOUT_S, Connections, Overloaded

ERROR_SAMPLES = 10


# --- the photos -------------------------------------------------------------------------------


def _quant_tables(jpeg: bytes) -> list[int]:
    """Offsets of the 64 entries of each 8-bit quantisation table, in file order."""
    out: list[int] = []
    at = 2
    while at + 4 <= len(jpeg) and jpeg[at] == 0xFF:
        marker, length = jpeg[at + 1], int.from_bytes(jpeg[at + 2 : at + 4], "big")
        if marker == 0xDA:  # start of scan: no tables after it
            break
        if marker == 0xDB:
            pos, end = at + 4, at + 2 + length
            while pos < end:
                precision = jpeg[pos] >> 4
                if precision == 0:
                    out.append(pos + 1)
                pos += 1 + 64 * (2 if precision else 1)
        at += 2 + length
    return out


def variant(bases: list[bytes], tables: list[list[int]], k: int) -> bytes:
    """Photo ``k``: base ``k % len(bases)`` with one low-frequency entry of its first two
    quantisation tables raised; distinct for k < len(bases) × 160,000."""
    base = k % len(bases)
    rest = k // len(bases)
    data = bytearray(bases[base])
    luma, chroma = tables[base][0], tables[base][1]
    one, other = rest % 400, (rest // 400) % 400
    data[luma + 1 + one % 20] = min(255, data[luma + 1 + one % 20] + 1 + one // 20)
    if other:  # 0: the chrominance table as it was
        pos = chroma + 1 + (other - 1) % 20
        data[pos] = min(255, data[pos] + 1 + (other - 1) // 20)
    return bytes(data)


# --- the requests -----------------------------------------------------------------------------


def _raw(
    method: str,
    port: int,
    path: str,
    headers: dict[str, str],
    body: bytes | None = None,
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


JSON = {"Content-Type": "application/json"}


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class Recorder:
    """Every request's figures, per operation, kept compact (three parallel lists)."""

    t0: float
    due: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    status: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lag: list[float] = field(default_factory=list)

    def add(self, op: str, due: float, latency_s: float, status: int, error: str = "") -> None:
        self.due[op].append(round(due - self.t0, 3))
        self.latency[op].append(round(latency_s * 1000, 2))
        self.status[op].append(status)
        if not 200 <= status < 300 and len(self.errors[op]) < ERROR_SAMPLES:
            self.errors[op].append(f"{status or 'no answer'}: {error[:300]}")


class Load:
    def __init__(self, plan: dict[str, Any]) -> None:
        self.plan = plan
        self.port = int(plan["port"])
        self.ops = set(plan["ops"]) if plan.get("ops") else None
        self.connections = Connections(self.port)
        self.citizens = plan["citizens"]
        self.item = plan["item"]
        self.rng = random.Random(plan.get("seed", 1))  # noqa: S311 - a reproducible mix
        self.bases = [
            phone_photo(1000 + s, tuple(plan["photo_size"])) for s in range(plan["photo_bases"])
        ]
        self.tables = [_quant_tables(b) for b in self.bases]
        self.submitted: list[str] = []
        self.never_queued = 0
        self.queue_polls = 0
        self.recorder = Recorder(0.0)

    async def send(self, op: str, ready: float, raw: bytes) -> tuple[int, bytes]:
        """One request, its figures recorded from ``ready`` (its due time, or when what it
        waited for was done)."""
        loop = asyncio.get_running_loop()
        self.recorder.lag.append(loop.time() - ready)
        try:
            status, body = await self.connections.send(raw)
        except Overloaded:
            why = f"not sent: {MAX_IN_FLIGHT} requests already in flight (the servers fell behind)"
            self.recorder.add(op, ready, loop.time() - ready, 0, why)
            return 0, b""
        except TimeoutError:
            why = f"no answer within {REQUEST_TIMEOUT_S:g} s"
            self.recorder.add(op, ready, loop.time() - ready, 0, why)
            return 0, b""
        except (OSError, asyncio.IncompleteReadError) as exc:
            self.recorder.add(op, ready, loop.time() - ready, 0, f"{type(exc).__name__}: {exc}")
            return 0, b""
        self.recorder.add(
            op, ready, loop.time() - ready, status, body[:300].decode("utf-8", "replace")
        )
        return status, body

    def wanted(self, op: str) -> bool:
        return self.ops is None or op in self.ops

    # --- one case -----------------------------------------------------------------------

    async def case(self, index: int, arrival: float) -> None:
        loop = asyncio.get_running_loop()
        who = self.citizens[(self.plan["citizen_offset"] + index) % len(self.citizens)]
        auth = {"Authorization": f"Bearer {who['token']}"}
        uploads: list[asyncio.Task[str | None]] = []
        number: asyncio.Future[str | None] = loop.create_future()
        chain: asyncio.Task[bool] | None = None
        tasks: list[asyncio.Task[Any]] = []
        photo = self.plan["variant_offset"] + index * len(self.item["materials"])
        for step in CASE_STEPS:
            if not self.wanted(step.op):
                continue
            due = arrival + step.at
            if (wait := due - loop.time()) > 0:
                await asyncio.sleep(wait)
            if step.op == "upload":
                k = len(uploads)
                uploads.append(
                    asyncio.create_task(
                        self.upload(due, auth, self.item["materials"][k], photo + k)
                    )
                )
            elif step.op == "subscribe":
                tasks.append(asyncio.create_task(self.subscribe(due, auth)))
            elif step.op == "submit":
                tasks.append(asyncio.create_task(self.submit(due, auth, uploads, number)))
            elif step.after == "staff" or step.op == "queue_read":
                chain = asyncio.create_task(self.staff(step, due, who, number, chain))
                tasks.append(chain)
            else:
                tasks.append(asyncio.create_task(self.read(step, due, who, auth, number)))
        if not uploads and not tasks:
            return
        await asyncio.gather(*uploads, *tasks)
        if not number.done():
            number.set_result(None)

    async def upload(self, due: float, auth: dict[str, str], material: str, k: int) -> str | None:
        body, content_type = multipart(
            {"material_type": material},
            ("photo.jpg", variant(self.bases, self.tables, k), "image/jpeg"),
            boundary=f"province{secrets.token_hex(8)}",
        )
        raw = _raw(
            "POST", self.port, "/api/v1/uploads", {**auth, "Content-Type": content_type}, body
        )
        status, answer = await self.send("upload", due, raw)
        return str(json.loads(answer)["id"]) if status == 201 else None

    async def subscribe(self, due: float, auth: dict[str, str]) -> None:
        """The subscribe popup of the tap of 提交: one accept per template, a credit each."""
        results = {t: "accept" for t in self.plan["templates"]}
        body = _json({"results": results})
        path = "/api/v1/notifications/subscriptions"
        await self.send("subscribe", due, _raw("POST", self.port, path, {**auth, **JSON}, body))

    async def submit(
        self,
        due: float,
        auth: dict[str, str],
        uploads: list[asyncio.Task[str | None]],
        number: asyncio.Future[str | None],
    ) -> None:
        loop = asyncio.get_running_loop()
        try:
            ids = await asyncio.gather(*uploads)
            if any(i is None for i in ids):
                self.recorder.skipped["submit"] += 1
                number.set_result(None)
                return
            materials = [
                {"type": t, "upload_id": u}
                for t, u in zip(self.item["materials"], ids, strict=True)
            ]
            body = _json(
                {
                    "item_code": self.item["code"],
                    "form": self.item["form"],
                    "materials": materials,
                    "delivery": {"method": "window"},
                }
            )
            ready = max(due, loop.time())
            raw = _raw("POST", self.port, "/api/v1/cases", {**auth, **JSON}, body)
            status, answer = await self.send("submit", ready, raw)
            if status == 201:
                value = str(json.loads(answer)["number"])
                self.submitted.append(value)
                number.set_result(value)
            else:
                number.set_result(None)
        finally:
            if not number.done():
                number.set_result(None)

    async def read(
        self,
        step: Step,
        due: float,
        who: dict[str, Any],
        auth: dict[str, str],
        number: asyncio.Future[str | None],
    ) -> None:
        ready = due
        case_number = None
        if step.after == "submit":
            case_number = await number
            if case_number is None:
                self.recorder.skipped[step.op] += 1
                return
            ready = max(due, asyncio.get_running_loop().time())
        item = self.item["code"]
        headers: dict[str, str] = {}
        if step.op == "items_search":
            term = self.rng.choice(self.plan["search_terms"])
            path, headers = f"/api/v1/items?q={quote(term)}", {}
        elif step.op == "items_list":
            path, headers = f"/api/v1/items?page={self.rng.randint(1, 3)}&page_size=20", {}
        elif step.op == "item_detail":
            code = self.rng.choice(self.plan["item_codes"]) if self.rng.random() < 0.6 else item
            path, headers = f"/api/v1/items/{code}", {}
        elif step.op == "nearby":
            path = (
                f"/api/v1/service-points/nearby?lat={who['lat']}&lng={who['lng']}"
                f"&item={item}&mode=car&within_minutes=30"
            )
            headers = {}
        elif step.op == "case_detail":
            path, headers = f"/api/v1/cases/{case_number}", auth
        else:  # my_cases
            path, headers = "/api/v1/cases", auth
        await self.send(step.op, ready, _raw("GET", self.port, path, headers))

    async def staff(
        self,
        step: Step,
        due: float,
        who: dict[str, Any],
        number: asyncio.Future[str | None],
        previous: asyncio.Task[bool] | None,
    ) -> bool:
        """One step of the window's chain; False if the chain broke here or before."""
        loop = asyncio.get_running_loop()
        case_number = await number
        if previous is not None and not await previous:
            case_number = None
        if case_number is None:
            self.recorder.skipped[step.op] += 1
            return False
        ready = max(due, loop.time())
        clerk = {"Authorization": f"Bearer {self.plan['clerks'][who['township']]}"}
        window = f"/api/v1/window/cases/{case_number}"
        if step.op == "queue_read":
            path = f"/api/v1/window/queue?number={case_number}"
            while True:
                status, answer = await self.send(
                    "queue_read", ready, _raw("GET", self.port, path, clerk)
                )
                if status != 200:
                    return False
                if any(e.get("number") == case_number for e in json.loads(answer)["items"]):
                    return True
                if loop.time() - ready > QUEUE_WAIT_S:
                    self.never_queued += 1
                    self.recorder.add("queue_read", ready, loop.time() - ready, 0, "never queued")
                    return False
                self.queue_polls += 1
                await asyncio.sleep(QUEUE_POLL_S)
                ready = loop.time()
        body: dict[str, Any]
        if step.op == "approve":
            headers = {"Authorization": f"Bearer {self.plan['approver']}", **JSON}
            path, body = f"/api/v1/review/cases/{case_number}/approve", {"note": "材料齐全，同意"}
        elif step.op == "deliver":
            headers = {**clerk, **JSON}
            path = f"{window}/deliver"
            body = {
                "method": "window",
                "collector_name": who["name"],
                "collector_id_number": who["id_number"],
            }
        else:  # accept, transfer, result
            headers, path, body = {**clerk, **JSON}, f"{window}/{step.op}", {}
        status, _ = await self.send(
            step.op, ready, _raw("POST", self.port, path, headers, _json(body))
        )
        return 200 <= status < 300

    # --- the supervisors -----------------------------------------------------------------

    async def dashboards(self, end: float) -> None:
        loop = asyncio.get_running_loop()
        raw = _raw("GET", self.port, "/portal/dashboard", {"Cookie": self.plan["dashboard_cookie"]})
        tasks = []
        k = 0
        while (due := self.recorder.t0 + k * DASHBOARD_EVERY_S) < end:
            if (wait := due - loop.time()) > 0:
                await asyncio.sleep(wait)
            tasks.append(asyncio.create_task(self.send("dashboard", due, raw)))
            k += 1
        await asyncio.gather(*tasks)

    # --- the run -------------------------------------------------------------------------

    async def run(self) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        parts = [Segment(*s) for s in self.plan["segments"]]
        times = arrivals(parts)
        shard, shards = self.plan.get("shard", [0, 1])
        if (wait := float(self.plan.get("start_at", 0)) - time.time()) > 0:
            await asyncio.sleep(wait)
        t0 = loop.time() + 0.05
        wall0 = time.time() + 0.05
        self.recorder.t0 = t0
        end = t0 + (parts[-1].end_s if parts else 0.0)
        tasks = []
        if self.plan.get("dashboard_cookie") and shard == 0:
            tasks.append(asyncio.create_task(self.dashboards(end)))
        for index, at in enumerate(times):
            if index % shards != shard:
                continue
            due = t0 + at
            if (wait := due - loop.time()) > 0:
                await asyncio.sleep(wait)
            tasks.append(asyncio.create_task(self.case(index, due)))
        await asyncio.gather(*tasks)
        self.connections.close()
        r = self.recorder
        return {
            "t0_wall": wall0,
            "cases": sum(1 for i in range(len(times)) if i % shards == shard),
            "submitted": self.submitted,
            "never_queued": self.never_queued,
            "queue_polls": self.queue_polls,
            "connections_opened": self.connections.opened,
            "lag_p99_ms": round(sorted(r.lag)[int(len(r.lag) * 0.99)] * 1000, 1) if r.lag else None,
            "ops": {
                op: {"due": r.due[op], "latency_ms": r.latency[op], "status": r.status[op]}
                for op in r.due
            },
            "errors": dict(r.errors),
            "skipped": dict(r.skipped),
        }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        sys.stderr.write("usage: python -m bench.province_load PLAN.json OUT.json\n")
        return 2
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # a socket per request in flight
    plan = json.loads(Path(args[0]).read_text())
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # the standard loop works, with more of its own CPU
        pass
    result = asyncio.run(Load(plan).run())
    Path(args[1]).write_text(json.dumps(result, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())

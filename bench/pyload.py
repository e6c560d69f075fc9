"""A small HTTP/1.1 load generator for when ``wrk`` is not installed.

usage: python -m bench.pyload SPEC.json   (written by ``bench.loadgen.PyLoad``)

``concurrency`` keep-alive connections to ``127.0.0.1:<port>``, each sending the next request as
soon as the previous answer is read, for ``seconds``. Requests come from the spec's streams, as
in the wrk script: a stream picked per request by weight, its calls in turn, a ``once`` stream's
calls never twice. Prints one ``BENCH_JSON`` line with the same keys as the wrk script: request
count, elapsed microseconds, latency percentiles, errors, statuses.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

MARKER = "BENCH_JSON "


def _wire(method: str, path: str, port: int, headers: dict[str, str], body: bytes | None) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    if body is None:
        return (head + "\r\n").encode()
    return (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def build_streams(spec: dict[str, Any]) -> list[list[bytes]]:
    """Every stream's calls as bytes on the wire."""
    blobs = [Path(p).read_bytes() for p in spec["bodies"]]
    out = []
    for stream in spec["streams"]:
        calls = []
        for line in Path(stream["calls"]).read_text(encoding="utf-8").splitlines():
            method, path, h, body = line.split("\t", 3)
            data = None
            if body.startswith("@"):
                data = blobs[int(body[1:]) - 1]
            elif body.startswith("="):
                data = body[1:].encode()
            calls.append(_wire(method, path, spec["port"], spec["header_sets"][int(h) - 1], data))
        out.append(calls)
    return out


class Picker:
    """The next request: a stream by weight, its calls in turn; ``once`` streams never wrap
    silently (each request past the end counts as exhausted)."""

    def __init__(self, spec: dict[str, Any], streams: list[list[bytes]]) -> None:
        self.streams = streams
        self.once = [bool(s["once"]) for s in spec["streams"]]
        total = sum(s["weight"] for s in spec["streams"]) or 1.0
        self.upto: list[float] = []
        acc = 0.0
        for s in spec["streams"]:
            acc += s["weight"] / total
            self.upto.append(acc)
        self.used = [0] * len(streams)
        self.exhausted = 0
        self.random = random.Random(42)  # noqa: S311 - picks a stream, not a secret

    def next(self) -> bytes:
        s = 0
        if len(self.streams) > 1:
            s = min(bisect.bisect_right(self.upto, self.random.random()), len(self.streams) - 1)
        calls = self.streams[s]
        u = self.used[s]
        self.used[s] = u + 1
        if self.once[s] and u >= len(calls):
            self.exhausted += 1
        return calls[u % len(calls)]


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    if "content-length" in fields:
        await reader.readexactly(int(fields["content-length"]))
    elif fields.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _connection(
    port: int, picker: Picker, until: float, timeout_s: float, out: dict[str, Any]
) -> None:
    latencies: list[float] = out["latencies"]
    statuses: Counter[int] = out["statuses"]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            start = time.perf_counter()
            writer.write(picker.next())
            try:
                status = await asyncio.wait_for(_read_response(reader), timeout_s)
            except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
                out["socket_errors"] += 1
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            latencies.append(time.perf_counter() - start)
            statuses[status] += 1
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def _main(spec: dict[str, Any]) -> dict[str, Any]:
    picker = Picker(spec, build_streams(spec))
    out: dict[str, Any] = {"latencies": [], "socket_errors": 0, "statuses": Counter()}
    start = time.perf_counter()
    until = start + float(spec["seconds"])
    await asyncio.gather(
        *(
            _connection(spec["port"], picker, until, spec["timeout_s"], out)
            for _ in range(spec["concurrency"])
        )
    )
    elapsed = time.perf_counter() - start
    lat = sorted(out["latencies"])

    def pct(q: float) -> int:
        if not lat:
            return 0
        value: float = lat[min(len(lat) - 1, int(q / 100 * len(lat)))]
        return round(value * 1e6)

    statuses: Counter[int] = out["statuses"]
    return {
        "requests": len(lat),
        "duration_us": round(elapsed * 1e6),
        "p50_us": pct(50),
        "p90_us": pct(90),
        "p99_us": pct(99),
        "max_us": round(lat[-1] * 1e6) if lat else 0,
        "socket_errors": out["socket_errors"],
        "status_errors": sum(n for code, n in statuses.items() if code >= 400),
        "exhausted": picker.exhausted,
        "statuses": {str(k): v for k, v in sorted(statuses.items())} if spec["statuses"] else {},
    }


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    try:
        import uvloop
    except ImportError:
        report = asyncio.run(_main(spec))
    else:
        report = uvloop.run(_main(spec))
    sys.stdout.write(MARKER + json.dumps(report) + "\n")


if __name__ == "__main__":
    main()

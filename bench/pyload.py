"""A small HTTP/1.1 load generator for when ``wrk`` is not installed.

usage: python -m bench.pyload '<json spec>'   (see ``bench.loadgen.PyLoad`` for the keys)

``concurrency`` keep-alive connections to ``127.0.0.1:<port>``, each sending the next request as
soon as the previous answer is read, for ``seconds``. Prints one ``BENCH_JSON`` line with the same
keys as the wrk script: request count, elapsed microseconds, latency percentiles, errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from typing import Any

MARKER = "BENCH_JSON "


def build_requests(spec: dict[str, Any]) -> list[bytes]:
    head = f"{spec['method']} {spec['path']} HTTP/1.1\r\nHost: 127.0.0.1:{spec['port']}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in spec["headers"].items())
    if not spec["bodies"]:
        return [(head + "\r\n").encode()]
    out = []
    for body in spec["bodies"]:
        data = body.encode()
        out.append((head + f"Content-Length: {len(data)}\r\n\r\n").encode() + data)
    return out


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
    port: int,
    requests: list[bytes],
    offset: int,
    until: float,
    timeout_s: float,
    out: dict[str, Any],
) -> None:
    latencies: list[float] = out["latencies"]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = offset
    try:
        while time.perf_counter() < until:
            start = time.perf_counter()
            writer.write(requests[i % len(requests)])
            i += 1
            try:
                status = await asyncio.wait_for(_read_response(reader), timeout_s)
            except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
                out["errors"] += 1
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            latencies.append(time.perf_counter() - start)
            if status >= 400:
                out["errors"] += 1
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def _main(spec: dict[str, Any]) -> dict[str, Any]:
    requests = build_requests(spec)
    out: dict[str, Any] = {"latencies": [], "errors": 0}
    start = time.perf_counter()
    until = start + float(spec["seconds"])
    await asyncio.gather(
        *(
            _connection(spec["port"], requests, n, until, spec["timeout_s"], out)
            for n in range(spec["concurrency"])
        )
    )
    elapsed = time.perf_counter() - start
    lat = sorted(out["latencies"])

    def pct(q: float) -> int:
        if not lat:
            return 0
        value: float = lat[min(len(lat) - 1, int(q / 100 * len(lat)))]
        return round(value * 1e6)

    return {
        "requests": len(lat),
        "duration_us": round(elapsed * 1e6),
        "p50_us": pct(50),
        "p90_us": pct(90),
        "p99_us": pct(99),
        "max_us": round(lat[-1] * 1e6) if lat else 0,
        "errors": out["errors"],
    }


def main() -> None:
    spec = json.loads(sys.argv[1])
    try:
        import uvloop
    except ImportError:
        report = asyncio.run(_main(spec))
    else:
        report = uvloop.run(_main(spec))
    sys.stdout.write(MARKER + json.dumps(report) + "\n")


if __name__ == "__main__":
    main()

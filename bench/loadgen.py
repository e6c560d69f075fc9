"""Load generators, each run as a separate process against ``127.0.0.1`` only.

``wrk`` (Debian package ``wrk``) is used when it is on ``PATH``: one thread, keep-alive
connections, a Lua script that sends the scenario's requests and reports percentiles as one JSON
line. Without it, ``bench.pyload`` (asyncio over raw sockets, also keep-alive) does the same job,
slower: on a small machine it competes harder with the servers for CPU, so its figures are lower
and are labelled with the tool that produced them.

Both take the same run description, written to files next to the Lua script: for every stream of
the ``Request`` one line per call (``method \\t path \\t header set \\t body``), bodies longer than
a line (multipart uploads) in files of their own, named by their hash so that runs share them.
Per request, a stream is picked by weight; its calls are used in turn, and a ``once`` stream's
call is never sent twice (past its end each request counts as ``exhausted``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean
from typing import Any, Protocol

from bench.processes import ChildFailed, Supervisor
from bench.scenarios import Request

MARKER = "BENCH_JSON "
TIMEOUT_S = 10
INLINE_MAX = 8192
"""Bodies up to this size without tab or line breaks go inline in the call file."""


@dataclass(frozen=True, slots=True)
class Measurement:
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    """Socket errors, timeouts and answers other than 2xx (other than 2xx/3xx when the run did
    not count statuses)."""
    statuses: dict[int, int] = field(default_factory=dict)
    """Answers per HTTP status, when the scenario counts them."""
    exhausted: int = 0
    """Requests sent past the end of a ``once`` stream (each reused a call)."""
    cpu_s: dict[str, float] = field(default_factory=dict)
    """CPU seconds spent during the run, by ``bench.cpu`` group (``server``, ``postgres``)."""

    def cpu_ms_per_request(self, group: str) -> float | None:
        if group not in self.cpu_s or not self.requests:
            return None
        return self.cpu_s[group] / self.requests * 1000

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @classmethod
    def combine(cls, rounds: list[Measurement]) -> Measurement:
        """Rounds as one: counts and times add up; percentiles are the rounds' mean."""
        statuses: Counter[int] = Counter()
        cpu: Counter[str] = Counter()
        for m in rounds:
            statuses.update(m.statuses)
            cpu.update(m.cpu_s)
        return cls(
            requests=sum(m.requests for m in rounds),
            seconds=sum(m.seconds for m in rounds),
            p50_ms=fmean([m.p50_ms for m in rounds]),
            p90_ms=fmean([m.p90_ms for m in rounds]),
            p99_ms=fmean([m.p99_ms for m in rounds]),
            max_ms=max(m.max_ms for m in rounds),
            errors=sum(m.errors for m in rounds),
            statuses=dict(sorted(statuses.items())),
            exhausted=sum(m.exhausted for m in rounds),
            cpu_s={k: round(v, 3) for k, v in cpu.items()} if all(m.cpu_s for m in rounds) else {},
        )

    @classmethod
    def from_report(cls, report: dict[str, Any]) -> Measurement:
        """From the JSON line both generators print (microseconds, like wrk)."""
        statuses = {int(k): int(v) for k, v in (report.get("statuses") or {}).items()}
        if statuses:
            answered_badly = sum(n for code, n in statuses.items() if not 200 <= code < 300)
        else:
            answered_badly = int(report["status_errors"])
        return cls(
            requests=int(report["requests"]),
            seconds=report["duration_us"] / 1e6,
            p50_ms=report["p50_us"] / 1000,
            p90_ms=report["p90_us"] / 1000,
            p99_ms=report["p99_us"] / 1000,
            max_ms=report["max_us"] / 1000,
            errors=int(report["socket_errors"]) + answered_badly,
            statuses=dict(sorted(statuses.items())),
            exhausted=int(report.get("exhausted", 0)),
        )


class LoadGenerator(Protocol):
    name: str

    def run(
        self, *, port: int, request: Request, concurrency: int, seconds: float, label: str
    ) -> Measurement: ...


def _parse(output: str, label: str) -> Measurement:
    for line in output.splitlines():
        if line.startswith(MARKER):
            return Measurement.from_report(json.loads(line[len(MARKER) :]))
    raise ChildFailed(f"load generator printed no report for {label}:\n{output[-2000:]}")


def _lua_string(text: str) -> str:
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


@dataclass(frozen=True, slots=True)
class RunFiles:
    """A ``Request`` written out for a load generator."""

    streams: list[dict[str, Any]]
    """Per stream: ``name``, ``weight``, ``once``, ``calls`` (path of its call file)."""
    header_sets: list[dict[str, str]]
    bodies: list[str]
    """Paths of the body files, referenced as ``@<index>`` (1-based) in the call files."""


def _inline(body: bytes) -> str | None:
    if len(body) > INLINE_MAX or any(b in body for b in (b"\t", b"\n", b"\r")):
        return None
    try:
        return body.decode()
    except UnicodeDecodeError:
        return None


def write_run(request: Request, directory: Path, label: str) -> RunFiles:
    directory.mkdir(parents=True, exist_ok=True)
    header_sets: dict[tuple[tuple[str, str], ...], int] = {}
    bodies: dict[str, int] = {}
    streams = []
    for n, stream in enumerate(request.streams, 1):
        lines = []
        for call in stream.calls:
            key = tuple(call.headers.items())
            h = header_sets.setdefault(key, len(header_sets) + 1)
            if call.body is None:
                body = ""
            elif (text := _inline(call.body)) is not None:
                body = "=" + text
            else:
                path = directory / f"body-{hashlib.sha256(call.body).hexdigest()[:24]}.bin"
                if not path.exists():
                    path.write_bytes(call.body)
                body = f"@{bodies.setdefault(str(path), len(bodies) + 1)}"
            lines.append(f"{call.method}\t{call.path}\t{h}\t{body}\n")
        calls = directory / f"{label}-{n}.calls"
        calls.write_text("".join(lines), encoding="utf-8")
        streams.append(
            {"name": stream.name, "weight": stream.weight, "once": stream.once, "calls": str(calls)}
        )
    return RunFiles(streams, [dict(k) for k in header_sets], list(bodies))


WRK_SCRIPT = """
local streams = {STREAMS}
local header_sets = {HEADER_SETS}
local files = {FILES}
local calls, prepared, used = {}, {}, {}
statuses, exhausted = {}, 0

local function load_calls(path, blobs)
  local out = {}
  for line in io.lines(path) do
    local m, p, h, b = line:match("^([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t(.*)$")
    local body = nil
    local tag = b:sub(1, 1)
    if tag == "@" then body = blobs[tonumber(b:sub(2))]
    elseif tag == "=" then body = b:sub(2) end
    out[#out + 1] = { m, p, header_sets[tonumber(h)], body }
  end
  return out
end

init = function(args)
  local blobs = {}
  for k, path in ipairs(files) do
    local f = assert(io.open(path, "rb"))
    blobs[k] = f:read("*a")
    f:close()
  end
  for s, stream in ipairs(streams) do
    calls[s] = load_calls(stream.calls, blobs)
    used[s] = 0
    if not stream.once then
      prepared[s] = {}
      for k, c in ipairs(calls[s]) do prepared[s][k] = wrk.format(c[1], c[2], c[3], c[4]) end
    end
  end
end

request = function()
  local s = #streams
  if s > 1 then
    local r = math.random()
    for k = 1, #streams - 1 do
      if r < streams[k].upto then s = k break end
    end
  end
  local u = used[s] + 1
  used[s] = u
  local list = calls[s]
  local i = (u - 1) % #list + 1
  if streams[s].once then
    if u > #list then exhausted = exhausted + 1 end
    local c = list[i]
    return wrk.format(c[1], c[2], c[3], c[4])
  end
  return prepared[s][i]
end
RESPONSE
local threads = {}
setup = function(thread) threads[#threads + 1] = thread end

done = function(summary, latency, requests)
  local e = summary.errors
  local merged, spent = {}, 0
  for _, t in ipairs(threads) do
    spent = spent + (t:get("exhausted") or 0)
    for code, n in pairs(t:get("statuses") or {}) do merged[code] = (merged[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(merged) do parts[#parts + 1] = string.format('"%d":%d', code, n) end
  io.write(string.format(
    'MARKER{"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,'
    .. '"socket_errors":%d,"status_errors":%d,"exhausted":%d,"statuses":{%s}}\\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status, spent, table.concat(parts, ",")))
end
""".replace("MARKER", MARKER)

COUNT_STATUSES = """
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
"""


def wrk_script(request: Request, files: RunFiles) -> str:
    """Lua for wrk: calls loaded (and, unless ``once``, pre-built) per thread at start, a stream
    picked per request by weight, statuses counted if asked, one JSON report line."""
    total = sum(s["weight"] for s in files.streams) or 1.0
    upto, streams = 0.0, []
    for s in files.streams:
        upto += s["weight"] / total
        streams.append(
            f"{{ name = {_lua_string(s['name'])}, upto = {upto!r}, "
            f"once = {'true' if s['once'] else 'false'}, calls = {_lua_string(s['calls'])} }}"
        )
    header_sets = [
        "{" + ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in h.items()) + "}"
        for h in files.header_sets
    ]
    return (
        WRK_SCRIPT.replace("{STREAMS}", "{\n  " + ",\n  ".join(streams) + "\n}")
        .replace("{HEADER_SETS}", "{\n  " + ",\n  ".join(header_sets) + "\n}")
        .replace("{FILES}", "{" + ", ".join(_lua_string(p) for p in files.bodies) + "}")
        .replace("RESPONSE", COUNT_STATUSES if request.statuses else "")
    )


class Wrk:
    def __init__(self, executable: str, supervisor: Supervisor, script_dir: Path) -> None:
        self.executable = executable
        self.supervisor = supervisor
        self.script_dir = script_dir
        version = subprocess.run(  # noqa: S603 - wrk from PATH, fixed argv
            [executable, "-v"], capture_output=True, text=True, check=False
        )
        first = (version.stdout or version.stderr).splitlines()
        self.name = first[0].split(" [")[0] if first else "wrk"

    def run(
        self, *, port: int, request: Request, concurrency: int, seconds: float, label: str
    ) -> Measurement:
        files = write_run(request, self.script_dir / "load", label)
        script = self.script_dir / f"{label}.lua"
        script.write_text(wrk_script(request, files))
        argv = [
            self.executable,
            "--threads", "1",
            "--connections", str(concurrency),
            "--duration", f"{max(1, round(seconds))}s",
            "--timeout", f"{TIMEOUT_S}s",
            "--script", str(script),
            f"http://127.0.0.1:{port}",
        ]  # fmt: skip
        out = self.supervisor.run(argv, env={}, name=label, timeout_s=seconds + 60)
        return _parse(out, label)


class PyLoad:
    name = "bench.pyload (asyncio, 1 process)"

    def __init__(self, supervisor: Supervisor, script_dir: Path) -> None:
        self.supervisor = supervisor
        self.script_dir = script_dir

    def run(
        self, *, port: int, request: Request, concurrency: int, seconds: float, label: str
    ) -> Measurement:
        files = write_run(request, self.script_dir / "load", label)
        spec = {
            "port": port,
            "streams": files.streams,
            "header_sets": files.header_sets,
            "bodies": files.bodies,
            "statuses": request.statuses,
            "concurrency": concurrency,
            "seconds": seconds,
            "timeout_s": TIMEOUT_S,
        }
        spec_path = self.script_dir / f"{label}.json"
        spec_path.write_text(json.dumps(spec))
        argv = [sys.executable, "-m", "bench.pyload", str(spec_path)]
        env = {"PATH": "", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        out = self.supervisor.run(argv, env=env, name=label, timeout_s=seconds + 60)
        return _parse(out, label)


def pick(supervisor: Supervisor, script_dir: Path, *, prefer: str = "auto") -> LoadGenerator:
    """``wrk`` when available (or demanded), else the Python generator."""
    found = shutil.which("wrk")
    if prefer == "wrk" and not found:
        raise SystemExit("wrk is not on PATH (Debian: apt-get install wrk)")
    if found and prefer != "python":
        return Wrk(found, supervisor, script_dir)
    return PyLoad(supervisor, script_dir)

"""Load generators, each run as a separate process against ``127.0.0.1`` only.

``wrk`` (Debian package ``wrk``) is used when it is on ``PATH``: one thread, keep-alive
connections, a Lua script that rotates the request bodies and reports percentiles as one JSON
line. Without it, ``bench.pyload`` (asyncio over raw sockets, also keep-alive) does the same job,
slower: on a small machine it competes harder with the servers for CPU, so its figures are lower
and are labelled with the tool that produced them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean
from typing import Protocol

from bench.processes import ChildFailed, Supervisor
from bench.scenarios import Request

MARKER = "BENCH_JSON "
TIMEOUT_S = 10


@dataclass(frozen=True, slots=True)
class Measurement:
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    """Socket errors, timeouts and responses other than 2xx/3xx."""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @classmethod
    def combine(cls, rounds: list[Measurement]) -> Measurement:
        """Rounds as one: counts and times add up; percentiles are the rounds' mean."""
        return cls(
            requests=sum(m.requests for m in rounds),
            seconds=sum(m.seconds for m in rounds),
            p50_ms=fmean([m.p50_ms for m in rounds]),
            p90_ms=fmean([m.p90_ms for m in rounds]),
            p99_ms=fmean([m.p99_ms for m in rounds]),
            max_ms=max(m.max_ms for m in rounds),
            errors=sum(m.errors for m in rounds),
        )

    @classmethod
    def from_report(cls, report: dict[str, float]) -> Measurement:
        """From the JSON line both generators print (microseconds, like wrk)."""
        return cls(
            requests=int(report["requests"]),
            seconds=report["duration_us"] / 1e6,
            p50_ms=report["p50_us"] / 1000,
            p90_ms=report["p90_us"] / 1000,
            p99_ms=report["p99_us"] / 1000,
            max_ms=report["max_us"] / 1000,
            errors=int(report["errors"]),
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


WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'MARKER{"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,'
    .. '"errors":%d}\\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.status + e.timeout))
end
""".replace("MARKER", MARKER)


def wrk_script(request: Request) -> str:
    """Lua for wrk: requests pre-built once per thread, bodies used in turn, a JSON report."""
    headers = ", ".join(
        f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in request.headers.items()
    )
    bodies = ", ".join(_lua_string(b) for b in request.bodies)
    return f"""
local method, path = {_lua_string(request.method)}, {_lua_string(request.path)}
local headers = {{{headers}}}
local bodies = {{{bodies}}}
local prepared, i = {{}}, 0

init = function(args)
  if #bodies == 0 then
    prepared[1] = wrk.format(method, path, headers, nil)
  else
    for k, body in ipairs(bodies) do prepared[k] = wrk.format(method, path, headers, body) end
  end
end

request = function()
  i = i % #prepared + 1
  return prepared[i]
end
{WRK_REPORT}"""


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
        script = self.script_dir / f"{label}.lua"
        script.write_text(wrk_script(request))
        argv = [
            self.executable,
            "--threads", "1",
            "--connections", str(concurrency),
            "--duration", f"{max(1, round(seconds))}s",
            "--timeout", f"{TIMEOUT_S}s",
            "--script", str(script),
            f"http://127.0.0.1:{port}",
        ]  # fmt: skip
        out = self.supervisor.run(argv, env={}, name=label, timeout_s=seconds + 30)
        return _parse(out, label)


class PyLoad:
    name = "bench.pyload (asyncio, 1 process)"

    def __init__(self, supervisor: Supervisor) -> None:
        self.supervisor = supervisor

    def run(
        self, *, port: int, request: Request, concurrency: int, seconds: float, label: str
    ) -> Measurement:
        spec = {
            "port": port,
            "method": request.method,
            "path": request.path,
            "headers": dict(request.headers),
            "bodies": list(request.bodies),
            "concurrency": concurrency,
            "seconds": seconds,
            "timeout_s": TIMEOUT_S,
        }
        argv = [sys.executable, "-m", "bench.pyload", json.dumps(spec)]
        env = {"PATH": "", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        out = self.supervisor.run(argv, env=env, name=label, timeout_s=seconds + 30)
        return _parse(out, label)


def pick(supervisor: Supervisor, script_dir: Path, *, prefer: str = "auto") -> LoadGenerator:
    """``wrk`` when available (or demanded), else the Python generator."""
    found = shutil.which("wrk")
    if prefer == "wrk" and not found:
        raise SystemExit("wrk is not on PATH (Debian: apt-get install wrk)")
    if found and prefer != "python":
        return Wrk(found, supervisor, script_dir)
    return PyLoad(supervisor)

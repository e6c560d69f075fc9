"""A local fake of the identity-verification interface (实名核验), over real HTTP on 127.0.0.1.

In tests::

    with FakeIdVerify() as fake:            # port 0: a free port is picked
        verifier = HttpIdentityVerifier(fake.url)
        fake.set_unavailable(True)          # every answer is HTTP 503 until cleared
        fake.fail_next(2)                   # the next two answers are HTTP 500

For the demo: ``python -m backend.fakes.idverify_server --port 8002`` and set
``IDENTITY_VERIFY_URL`` to the URL it prints. It checks the request's HMAC-SM3 signature, its
timestamp and nonce like the real interface, and says "matched" unless the name is ``不匹配``
(or one of ``mismatch_names``). It keeps no ID number: what it received is kept masked.
Control endpoints for a running fake: ``POST /_fake/unavailable {"on": true}``,
``POST /_fake/fail {"times": n}``, ``POST /_fake/reset``, ``GET /_fake/received``.
"""

from __future__ import annotations

import argparse
import hmac
import json
import signal
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

from backend.fakes.base import ServedInThread

DEFAULT_APP_ID = "jiujinban-dev"
DEFAULT_SECRET = "idverify-dev-secret"  # noqa: S105 - the local fake's own, documented
VERIFY_PATH = "/v1/idverify"
MISMATCH_NAMES = frozenset({"不匹配"})
MAX_SKEW_S = 300
MAX_BODY = 64 * 1024


def _signature(secret: str, app_id: str, timestamp: str, nonce: str, body: bytes) -> str:
    mac = crypto_hmac.HMAC(secret.encode(), hashes.SM3())
    mac.update(f"{app_id}\n{timestamp}\n{nonce}\n".encode() + body)
    return mac.finalize().hex()


def _masked(value: str) -> str:
    return value[:3] + "*" * max(0, len(value) - 7) + value[-4:] if len(value) > 7 else "***"


class FakeIdVerify(ServedInThread):
    """The fake verification server and the knobs tests turn."""

    name = "fake identity-verification server"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        app_id: str = DEFAULT_APP_ID,
        secret: str = DEFAULT_SECRET,
        mismatch_names: Iterable[str] = MISMATCH_NAMES,
    ) -> None:
        self.app_id = app_id
        self.secret = secret
        self.mismatch_names = frozenset(mismatch_names)
        self._serve_at(host, port)
        self._lock = threading.Lock()
        self.reset()

    # -- control -------------------------------------------------------------------------------

    def reset(self) -> None:
        """Up, no scripted failures, nothing received."""
        with self._lock:
            self._unavailable = False
            self._failures = 0
            self._delay_s = 0.0
            self._nonces: dict[str, float] = {}
            self._received: list[dict[str, Any]] = []
            # A request still waiting out a scripted delay when the fake is reset belongs to the
            # time before the reset: it is answered but not recorded (see ``answer``).
            self._generation = getattr(self, "_generation", 0) + 1

    def set_unavailable(self, on: bool = True) -> None:
        """Answer every request with HTTP 503 until switched off."""
        with self._lock:
            self._unavailable = on

    def fail_next(self, times: int = 1) -> None:
        """Answer the next ``times`` requests with HTTP 500."""
        with self._lock:
            self._failures += times

    def set_delay(self, seconds: float) -> None:
        """Wait before answering (longer than the client's timeout makes it time out)."""
        with self._lock:
            self._delay_s = seconds

    def received(self) -> list[dict[str, Any]]:
        """What was asked, the ID number masked: ``[{"name", "id_number_masked", "answer"}]``."""
        with self._lock:
            return list(self._received)

    # -- server --------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The endpoint with the credentials, as ``IDENTITY_VERIFY_URL`` wants it."""
        credentials = f"{quote(self.app_id, safe='')}:{quote(self.secret, safe='')}"
        return f"http://{credentials}@{self._address[0]}:{self.port}{VERIFY_PATH}"

    def _new_server(self) -> ThreadingHTTPServer:
        return _Server(self._address, self)

    def _start_url(self) -> str:
        return self.url

    # -- answers -------------------------------------------------------------------------------

    def answer(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        with self._lock:
            delay = self._delay_s
            generation = self._generation
            if self._unavailable:
                return 503, {"error": "unavailable"}
            if self._failures > 0:
                self._failures -= 1
                return 500, {"error": "scripted failure"}
        if delay > 0:
            time.sleep(delay)
        problem = self._check_signature(headers, body)
        if problem:
            return 401, {"error": problem}
        try:
            request = json.loads(body)
            name, id_number = str(request["name"]), str(request["id_number"])
        except (ValueError, KeyError, TypeError):
            return 400, {"error": "expected {name, id_number}"}
        matched = name not in self.mismatch_names
        with self._lock:
            if generation == self._generation:
                self._received.append(
                    {"name": name, "id_number_masked": _masked(id_number), "matched": matched}
                )
        return 200, {"matched": matched, "reference": f"FAKE-{uuid.uuid4().hex[:16]}"}

    def _check_signature(self, headers: dict[str, str], body: bytes) -> str | None:
        app_id = headers.get("x-app-id", "")
        timestamp = headers.get("x-timestamp", "")
        nonce = headers.get("x-nonce", "")
        given = headers.get("x-signature", "")
        if app_id != self.app_id:
            return "unknown app id"
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_SKEW_S:
            return "timestamp outside the allowed window"
        expected = _signature(self.secret, app_id, timestamp, nonce, body)
        if not hmac.compare_digest(expected, given):
            return "bad signature"
        now = time.time()
        with self._lock:
            self._nonces = {n: t for n, t in self._nonces.items() if now - t < MAX_SKEW_S}
            if not nonce or nonce in self._nonces:
                return "nonce reused"
            self._nonces[nonce] = now
        return None

    def control(self, method: str, action: str, body: bytes) -> tuple[int, Any]:
        args: dict[str, Any] = {}
        if body:
            loaded = json.loads(body)
            args = loaded if isinstance(loaded, dict) else {}
        if method == "GET" and action == "received":
            return 200, self.received()
        if method != "POST":
            return 404, {"error": f"no {method} /_fake/{action}"}
        if action == "unavailable":
            self.set_unavailable(bool(args.get("on", True)))
        elif action == "fail":
            self.fail_next(int(args.get("times", 1)))
        elif action == "delay":
            self.set_delay(float(args.get("seconds", 0)))
        elif action == "reset":
            self.reset()
        else:
            return 404, {"error": f"no POST /_fake/{action}"}
        return 200, {"ok": True}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: FakeIdVerify) -> None:
        super().__init__(address, _Handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "FakeIdVerify/1.0"

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the default would print request lines to stderr

    def _dispatch(self, method: str) -> None:
        fake = self.server.fake
        length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
        body = self.rfile.read(length) if length > 0 else b""
        path = self.path.split("?", 1)[0]
        try:
            if path.startswith("/_fake/"):
                status, answer = fake.control(method, path.removeprefix("/_fake/"), body)
            elif method == "POST" and path == VERIFY_PATH:
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, answer = fake.answer(headers, body)
            else:
                status, answer = 404, {"error": "not found"}
        except (ValueError, TypeError) as exc:
            status, answer = 400, {"error": type(exc).__name__}
        payload = json.dumps(answer, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m backend.fakes.idverify_server",
        description="Local fake of the identity-verification interface (实名核验).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8002)
    parser.add_argument("--app-id", default=DEFAULT_APP_ID)
    parser.add_argument("--secret", default=DEFAULT_SECRET)
    options = parser.parse_args(argv)
    fake = FakeIdVerify(
        host=options.host, port=options.port, app_id=options.app_id, secret=options.secret
    )
    done = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    url = fake.start()
    sys.stderr.write(f"fake identity verification listening; IDENTITY_VERIFY_URL={url}\n")
    sys.stderr.flush()
    try:
        while not done.wait(0.5):
            pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

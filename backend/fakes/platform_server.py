"""A local fake of an external one-window platform: a real HTTP server on 127.0.0.1.

It takes pushed cases (``POST /cases``), checking the signature the way the real platform does
(its own code, not ours, so a bug in our signer shows), and records them once per case number
(``Idempotency-Key``), answering the same ``external_id`` to a repeated push. Tests can make it
slow (``set_delay``), fail (``fail_next(n)`` → 503, or ``set_failing(True)``: every push until
switched off), refuse (``reject_next(n)`` → 422) or go down (``set_down(True)``: it stops
listening; ``set_down(False)`` listens on the same port again), and it sends signed status
callbacks to our app (``send_callback``). ``received`` lists every push request with the status
it was answered.

For the local demo, ``POST /_fake/callbacks`` with ``{"case_number", "status", ...}`` makes it
send a callback to ``--app-url``, and ``GET /_fake/pushes`` lists what it received.
Used by tests and ``make run`` only.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEV_APP_ID = "xs-yichuang-dev"
DEV_SECRET = "platform-dev-secret-0123456789abcdef"  # noqa: S105 - the local demo's fake only
MAX_AGE_S = 300


def _sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


class FakePlatform:
    def __init__(
        self,
        *,
        app_id: str = DEV_APP_ID,
        secret: str = DEV_SECRET,
        host: str = "127.0.0.1",
        port: int = 0,
        app_url: str = "",
    ) -> None:
        self.app_id = app_id
        self.secret = secret
        self.app_url = app_url
        self._host, self._port = host, port
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.pushes: dict[str, dict[str, Any]] = {}  # case number -> the first accepted push
        self.received: list[dict[str, Any]] = []  # every push request, answered or not
        self.delay_s = 0.0
        self._fail = 0
        self._failing = False
        self._reject = 0
        self._reject_message = "材料不齐全"
        self.down = False

    # -- control -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self._port}/"

    def reset(self) -> None:
        with self._lock:
            self.pushes.clear()
            self.received.clear()
            self.delay_s = 0.0
            self._fail = 0
            self._failing = False
            self._reject = 0
        self.set_down(False)

    def set_delay(self, seconds: float) -> None:
        with self._lock:
            self.delay_s = seconds

    def fail_next(self, n: int) -> None:
        """The next ``n`` pushes answer 503."""
        with self._lock:
            self._fail = n

    def set_failing(self, failing: bool) -> None:
        """Every push answers 503 until switched off."""
        with self._lock:
            self._failing = failing

    def reject_next(self, n: int, message: str = "材料不齐全") -> None:
        """The next ``n`` pushes answer 422 (the platform refuses the case)."""
        with self._lock:
            self._reject, self._reject_message = n, message

    def set_down(self, down: bool) -> None:
        """Down: nothing listens on the port (connection refused). Up: listen on it again."""
        if down and self._server is not None:
            self._close()
        elif not down and self._server is None:
            self.start()
        self.down = down

    # -- pushes --------------------------------------------------------------------------------

    def _verify(self, headers: Any, body: bytes) -> str | None:
        """Why the request is not properly signed, or None."""
        timestamp = headers.get("x-platform-timestamp") or ""
        if headers.get("x-platform-app-id") != self.app_id:
            return "unknown app id"
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_AGE_S:
            return "stale timestamp"
        given = headers.get("x-platform-signature") or ""
        if not hmac.compare_digest(_sign(self.secret, timestamp, body), given):
            return "bad signature"
        return None

    def answer_push(self, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
        problem = self._verify(headers, body)
        try:
            case = json.loads(body)
        except ValueError:
            return 400, {"error": "bad_json", "message": "not JSON"}
        number = case.get("number") if isinstance(case, dict) else None
        key = headers.get("idempotency-key")
        with self._lock:
            request: dict[str, Any] = {
                "number": number,
                "idempotency_key": key,
                "signature_problem": problem,
            }
            self.received.append(request)
            status, answer = self._refusal(problem, number, key)
            if status:
                request["status"] = status
                return status, answer
            number = str(number)  # the Idempotency-Key header it equals
            first = self.pushes.get(number)
            if first is None:
                first = {
                    "external_id": f"YC{len(self.pushes) + 1:08d}",
                    "case": case,
                    "idempotency_key": key,
                    "received_at": datetime.now(UTC).isoformat(),
                }
                self.pushes[number] = first
                status = 201
            else:
                status = 200
            request["status"] = status
            delay = self.delay_s
        if delay:
            time.sleep(delay)  # recorded first: the platform has it even if the answer is late
        return status, {"external_id": first["external_id"]}

    def _refusal(
        self, problem: str | None, number: Any, key: str | None
    ) -> tuple[int, dict[str, Any]]:
        """The answer to a push that is not taken (status 0: it is taken); under the lock."""
        if problem:
            return 401, {"error": "signature_invalid", "message": problem}
        if not number or key != number:
            return 400, {"error": "idempotency_key", "message": "key must be the number"}
        if self._failing or self._fail > 0:
            self._fail = max(0, self._fail - 1)
            return 503, {"error": "unavailable", "message": "系统繁忙"}
        if self._reject > 0:
            self._reject -= 1
            return 422, {"error": "rejected", "message": self._reject_message}
        return 0, {}

    # -- callbacks -----------------------------------------------------------------------------

    def signed_callback(
        self,
        case_number: str,
        status: str,
        *,
        event_id: str | None = None,
        occurred_at: datetime | str | None = None,
        note: str | None = None,
        missing: Sequence[str] | None = None,
        secret: str | None = None,
        timestamp: int | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers of a callback (``secret``/``timestamp`` to forge one)."""
        moment = occurred_at or datetime.now(UTC)
        event: dict[str, Any] = {
            "event_id": event_id or uuid.uuid4().hex,
            "case_number": case_number,
            "status": status,
            "occurred_at": moment if isinstance(moment, str) else moment.isoformat(),
        }
        if note is not None:
            event["note"] = note
        if missing is not None:
            event["missing"] = list(missing)
        body = json.dumps(event, ensure_ascii=False).encode()
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        headers = {
            "content-type": "application/json",
            "X-Platform-App-Id": self.app_id,
            "X-Platform-Timestamp": stamp,
            "X-Platform-Signature": _sign(secret or self.secret, stamp, body),
        }
        return body, headers

    def send_callback(
        self, app_base_url: str, case_number: str, status: str, **options: Any
    ) -> tuple[int, Any]:
        """POST a signed callback to our app; returns its status code and decoded answer."""
        body, headers = self.signed_callback(case_number, status, **options)
        url = app_base_url.rstrip("/") + "/api/v1/platform/callbacks"
        if not url.startswith(("http://", "https://")):
            raise ValueError("the app URL must be http(s)")
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    # -- server --------------------------------------------------------------------------------

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, status: int, answer: Any) -> None:
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json; charset=utf-8")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                # A client that gave up waiting (a test of timeouts) gets no answer.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                path = self.path.rstrip("/")
                if path == "/cases":
                    self._reply(*fake.answer_push(self.headers, body))
                elif path == "/_fake/callbacks" and fake.app_url:
                    try:
                        wanted = json.loads(body)
                        number, status = wanted.pop("case_number"), wanted.pop("status")
                        self._reply(*fake.send_callback(fake.app_url, number, status, **wanted))
                    except (ValueError, KeyError, TypeError, OSError) as exc:
                        self._reply(400, {"error": type(exc).__name__, "message": str(exc)})
                else:
                    self._reply(404, {"error": "not_found"})

            def do_GET(self) -> None:
                if self.path.rstrip("/") == "/_fake/pushes":
                    with fake._lock:
                        self._reply(200, list(fake.pushes.values()))
                else:
                    self._reply(404, {"error": "not_found"})

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer((self._host, self._port), Handler)
        self._server.daemon_threads = True
        self._port = int(self._server.server_address[1])
        threading.Thread(
            target=self._server.serve_forever, daemon=True, name="fake-platform"
        ).start()
        return self.url

    def _close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def stop(self) -> None:
        self._close()


def _default_app_url() -> str:
    if os.environ.get("PUBLIC_URL"):
        return os.environ["PUBLIC_URL"]
    return f"http://127.0.0.1:{os.environ['PORT']}" if os.environ.get("PORT") else ""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Local fake of an external one-window platform")
    parser.add_argument("--port", type=int, default=8004)
    parser.add_argument("--app-id", default=os.environ.get("FAKE_PLATFORM_APP_ID", DEV_APP_ID))
    parser.add_argument(
        "--secret",
        default=os.environ.get("FAKE_PLATFORM_SECRET", DEV_SECRET),
        help="shared secret (default: FAKE_PLATFORM_SECRET, else the demo's)",
    )
    parser.add_argument(
        "--app-url",
        default=_default_app_url(),
        help="our API, where /_fake/callbacks sends callbacks (default: PUBLIC_URL, else PORT)",
    )
    args = parser.parse_args(argv)
    fake = FakePlatform(
        app_id=args.app_id, secret=args.secret, port=args.port, app_url=args.app_url
    )
    print(f"fake one-window platform on {fake.start()} (app id {fake.app_id})", flush=True)  # noqa: T201
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

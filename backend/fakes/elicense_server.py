"""A local fake of the e-licence / data-sharing service: a real HTTP server on 127.0.0.1.

It finds shared records for the material types it is told to (by default 身份证, 户口簿,
结婚证, 出生医学证明) for anyone, except names tests mark as unknown; it records what it
received and can be made to fail. Used by tests and ``make run`` only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import signal
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_TYPES = ("身份证", "户口簿", "结婚证", "出生医学证明")


class FakeElicense:
    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, types: Sequence[str] = DEFAULT_TYPES
    ) -> None:
        self._address = (host, port)
        self._lock = threading.Lock()
        self.types = set(types)
        self.unknown_names: set[str] = set()
        self.failing = False
        self.received: list[dict[str, Any]] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://{self._address[0]}:{self._server.server_address[1]}/"

    def reset(self) -> None:
        with self._lock:
            self.types = set(DEFAULT_TYPES)
            self.unknown_names.clear()
            self.failing = False
            self.received.clear()

    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.received.append({k: v for k, v in body.items() if k != "id_number"})
            if self.failing:
                return 503, {"error": "unavailable"}
            found = (
                body.get("material_type") in self.types
                and body.get("name") not in self.unknown_names
            )
        if not found:
            return 200, {"found": False}
        digest = hashlib.sha256(
            f"{body.get('id_number')}|{body.get('material_type')}".encode()
        ).hexdigest()
        return 200, {"found": True, "reference": f"DZZZ-{digest[:16].upper()}"}

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    status, answer = 400, {"error": "bad json"}
                else:
                    if self.path.rstrip("/") != "/licenses/query" or not self.headers.get(
                        "x-signature"
                    ):
                        status, answer = 404, {"error": "unknown"}
                    else:
                        status, answer = fake.answer(body)
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(self._address, Handler)
        threading.Thread(
            target=self._server.serve_forever, daemon=True, name="fake-elicense"
        ).start()
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Local fake of the e-licence / data-sharing service"
    )
    parser.add_argument("--port", type=int, default=8003)
    args = parser.parse_args(argv)
    fake = FakeElicense(port=args.port)
    print(f"fake e-licence service on {fake.start()}", flush=True)  # noqa: T201
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

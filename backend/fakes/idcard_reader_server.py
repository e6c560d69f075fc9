"""A local fake of a self-service terminal's ID-card reader service, over real HTTP on 127.0.0.1.

On a kiosk the browser (the H5 screens) talks to a small local service bridging the reader's
vendor SDK; this fake answers the same interface (docs/terminals.md, "The reader bridge"), with
CORS for the kiosk page. In tests::

    with FakeIdCardReader() as reader:      # port 0: a free port is picked
        reader.put_card({...})               # a card on the reader
        reader.take_card()                   # nothing on it

For the demo: ``python -m backend.fakes.idcard_reader_server --port 8010``. Routes:
``GET /status`` → ``{"ready", "serial"}``; ``POST /read`` → the card on the reader (404
``{"error": "no_card"}`` when none); test controls ``POST /_test/card`` (a JSON card) and
``DELETE /_test/card``. Every answer carries ``Access-Control-Allow-Origin``.
"""

from __future__ import annotations

import argparse
import json
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

from backend.fakes.base import MAX_BODY, ServedInThread, serve_until_signalled

SERIAL: Final = "FAKE-READER-0001"
CARD_FIELDS: Final = (
    "name",
    "id_number",
    "sex",
    "nation",
    "birth",
    "address",
    "issuer",
    "valid_from",
    "valid_to",
)
DEMO_CARD: Final = {
    "name": "王秀英",
    "id_number": "11010519491231002X",
    "sex": "女",
    "nation": "汉",
    "birth": "1949-12-31",
    "address": "浙江省杭州市萧山区益农镇群围村",
    "issuer": "杭州市公安局萧山区分局",
    "valid_from": "2016-01-01",
    "valid_to": "长期",
}


class FakeIdCardReader(ServedInThread):
    """The fake reader service and the card on it."""

    name = "fake-idcard-reader"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, allow_origin: str = "*") -> None:
        self._serve_at(host, port)
        self._lock = threading.Lock()
        self.allow_origin = allow_origin
        self._card: dict[str, str] | None = None

    def _new_server(self) -> ThreadingHTTPServer:
        return _Server(self._address, self)

    def put_card(self, card: dict[str, Any]) -> None:
        """Place a card on the reader (every field of ``CARD_FIELDS`` is needed)."""
        missing = [f for f in CARD_FIELDS if not isinstance(card.get(f), str) or not card[f]]
        if missing:
            raise ValueError(f"card fields missing: {missing}")
        with self._lock:
            self._card = {f: str(card[f]) for f in CARD_FIELDS}

    def take_card(self) -> None:
        with self._lock:
            self._card = None

    def answer(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        if method == "GET" and path == "/status":
            with self._lock:
                return 200, {
                    "ready": True,
                    "serial": SERIAL,
                    "card_present": self._card is not None,
                }
        if method == "POST" and path == "/read":
            with self._lock:
                card = self._card
            if card is None:
                return 404, {"error": "no_card"}
            return 200, {**card, "serial": SERIAL}
        if path == "/_test/card" and method == "POST":
            loaded = json.loads(body or b"{}")
            if not isinstance(loaded, dict):
                return 400, {"error": "expected a JSON object"}
            try:
                self.put_card(loaded)
            except ValueError as exc:
                return 400, {"error": str(exc)}
            return 200, {"ok": True}
        if path == "/_test/card" and method == "DELETE":
            self.take_card()
            return 200, {"ok": True}
        return 404, {"error": "not found"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: FakeIdCardReader) -> None:
        super().__init__(address, _Handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_OPTIONS(self) -> None:
        """A CORS preflight from the kiosk page."""
        self.send_response(204)
        self._cors()
        self.send_header("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # request lines would reach stderr; a card's contents never do

    def _cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", self.server.fake.allow_origin)

    def _dispatch(self, method: str) -> None:
        length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
        body = self.rfile.read(length) if length > 0 else b""
        try:
            status, answer = self.server.fake.answer(method, self.path.split("?", 1)[0], body)
        except (ValueError, TypeError) as exc:
            status, answer = 400, {"error": type(exc).__name__}
        payload = json.dumps(answer, ensure_ascii=False).encode()
        self.send_response(status)
        self._cors()
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m backend.fakes.idcard_reader_server",
        description="Local fake of a self-service terminal's ID-card reader service.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8010)
    parser.add_argument("--demo-card", action="store_true", help="Start with a card on it.")
    options = parser.parse_args(argv)
    fake = FakeIdCardReader(host=options.host, port=options.port)
    if options.demo_card:
        fake.put_card(dict(DEMO_CARD))
    return serve_until_signalled(
        fake,
        "fake ID-card reader listening on {url} (GET /status, POST /read, POST|DELETE /_test/card)",
    )


if __name__ == "__main__":
    raise SystemExit(main())

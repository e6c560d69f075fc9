"""A small base for local fakes: a threaded HTTP server on 127.0.0.1 answering JSON.

A fake subclasses ``JsonFake`` and implements ``answer``; ``start``/``stop`` (or ``with``) run it
in a daemon thread, and ``serve_until_signalled`` runs it as a process until SIGINT/SIGTERM.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import Any, Self

MAX_BODY = 64 * 1024


class ServedInThread:
    """Start, stop and ``with`` for a fake whose HTTP server runs in a daemon thread.

    A fake calls ``_serve_at(host, port)`` in its ``__init__`` and implements ``_new_server``;
    ``start`` returns ``_start_url()`` (the base URL unless the fake says otherwise) and a restart
    keeps the port. ``_before_stop`` lets a fake cut its slow answers short.
    """

    name = "fake"

    def _serve_at(self, host: str, port: int) -> None:
        self._address = (host, port)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _new_server(self) -> ThreadingHTTPServer:
        raise NotImplementedError

    def _start_url(self) -> str:
        return self.base_url

    def _before_start(self) -> None:
        """Called before a (re)start."""

    def _before_stop(self) -> None:
        """Called before the server shuts down."""

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"the {self.name} is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self._address[0]}:{self.port}"

    def start(self) -> str:
        if self._server is None:
            self._before_start()
            self._server = self._new_server()
            self._address = (self._address[0], self.port)  # a restart keeps the same port
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"{self.name}-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self._start_url()

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._before_stop()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class JsonFake(ServedInThread):
    """A local stand-in for an HTTP service; ``answer`` decides every response."""

    name = "fake"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._serve_at(host, port)
        self._lock = threading.Lock()

    def _new_server(self) -> ThreadingHTTPServer:
        return _Server(self._address, self)

    def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        """(HTTP status, JSON-able answer) for one request; ``headers`` keys are lower case."""
        raise NotImplementedError


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: JsonFake) -> None:
        super().__init__(address, _Handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the default would print request lines to stderr

    def _dispatch(self, method: str) -> None:
        length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            status, answer = self.server.fake.answer(
                method, self.path.split("?", 1)[0], headers, body
            )
        except (ValueError, TypeError, KeyError) as exc:
            status, answer = 400, {"error": type(exc).__name__}
        payload = json.dumps(answer, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def serve_until_signalled(fake: ServedInThread, banner: str) -> int:
    """Run ``fake`` in this process until SIGINT/SIGTERM; ``banner`` may use ``{url}``."""
    done = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    url = fake.start()
    sys.stderr.write(banner.format(url=url) + "\n")
    sys.stderr.flush()
    try:
        while not done.wait(0.5):
            pass
    finally:
        fake.stop()
    return 0

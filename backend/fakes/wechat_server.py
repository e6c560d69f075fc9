"""A local fake of WeChat's mini-program server APIs, over real HTTP on 127.0.0.1.

In tests::

    with FakeWeChat() as fake:          # port 0: a free port is picked
        api = WeChatApi(api_base=fake.url, ...)
        fake.script_error("/cgi-bin/message/subscribe/send", 45009, times=2)

For the demo: ``python -m backend.fakes.wechat_server --port 8001`` and point ``WECHAT_API_BASE``
at it; ``http://127.0.0.1:8001/`` lists the subscribe messages citizens would have received.

Dev rules: login code ``test:<openid>`` logs in as ``<openid>``; phone code ``phone:<11 digits>``
gives that number. The Official Account's web-page OAuth (``/connect/oauth2/authorize``, a page
of test users, and ``/sns/oauth2/access_token``) is ``backend.fakes.wechat_oauth``.
Control endpoints for tests live under ``/_fake/`` (see ``_control``).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import structlog

from backend.fakes.base import ServedInThread
from backend.fakes.wechat_inbox import render_inbox
from backend.fakes.wechat_oauth import (
    ACCESS_TOKEN_PATH,
    AUTHORIZE_PATH,
    DEFAULT_H5_APPID,
    DEFAULT_H5_SECRET,
    FakeOAuth,
)
from backend.fakes.wechat_rules import (
    DEFAULT_APPID,
    DEFAULT_REVIEW_WORDS,
    DEFAULT_RISKY_WORDS,
    DEFAULT_SECRET,
)
from backend.fakes.wechat_state import FakeWeChatState

log = structlog.get_logger(__name__)

MAX_BODY = 1 << 20


class FakeWeChat(FakeWeChatState, ServedInThread):
    """The fake WeChat server; all control methods come from ``FakeWeChatState``."""

    name = "fake WeChat server"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        appid: str = DEFAULT_APPID,
        secret: str = DEFAULT_SECRET,
        risky_words: Iterable[str] = DEFAULT_RISKY_WORDS,
        review_words: Iterable[str] = DEFAULT_REVIEW_WORDS,
        templates: Iterable[str] | None = None,
        h5_appid: str = DEFAULT_H5_APPID,
        h5_secret: str = DEFAULT_H5_SECRET,
    ) -> None:
        self.oauth = FakeOAuth(appid=h5_appid, secret=h5_secret)
        super().__init__(
            appid=appid,
            secret=secret,
            risky_words=risky_words,
            review_words=review_words,
            templates=templates,
        )
        self._serve_at(host, port)
        self.stopping = threading.Event()

    def reset(self) -> None:
        """As ``FakeWeChatState.reset``, and the web-page OAuth's codes and added users too."""
        super().reset()
        self.oauth.reset()

    @property
    def url(self) -> str:
        """Base URL with a trailing slash, as ``WECHAT_API_BASE`` wants it."""
        return f"http://{self._address[0]}:{self.port}/"

    def _new_server(self) -> ThreadingHTTPServer:
        return _Server(self._address, self)

    def _start_url(self) -> str:
        return self.url

    def _before_start(self) -> None:
        self.stopping.clear()

    def _before_stop(self) -> None:
        self.stopping.set()  # slow answers in progress are cut short


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: FakeWeChat) -> None:
        super().__init__(address, _Handler)
        self.fake = fake


class _BadRequest(ValueError):
    pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "FakeWeChat/1.0"

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def log_message(self, format: str, *args: Any) -> None:
        # The default would print query strings, and with them secrets and tokens.
        pass

    def _dispatch(self, method: str) -> None:
        fake = self.server.fake
        split = urlsplit(self.path)
        path = split.path
        query = {key: values[0] for key, values in parse_qs(split.query).items()}
        body = self._read_body()
        log.debug("fake_wechat.request", method=method, path=path)
        if method == "GET" and path in {"/", "/inbox"}:
            page = render_inbox(fake.messages(), appid=fake.appid, token_fetches=fake.token_fetches)
            self._send(200, page.encode(), "text/html; charset=utf-8")
        elif method == "GET" and path == AUTHORIZE_PATH:
            status, html = fake.oauth.authorize_page(query)
            self._send(status, html.encode(), "text/html; charset=utf-8")
        elif method == "GET" and path == ACCESS_TOKEN_PATH:
            fake.record(method, path, query, body)
            self._send_json(200, fake.oauth.access_token(query), "application/json; encoding=utf-8")
        elif path == "/favicon.ico":
            self._send(404, b"")
        elif path.startswith("/_fake/"):
            try:
                status, answer = _control(fake, method, path.removeprefix("/_fake/"), query, body)
            except (_BadRequest, KeyError, TypeError, ValueError) as exc:
                status, answer = 400, {"error": f"{type(exc).__name__}: {exc}"}
            self._send_json(status, answer)
        else:
            delay = fake.record(method, path, query, body)
            if delay > 0:
                fake.stopping.wait(delay)
            status, answer = fake.answer(method, path, query, body)
            if status == 200:
                self._send_json(200, answer, "application/json; encoding=utf-8")
            else:
                self._send(status, f"<html><body>{status} {_phrase(status)}</body></html>".encode())

    def _read_body(self) -> Any:
        length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
        if length <= 0:
            return None
        raw = self.rfile.read(length)
        try:
            return json.loads(raw)
        except ValueError:
            return raw.decode("utf-8", "replace")

    def _send_json(
        self, status: int, answer: Any, content_type: str = "application/json; charset=utf-8"
    ) -> None:
        self._send(status, json.dumps(answer, ensure_ascii=False).encode(), content_type)

    def _send(self, status: int, payload: bytes, content_type: str = "text/html") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _strings(value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _BadRequest("expected a list of strings")
    return value


def _control(
    fake: FakeWeChat, method: str, action: str, query: dict[str, str], body: Any
) -> tuple[int, Any]:
    """The ``/_fake/`` API: the same as the Python methods, as JSON."""
    args: dict[str, Any] = body if isinstance(body, dict) else {}
    if method == "GET":
        if action == "received":
            return 200, fake.received(query.get("path"))
        if action == "messages":
            return 200, fake.messages()
        if action == "stats":
            return 200, fake.stats()
        return 404, {"error": f"no GET /_fake/{action}"}
    if action == "script":
        fake.script_error(
            str(args["path"]),
            int(args["errcode"]),
            times=int(args.get("times", 1)),
            errmsg=args.get("errmsg"),
        )
    elif action == "delay":
        fake.set_delay(float(args["seconds"]), args.get("path"))
    elif action == "http-error":
        status, times = args.get("status", 500), args.get("times")
        fake.set_http_error(
            int(status) if status else None, times=None if times is None else int(times)
        )
    elif action == "codes":
        fake.register_code(str(args["code"]), str(args["openid"]), args.get("unionid"))
    elif action == "oauth-users":
        fake.oauth.add_user(str(args["openid"]), args.get("name"), args.get("unionid"))
    elif action == "oauth-codes/expire":
        fake.oauth.expire_codes()
    elif action == "phone-codes":
        fake.register_phone_code(str(args["code"]), str(args["phone"]))
    elif action == "tokens/expire":
        fake.expire_tokens()
    elif action == "tokens/invalidate":
        fake.invalidate_tokens()
    elif action == "config":
        fake.configure(
            risky_words=_strings(args.get("risky_words")),
            review_words=_strings(args.get("review_words")),
            templates=_strings(args.get("templates")),
        )
    elif action == "reset":
        fake.reset()
    else:
        return 404, {"error": f"no POST /_fake/{action}"}
    return 200, {"ok": True}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m backend.fakes.wechat_server",
        description="Local fake of WeChat's mini-program server APIs, with an inbox page.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--appid", default=DEFAULT_APPID)
    parser.add_argument("--secret", default=DEFAULT_SECRET)
    parser.add_argument("--h5-appid", default=DEFAULT_H5_APPID)
    parser.add_argument("--h5-secret", default=DEFAULT_H5_SECRET)
    parser.add_argument(
        "--risky-word",
        action="append",
        dest="risky_words",
        help="content containing it is 'risky' in msg_sec_check (repeatable)",
    )
    parser.add_argument(
        "--review-word",
        action="append",
        dest="review_words",
        help="content containing it is 'review' in msg_sec_check (repeatable)",
    )
    parser.add_argument(
        "--template", action="append", dest="templates", help="known template id (repeatable)"
    )
    options = parser.parse_args(argv)

    fake = FakeWeChat(
        host=options.host,
        port=options.port,
        appid=options.appid,
        secret=options.secret,
        risky_words=options.risky_words or DEFAULT_RISKY_WORDS,
        review_words=options.review_words or DEFAULT_REVIEW_WORDS,
        templates=options.templates,
        h5_appid=options.h5_appid,
        h5_secret=options.h5_secret,
    )
    done = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    url = fake.start()
    log.info("fake_wechat.listening", url=url, inbox=url, appid=options.appid)
    try:
        while not done.wait(0.5):
            pass
    finally:
        fake.stop()
    log.info("fake_wechat.stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""A local fake of the SMS gateway (短信网关), over real HTTP on 127.0.0.1.

In tests::

    with FakeSms(secret="…") as fake:     # port 0: a free port is picked
        sender = HttpSmsSender(url=fake.url, secret="…", cipher=cipher)
        fake.fail_next(2)                   # the next two sends answer HTTP 500
        fake.set_unavailable(True)          # every send answers HTTP 503 until cleared
        fake.set_delay(2.0)                 # every send is answered 2 s late (0 clears)
        fake.messages()                     # what was sent: [{"phone", "text", "message_id"}]
        fake.requests                       # every send request, answered or not

Down (connection refused) is ``stop()``; ``start()`` listens on the same port again.

For the demo: ``jiujinban fake-sms`` (or ``python -m backend.fakes.sms_server --port 8005``)
and set ``SMS_URL`` to the URL it prints. It checks the HMAC-SHA256 signature over
``<X-Timestamp>\\n<body>`` and a timestamp within five minutes, like the real gateway, and
answers ``{"message_id": …}``. A slow gateway records the message first and answers late, as a
real one that sent it but whose answer is slow would. Control endpoints for a running fake:
``GET /_fake/messages``, ``POST /_fake/fail {"times": n}``,
``POST /_fake/unavailable {"on": true}``, ``POST /_fake/delay {"seconds": s}``,
``POST /_fake/reset``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import itertools
import json
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from backend.fakes.base import JsonFake, serve_until_signalled

SEND_PATH = "/v1/sms"
DEFAULT_SECRET = "sms-dev-secret"  # noqa: S105 - the local fake's own, documented
MAX_SKEW_S = 300


class FakeSms(JsonFake):
    """The fake SMS gateway and the knobs tests turn."""

    name = "fake-sms"

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, secret: str = DEFAULT_SECRET
    ) -> None:
        super().__init__(host=host, port=port)
        self.secret = secret
        self._ids = itertools.count(1)
        self._stopping = threading.Event()
        self.reset()

    @property
    def url(self) -> str:
        """The send endpoint, as ``SMS_URL`` wants it."""
        return self.base_url + SEND_PATH

    def reset(self) -> None:
        """Up, quick, no scripted failures, nothing sent."""
        with self._lock:
            self._unavailable = False
            self._failures = 0
            self._delay_s = 0.0
            self._requests = 0
            self._messages: list[dict[str, Any]] = []

    def _before_start(self) -> None:
        self._stopping.clear()

    def _before_stop(self) -> None:
        self._stopping.set()  # slow answers in progress are cut short

    def fail_next(self, times: int = 1) -> None:
        """Answer the next ``times`` sends with HTTP 500."""
        with self._lock:
            self._failures += times

    def set_unavailable(self, on: bool = True) -> None:
        """Answer every send with HTTP 503 until switched off."""
        with self._lock:
            self._unavailable = on

    def set_delay(self, seconds: float) -> None:
        """Answer every send ``seconds`` late, after recording it (0: answer at once)."""
        with self._lock:
            self._delay_s = max(0.0, float(seconds))

    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._messages)

    @property
    def requests(self) -> int:
        """Send requests received (answered or refused), since the last reset."""
        with self._lock:
            return self._requests

    def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        if path.startswith("/_fake/"):
            return self._control(method, path.removeprefix("/_fake/"), body)
        if method != "POST" or path != SEND_PATH:
            return 404, {"error": "not found"}
        with self._lock:
            self._requests += 1
            if self._unavailable:
                return 503, {"error": "unavailable"}
            if self._failures > 0:
                self._failures -= 1
                return 500, {"error": "scripted failure"}
        timestamp = headers.get("x-timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_SKEW_S:
            return 401, {"error": "timestamp outside the allowed window"}
        expected = hmac.new(
            self.secret.encode(), timestamp.encode() + b"\n" + body, hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected, headers.get("x-signature", "")):
            return 401, {"error": "bad signature"}
        request = json.loads(body)
        phone, text = str(request["phone"]), str(request["text"])
        if not phone.isdigit() or not text:
            return 400, {"error": "expected {phone, text}"}
        with self._lock:
            message_id = f"FAKE-SMS-{next(self._ids):08d}"
            self._messages.append({"phone": phone, "text": text, "message_id": message_id})
            delay = self._delay_s
        if delay:
            self._stopping.wait(delay)  # sent already: only the answer is late
        return 200, {"message_id": message_id}

    def _control(self, method: str, action: str, body: bytes) -> tuple[int, Any]:
        args: dict[str, Any] = {}
        if body:
            loaded = json.loads(body)
            args = loaded if isinstance(loaded, dict) else {}
        if method == "GET" and action == "messages":
            return 200, self.messages()
        if method != "POST":
            return 404, {"error": f"no {method} /_fake/{action}"}
        if action == "fail":
            self.fail_next(int(args.get("times", 1)))
        elif action == "unavailable":
            self.set_unavailable(bool(args.get("on", True)))
        elif action == "delay":
            self.set_delay(float(args.get("seconds", 0)))
        elif action == "reset":
            self.reset()
        else:
            return 404, {"error": f"no POST /_fake/{action}"}
        return 200, {"ok": True}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m backend.fakes.sms_server",
        description="Local fake of the SMS gateway (短信网关).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8005)
    parser.add_argument("--secret", default=DEFAULT_SECRET)
    options = parser.parse_args(argv)
    fake = FakeSms(host=options.host, port=options.port, secret=options.secret)
    return serve_until_signalled(
        fake, "fake SMS gateway listening; SMS_URL={url}" + SEND_PATH + " (GET /_fake/messages)"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

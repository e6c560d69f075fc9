"""A local fake of WeCom (企业微信)'s server API: ``gettoken`` and ``message/send``.

It records every message and can answer the next sends with an errcode (``fail_next``), so the
real adapter (wechatpy's ``enterprise.WeChatClient``) runs against it in tests and the demo.
"""

from __future__ import annotations

import argparse
import json
import secrets
import threading
from typing import Any

from backend.fakes.base import JsonFake, serve_until_signalled


class FakeWeCom(JsonFake):
    name = "fake WeCom"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host=host, port=port)
        self._state = threading.Lock()
        self.sent: list[dict[str, Any]] = []
        self.token_fetches = 0
        self._failures: list[int] = []

    @property
    def api_base(self) -> str:
        return self.base_url + "/cgi-bin/"

    def reset(self) -> None:
        with self._state:
            self.sent.clear()
            self.token_fetches = 0
            self._failures.clear()

    def fail_next(self, errcode: int, times: int = 1) -> None:
        with self._state:
            self._failures.extend([errcode] * times)

    def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        with self._state:
            if path == "/cgi-bin/gettoken":
                self.token_fetches += 1
                return 200, {
                    "errcode": 0,
                    "errmsg": "ok",
                    "access_token": secrets.token_hex(16),
                    "expires_in": 7200,
                }
            if path == "/cgi-bin/message/send" and method == "POST":
                if self._failures:
                    return 200, {"errcode": self._failures.pop(0), "errmsg": "scripted failure"}
                message = json.loads(body or b"{}")
                self.sent.append(message)
                return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": ""}
        return 404, {"errcode": 404, "errmsg": f"no such API: {path}"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the local fake WeCom (企业微信) server.")
    parser.add_argument("--port", type=int, default=8006)
    args = parser.parse_args(argv)
    return serve_until_signalled(FakeWeCom(port=args.port), "fake WeCom on {url}/cgi-bin/")


if __name__ == "__main__":
    raise SystemExit(main())

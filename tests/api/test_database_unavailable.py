"""PostgreSQL out of reach: 503 ``database_unavailable`` with ``Retry-After``, never a 500, and
the app recovers by itself once the database is back.

The app under test is a real ``serve`` process whose ``DATABASE_URL`` goes through a TCP relay
owned by the test: cutting the relay drops every connection the app's pool holds and refuses
new ones — what the app sees of a database server that stopped — while the shared PostgreSQL
stays up for everyone else.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from backend.devservices import free_port
from backend.workdays.tables import CalendarDay
from tests.api.test_login import assert_problem
from tests.api.test_web_surface import portal_login
from tests.conftest import ROOT, RUN_ID, _wait_http
from tests.factories import DEFAULT_PASSWORD, make_staff

pytestmark = pytest.mark.api


class Relay:
    """A loopback TCP relay to ``target`` that can be cut (connections dropped, new ones
    refused) and mended (listening again on the same port)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()

    def mend(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for sock in pair:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self._lock:
                self._pairs.append((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


@pytest.fixture
def relay(test_env: dict[str, str]) -> Iterator[Relay]:
    parts = urlsplit(test_env["DATABASE_URL"])
    relay = Relay((parts.hostname or "127.0.0.1", parts.port or 5432))
    relay.mend()
    yield relay
    relay.cut()


@pytest.fixture
async def relayed_api(
    test_env: dict[str, str], relay: Relay, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, Path]]:
    """``serve`` on the session's database, reached only through ``relay``; and its log."""
    parts = urlsplit(test_env["DATABASE_URL"])
    through = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{relay.port}"))
    port = free_port()
    env = {
        **os.environ,
        **test_env,
        "DATABASE_URL": through,
        "PORT": str(port),
        "LOG_LEVEL": "INFO",
        "LOG_JSON": "1",
    }
    log_path = tmp_path / f"api-{RUN_ID}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "serve", "--workers", "1", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(base + "/healthz", proc, 180)
        async with httpx.AsyncClient(base_url=base, timeout=30.0) as client:
            yield client, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def _login(api: httpx.AsyncClient, username: str) -> httpx.Response:
    return await api.post(
        "/api/v1/auth/staff/login", json={"username": username, "password": DEFAULT_PASSWORD}
    )


async def test_the_database_away_is_a_503_with_retry_after_and_the_app_recovers(
    relayed_api: tuple[httpx.AsyncClient, Path], relay: Relay
) -> None:
    api, log_path = relayed_api
    await make_staff(role="window", username="window-outage")
    assert (await _login(api, "window-outage")).status_code == 200
    assert (await api.get("/readyz")).status_code == 200

    relay.cut()
    for _ in range(3):  # the pool's dropped connection, then refused new ones
        away = await _login(api, "window-outage")
        body = assert_problem(away, 503, "database_unavailable")
        assert away.headers["Retry-After"] == "3"
        assert body["detail"] == "服务暂时不可用，请稍后重试。"
        assert "X-Request-ID" in away.headers
    ready = await api.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["postgres"]["ok"] is False

    relay.mend()
    assert (await _login(api, "window-outage")).status_code == 200
    assert (await api.get("/readyz")).status_code == 200

    text = log_path.read_text(errors="replace")
    events = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    warned = [e for e in events if e["event"] == "database_unavailable"]
    assert len(warned) >= 3
    assert all(e["level"] == "warning" and e["request_id"] for e in warned)
    assert not [e for e in events if e["event"] == "unhandled_error"]
    assert "Traceback" not in text  # one line per request (and per pool reconnect), no stacks


async def test_a_create_refused_while_away_is_done_once_when_retried_with_its_key(
    relayed_api: tuple[httpx.AsyncClient, Path], relay: Relay
) -> None:
    """A 503 wrote nothing; the client's retry with the same ``Idempotency-Key`` does the work
    once, and a further retry is answered from the stored answer."""
    api, _log = relayed_api
    await make_staff(role="admin", username="admin-outage")
    token = (await _login(api, "admin-outage")).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"outage-{RUN_ID}"}
    day = {"date": "2031-05-06", "kind": "holiday", "note": "停电演练"}

    relay.cut()
    away = await api.post(
        "/api/v1/admin/calendar", json=day, headers={**headers, "X-Request-ID": "outage-call-1"}
    )
    assert_problem(away, 503, "database_unavailable")
    # refused by the sign-in check, before the edge layer: still the caller's request id
    assert away.headers["X-Request-ID"] == "outage-call-1"
    assert await CalendarDay.count() == 0
    relay.mend()
    first = await api.post("/api/v1/admin/calendar", json=day, headers=headers)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    again = await api.post("/api/v1/admin/calendar", json=day, headers=headers)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert await CalendarDay.count() == 1


async def test_a_portal_page_while_away_asks_to_retry_and_shows_no_staff_menu(
    relayed_api: tuple[httpx.AsyncClient, Path], relay: Relay
) -> None:
    api, _log = relayed_api
    await make_staff(role="window", username="window-portal-outage")
    await portal_login(api, "window-portal-outage")

    relay.cut()
    away = await api.get("/portal/", headers={"X-Request-ID": "portal-outage-1"})
    relay.mend()
    assert away.status_code == 503
    assert away.headers["Retry-After"] == "3"
    assert away.headers["X-Request-ID"] == "portal-outage-1"
    assert "服务暂时不可用，请稍后重试。" in away.text
    # who this is could not be checked: no menu of a signed-in member of staff
    assert "退出登录" not in away.text and "修改密码" not in away.text
    assert (await api.get("/portal/")).status_code == 200

"""The fake WeChat server's HTTP control API, as the demo and other test suites use it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backend.fakes.wechat_server import FakeWeChat

pytestmark = pytest.mark.integration

SEND = "/cgi-bin/message/subscribe/send"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def http(fake: FakeWeChat) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fake.url, timeout=5) as client:
        yield client


def token(http: httpx.Client, fake: FakeWeChat) -> str:
    answer = http.get(
        "/cgi-bin/token",
        params={"grant_type": "client_credential", "appid": fake.appid, "secret": fake.secret},
    ).json()
    assert answer["expires_in"] == 7200
    return str(answer["access_token"])


def post_send(http: httpx.Client, access_token: str, **body: object) -> dict[str, object]:
    message: dict[str, object] = {
        "touser": "o-1",
        "template_id": "t-1",
        "data": {"thing1": {"value": "x"}},
    }
    message.update(body)
    answer: dict[str, object] = http.post(
        SEND, params={"access_token": access_token}, json=message
    ).json()
    return answer


def test_token_endpoint_checks_credentials(http: httpx.Client, fake: FakeWeChat) -> None:
    bad_appid = {"grant_type": "client_credential", "appid": "wx-other", "secret": fake.secret}
    bad_secret = {"grant_type": "client_credential", "appid": fake.appid, "secret": "nope"}

    assert http.get("/cgi-bin/token", params=bad_appid).json()["errcode"] == 40013
    assert http.get("/cgi-bin/token", params=bad_secret).json()["errcode"] == 40125
    token(http, fake)
    assert http.get("/_fake/stats").json()["token_fetches"] == 3


def test_protected_endpoints_check_the_token(http: httpx.Client, fake: FakeWeChat) -> None:
    assert post_send(http, "made-up")["errcode"] == 40001
    valid = token(http, fake)
    assert post_send(http, valid)["errcode"] == 0

    assert http.post("/_fake/tokens/expire").json() == {"ok": True}
    answer = post_send(http, valid)
    assert answer["errcode"] == 42001
    assert str(answer["errmsg"]).startswith("access_token expired")

    http.post("/_fake/tokens/invalidate")
    assert post_send(http, valid)["errcode"] == 40001


def test_scripted_errors_run_out(http: httpx.Client, fake: FakeWeChat) -> None:
    valid = token(http, fake)
    http.post("/_fake/script", json={"path": SEND, "errcode": 45009, "times": 2}).raise_for_status()

    answers = [post_send(http, valid)["errcode"] for _ in range(3)]

    assert answers == [45009, 45009, 0]


def test_slowness_and_http_errors(http: httpx.Client, fake: FakeWeChat) -> None:
    valid = token(http, fake)
    http.post("/_fake/delay", json={"seconds": 0.3, "path": SEND})
    started = time.monotonic()
    post_send(http, valid)
    assert time.monotonic() - started >= 0.3
    http.post("/_fake/delay", json={"seconds": 0, "path": SEND})

    http.post("/_fake/http-error", json={"status": 500})
    assert http.post(SEND, params={"access_token": valid}, json={}).status_code == 500
    http.post("/_fake/http-error", json={"status": None})
    assert post_send(http, valid)["errcode"] == 0


def test_codes_received_messages_and_reset(http: httpx.Client, fake: FakeWeChat) -> None:
    http.post("/_fake/codes", json={"code": "c-1", "openid": "o-dan"}).raise_for_status()
    login = {
        "appid": fake.appid,
        "secret": fake.secret,
        "js_code": "c-1",
        "grant_type": "authorization_code",
    }
    assert http.get("/sns/jscode2session", params=login).json()["openid"] == "o-dan"
    assert http.get("/sns/jscode2session", params=login).json()["errcode"] == 40163
    valid = token(http, fake)
    post_send(http, valid, page="pages/index")

    received = http.get("/_fake/received", params={"path": SEND}).json()
    assert received[0]["body"]["page"] == "pages/index"
    (message,) = http.get("/_fake/messages").json()
    assert message["touser"] == "o-1"
    assert message["page"] == "pages/index"

    http.post("/_fake/reset")
    assert http.get("/_fake/received").json() == []
    assert http.get("/_fake/stats").json()["token_fetches"] == 0
    assert http.get("/_fake/messages").json() == []
    assert post_send(http, valid)["errcode"] == 0, "issued tokens survive a reset"


def test_bad_control_requests_are_400(http: httpx.Client) -> None:
    assert http.post("/_fake/script", json={"path": SEND}).status_code == 400
    assert http.post("/_fake/nothing").status_code == 404
    assert "暂无消息" in http.get("/inbox").text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_runs_standalone_and_stops_on_sigterm() -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "backend.fakes.wechat_server", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert "订阅消息收件箱" in page.text
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_config_sets_words_and_templates(http: httpx.Client, fake: FakeWeChat) -> None:
    config = {"risky_words": ["赌博"], "templates": ["t-known"]}
    assert http.post("/_fake/config", json=config).status_code == 200
    assert http.post("/_fake/config", json={"templates": "t-known"}).status_code == 400
    valid = token(http, fake)

    assert post_send(http, valid, template_id="t-other")["errcode"] == 40037
    assert post_send(http, valid, template_id="t-known")["errcode"] == 0
    check = {"content": "网上赌博", "version": 2, "scene": 1, "openid": "o-1"}
    answer = http.post("/wxa/msg_sec_check", params={"access_token": valid}, json=check).json()
    assert answer["result"]["suggest"] == "risky"

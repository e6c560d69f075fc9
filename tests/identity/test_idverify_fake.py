"""The fake identity-verification server as ``make run`` starts it: its own process, real HTTP."""

import signal
import subprocess
import sys
import time

import httpx
import pytest

from backend.devservices import free_port
from backend.fakes.idverify_server import DEFAULT_APP_ID, DEFAULT_SECRET, VERIFY_PATH
from backend.identity.idverify import HttpIdentityVerifier, sign
from backend.identity.ports import IdentityVerifyUnavailable
from tests.conftest import ROOT
from tests.factories import make_id_number

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """No database here."""


@pytest.fixture
def fake_process():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "backend.fakes.idverify_server", "--port", str(port)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{base}/_fake/received", timeout=0.5)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("the fake did not start")
            time.sleep(0.1)
    yield base
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    assert proc.stderr is not None
    printed = proc.stderr.read()
    assert f"IDENTITY_VERIFY_URL=http://{DEFAULT_APP_ID}:{DEFAULT_SECRET}@127.0.0.1" in printed


async def test_the_standalone_fake_verifies_and_can_be_scripted_over_http(fake_process: str):
    host = fake_process.removeprefix("http://")
    verifier = HttpIdentityVerifier(f"http://{DEFAULT_APP_ID}:{DEFAULT_SECRET}@{host}{VERIFY_PATH}")
    try:
        number = make_id_number(seq=3)
        assert (await verifier.verify("王秀英", number)).matched
        assert not (await verifier.verify("不匹配", number)).matched
        async with httpx.AsyncClient(base_url=fake_process) as control:
            await control.post("/_fake/unavailable", json={"on": True})
            with pytest.raises(IdentityVerifyUnavailable):
                await verifier.verify("王秀英", number)
            await control.post("/_fake/reset")
            received = (await control.get("/_fake/received")).json()
        assert received == []
        assert (await verifier.verify("王秀英", number)).matched
    finally:
        await verifier.aclose()


async def test_unsigned_or_replayed_requests_are_refused(fake_process: str):
    body = b'{"name":"x","id_number":"y"}'
    async with httpx.AsyncClient(base_url=fake_process) as client:
        unsigned = await client.post(VERIFY_PATH, content=body)
        assert unsigned.status_code == 401
        ts = str(int(time.time()))
        headers = {
            "X-App-Id": DEFAULT_APP_ID,
            "X-Timestamp": ts,
            "X-Nonce": "n" * 32,
            "X-Signature": sign(
                secret=DEFAULT_SECRET,
                app_id=DEFAULT_APP_ID,
                timestamp=ts,
                nonce="n" * 32,
                body=body,
            ),
        }
        assert (await client.post(VERIFY_PATH, content=body, headers=headers)).status_code == 200
        replayed = await client.post(VERIFY_PATH, content=body, headers=headers)
        assert replayed.status_code == 401

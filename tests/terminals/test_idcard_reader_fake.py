"""The fake ID-card reader service the kiosk page talks to in development and tests."""

from __future__ import annotations

import httpx
import pytest

from backend.fakes.idcard_reader_server import DEMO_CARD, SERIAL, FakeIdCardReader

pytestmark = pytest.mark.unit


def test_the_reader_answers_status_reads_and_test_controls():
    with FakeIdCardReader() as reader, httpx.Client(base_url=reader.base_url) as http:
        status = http.get("/status")
        assert status.json() == {"ready": True, "serial": SERIAL, "card_present": False}
        assert status.headers["access-control-allow-origin"] == "*"
        assert http.post("/read").status_code == 404

        assert http.post("/_test/card", json=DEMO_CARD).status_code == 200
        read = http.post("/read")
        assert read.status_code == 200
        assert read.json() == {**DEMO_CARD, "serial": SERIAL}
        assert read.headers["cache-control"] == "no-store"

        assert http.post("/_test/card", json={"name": "缺字段"}).status_code == 400
        assert http.delete("/_test/card").status_code == 200
        assert http.post("/read").status_code == 404

        preflight = http.options(
            "/read",
            headers={"Origin": "http://kiosk.local", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.status_code == 204
        assert "POST" in preflight.headers["access-control-allow-methods"]


def test_tests_can_put_and_take_a_card_directly():
    with FakeIdCardReader() as reader, httpx.Client(base_url=reader.base_url) as http:
        reader.put_card(DEMO_CARD)
        assert http.get("/status").json()["card_present"] is True
        reader.take_card()
        assert http.post("/read").json() == {"error": "no_card"}
        with pytest.raises(ValueError):
            reader.put_card({})

"""The per-request shortcuts of the edge layer keep what they replace: the access-log line is
structlog's line, a remembered bearer token is checked like a new one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import structlog
from litestar.exceptions import NotAuthorizedException
from structlog.testing import capture_logs

from backend.http.auth import CheckedToken
from backend.logging import configure_logging, info_line

pytestmark = pytest.mark.unit

SECRET = "unit-test-secret-0123456789abcdef"


@pytest.fixture(autouse=True)
def _console_logs_after() -> Iterator[None]:
    yield
    structlog.contextvars.clear_contextvars()
    configure_logging(level="INFO", json=False)


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines()]


def test_the_access_line_is_the_line_structlog_writes(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(level="INFO", json=True)  # writes to the stderr capsys captures
    log = structlog.get_logger("jiujinban.access")
    fields = {"method": "GET", "path": "/api/v1/items/GA-JZZ-SL", "status": 200, "ms": 1.5}
    with structlog.contextvars.bound_contextvars(request_id="0123456789abcdef"):
        log.info("request", **fields)
        info_line(log, "request", **fields)
    written, fast = _lines(capsys)
    assert list(fast) == list(written)  # the same keys in the same order
    assert {k: v for k, v in fast.items() if k != "timestamp"} == {
        k: v for k, v in written.items() if k != "timestamp"
    }
    assert str(fast["timestamp"]).endswith("Z")


def test_the_access_line_follows_the_level_and_a_capture(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = structlog.get_logger("jiujinban.access")
    configure_logging(level="WARNING", json=True)
    info_line(log, "request", status=200)
    configure_logging(level="INFO", json=True)
    with capture_logs() as captured:
        info_line(log, "request", status=200)
    assert captured == [{"event": "request", "status": 200, "log_level": "info"}]
    assert _lines(capsys) == []


def _token(**claims: object) -> str:
    now = datetime.now(UTC)
    payload = {"sub": "citizen:x", "iat": now, "exp": now + timedelta(minutes=5), **claims}
    return jwt.encode(payload, SECRET, algorithm="HS256")


def test_a_remembered_token_is_the_same_token_and_a_forged_one_is_refused() -> None:
    encoded = _token(ver=3)
    first = CheckedToken.decode(encoded, SECRET, "HS256")
    again = CheckedToken.decode(encoded, SECRET, "HS256")
    assert again is first
    assert again.sub == "citizen:x" and again.extras == {"ver": 3}
    with pytest.raises(NotAuthorizedException):
        CheckedToken.decode(encoded, "another-secret-0123456789abcdef", "HS256")
    head, body, _ = encoded.split(".")
    with pytest.raises(NotAuthorizedException):
        CheckedToken.decode(f"{head}.{body}.AAAA", SECRET, "HS256")


def test_an_expired_token_is_refused_even_when_remembered() -> None:
    expired = _token(exp=datetime.now(UTC) - timedelta(seconds=1))
    with pytest.raises(NotAuthorizedException):
        CheckedToken.decode(expired, SECRET, "HS256")
    encoded = _token()
    remembered = CheckedToken.decode(encoded, SECRET, "HS256")
    remembered.exp = datetime.now(UTC) - timedelta(seconds=1)  # as if its time had run out
    again = CheckedToken.decode(encoded, SECRET, "HS256")
    assert again is not remembered  # checked afresh, not handed out

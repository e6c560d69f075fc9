"""The client address: the socket peer, the proxy header only from a trusted proxy."""

from typing import Any

import pytest
from litestar.connection import ASGIConnection

from backend.http.client import client_address
from backend.settings import SettingsError, load_settings

pytestmark = pytest.mark.unit


def connection(
    peer: str | None, forwarded: str | None = None
) -> ASGIConnection[Any, Any, Any, Any]:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    scope: dict[str, Any] = {
        "type": "http",
        "client": (peer, 50000) if peer else None,
        "headers": headers,
        "path": "/",
        "query_string": b"",
    }
    return ASGIConnection(scope)  # type: ignore[arg-type]


def test_without_trusted_proxies_the_header_is_ignored():
    settings = load_settings(environ={})
    assert client_address(connection("127.0.0.5", "203.0.113.7"), settings) == "127.0.0.5"
    assert client_address(connection(None), settings) == "unknown"


def test_a_trusted_proxy_is_believed_up_to_the_first_untrusted_hop():
    settings = load_settings(environ={"TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.10"})
    # The client wrote a fake first hop; the proxies appended what they saw.
    hops = "198.51.100.1, 203.0.113.7, 10.1.2.3"
    assert client_address(connection("192.168.1.10", hops), settings) == "203.0.113.7"
    # From an untrusted peer the header is the client's own claim: ignored.
    assert client_address(connection("203.0.113.99", hops), settings) == "203.0.113.99"
    # A malformed hop: nothing beyond the last trusted proxy is believed.
    assert client_address(connection("10.0.0.1", "junk, 10.0.0.2"), settings) == "10.0.0.2"
    assert client_address(connection("10.0.0.1"), settings) == "10.0.0.1"


def test_a_malformed_setting_is_refused():
    with pytest.raises(SettingsError, match="TRUSTED_PROXIES"):
        load_settings(environ={"TRUSTED_PROXIES": "10.0.0.0/33"})

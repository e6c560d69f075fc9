"""The documentation pages (``/schema``, ``/schema/swagger``) work on a closed network.

Every URL a page names is on this server and answers 200; the Content-Security-Policy on
everything under ``/schema`` names no other origin, so the browser itself refuses any request
that would leave the machine (``test_docs_page_browser.py`` watches a real browser do so).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from backend.app import create_app
from backend.http.api_docs import SWAGGER_FILES
from backend.settings import load_settings

pytestmark = pytest.mark.unit

DOCS_PAGES = ("/schema", "/schema/swagger")
HINT = "run scripts/install-frontend.sh (make setup) to install Swagger UI into static/vendor/"


class _Urls(HTMLParser):
    """Every ``src`` and ``href`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls.extend(value for name, value in attrs if name in ("src", "href") and value)


@pytest.fixture(scope="module")
def client() -> TestClient[Litestar]:
    # Not entered as a context manager: no startup, so no database or Redis is needed.
    return TestClient(create_app(load_settings(), configure_logs=False))


@pytest.mark.parametrize("path", list(DOCS_PAGES))
def test_a_docs_page_names_only_local_urls_and_each_answers(
    client: TestClient[Litestar], path: str
) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    parser = _Urls()
    parser.feed(page.text)
    assert parser.urls, "the page names no script or stylesheet"
    for url in parser.urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc and url.startswith("/"), url
        assert client.get(url).status_code == 200, f"{url}: {HINT}"
    # Nor anywhere else in the page (an inline script, a style).
    assert not re.search(r"https?:|//[a-z0-9.-]+\.[a-z]", page.text, re.IGNORECASE)
    for name in SWAGGER_FILES:
        assert f"/static/vendor/{name}" in parser.urls
    # The document the page loads.
    assert client.get("/schema/openapi.json").json()["paths"]


@pytest.mark.parametrize("path", [*DOCS_PAGES, "/schema/openapi.json"])
def test_the_docs_pages_allow_only_their_own_origin(
    client: TestClient[Litestar], path: str
) -> None:
    policy = client.get(path).headers["content-security-policy"]
    directives = {}
    for directive in filter(None, (part.strip() for part in policy.split(";"))):
        name, _, sources = directive.partition(" ")
        directives[name] = sources
    assert directives["default-src"] == "'none'"
    assert directives["connect-src"] == "'self'"
    for name, sources in directives.items():
        for source in sources.split():
            assert source in ("'self'", "'none'", "'unsafe-inline'", "data:") or (
                source.startswith("'sha256-")
            ), f"{name} allows {source}"
    assert "'unsafe-inline'" not in directives["script-src"]


def test_the_scalar_page_and_the_oauth_redirect_are_gone(client: TestClient[Litestar]) -> None:
    assert client.get("/schema/scalar").status_code == 404
    assert client.get("/schema/oauth2-redirect.html").status_code == 404

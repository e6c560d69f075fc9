"""The administrator's pages are tested in the browser harness of tests/browser."""

from tests.browser.conftest import (  # noqa: F401
    artifacts_dir,
    browser,
    expected_404s,
    live_server,
    page,
)

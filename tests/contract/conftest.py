"""The contract tests reuse the browser tests' Chromium (``tests/browser/conftest.py``)."""

from tests.browser.conftest import artifacts_dir, browser, live_server

__all__ = ["artifacts_dir", "browser", "live_server"]

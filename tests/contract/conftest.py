"""Shared by the contract tests: the document as ``jiujinban openapi`` writes it, and the
browser tests' Chromium (``tests/browser/conftest.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from backend.cli import main
from tests.browser.conftest import artifacts_dir, browser, live_server

__all__ = ["artifacts_dir", "browser", "live_server", "openapi_doc", "openapi_file"]


@pytest.fixture(scope="session")
def openapi_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The document written by ``jiujinban openapi --output`` (no server, no services)."""
    path = tmp_path_factory.mktemp("openapi") / "openapi.json"
    result = CliRunner().invoke(main, ["openapi", "--output", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="session")
def openapi_doc(openapi_file: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(openapi_file.read_text(encoding="utf-8"))
    return doc

"""``jiujinban openapi`` writes the document served at ``/schema/openapi.json``, offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from backend.app import create_app
from backend.cli import main
from backend.http.openapi import document
from backend.settings import load_settings

pytestmark = pytest.mark.unit


def test_the_command_writes_the_served_document(
    openapi_file: Path, openapi_doc: dict[str, Any]
) -> None:
    served = json.loads(json.dumps(document(create_app(load_settings(), configure_logs=False))))
    assert openapi_doc == served
    assert openapi_doc["openapi"].startswith("3.1")
    assert "/api/v1/cases" in openapi_doc["paths"]
    assert openapi_file.read_bytes().endswith(b"}\n")
    assert "就近办" in openapi_file.read_text(encoding="utf-8")  # UTF-8, not \\u escapes


def test_without_output_it_writes_to_standard_output(openapi_doc: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["openapi"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == openapi_doc


def test_the_help_says_what_it_does() -> None:
    listing = CliRunner().invoke(main, ["--help"]).output
    assert "openapi" in listing
    usage = CliRunner().invoke(main, ["openapi", "--help"]).output
    assert "--output" in usage
    assert "/schema/openapi.json" in usage

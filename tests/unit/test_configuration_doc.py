from pathlib import Path

import pytest

from backend.settings import ENV_VARS

pytestmark = pytest.mark.unit

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


@pytest.mark.parametrize("variable", ENV_VARS)
def test_every_variable_is_documented(variable: str):
    assert f"`{variable}`" in DOC.read_text(encoding="utf-8")

"""The one rule for characters nobody types on purpose (``backend.textrules``)."""

from __future__ import annotations

import pytest

from backend.textrules import has_hidden_chars

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "text",
    [
        "出生\u202e证明",
        "a\x07b",
        "a\x1b[31m",
        "adm\u200bin",
        "x\ufeff",
        "a\u2066b",
        "a\u061cb",
        "a\x85",
    ],
)
def test_hidden_characters_are_found(text: str) -> None:
    assert has_hidden_chars(text)


def test_ordinary_text_and_line_breaks_where_allowed() -> None:
    assert not has_hidden_chars("王秀英 · 群围村（一组）")
    assert has_hidden_chars("第一行\n第二行")
    assert not has_hidden_chars("第一行\n第二行", multiline=True)
    assert has_hidden_chars("a\tb", multiline=True)

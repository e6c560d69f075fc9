"""Characters nobody types on purpose into a name, an address, a catalogue text or a reason.

Control characters (C0, C1, surrogates; line breaks only where a field has several lines),
zero-width characters and the text-direction controls that make a text read differently from
what it holds (a right-to-left override turns 出生证明 into what looks like another word). Every
form that stores such text refuses them with a message naming the field. A leaf: it imports
nothing of the project.
"""

from __future__ import annotations

import unicodedata
from typing import Final

_LINE_BREAKS: Final = frozenset("\n\r")
INVISIBLE: Final = frozenset(
    [chr(c) for c in range(0x200B, 0x2010)]  # zero-width spaces and joiners, LRM, RLM
    + [chr(c) for c in range(0x202A, 0x202F)]  # bidi embeddings and overrides
    + [chr(c) for c in range(0x2060, 0x2065)]  # word joiner, invisible operators
    + [chr(c) for c in range(0x2066, 0x206A)]  # bidi isolates
    + ["\u061c", "\ufeff"]  # Arabic letter mark, zero-width no-break space
)
"""The invisible and text-direction marks (everything refused that is not a control character)."""


def is_hidden_char(ch: str) -> bool:
    """A control character (line breaks included), a surrogate, or an invisible or
    text-direction mark."""
    return unicodedata.category(ch) in ("Cc", "Cs") or ch in INVISIBLE


def has_hidden_chars(value: str, *, multiline: bool = False) -> bool:
    """Whether ``value`` holds a character of the kinds above (line breaks are allowed when
    ``multiline``)."""
    return any(is_hidden_char(ch) and not (multiline and ch in _LINE_BREAKS) for ch in value)


def _class_of(chars: frozenset[str]) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in sorted(chars))


PLAIN_TEXT_PATTERN: Final = (
    "^[^\\x00-\\x09\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f" + _class_of(INVISIBLE) + "]*$"
)
"""A JSON Schema ``pattern`` (and Python ``re``) a text of several lines without hidden
characters matches: what :func:`has_hidden_chars` with ``multiline`` refuses (surrogates aside:
they cannot arrive in UTF-8), refused when the request is read."""

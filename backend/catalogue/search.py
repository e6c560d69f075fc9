"""Matching a citizen's query against names, keywords and pinyin initials, best match first.

``出生`` and ``csyjs`` both find 出生一件事; ``身份证`` ranks the items whose names contain it
(居民身份证申领, 换领, 补领) above items that only mention it among their keywords.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

MAX_QUERY = 40


@lru_cache(maxsize=4096)
def initials(text: str) -> str:
    """Pinyin initials of the Chinese characters in ``text`` (出生一件事 → csyjs)."""
    return "".join(p[0] for p in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore") if p)


@lru_cache(maxsize=4096)
def full_pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text, errors="ignore"))


@dataclass(frozen=True, slots=True)
class Searchable:
    key: str
    name: str
    keywords: Sequence[str]


def normalise(query: str) -> str:
    return "".join(query.split()).lower()[:MAX_QUERY]


def score(query: str, entry: Searchable) -> int:
    """0 when ``entry`` does not match; higher is better."""
    q = normalise(query)
    if not q:
        return 1
    name = entry.name.lower()
    if name == q:
        return 1000
    best = 0
    if q in name:
        # Earlier and larger matches rank higher: 身份证 in 居民身份证申领 beats a keyword hit.
        best = 800 - 10 * name.index(q) + min(len(q) * 5, 50) - len(name)
    for keyword in entry.keywords:
        k = keyword.lower()
        if k == q:
            best = max(best, 600)
        elif q in k:
            best = max(best, 500 - len(k))
    if q.isascii() and q.isalpha():
        name_initials = initials(entry.name)
        if name_initials == q:
            best = max(best, 700)
        elif q in name_initials:
            best = max(best, 460 - 5 * name_initials.index(q))
        elif len(q) >= 3 and q in full_pinyin(entry.name):
            best = max(best, 300)
        for keyword in entry.keywords:
            if initials(keyword) == q:
                best = max(best, 380)
    return max(best, 0)


def rank(query: str, entries: Sequence[Searchable]) -> list[Searchable]:
    """Entries matching ``query``, best first (ties by name); everything when the query is empty."""
    scored = [(score(query, e), e) for e in entries]
    return [e for s, e in sorted(scored, key=lambda p: (-p[0], p[1].name)) if s > 0]

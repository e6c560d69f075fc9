"""The lists staff work from (queue, township cases, review list): filters and the names of a page.

The lines themselves come from ``backend.cases.store.queue``, one statement a page; names of
items and bundles come from the cached catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from backend.cases.states import Status
from backend.cases.store.queue import Search
from backend.catalogue import service as catalogue
from backend.clock import SHANGHAI
from backend.errors import InvalidInput
from backend.identity.sealed import PHONE_LOOKUP
from backend.security.fieldcrypt import FieldCipher
from backend.window import texts

_LAST4: Final = re.compile(r"\d{3}[\dX]")
_PHONE: Final = re.compile(r"\d{5,20}")
_PHONE_NOISE: Final = re.compile(r"[\s-]")


@dataclass(frozen=True, slots=True)
class SearchTerms:
    """查找办件 — what the clerk typed into the search form, as typed (blank = any)."""

    number: str = ""
    name: str = ""
    id_last4: str = ""
    phone: str = ""
    item: str = ""
    filed_from: str = ""
    filed_to: str = ""

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f) for f in self.__dataclass_fields__)

    def query(self) -> dict[str, str]:
        """The terms that are set, as query parameters (to keep them across pages)."""
        return {f: getattr(self, f) for f in self.__dataclass_fields__ if getattr(self, f)}


def _bad(detail: str) -> InvalidInput:
    return InvalidInput(detail, code="validation_failed")


def _day(raw: str, label: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise _bad(texts.SEARCH_DATE_INVALID.format(label=label)) from exc


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


async def search_of(terms: SearchTerms, *, cipher: FieldCipher) -> Search:
    """The SQL filters of what the clerk typed; a 422 in Chinese for anything malformed.

    The phone is looked up by its keyed hash (``citizen.phone_hash``), never compared in plain;
    the last 4 ID characters against the masked number staff already see; dates are
    Asia/Shanghai days, both ends included.
    """
    last4 = terms.id_last4.strip().upper() or None
    if last4 is not None and not _LAST4.fullmatch(last4):
        raise _bad(texts.SEARCH_LAST4_INVALID)
    phone = _PHONE_NOISE.sub("", terms.phone) or None
    if phone is not None and not _PHONE.fullmatch(phone):
        raise _bad(texts.SEARCH_PHONE_INVALID)
    item = terms.item.strip() or None
    if item is not None:
        snap = await catalogue.snapshot()
        if item not in snap.items and item not in snap.bundles:
            raise _bad(texts.SEARCH_ITEM_UNKNOWN)
    start, end = _day(terms.filed_from, "起始日期"), _day(terms.filed_to, "截止日期")
    if start is not None and end is not None and start > end:
        raise _bad(texts.SEARCH_DATES_REVERSED)
    number = terms.number.strip().upper()[:40] or None
    name = terms.name.strip()[:64] or None
    return Search(
        number=number,
        applicant_name=name,
        id_last4=last4,
        phone_hash=cipher.lookup_hash(phone, context=PHONE_LOOKUP) if phone else None,
        item_code=item,
        filed_from=_start_of(start) if start else None,
        filed_until=_start_of(end + timedelta(days=1)) if end else None,
    )


def status_filter(raw: str | None) -> Status | None:
    if raw is None or raw == "":
        return None
    try:
        return Status(raw)
    except ValueError as exc:
        raise InvalidInput(f"状态 {raw} 不存在。", code="status_invalid") from exc


async def names_for(codes: Iterable[tuple[str | None, str | None]]) -> dict[str, str]:
    """Item and bundle names by code for (item code, bundle code) pairs, from the cached
    catalogue (codes unknown to it kept)."""
    snap = await catalogue.snapshot()
    names: dict[str, str] = {}
    for item_code, bundle_code in codes:
        for code, table in ((item_code, "item"), (bundle_code, "bundle")):
            if not code:
                continue
            if table == "item" and code in snap.items:
                names[code] = snap.items[code].spec.name
            elif table == "bundle" and code in snap.bundles:
                names[code] = snap.bundles[code].name
            else:
                names.setdefault(code, code)
    return names


async def names_of(rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Item and bundle names of rows carrying ``item_code`` and ``bundle_code``."""
    return await names_for((row["item_code"], row["bundle_code"]) for row in rows)

"""An audit entry's reason as the log shows it: the note and the fields that changed, in Chinese.

The administration use cases write the reason as JSON ``{"note", "before", "after"}`` (staff
accounts, catalogue items and bundles, service points, the calendar, routing rules, township
platforms; a catalogue import adds ``file``, ``effective_from`` and ``changes``). Such a reason
is shown as its note, then each changed field as ``承诺时限：0 → 5`` (a creation lists the new
values, a deletion the old ones); the raw JSON stays available, folded. Any other reason (the
reads of personal data) is plain text and shown as it is. Every displayed text has its bidi
overrides and control characters made visible (``⟪U+202E⟫``), so no reason reads backwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from agent_portal.supervision import texts
from backend.geo.hours import HOLIDAY, format_hours
from backend.textrules import is_hidden_char

MAX_VALUE: Final = 60
"""A value longer than this many characters is cut, with …"""


def visible(text: str) -> str:
    """``text`` with the characters the forms refuse (``backend.textrules``: bidi controls,
    invisible marks, control characters) shown as ``⟪U+202E⟫``; line breaks and tabs become
    spaces."""
    out = []
    for ch in text:
        if ch in "\n\r\t":
            out.append(" ")
        elif is_hidden_char(ch):
            out.append(f"⟪U+{ord(ch):04X}⟫")
        else:
            out.append(ch)
    return "".join(out)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


@dataclass(frozen=True, slots=True)
class Change:
    """One field: ``old`` is None for a creation, ``new`` None for a deletion."""

    label: str
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class Reason:
    """What the log shows of a reason: plain ``text``, or a note with its changes (and the raw
    record, to fold)."""

    text: str
    changes: list[Change] = field(default_factory=list)
    raw: str | None = None


def _names(values: Iterable[Any], words: Mapping[str, str]) -> str:
    return "、".join(words.get(str(v), str(v)) for v in values) or texts.AUDIT_EMPTY


def _summary(value: Any) -> str:
    """A nested list or mapping in one short line."""
    if isinstance(value, Mapping):
        return "，".join(f"{k}：{_summary(v)}" for k, v in value.items()) or texts.AUDIT_EMPTY
    if isinstance(value, list | tuple):
        return "、".join(_summary(v) for v in value) or texts.AUDIT_EMPTY
    return _scalar(value)


def _scalar(value: Any) -> str:
    if value is None or value == "":
        return texts.AUDIT_EMPTY
    if isinstance(value, bool):
        return texts.AUDIT_YES_NO[value]
    return str(value)


def _hours(value: Any) -> str:
    if not isinstance(value, Mapping):
        return _summary(value)
    weekly = format_hours(value) or texts.AUDIT_CLOSED
    holiday = ",".join(f"{a}-{b}" for a, b in value.get(HOLIDAY, []))
    return weekly + (f"；{texts.AUDIT_HOLIDAY_HOURS} {holiday}" if holiday else "")


def _materials(value: Any) -> str:
    if not isinstance(value, list):
        return _summary(value)
    names = [
        str(m.get("name", m.get("type", ""))) if isinstance(m, Mapping) else str(m) for m in value
    ]
    return f"{len(names)} 项：" + "、".join(names) if names else texts.AUDIT_EMPTY


def _form(value: Any) -> str:
    if not isinstance(value, list):
        return _summary(value)
    labels = [
        str(f.get("label", f.get("name", ""))) if isinstance(f, Mapping) else str(f) for f in value
    ]
    return f"{len(labels)} 项：" + "、".join(labels) if labels else texts.AUDIT_EMPTY


def _value(key: str, value: Any, staff: Mapping[str, str]) -> str:
    """One field's value in Chinese where it is a code."""
    if key in texts.AUDIT_VALUE_WORDS:
        words = texts.AUDIT_VALUE_WORDS[key]
        if isinstance(value, list | tuple):
            return _names(value, words)
        if isinstance(value, bool | str) and str(value) in words:
            return words[str(value)]
    if key == "confirmed_by" and isinstance(value, str) and value:
        return staff.get(value, value)
    if key == "hours":
        return _hours(value)
    if key == "materials":
        return _materials(value)
    if key == "form":
        return _form(value)
    if key == "township" and value == "":
        return texts.AUDIT_WHOLE_DISTRICT
    return _summary(value)


def _shown(key: str, value: Any, staff: Mapping[str, str]) -> str:
    return visible(_cut(_value(key, value, staff)))


def _label(subject_kind: str, key: str) -> str:
    labels = texts.AUDIT_FIELDS_BY_SUBJECT.get(subject_kind, {})
    return visible(labels.get(key) or texts.AUDIT_FIELDS.get(key) or key)


_ORDER: Final = {key: n for n, key in enumerate(texts.AUDIT_FIELDS)}


def _reading_order(key: str) -> tuple[int, str]:
    """The fields in the order ``texts.AUDIT_FIELDS`` lists them; unknown ones last."""
    return (_ORDER.get(key, len(_ORDER)), key)


def _changes(subject_kind: str, before: Any, after: Any, staff: Mapping[str, str]) -> list[Change]:
    old = before if isinstance(before, Mapping) else {}
    new = after if isinstance(after, Mapping) else {}
    creation, deletion = not old, not new
    changes = []
    for key in sorted({*old, *new}, key=_reading_order):
        if key in texts.AUDIT_HIDDEN_FIELDS:
            continue
        if not creation and not deletion and old.get(key) == new.get(key):
            continue
        changes.append(
            Change(
                _label(subject_kind, key),
                None if creation or key not in old else _shown(key, old[key], staff),
                None if deletion or key not in new else _shown(key, new[key], staff),
            )
        )
    return changes


def _import_changes(record: Mapping[str, Any]) -> list[Change]:
    """A catalogue import's own fields: the day it takes effect and what each sheet changed."""
    found = []
    if record.get("effective_from"):
        found.append(
            Change(texts.AUDIT_FIELDS["effective_from"], None, str(record["effective_from"]))
        )
    for sheet, tally in (record.get("changes") or {}).items():
        if not isinstance(tally, Mapping):
            continue
        counts = "，".join(
            f"{word} {tally[k]}" for k, word in texts.AUDIT_TALLY_WORDS.items() if tally.get(k)
        )
        if counts:
            found.append(Change(visible(texts.AUDIT_SHEETS.get(sheet, sheet)), None, counts))
    return found


def _record(reason: str) -> Mapping[str, Any] | None:
    if not reason.startswith("{"):
        return None
    try:
        found = json.loads(reason)
    except ValueError:
        return None
    if isinstance(found, dict) and {"note", "before", "after"} <= found.keys():
        return found
    return None


def reason(subject_kind: str, text: str, staff: Mapping[str, str] | None = None) -> Reason:
    """The entry's reason as the log shows it; ``staff`` names staff ids (``confirmed_by``)."""
    record = _record(text)
    if record is None:
        return Reason(visible(text))
    names = staff or {}
    changes = _import_changes(record) if "changes" in record else []
    changes += _changes(subject_kind, record["before"], record["after"], names)
    return Reason(visible(str(record["note"] or "")), changes, visible(text))


def staff_ids(entries: Iterable[tuple[str, str, str]]) -> list[str]:
    """The staff ids to name on a page of entries (``subject_kind, subject_id, reason``): staff
    subjects and who confirmed a calendar year."""
    ids: set[str] = set()
    for kind, subject_id, text in entries:
        if kind == "staff":
            ids.add(subject_id)
        record = _record(text)
        for side in ("before", "after") if record else ():
            state = record[side] if record else None
            if isinstance(state, Mapping) and isinstance(state.get("confirmed_by"), str):
                ids.add(state["confirmed_by"])
    return sorted(i for i in ids if i)

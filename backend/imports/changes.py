"""What an import changes in one item, field by field, in the administrator's words.

Each version is written out the way the export writes it (``export.rows_of``: 是/否, 窗口、代办 …),
so a change reads as the administrator would see it in the spreadsheet: 承诺时限：15 → 16;
材料：新增 户口簿；删除 照片.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from backend.catalogue.model import ItemSpec
from backend.imports import texts
from backend.imports.export import Catalogue, Cell, rows_of
from backend.imports.sheets import SHEETS

VALUE_CHARS: Final = 40
"""A value longer than this is cut (with …) in what the preview shows."""
TEXT_CHARS: Final = 300
"""One field's change text (a list of materials, say) is cut at this length."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One changed field: its Chinese ``label`` and what happens to it (``15 → 16``)."""

    label: str
    text: str


def _short(value: Cell, limit: int = VALUE_CHARS) -> str:
    text = str(value).strip() or texts.BLANK
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rows(spec: ItemSpec) -> dict[str, list[list[Cell]]]:
    return rows_of(Catalogue(departments={}, items=[spec], bundles=[]))


def _labels(sheet: str) -> list[str]:
    return [c.label for c in SHEETS[sheet].columns]


def _listed(
    sheet: str, old: list[list[Cell]], new: list[list[Cell]], *, shown_at: int
) -> str | None:
    """Rows keyed by their second cell (a material's type, a field's name): added, removed,
    modified (naming the changed columns), or only reordered; None when all are the same."""
    labels = _labels(sheet)
    before = {str(r[1]): r for r in old}
    after = {str(r[1]): r for r in new}
    parts: list[str] = []
    added = [_short(r[shown_at]) for k, r in after.items() if k not in before]
    removed = [_short(r[shown_at]) for k, r in before.items() if k not in after]
    if added:
        parts.append(texts.ADDED + " " + "、".join(added))
    if removed:
        parts.append(texts.REMOVED + " " + "、".join(removed))
    for key, row in after.items():
        was = before.get(key)
        if was is None:
            continue
        # Every column but the item's code, the key and the order.
        diffs = [
            f"{labels[i]} {_short(was[i])} → {_short(row[i])}"
            for i in range(2, len(row) - 1)
            if was[i] != row[i]
        ]
        if diffs:
            parts.append(f"{texts.MODIFIED} {_short(row[shown_at])}（{'，'.join(diffs)}）")
    if not parts and [str(r[1]) for r in old] != [str(r[1]) for r in new]:
        parts.append(texts.REORDERED)
    if not parts:
        return None
    text = "；".join(parts)
    return text if len(text) <= TEXT_CHARS else text[: TEXT_CHARS - 1] + "…"


def item_changes(old: ItemSpec, new: ItemSpec) -> tuple[FieldChange, ...]:
    """Each field that differs between the current version and the new one, in sheet order."""
    was, now = _rows(old), _rows(new)
    labels = _labels("items")
    changes = [
        FieldChange(labels[i], f"{_short(a)} → {_short(b)}")
        for i, (a, b) in enumerate(zip(was["items"][0], now["items"][0], strict=True))
        if i > 0 and a != b
    ]
    for sheet, shown_at in (("materials", 2), ("forms", 2)):
        text = _listed(sheet, was[sheet], now[sheet], shown_at=shown_at)
        if text is not None:
            changes.append(FieldChange(texts.LIST_LABELS[sheet], text))
    return tuple(changes)


def item_summary(new: ItemSpec) -> tuple[FieldChange, ...]:
    """A new item in a few words: its department, level, time limits, materials and form."""
    row = _rows(new)
    item = dict(zip([c.name for c in SHEETS["items"].columns], row["items"][0], strict=True))
    labels = {c.name: c.label for c in SHEETS["items"].columns}
    facts = [
        FieldChange(labels[k], _short(item[k]))
        for k in ("department_code", "lowest_level", "legal_days", "committed_days", "item_kind")
    ]
    for sheet in ("materials", "forms"):
        names = "、".join(_short(r[2]) for r in row[sheet])
        if len(names) > TEXT_CHARS:
            names = names[: TEXT_CHARS - 1] + "…"
        listed = f"{len(row[sheet])} 项：{names}" if names else texts.NONE
        facts.append(FieldChange(texts.LIST_LABELS[sheet], listed))
    return tuple(facts)

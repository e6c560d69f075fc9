"""The item and bundle forms of the catalogue pages: what a form shows (the values as typed,
kept when it is refused) and the typed values the use cases take.

Nothing is judged here: a number that is not one becomes -1 and a date that is not one the
earliest day, so the use case names the field in its own words along with every other problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Final, TypeVar

from litestar.datastructures import FormMultiDict

from backend.catalogue.model import BundleSpec, FormField, ItemSpec, MaterialSpec
from backend.catalogue.service import ItemView

MAX_ROWS: Final = 60
BLANK_ROWS: Final = 2
"""Empty rows under the materials and the form fields, to add new ones."""


@dataclass
class MaterialRow:
    order: str = ""
    type: str = ""
    name: str = ""
    required: bool = True
    original: bool = True
    copies: str = "0"
    exempt: bool = False


@dataclass
class FieldRow:
    order: str = ""
    name: str = ""
    label: str = ""
    datatype: str = "text"
    sensitivity: str = "none"
    required: bool = True
    values: str = ""
    max_length: str = ""
    pattern: str = ""
    pattern_hint: str = ""


@dataclass
class ItemDraft:
    """The item form's values as shown and as typed."""

    name: str
    department: str
    kind: str
    fee: str
    legal_days: str
    committed_days: str
    channels: list[str]
    delivery_methods: list[str]
    materials: list[MaterialRow] = field(default_factory=list)
    fields: list[FieldRow] = field(default_factory=list)
    effective_from: str = ""
    note: str = ""
    code: str = ""
    """A new item's code (an existing item's stays as it is)."""
    lowest_level: str = "township"
    """A new item's lowest level (an existing item's is kept from its latest version)."""

    def with_blank_rows(self) -> ItemDraft:
        self.materials += [MaterialRow() for _ in range(BLANK_ROWS)]
        self.fields += [FieldRow() for _ in range(BLANK_ROWS)]
        return self


def draft_of(view: ItemView, *, effective_from: date) -> ItemDraft:
    """The form filled in from a version (the next version starts from the latest)."""
    spec = view.spec
    return ItemDraft(
        name=spec.name,
        department=spec.department_code,
        kind=spec.kind,
        fee=spec.fee,
        legal_days=str(spec.legal_days),
        committed_days=str(spec.committed_days),
        channels=list(spec.channels),
        delivery_methods=list(spec.delivery_methods),
        materials=[
            MaterialRow(
                str(n), m.type, m.name, m.required, m.original, str(m.copies), m.exempt_if_shared
            )
            for n, m in enumerate(spec.materials, start=1)
        ],
        fields=[
            FieldRow(
                str(n),
                f.name,
                f.label,
                f.datatype,
                f.sensitivity,
                f.required,
                "、".join(f.values),
                "" if f.max_length is None else str(f.max_length),
                f.pattern or "",
                f.pattern_hint,
            )
            for n, f in enumerate(spec.form, start=1)
        ],
        effective_from=effective_from.isoformat(),
    )


def text(form: FormMultiDict, name: str, limit: int = 200) -> str:
    """One text field of the form, trimmed and cut to ``limit``."""
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _ticked(form: FormMultiDict, name: str) -> bool:
    return form.get(name) in ("1", "on", "yes")


def _picked(form: FormMultiDict, name: str, limit: int = 20) -> list[str]:
    return [v.strip() for v in form.getall(name, []) if isinstance(v, str) and v.strip()][:limit]


def _material(form: FormMultiDict, n: int) -> MaterialRow | None:
    p = f"m-{n}-"
    if f"{p}type" not in form or _ticked(form, f"{p}drop"):
        return None
    row = MaterialRow(
        text(form, f"{p}order", 6),
        text(form, f"{p}type", 60),
        text(form, f"{p}name", 120),
        _ticked(form, f"{p}required"),
        _ticked(form, f"{p}original"),
        text(form, f"{p}copies", 4) or "0",
        _ticked(form, f"{p}exempt"),
    )
    return row if row.type or row.name else None


def _field(form: FormMultiDict, n: int) -> FieldRow | None:
    p = f"f-{n}-"
    if f"{p}name" not in form or _ticked(form, f"{p}drop"):
        return None
    row = FieldRow(
        text(form, f"{p}order", 6),
        text(form, f"{p}name", 60),
        text(form, f"{p}label", 60),
        text(form, f"{p}datatype", 20),
        text(form, f"{p}sensitivity", 20),
        _ticked(form, f"{p}required"),
        text(form, f"{p}values", 500),
        text(form, f"{p}max_length", 6),
        _raw(form, f"{p}pattern", 300),
        text(form, f"{p}pattern_hint", 80),
    )
    return row if row.name or row.label else None


def _raw(form: FormMultiDict, name: str, limit: int) -> str:
    """A field kept as typed (a regular expression's spaces count), cut to ``limit``."""
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


Row = TypeVar("Row", MaterialRow, FieldRow)


def _in_order(rows: list[Row]) -> list[Row]:
    """Rows by the order typed (rows without one keep their place, after the numbered ones)."""
    keyed = [((int(r.order) if r.order.isdigit() else 10_000, n), r) for n, r in enumerate(rows)]
    return [r for _, r in sorted(keyed, key=lambda pair: pair[0])]


def draft_from_form(form: FormMultiDict) -> ItemDraft:
    """The form as posted, rows in the order typed; a ticked 删除 or an empty row is left out."""
    materials = [m for n in range(MAX_ROWS) if (m := _material(form, n)) is not None]
    fields = [f for n in range(MAX_ROWS) if (f := _field(form, n)) is not None]
    return ItemDraft(
        name=text(form, "name", 120),
        department=text(form, "department", 16),
        kind=text(form, "kind", 20),
        fee=text(form, "fee", 120),
        legal_days=text(form, "legal_days", 6),
        committed_days=text(form, "committed_days", 6),
        channels=_picked(form, "channels"),
        delivery_methods=_picked(form, "delivery_methods"),
        materials=_in_order(materials),
        fields=_in_order(fields),
        effective_from=text(form, "effective_from", 10),
        note=text(form, "note", 200),
        code=text(form, "code", 60),
        lowest_level=text(form, "lowest_level", 16),
    )


def blank_draft(*, effective_from: date) -> ItemDraft:
    """The form of a new item: nothing filled in but the usual defaults."""
    return ItemDraft(
        name="",
        department="",
        kind="public_service",
        fee="不收费",
        legal_days="",
        committed_days="",
        channels=["window"],
        delivery_methods=["window"],
        effective_from=effective_from.isoformat(),
    )


def new_spec(draft: ItemDraft) -> ItemSpec:
    """A new item's first version (may be delegated, not district-wide, for a person)."""
    base = ItemSpec(draft.code, "", "", draft.lowest_level, (), True, False, 0, 0)
    return spec_of(draft, base=base)


def _number(raw: str) -> int:
    return int(raw) if raw.isdigit() else -1


def effective_day(draft: ItemDraft) -> date:
    """The day typed, or the earliest day (refused as 'before today')."""
    try:
        return date.fromisoformat(draft.effective_from)
    except ValueError:
        return date.min


def _values(raw: str) -> tuple[str, ...]:
    parts = raw.replace("，", "、").replace(",", "、").split("、")
    return tuple(p.strip() for p in parts if p.strip())


def spec_of(draft: ItemDraft, *, base: ItemSpec) -> ItemSpec:
    """The new version: the draft's fields over the latest version's (level, keywords … kept)."""
    return ItemSpec(
        code=base.code,
        name=draft.name,
        department_code=draft.department,
        lowest_level=base.lowest_level,
        channels=tuple(draft.channels),
        delegable=base.delegable,
        district_wide=base.district_wide,
        legal_days=_number(draft.legal_days),
        committed_days=_number(draft.committed_days),
        fee=draft.fee,
        delivery_methods=tuple(draft.delivery_methods),
        keywords=base.keywords,
        personal=base.personal,
        materials=tuple(
            MaterialSpec(m.type, m.name, m.required, m.original, _number(m.copies), m.exempt)
            for m in draft.materials
        ),
        form=tuple(
            FormField(
                f.name,
                f.label,
                f.datatype,
                f.sensitivity,
                f.required,
                _values(f.values),
                _number(f.max_length) if f.max_length else None,
                f.pattern or None,
                f.pattern_hint,
            )
            for f in draft.fields
        ),
        kind=draft.kind,
    )


def bundle_items(form: FormMultiDict) -> list[str]:
    """The items ticked for a bundle, in the order shown."""
    return _picked(form, "items", 100)


def new_bundle(form: FormMultiDict) -> BundleSpec:
    """A new bundle as posted: its code, name and the items ticked."""
    return BundleSpec(text(form, "code", 60), text(form, "name", 120), tuple(bundle_items(form)))

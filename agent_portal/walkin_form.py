"""The walk-in form (前台综合受理): its choices, and reading what the clerk posted.

The choices come from the catalogue and the area tree: villages of the clerk's township, items
handled in it at the window. The item's form is drawn from its form definition; its materials
are scans or photos of the papers checked at the window (the domain wants an upload or shared
data for every required material; see the report on a paper-originals option).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Final

from litestar.datastructures import FormMultiDict, UploadFile

from agent_portal import texts
from backend.cases.submission import required_materials
from backend.catalogue import service as catalogue
from backend.catalogue.model import FormField, MergedMaterial
from backend.catalogue.service import ItemView
from backend.geo import points as geo
from backend.geo.service import AreaView, list_areas

WINDOW_CHANNEL: Final = "window"
MAX_VILLAGES: Final = 500
FORM_PREFIX: Final = "form."


@dataclass
class Posted:
    """What the clerk typed, kept to fill the form again after a refusal."""

    key: str
    item_code: str = ""
    applicant: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    delivery_method: str = ""
    delivery_address: str = ""
    kept: dict[str, tuple[str, str]] = field(default_factory=dict)  # type -> (upload id, name)
    files: dict[str, UploadFile] = field(default_factory=dict)  # type -> a file chosen now

    def fingerprint_body(self) -> bytes:
        """What makes two posts the same walk-in (the upload ids differ between retries)."""
        same = {
            "item": self.item_code,
            "applicant": self.applicant,
            "form": self.form,
            "delivery": [self.delivery_method, self.delivery_address],
            "materials": sorted(set(self.kept) | set(self.files)),
        }
        return json.dumps(same, sort_keys=True, ensure_ascii=False).encode()


@dataclass(frozen=True, slots=True)
class ItemForm:
    """The part of the form that depends on the item."""

    item: ItemView | None
    fields: tuple[FormField, ...]
    materials: tuple[MergedMaterial, ...]
    delivery_methods: tuple[tuple[str, str], ...]


def new_key() -> str:
    return "walkin-" + uuid.uuid4().hex


async def items_here(township_code: str) -> list[ItemView]:
    """Items a window of this township accepts (its points list them, or 全区通办)."""
    snap = await catalogue.snapshot()
    places = await geo.snapshot()
    return [
        view
        for view in sorted(snap.items.values(), key=lambda v: v.spec.code)
        if WINDOW_CHANNEL in view.spec.channels
        and any(
            p.township_code == township_code
            for p in geo.points_handling(
                places, view.spec.code, district_wide=view.spec.district_wide
            )
        )
    ]


async def villages_of(township_code: str) -> list[AreaView]:
    found, _ = await list_areas(
        level="village", parent=township_code, page=1, page_size=MAX_VILLAGES
    )
    return found


async def item_form(township_code: str, item_code: str) -> ItemForm:
    """The fields, materials and delivery methods of an item handled here (none otherwise)."""
    chosen = next((v for v in await items_here(township_code) if v.spec.code == item_code), None)
    if chosen is None:
        return ItemForm(None, (), (), ())
    return ItemForm(
        chosen,
        chosen.spec.form,
        tuple(required_materials([chosen])),
        tuple((m, texts.DELIVERY.get(m, m)) for m in chosen.spec.delivery_methods),
    )


def _value(form: FormMultiDict, name: str, limit: int = 200) -> str:
    raw = form.get(name)
    return raw.strip()[:limit] if isinstance(raw, str) else ""


def read(form: FormMultiDict, materials: tuple[MergedMaterial, ...]) -> Posted:
    posted = Posted(
        key=_value(form, "submission_key") or new_key(),
        item_code=_value(form, "item_code", 40),
        applicant={
            "name": _value(form, "applicant.name", 64),
            "id_number": _value(form, "applicant.id_number", 32),
            "phone": _value(form, "applicant.phone", 20),
            "village_code": _value(form, "applicant.village_code", 32),
        },
        form={
            name[len(FORM_PREFIX) :]: value.strip()
            for name, value in form.multi_items()
            if name.startswith(FORM_PREFIX) and isinstance(value, str)
        },
        delivery_method=_value(form, "delivery_method", 16),
        delivery_address=_value(form, "delivery_address", 200),
    )
    for index, material in enumerate(materials):
        chosen = form.get(f"mat-{index}-file")
        if isinstance(chosen, UploadFile) and chosen.filename:
            posted.files[material.type] = chosen
            continue
        upload_id = _value(form, f"mat-{index}-upload", 40)
        if upload_id:
            posted.kept[material.type] = (upload_id, _value(form, f"mat-{index}-name", 100))
    return posted


def form_data(posted: Posted, fields: tuple[FormField, ...]) -> dict[str, Any]:
    """The item's form as the API would receive it: numbers as numbers, blanks left out."""
    out: dict[str, Any] = {}
    kinds = {f.name: f.datatype for f in fields}
    for name, value in posted.form.items():
        if not value:
            continue
        if kinds.get(name) == "number":
            try:
                out[name] = int(value) if value.lstrip("-").isdigit() else float(value)
            except ValueError:
                out[name] = value
        else:
            out[name] = value
    return out


def submission(posted: Posted, fields: tuple[FormField, ...]) -> dict[str, Any]:
    """The body of ``POST /api/v1/window/cases`` for this walk-in."""
    return {
        "item_code": posted.item_code or None,
        "form": form_data(posted, fields),
        "delivery": {
            "method": posted.delivery_method,
            "address": posted.delivery_address or None,
        },
        "materials": [
            {"type": kind, "upload_id": upload_id} for kind, (upload_id, _) in posted.kept.items()
        ],
        "applicant": {
            "name": posted.applicant["name"],
            "id_number": posted.applicant["id_number"],
            "village_code": posted.applicant["village_code"],
            "phone": posted.applicant["phone"] or None,
        },
    }

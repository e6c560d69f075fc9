"""The item's part of a filing form, shared by the window's walk-in and the agent's filing.

An item (or a bundle) brings its form fields, its materials and its delivery methods; what was
posted is read back into :class:`Posted`, so a refusal shows the form again as it was — files
already uploaded are kept by their upload ids and not asked for again.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from litestar.datastructures import FormMultiDict, State, UploadFile

from agent_portal.common import texts
from backend.cases.forms import merge_fields
from backend.cases.submission import required_materials
from backend.catalogue.model import FormField, MergedMaterial
from backend.catalogue.service import ItemView
from backend.deps import Deps
from backend.errors import DomainError
from backend.uploads import service as uploads
from backend.uploads.model import UploadView

FORM_PREFIX: Final = "form."


@dataclass
class Posted:
    """What was typed, kept to fill the form again after a refusal."""

    key: str
    item_code: str = ""
    bundle_code: str = ""
    applicant: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    delivery_method: str = ""
    delivery_address: str = ""
    kept: dict[str, tuple[str, str]] = field(default_factory=dict)  # type -> (upload id, name)
    files: dict[str, UploadFile] = field(default_factory=dict)  # type -> a file chosen now
    paper: list[str] = field(default_factory=list)  # types whose paper original was collected

    def fingerprint_body(self) -> bytes:
        """What makes two posts the same filing (the upload ids differ between retries)."""
        same = {
            "item": self.item_code,
            "bundle": self.bundle_code,
            "applicant": self.applicant,
            "form": self.form,
            "delivery": [self.delivery_method, self.delivery_address],
            "materials": sorted(set(self.kept) | set(self.files)),
            "paper": sorted(self.paper),
        }
        return json.dumps(same, sort_keys=True, ensure_ascii=False).encode()


@dataclass(frozen=True, slots=True)
class ItemForm:
    """The part of the form that depends on the item or bundle (empty ``code``: none chosen)."""

    code: str = ""
    title: str = ""
    hint: str = ""
    fields: tuple[FormField, ...] = ()
    materials: tuple[MergedMaterial, ...] = ()
    delivery_methods: tuple[tuple[str, str], ...] = ()

    @property
    def by_mail(self) -> bool:
        return any(code == "mail" for code, _ in self.delivery_methods)


def new_key(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def form_of(code: str, title: str, views: Sequence[ItemView]) -> ItemForm:
    """The merged form, materials and common delivery methods of one item or a bundle's items."""
    if not views:
        return ItemForm()
    if len(views) == 1:
        spec = views[0].spec
        hint = f"承诺时限 {spec.committed_days} 个工作日 · {spec.fee}"
    else:
        hint = "含 " + "、".join(v.spec.name for v in views)
    methods = [
        m
        for m in views[0].spec.delivery_methods
        if all(m in v.spec.delivery_methods for v in views)
    ]
    return ItemForm(
        code=code,
        title=title,
        hint=hint,
        fields=tuple(merge_fields(v.spec.form for v in views)),
        materials=tuple(required_materials(list(views))),
        delivery_methods=tuple((m, texts.DELIVERY.get(m, m)) for m in methods),
    )


def value(form: FormMultiDict, name: str, limit: int = 200) -> str:
    raw = form.get(name)
    return raw.strip()[:limit] if isinstance(raw, str) else ""


def read(form: FormMultiDict, materials: tuple[MergedMaterial, ...], *, key_prefix: str) -> Posted:
    posted = Posted(
        key=value(form, "submission_key") or new_key(key_prefix),
        item_code=value(form, "item_code", 40),
        bundle_code=value(form, "bundle_code", 40),
        form={
            name[len(FORM_PREFIX) :]: raw.strip()
            for name, raw in form.multi_items()
            if name.startswith(FORM_PREFIX) and isinstance(raw, str)
        },
        delivery_method=value(form, "delivery_method", 16),
        delivery_address=value(form, "delivery_address", 200),
    )
    for index, material in enumerate(materials):
        if form.get(f"mat-{index}-paper"):
            posted.paper.append(material.type)
        chosen = form.get(f"mat-{index}-file")
        if isinstance(chosen, UploadFile) and chosen.filename:
            posted.files[material.type] = chosen
            continue
        upload_id = value(form, f"mat-{index}-upload", 40)
        if upload_id:
            posted.kept[material.type] = (upload_id, value(form, f"mat-{index}-name", 100))
    return posted


def form_data(posted: Posted, fields: tuple[FormField, ...]) -> dict[str, Any]:
    """The item's form as the API would receive it: numbers as numbers, blanks left out."""
    out: dict[str, Any] = {}
    kinds = {f.name: f.datatype for f in fields}
    for name, raw in posted.form.items():
        if not raw:
            continue
        if kinds.get(name) == "number":
            try:
                out[name] = int(raw) if raw.lstrip("-").isdigit() else float(raw)
            except ValueError:
                out[name] = raw
        else:
            out[name] = raw
    return out


def materials_of(posted: Posted) -> list[dict[str, str]]:
    return [{"type": kind, "upload_id": upload_id} for kind, (upload_id, _) in posted.kept.items()]


def problems_of(exc: DomainError) -> dict[str, str]:
    """Field problems by input name (``applicant.name``, ``form.<field>``, ``material:<type>``)."""
    out: dict[str, str] = {}
    for p in exc.extra.get("errors", []):
        name = str(p.get("field", ""))
        key = name if name.startswith("applicant.") else FORM_PREFIX + name
        out.setdefault(key, str(p.get("message", "")))
    for m in exc.extra.get("missing", []):
        out.setdefault(f"material:{m.get('type', '')}", texts.MATERIAL_MISSING)
    return out


async def save_file(
    state: State | Deps, *, owner_id: str, material_type: str, chosen: UploadFile
) -> UploadView:
    """One chosen file through the upload service (checked, EXIF removed), owned by staff."""
    data = await chosen.read()
    await chosen.close()
    return await uploads.save_upload(
        store=state.file_store,
        owner_kind="staff",
        owner_id=owner_id,
        material_type=material_type,
        filename=chosen.filename or "",
        data=data,
        settings=state.settings,
    )


async def save_files(posted: Posted, *, owner_id: str, state: State | Deps) -> None:
    """Files chosen now go to the upload service first; they are kept across a refusal."""
    for kind, chosen in list(posted.files.items()):
        saved = await save_file(state, owner_id=owner_id, material_type=kind, chosen=chosen)
        posted.kept[kind] = (saved.id, saved.original_name or texts.UPLOAD_KEPT)
        del posted.files[kind]


def chosen_file(form: FormMultiDict, name: str) -> UploadFile | None:
    chosen = form.get(name)
    return chosen if isinstance(chosen, UploadFile) and chosen.filename else None

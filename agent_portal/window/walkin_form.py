"""The walk-in form (前台综合受理): its choices, and the body it files.

The choices come from the catalogue and the area tree: villages of the clerk's township, items
handled in it at the window. The item's part of the form (fields, materials, delivery) and
reading it back are shared with the agent's filing (``item_form``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Final

from litestar.datastructures import FormMultiDict

from agent_portal.common.item_form import (
    ItemForm,
    Posted,
    form_data,
    form_of,
    materials_of,
    read,
    value,
)
from backend.catalogue import service as catalogue
from backend.catalogue.model import FormField, MergedMaterial
from backend.catalogue.service import ItemView
from backend.geo import points as geo
from backend.geo.service import AreaView, list_areas

WINDOW_CHANNEL: Final = "window"
MAX_VILLAGES: Final = 500
THROUGH_AGENT: Final = "agent"  # 代办员送达
KEY_PREFIX: Final = "walkin"


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
        return ItemForm()
    shown = form_of(chosen.spec.code, chosen.spec.name, [chosen])
    # A walk-in has no agent: 代办员送达 is not offered (the server refuses it too).
    methods = tuple(
        (code, label) for code, label in shown.delivery_methods if code != THROUGH_AGENT
    )
    return replace(shown, delivery_methods=methods)


def read_walk_in(form: FormMultiDict, materials: tuple[MergedMaterial, ...]) -> Posted:
    posted = read(form, materials, key_prefix=KEY_PREFIX)
    posted.applicant = {
        "name": value(form, "applicant.name", 64),
        "id_number": value(form, "applicant.id_number", 32),
        "phone": value(form, "applicant.phone", 20),
        "village_code": value(form, "applicant.village_code", 32),
    }
    return posted


def submission(posted: Posted, fields: tuple[FormField, ...]) -> dict[str, Any]:
    """The body of ``POST /api/v1/window/cases`` for this walk-in."""
    return {
        "item_code": posted.item_code or None,
        "form": form_data(posted, fields),
        "delivery": {
            "method": posted.delivery_method,
            "address": posted.delivery_address or None,
        },
        "materials": materials_of(posted),
        "applicant": {
            "name": posted.applicant["name"],
            "id_number": posted.applicant["id_number"],
            "village_code": posted.applicant["village_code"],
            "phone": posted.applicant["phone"] or None,
        },
    }

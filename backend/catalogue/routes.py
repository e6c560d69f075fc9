"""Public catalogue routes: ``/api/v1/items`` and ``/api/v1/bundles``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter

from backend.catalogue import service
from backend.catalogue.schemas import (
    BundleOut,
    BundlePage,
    FormFieldOut,
    ItemDetail,
    ItemOut,
    ItemPage,
    MaterialOut,
    MergedMaterialOut,
)
from backend.catalogue.service import BundleView, ItemView
from backend.http.auth import PUBLIC
from backend.http.pagination import Page, PageSize

Query = Annotated[str | None, Parameter(max_length=40, description="名称、关键词或拼音首字母")]


def item_out(view: ItemView) -> ItemOut:
    s = view.spec
    return ItemOut(
        code=s.code,
        name=s.name,
        department=s.department_code,
        department_name=view.department_name,
        committed_days=s.committed_days,
        legal_days=s.legal_days,
        channels=list(s.channels),
        delegable=s.delegable,
        district_wide=s.district_wide,
        lowest_level=s.lowest_level,
    )


def item_detail(view: ItemView) -> ItemDetail:
    s = view.spec
    return ItemDetail(
        **{f: getattr(item_out(view), f) for f in ItemOut.__struct_fields__},
        fee=s.fee,
        delivery_methods=list(s.delivery_methods),
        keywords=list(s.keywords),
        materials=[MaterialOut(**asdict(m)) for m in s.materials],
        form=[
            FormFieldOut(f.name, f.label, f.datatype, f.required, list(f.values), f.sensitivity)
            for f in s.form
        ],
        version=view.version,
        effective_from=view.effective_from.isoformat(),
    )


_DETAILS: dict[int, tuple[ItemView, ItemDetail]] = {}


def cached_detail(view: ItemView) -> ItemDetail:
    """:func:`item_detail`, built once per item version and cached catalogue.

    A reload of the catalogue (its revision moved, or a new day) makes new views, so an answer
    is reused only for the very view it was built from.
    """
    hit = _DETAILS.get(view.version_id)
    if hit is not None and hit[0] is view:
        return hit[1]
    detail = item_detail(view)
    _DETAILS[view.version_id] = (view, detail)
    return detail


def bundle_out(view: BundleView) -> BundleOut:
    return BundleOut(
        code=view.spec.code,
        name=view.spec.name,
        items=[item_out(v) for v in view.items],
        materials=[
            MergedMaterialOut(
                type=m.type,
                name=m.name,
                required=m.required,
                original=m.original,
                copies=m.copies,
                exempt_if_shared=m.exempt_if_shared,
                item_codes=list(m.item_codes),
            )
            for m in view.materials
        ],
    )


class CatalogueController(Controller):
    opt = PUBLIC
    tags = ["catalogue"]

    @get("/api/v1/items", summary="Find items (事项) by name, keyword or pinyin initials")
    async def list_items(
        self,
        q: Query = None,
        department: Annotated[str | None, Parameter(max_length=16)] = None,
        channel: Annotated[str | None, Parameter(max_length=16)] = None,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> ItemPage:
        views, total = await service.list_items(
            q=q, department=department, channel=channel, page=page, page_size=page_size
        )
        return ItemPage(items=[item_out(v) for v in views], total=total)

    @get("/api/v1/items/{code:str}", summary="An item with its materials and form")
    async def get_item(self, code: str) -> ItemDetail:
        return cached_detail(await service.get_item(code=code))

    @get("/api/v1/bundles", summary="Find bundles (一件事)")
    async def list_bundles(
        self, q: Query = None, page: Page = 1, page_size: PageSize = 20
    ) -> BundlePage:
        views, total = await service.list_bundles(q=q, page=page, page_size=page_size)
        return BundlePage(items=[bundle_out(v) for v in views], total=total)

    @get(
        "/api/v1/bundles/{code:str}", summary="A bundle with its merged materials (each type once)"
    )
    async def get_bundle(self, code: str) -> BundleOut:
        return bundle_out(await service.get_bundle(code=code))

"""Public catalogue routes: ``/api/v1/items`` and ``/api/v1/bundles``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, cast

from litestar import Controller, get
from litestar.openapi.spec import Example
from litestar.params import Parameter

from backend.catalogue import service
from backend.catalogue.model import FormField
from backend.catalogue.schemas import (
    BundleOut,
    BundlePage,
    Channel,
    Datatype,
    DeliveryMethod,
    FormFieldOut,
    ItemDetail,
    ItemMaterialOut,
    ItemOut,
    ItemPage,
    Level,
    MergedMaterialOut,
    Sensitivity,
)
from backend.catalogue.service import BundleView, ItemView
from backend.http.auth import PUBLIC
from backend.http.openapi import operation
from backend.http.pagination import Page, PageSize

Query = Annotated[
    str | None,
    Parameter(
        max_length=40,
        description="查找的内容：名称、关键词或拼音首字母；不填则列出全部。",
        examples=[Example(value="身份证"), Example(value="sfz")],
    ),
]
DepartmentFilter = Annotated[
    str | None,
    Parameter(
        max_length=16,
        description="只列出该部门承办的事项（部门编码）。",
        examples=[Example(value="GA")],
    ),
]
ChannelFilter = Annotated[
    Channel | None,
    Parameter(
        description=(
            "只列出可通过该渠道申请的事项：window 窗口，agent 村社代办，bank 银行网点，"
            "self_service 自助终端，online 小程序在线申请。"
        ),
        examples=[Example(value="online")],
    ),
]
ItemCodePath = Annotated[
    str, Parameter(description="事项编码。", examples=[Example(value="GA-SFZ-HL")])
]
BundleCodePath = Annotated[
    str, Parameter(description="一件事编码。", examples=[Example(value="CSYJS")])
]


def item_out(view: ItemView) -> ItemOut:
    s = view.spec
    return ItemOut(
        code=s.code,
        name=s.name,
        department=s.department_code,
        department_name=view.department_name,
        committed_days=s.committed_days,
        legal_days=s.legal_days,
        channels=cast(list[Channel], list(s.channels)),
        delegable=s.delegable,
        district_wide=s.district_wide,
        lowest_level=cast(Level, s.lowest_level),
    )


def field_out(f: FormField) -> FormFieldOut:
    return FormFieldOut(
        f.name,
        f.label,
        cast(Datatype, f.datatype),
        f.required,
        list(f.values),
        cast(Sensitivity, f.sensitivity),
        f.max_length,
        f.pattern,
        f.pattern_hint if f.pattern else None,
    )


def item_detail(view: ItemView) -> ItemDetail:
    s = view.spec
    return ItemDetail(
        **{f: getattr(item_out(view), f) for f in ItemOut.__struct_fields__},
        fee=s.fee,
        delivery_methods=cast(list[DeliveryMethod], list(s.delivery_methods)),
        keywords=list(s.keywords),
        materials=[ItemMaterialOut(**asdict(m)) for m in s.materials],
        form=[field_out(f) for f in s.form],
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
        channels=cast(list[Channel], list(view.channels)),
        form=[field_out(f) for f in view.form],
    )


class CatalogueController(Controller):
    opt = PUBLIC
    tags = ["公开信息"]

    @get(
        "/api/v1/items",
        **operation(
            "查找事项",
            "按名称、关键词或拼音首字母查找政务服务事项，可按承办部门和办理渠道筛选；"
            "有 q 时按匹配程度排序，否则按事项编码排序。page 从 1 开始，page_size 最大 100。",
        ),
    )
    async def list_items(
        self,
        q: Query = None,
        department: DepartmentFilter = None,
        channel: ChannelFilter = None,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> ItemPage:
        views, total = await service.list_items(
            q=q, department=department, channel=channel, page=page, page_size=page_size
        )
        return ItemPage(items=[item_out(v) for v in views], total=total)

    @get(
        "/api/v1/items/{code:str}",
        **operation(
            "查看事项详情",
            "一个事项今天施行的版本：所需材料、申请表字段、收费和可选的送达方式。"
            "提交申请时的 form 和 materials 按此填写。",
            problems={404: ["item_not_found", "not_found"]},
        ),
    )
    async def get_item(self, code: ItemCodePath) -> ItemDetail:
        return cached_detail(await service.get_item(code=code))

    @get(
        "/api/v1/bundles",
        **operation(
            "查找一件事",
            "按名称、关键词或拼音首字母查找一件事（几个相关事项一次申请）；有 q 时按匹配程度排序。"
            "page 从 1 开始，page_size 最大 100。",
        ),
    )
    async def list_bundles(
        self, q: Query = None, page: Page = 1, page_size: PageSize = 20
    ) -> BundlePage:
        views, total = await service.list_bundles(q=q, page=page, page_size=page_size)
        return BundlePage(items=[bundle_out(v) for v in views], total=total)

    @get(
        "/api/v1/bundles/{code:str}",
        **operation(
            "查看一件事详情",
            "一件事包含的事项和合并后的材料清单：同一类型的材料只需提交一次，"
            "item_codes 列出需要它的事项。",
            problems={404: ["bundle_not_found", "not_found"]},
        ),
    )
    async def get_bundle(self, code: BundleCodePath) -> BundleOut:
        return bundle_out(await service.get_bundle(code=code))

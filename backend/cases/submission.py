"""Checking a submission before anything is written: item or bundle, channel, form, materials.

Every missing required material is named in one answer (一次性告知), and every form problem at
once; shared data (电子证照) satisfies a material marked exempt without an upload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backend.cases.forms import check_form, merge_fields
from backend.cases.ports import SharedData, SharedRecord
from backend.catalogue import service as catalogue
from backend.catalogue.model import MergedMaterial, merge_materials
from backend.catalogue.service import ItemView
from backend.errors import InvalidInput
from backend.geo import points as geo

CHANNEL_OF_SUBMISSION = {
    "miniprogram": "online",
    "agent": "agent",
    "window": "window",
    "bank": "bank",
    "self_service": "self_service",
}


CHANNEL_WORDS = {
    "miniprogram": "在小程序上",
    "agent": "由代办员代为",
    "bank": "在银行网点",
    "self_service": "在自助终端上",
    "window": "在窗口",
}
"""How a refusal names the channel the citizen used (never the code)."""


@dataclass
class Plan:
    """What a valid submission will create."""

    items: list[ItemView]
    bundle_code: str | None
    bundle_name: str | None
    form: dict[str, Any]
    materials: list[MergedMaterial]
    uploads: dict[str, list[str]]  # material type -> upload ids
    shared: dict[str, SharedRecord] = field(default_factory=dict)
    paper: list[str] = field(default_factory=list)
    delivery_method: str = "window"
    delivery_address: str = ""
    service_point: str | None = None
    township_of_point: str | None = None
    later: list[ItemView] = field(default_factory=list)
    """Items of a bundle its channel does not offer: left for a window or an agent."""


async def resolve_items(
    *, item_code: str | None, bundle_code: str | None
) -> tuple[list[ItemView], str | None, str | None]:
    if (item_code is None) == (bundle_code is None):
        raise InvalidInput(
            "请填写 item_code 或 bundle_code 其中之一。", code="item_or_bundle_required"
        )
    if item_code is not None:
        try:
            return [await catalogue.get_item(code=item_code)], None, None
        except Exception as exc:
            raise InvalidInput(f"事项 {item_code} 不存在。", code="item_unknown") from exc
    assert bundle_code is not None
    try:
        bundle = await catalogue.get_bundle(code=bundle_code)
    except Exception as exc:
        raise InvalidInput(f"一件事 {bundle_code} 不存在。", code="bundle_unknown") from exc
    return list(bundle.items), bundle.spec.code, bundle.spec.name


def split_channel(
    items: list[ItemView], channel: str, *, bundle: str | None
) -> tuple[list[ItemView], list[ItemView]]:
    """The items ``channel`` can file now, and those it cannot (a bundle's, left for later).

    A single item the channel does not offer is refused, and so is a bundle (``bundle``: its
    name) none of whose items it offers; a bundle some of whose items it offers files those
    now and lists the others.
    """
    wanted = CHANNEL_OF_SUBMISSION[channel]
    now = [v for v in items if wanted in v.spec.channels]
    later = [v for v in items if wanted not in v.spec.channels]
    if later and (not bundle or not now):
        names = "、".join(v.spec.name for v in later)
        what = f"“{bundle}”所含的事项（{names}）都" if bundle else f"“{names}”"
        where = CHANNEL_WORDS.get(channel, "通过此渠道")
        raise InvalidInput(
            f"{what}不能{where}申请，请带齐材料到镇街便民服务中心窗口办理，"
            "或请村（社区）代办员代办。",
            code="channel_not_offered",
        )
    return now, later


def check_channel(items: list[ItemView], channel: str) -> None:
    """Refuse ``items`` unless ``channel`` offers every one of them."""
    split_channel(items, channel, bundle=None)


def bundle_form_keys(items: list[ItemView], later: list[ItemView]) -> frozenset[str]:
    """Form fields only the items left for later ask for: accepted and not kept (they are asked
    again where those items are filed)."""
    now = {f.name for v in items for f in v.spec.form}
    return frozenset(f.name for v in later for f in v.spec.form if f.name not in now)


def check_delivery(items: list[ItemView], method: str, address: str | None) -> tuple[str, str]:
    allowed = set.intersection(*(set(v.spec.delivery_methods) for v in items))
    if method not in allowed:
        labels = {"window": "窗口领取", "mail": "邮寄", "agent": "代办员送达"}
        choices = "、".join(labels[m] for m in sorted(allowed)) or "（无）"
        raise InvalidInput(f"送达方式只能选择：{choices}。", code="delivery_method_invalid")
    if method == "mail" and not (address and address.strip()):
        raise InvalidInput("选择邮寄时须填写收件地址。", code="delivery_address_required")
    return method, (address or "").strip()


async def check_service_point(
    items: list[ItemView], point_code: str | None
) -> tuple[str | None, str | None]:
    if point_code is None:
        return None, None
    snap = await geo.snapshot()
    point = snap.points.get(point_code)
    if point is None:
        raise InvalidInput(f"办事点 {point_code} 不存在。", code="service_point_unknown")
    for view in items:
        able = geo.points_handling(snap, view.spec.code, district_wide=view.spec.district_wide)
        if point not in able:
            raise InvalidInput(
                f"{point.name}不办理“{view.spec.name}”。", code="service_point_not_handling"
            )
    return point.code, point.township_code


def check_form_data(items: list[ItemView], data: dict[str, Any]) -> dict[str, Any]:
    fields = merge_fields(v.spec.form for v in items)
    clean, problems = check_form(fields, data)
    if problems:
        raise InvalidInput(
            "表单填写有误：" + "；".join(p["message"] for p in problems) + "。",
            code="form_invalid",
            extra={"errors": problems},
        )
    return clean


def required_materials(items: list[ItemView]) -> list[MergedMaterial]:
    return merge_materials((v.spec.code, v.spec.materials) for v in items)


def missing_materials(
    materials: list[MergedMaterial],
    uploads: dict[str, list[str]],
    shared: dict[str, SharedRecord],
    paper: frozenset[str] = frozenset(),
) -> list[MergedMaterial]:
    return [
        m
        for m in materials
        if m.required and m.type not in uploads and m.type not in shared and m.type not in paper
    ]


def raise_missing(missing: list[MergedMaterial]) -> None:
    names = "、".join(f"{m.name}（{m.type}）" for m in missing)
    raise InvalidInput(
        f"还缺少 {len(missing)} 项必需材料：{names}。请一次补齐后再提交。",
        code="materials_missing",
        extra={"missing": [{"type": m.type, "name": m.name} for m in missing]},
    )


async def shared_records(
    *,
    materials: list[MergedMaterial],
    uploads: dict[str, list[str]],
    shared_data: SharedData,
    name: str,
    id_number: str | None,
) -> dict[str, SharedRecord]:
    """Shared records for exempt materials the citizen did not upload.

    Calls the data-sharing service: run it outside any transaction.
    """
    if id_number is None:
        return {}
    found: dict[str, SharedRecord] = {}
    for m in materials:
        if m.exempt_if_shared and m.type not in uploads:
            record = await shared_data.lookup(name=name, id_number=id_number, material_type=m.type)
            if record is not None:
                found[m.type] = record
    return found

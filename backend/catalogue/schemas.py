"""Responses of the catalogue routes (public: what a citizen sees of the catalogue)."""

from __future__ import annotations

import msgspec


class ItemOut(msgspec.Struct):
    code: str
    name: str
    department: str
    department_name: str
    committed_days: int
    legal_days: int
    channels: list[str]
    delegable: bool
    district_wide: bool
    lowest_level: str


class MaterialOut(msgspec.Struct):
    type: str
    name: str
    required: bool
    original: bool
    copies: int
    exempt_if_shared: bool


class FormFieldOut(msgspec.Struct):
    name: str
    label: str
    datatype: str
    required: bool
    values: list[str]
    sensitivity: str
    """``id_number``, ``phone``, ``bank_account``, ``id_derived`` or ``none``: whether the value is
    stored encrypted and shown masked to staff (docs/personal-data.md)."""


class ItemDetail(ItemOut):
    fee: str
    delivery_methods: list[str]
    keywords: list[str]
    materials: list[MaterialOut]
    form: list[FormFieldOut]
    version: int
    effective_from: str


class ItemPage(msgspec.Struct):
    items: list[ItemOut]
    total: int


class MergedMaterialOut(MaterialOut):
    item_codes: list[str]


class BundleOut(msgspec.Struct):
    code: str
    name: str
    items: list[ItemOut]
    materials: list[MergedMaterialOut]


class BundlePage(msgspec.Struct):
    items: list[BundleOut]
    total: int

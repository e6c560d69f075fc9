"""Reading and changing the catalogue: departments, items (versioned) and bundles."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from backend.catalogue import search
from backend.catalogue.model import (
    CHANNELS,
    BundleSpec,
    ItemSpec,
    MergedMaterial,
    merge_materials,
)
from backend.catalogue.store import bundles as bundles_store
from backend.catalogue.store import departments as departments_store
from backend.catalogue.store import items as items_store
from backend.catalogue.store import revisions
from backend.clock import today
from backend.errors import InvalidInput, NotFound


@dataclass(frozen=True, slots=True)
class ItemView:
    """The version of an item in force on a day, with its department's name."""

    version_id: int
    version: int
    effective_from: date
    spec: ItemSpec
    department_name: str


@dataclass(frozen=True, slots=True)
class BundleView:
    spec: BundleSpec
    items: tuple[ItemView, ...]
    materials: tuple[MergedMaterial, ...]


@dataclass(frozen=True)
class Snapshot:
    """The whole current catalogue, cached per process and reloaded when the revision moves."""

    revision: str
    day: date
    items: dict[str, ItemView]
    bundles: dict[str, BundleSpec]
    departments: dict[str, str]
    versions: dict[int, ItemView] = field(default_factory=dict)  # ``items`` by version id


_CACHE: dict[str, Any] = {"snapshot": None, "checked": 0.0, "recheck_s": 2.0}
_VERSIONS_MAX = 10_000
_VERSIONS: dict[int, ItemView] = {}
"""Item versions read by id, kept until the catalogue revision moves (a version's own fields
never change, but its department's name may)."""


def cache_recheck_s() -> float:
    return float(_CACHE["recheck_s"])


def configure_cache(*, recheck_s: float) -> None:
    """How long a process trusts its cached catalogue before checking the revision again."""
    _CACHE["recheck_s"] = recheck_s


async def revision() -> str:
    """A token that changes with every catalogue change (and never comes back)."""
    return await revisions.current() or "empty"


async def bump_revision() -> None:
    """Call in every transaction that changes the catalogue, service points or areas."""
    await revisions.bump()
    forget()


def forget() -> None:
    """Drop this process's cached catalogue and service points (the next read reloads them)."""
    _CACHE["snapshot"] = None
    _CACHE["checked"] = 0.0
    _VERSIONS.clear()
    for hook in _FORGET_HOOKS:
        hook()


_FORGET_HOOKS: list[Callable[[], None]] = []


def on_change(hook: Callable[[], None]) -> None:
    """Register a cache that depends on the catalogue revision (the geo snapshot does)."""
    _FORGET_HOOKS.append(hook)


def _view(row: items_store.VersionRow) -> ItemView:
    return ItemView(row.id, row.version, row.effective_from, row.spec, row.department_name)


async def _load(day: date, rev: str) -> Snapshot:
    rows = await items_store.in_force(day=day)
    items = {r.spec.code: _view(r) for r in rows}
    bundles = {b.code: b for b in await bundles_store.all_bundles()}
    departments = await departments_store.names()
    versions = {v.version_id: v for v in items.values()}
    return Snapshot(rev, day, items, bundles, departments, versions)


async def snapshot(*, day: date | None = None) -> Snapshot:
    """The catalogue in force on ``day`` (today by default), cached while it does not change."""
    day = day or today()
    cached: Snapshot | None = _CACHE["snapshot"]
    now = time.monotonic()
    if cached is not None and cached.day == day and now - _CACHE["checked"] < _CACHE["recheck_s"]:
        return cached
    rev = await revision()
    _CACHE["checked"] = now
    if cached is not None and cached.day == day and cached.revision == rev:
        return cached
    fresh = await _load(day, rev)
    if day == today():
        if cached is None or cached.revision != rev:
            _VERSIONS.clear()
        _CACHE["snapshot"] = fresh
    return fresh


# --- reading --------------------------------------------------------------------------------


async def list_items(
    *, q: str | None, department: str | None, channel: str | None, page: int, page_size: int
) -> tuple[list[ItemView], int]:
    if channel is not None and channel not in CHANNELS:
        raise InvalidInput(
            "channel 须为 " + "、".join(CHANNELS) + " 之一。", code="channel_invalid"
        )
    snap = await snapshot()
    views = [
        v
        for v in snap.items.values()
        if (department is None or v.spec.department_code == department)
        and (channel is None or channel in v.spec.channels)
    ]
    entries = [search.Searchable(v.spec.code, v.spec.name, v.spec.keywords) for v in views]
    if q and q.strip():
        ordered = [snap.items[e.key] for e in search.rank(q, entries)]
    else:
        ordered = sorted(views, key=lambda v: v.spec.code)
    start = (page - 1) * page_size
    return ordered[start : start + page_size], len(ordered)


async def material_types() -> frozenset[str]:
    """Every material type an item of the current catalogue asks for (身份证, 户口簿, 照片 …)."""
    snap = await snapshot()
    return frozenset(m.type for view in snap.items.values() for m in view.spec.materials)


async def get_item(*, code: str, day: date | None = None) -> ItemView:
    view = (await snapshot(day=day)).items.get(code)
    if view is None:
        raise NotFound(f"找不到事项 {code}。", code="item_not_found")
    return view


async def get_item_version(*, version_id: int) -> ItemView:
    """A version by id: what a case was filed under, whatever is in force today.

    Answered from the cached catalogue when that version is today's, else read once per
    catalogue revision.
    """
    known = (await snapshot()).versions.get(version_id) or _VERSIONS.get(version_id)
    if known is not None:
        return known
    row = await items_store.version(version_id=version_id)
    if row is None:
        raise NotFound("找不到该事项版本。", code="item_not_found")
    view = _view(row)
    if len(_VERSIONS) < _VERSIONS_MAX:
        _VERSIONS[version_id] = view
    return view


async def list_bundles(*, q: str | None, page: int, page_size: int) -> tuple[list[BundleView], int]:
    snap = await snapshot()
    specs = list(snap.bundles.values())
    if q and q.strip():
        entries = [search.Searchable(b.code, b.name, b.keywords) for b in specs]
        specs = [snap.bundles[e.key] for e in search.rank(q, entries)]
    start = (page - 1) * page_size
    return [_bundle_view(snap, b) for b in specs[start : start + page_size]], len(specs)


async def get_bundle(*, code: str) -> BundleView:
    snap = await snapshot()
    spec = snap.bundles.get(code)
    if spec is None:
        raise NotFound(f"找不到一件事 {code}。", code="bundle_not_found")
    return _bundle_view(snap, spec)


def _bundle_view(snap: Snapshot, spec: BundleSpec) -> BundleView:
    items = tuple(snap.items[c] for c in spec.item_codes if c in snap.items)
    merged = merge_materials((v.spec.code, v.spec.materials) for v in items)
    return BundleView(spec, items, tuple(merged))


# --- changing -------------------------------------------------------------------------------


async def upsert_department(*, code: str, name: str) -> bool:
    return await departments_store.upsert(code=code, name=name)


async def upsert_item(*, spec: ItemSpec, effective_from: date) -> str:
    """Record ``spec`` as the item's new version from ``effective_from``, if anything changed.

    Returns ``created``, ``versioned`` or ``unchanged``. Versions are never edited: a case
    keeps pointing at the one it was filed under.
    """
    await items_store.ensure_item(code=spec.code)
    latest = await items_store.lock_latest(code=spec.code)
    if latest is not None and latest.spec == spec:
        return "unchanged"
    if latest is not None and effective_from < latest.effective_from:
        raise InvalidInput(
            f"事项 {spec.code} 的新版本生效日期 {effective_from} 早于现行版本的生效日期"
            f" {latest.effective_from}，不能追溯修改。",
            code="effective_date_invalid",
        )
    await items_store.add_version(
        spec=spec,
        version=(latest.version + 1) if latest is not None else 1,
        effective_from=effective_from,
    )
    return "versioned" if latest is not None else "created"


async def upsert_bundle(*, spec: BundleSpec) -> bool:
    return await bundles_store.upsert(spec=spec)


async def known_codes() -> tuple[set[str], set[str], set[str]]:
    """Codes of departments, items and bundles that exist (for validating imports)."""
    return await departments_store.codes(), await items_store.codes(), await bundles_store.codes()


def item_codes_of(views: Sequence[ItemView]) -> list[str]:
    return [v.spec.code for v in views]

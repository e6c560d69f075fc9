"""Reading and changing the catalogue: departments, items (versioned) and bundles."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Final

from backend.audit.service import Actor, AuditLog
from backend.catalogue import search
from backend.catalogue.model import (
    CHANNELS,
    KINDS,
    BundleSpec,
    FormField,
    ItemSpec,
    MergedMaterial,
    bundle_problems,
    code_problems,
    edit_problems,
    merge_fields,
    merge_materials,
    shared_channels,
)
from backend.catalogue.store import bundles as bundles_store
from backend.catalogue.store import departments as departments_store
from backend.catalogue.store import editing as editing_store
from backend.catalogue.store import items as items_store
from backend.catalogue.store import revisions
from backend.catalogue.store.editing import ListedItem as ListedItem
from backend.clock import today
from backend.errors import InvalidInput, NotFound
from backend.outbox.service import Doorbell, unit_of_work


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
    form: tuple[FormField, ...] = ()
    """The one form the bundle is filled in with (each field name once)."""
    channels: tuple[str, ...] = ()
    """Where the whole bundle can be filed: the channels every item offers."""


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
    form = merge_fields(v.spec.form for v in items)
    channels = shared_channels(v.spec for v in items)
    return BundleView(spec, items, tuple(merged), tuple(form), channels)


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


# --- the administrator's catalogue (事项目录) ------------------------------------------------

ITEM_CHANGE: Final = "catalogue_item_change"
"""Audit action: an administrator recorded a new version of an item."""
BUNDLE_CHANGE: Final = "catalogue_bundle_change"
"""Audit action: an administrator changed a bundle's name or items."""
ITEM_CREATE: Final = "catalogue_item_create"
"""Audit action: an administrator added an item (its first version)."""
BUNDLE_CREATE: Final = "catalogue_bundle_create"
"""Audit action: an administrator added a bundle."""


@dataclass(frozen=True, slots=True)
class ItemHistory:
    """An item's versions, newest first; which is in force today, and the newest one (what a
    new version starts from)."""

    code: str
    versions: tuple[ItemView, ...]
    in_force_id: int | None

    @property
    def latest(self) -> ItemView:
        return self.versions[0]


@dataclass(frozen=True, slots=True)
class ItemEdit:
    """What became of an edit: ``versioned`` (a new version) or ``unchanged``."""

    status: str
    version: ItemView


_LAST_PAGE: Final = 10_000


def _offset(page: int, page_size: int) -> int:
    """Rows to skip for ``page`` (from 1; a page past the last one is simply empty)."""
    return (min(max(1, page), _LAST_PAGE) - 1) * page_size


async def admin_items(
    *, q: str | None, department: str | None, kind: str | None, page: int, page_size: int
) -> tuple[list[ListedItem], int]:
    """A page of every item (not retired), by code, filtered by code or name, department and
    kind; each with the version in force today."""
    if kind is not None and kind not in KINDS:
        raise InvalidInput("事项类型须为 行政许可 或 公共服务。", code="kind_invalid")
    return await editing_store.items_page(
        day=today(),
        q=q.strip()[:40] if q and q.strip() else None,
        department=department or None,
        kind=kind,
        limit=page_size,
        offset=_offset(page, page_size),
    )


async def departments() -> dict[str, str]:
    """Every department's name, by code."""
    return await departments_store.names()


async def item_history(*, code: str) -> ItemHistory:
    rows = await editing_store.history(code=code)
    if not rows:
        raise NotFound(f"找不到事项 {code}。", code="item_not_found")
    day = today()
    in_force = [r for r in rows if r.effective_from <= day]
    current = max(in_force, key=lambda r: (r.effective_from, r.version)) if in_force else None
    return ItemHistory(code, tuple(_view(r) for r in rows), current.id if current else None)


def _audit_reason(note: str, before: dict[str, Any] | None, after: dict[str, Any]) -> str:
    return json.dumps(
        {"note": note.strip(), "before": before, "after": after},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def _version_state(view: ItemView) -> dict[str, Any]:
    return {"version": view.version, "effective_from": view.effective_from, **asdict(view.spec)}


async def edit_item(
    *,
    audit: AuditLog,
    doorbell: Doorbell | None,
    actor: Actor,
    spec: ItemSpec,
    effective_from: date,
    note: str,
) -> ItemEdit:
    """Record ``spec`` as a new version of an existing item from ``effective_from`` (today or
    later), audited with the latest version before and the new one after.

    Versions are never edited: cases keep the version they were filed under. A spec equal to
    the latest version changes nothing (``unchanged``). Refused with every problem, each naming
    its field (``InvalidInput`` with ``extra["problems"]``), nothing changed.
    """
    async with unit_of_work(doorbell):
        before = await items_store.lock_latest(code=spec.code)
        if before is None:
            raise NotFound(f"找不到事项 {spec.code}。", code="item_not_found")
        problems = edit_problems(
            spec,
            effective_from=effective_from,
            today=today(),
            latest_from=before.effective_from,
            departments=set(await departments_store.codes()),
        )
        if problems:
            raise InvalidInput(
                "；".join(problems) + "。", code="item_invalid", extra={"problems": problems}
            )
        status = await upsert_item(spec=spec, effective_from=effective_from)
        after = (await editing_store.history(code=spec.code))[0]
        if status == "unchanged":
            return ItemEdit(status, _view(after))
        await audit.record(
            actor=actor,
            action=ITEM_CHANGE,
            subject_kind="catalogue_item",
            subject_id=spec.code,
            reason=_audit_reason(
                note or "修改事项", _version_state(_view(before)), _version_state(_view(after))
            ),
        )
        await bump_revision()
    return ItemEdit(status, _view(after))


async def admin_bundles(
    *, q: str | None, page: int, page_size: int
) -> tuple[list[BundleSpec], int]:
    """A page of the bundles, by code, filtered by code or name."""
    return await editing_store.bundles_page(
        q=q.strip()[:40] if q and q.strip() else None,
        limit=page_size,
        offset=_offset(page, page_size),
    )


async def admin_bundle(*, code: str) -> BundleSpec:
    found = await editing_store.bundle(code=code)
    if found is None:
        raise NotFound(f"找不到一件事 {code}。", code="bundle_not_found")
    return found


async def item_names() -> dict[str, str]:
    """Every item's name (its latest version's), by code: what a bundle may be made of."""
    specs = await items_store.latest_specs(codes=sorted(await items_store.codes()))
    return {code: spec.name for code, spec in sorted(specs.items())}


async def edit_bundle(
    *,
    audit: AuditLog,
    doorbell: Doorbell | None,
    actor: Actor,
    code: str,
    name: str,
    item_codes: Sequence[str],
    note: str,
) -> bool:
    """Rename a bundle or change its items (its keywords stay), audited before and after;
    False when nothing changed. Refused with every problem (``extra["problems"]``)."""
    async with unit_of_work(doorbell):
        before = await editing_store.bundle(code=code, lock=True)
        if before is None:
            raise NotFound(f"找不到一件事 {code}。", code="bundle_not_found")
        after = BundleSpec(code, name.strip(), tuple(item_codes), before.keywords)
        problems = bundle_problems(after, items=await items_store.codes())
        if problems:
            raise InvalidInput(
                "；".join(problems) + "。", code="bundle_invalid", extra={"problems": problems}
            )
        if not await bundles_store.upsert(spec=after):
            return False
        await audit.record(
            actor=actor,
            action=BUNDLE_CHANGE,
            subject_kind="catalogue_bundle",
            subject_id=code,
            reason=_audit_reason(note or "修改一件事", asdict(before), asdict(after)),
        )
        await bump_revision()
    return True


async def create_item(
    *,
    audit: AuditLog,
    doorbell: Doorbell | None,
    actor: Actor,
    spec: ItemSpec,
    effective_from: date,
    note: str,
) -> ItemView:
    """Add an item: its first version from ``effective_from`` (today or later), audited with
    nothing before and the version after. The code must be new and well formed (the rule the
    import applies). Refused with every problem (``extra["problems"]``), nothing changed."""
    async with unit_of_work(doorbell):
        problems = code_problems(spec.code, label="事项编码", taken=await items_store.codes())
        problems += edit_problems(
            spec,
            effective_from=effective_from,
            today=today(),
            latest_from=None,
            departments=set(await departments_store.codes()),
        )
        if problems:
            raise InvalidInput(
                "；".join(dict.fromkeys(problems)) + "。",
                code="item_invalid",
                extra={"problems": list(dict.fromkeys(problems))},
            )
        await upsert_item(spec=spec, effective_from=effective_from)
        after = _view((await editing_store.history(code=spec.code))[0])
        await audit.record(
            actor=actor,
            action=ITEM_CREATE,
            subject_kind="catalogue_item",
            subject_id=spec.code,
            reason=_audit_reason(note or "新增事项", None, _version_state(after)),
        )
        await bump_revision()
    return after


async def create_bundle(
    *,
    audit: AuditLog,
    doorbell: Doorbell | None,
    actor: Actor,
    spec: BundleSpec,
    note: str,
) -> BundleSpec:
    """Add a bundle, audited with nothing before and the bundle after. The code must be new and
    well formed. Refused with every problem (``extra["problems"]``), nothing changed."""
    code = spec.code
    async with unit_of_work(doorbell):
        spec = BundleSpec(code, spec.name.strip(), spec.item_codes, spec.keywords)
        problems = code_problems(code, label="一件事编码", taken=await bundles_store.codes())
        problems += bundle_problems(spec, items=await items_store.codes())
        if problems:
            raise InvalidInput(
                "；".join(problems) + "。", code="bundle_invalid", extra={"problems": problems}
            )
        await bundles_store.upsert(spec=spec)
        await audit.record(
            actor=actor,
            action=BUNDLE_CREATE,
            subject_kind="catalogue_bundle",
            subject_id=code,
            reason=_audit_reason(note or "新增一件事", None, asdict(spec)),
        )
        await bump_revision()
    return spec

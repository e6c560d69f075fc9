"""Reading and changing the catalogue: departments, items (versioned) and bundles."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from backend.catalogue import search
from backend.catalogue.model import (
    CHANNELS,
    BundleSpec,
    FormField,
    ItemSpec,
    MaterialSpec,
    MergedMaterial,
    merge_materials,
)
from backend.catalogue.tables import Bundle, CatalogueRevision, Department, Item, ItemVersion
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
    row = (
        await CatalogueRevision.select(CatalogueRevision.revision, CatalogueRevision.changed_at)
        .first()
        .run()
    )
    return f"{row['revision']}@{row['changed_at'].isoformat()}" if row else "empty"


async def bump_revision() -> None:
    """Call in every transaction that changes the catalogue, service points or areas."""
    await CatalogueRevision.raw(
        "INSERT INTO catalogue_revision (id, revision, changed_at) VALUES (1, 1, clock_timestamp())"
        " ON CONFLICT (id) DO UPDATE SET revision = catalogue_revision.revision + 1,"
        " changed_at = clock_timestamp()"
    ).run()
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


def _spec_from_row(row: dict[str, Any]) -> ItemSpec:
    materials = row["materials"]
    form = row["form"]
    if isinstance(materials, str):
        materials = json.loads(materials)
    if isinstance(form, str):
        form = json.loads(form)
    return ItemSpec(
        code=row["item"],
        name=row["name"],
        department_code=row["department"],
        lowest_level=row["lowest_level"],
        channels=tuple(row["channels"]),
        delegable=row["delegable"],
        district_wide=row["district_wide"],
        legal_days=row["legal_days"],
        committed_days=row["committed_days"],
        fee=row["fee"],
        delivery_methods=tuple(row["delivery_methods"]),
        keywords=tuple(row["keywords"]),
        personal=row["personal"],
        materials=tuple(MaterialSpec(**m) for m in materials),
        form=tuple(FormField(**{**f, "values": tuple(f.get("values", ()))}) for f in form),
    )


_VERSION_SQL = """
SELECT DISTINCT ON (v.item) v.*, d.name AS department_name
FROM item_version v
JOIN item i ON i.code = v.item AND NOT i.retired
JOIN department d ON d.code = v.department
WHERE v.effective_from <= {}
ORDER BY v.item, v.effective_from DESC, v.version DESC
"""


async def _load(day: date, rev: str) -> Snapshot:
    rows = await ItemVersion.raw(_VERSION_SQL, day).run()
    items = {
        r["item"]: ItemView(
            r["id"], r["version"], r["effective_from"], _spec_from_row(r), r["department_name"]
        )
        for r in rows
    }
    bundles = {
        r["code"]: BundleSpec(r["code"], r["name"], tuple(r["item_codes"]), tuple(r["keywords"]))
        for r in await Bundle.select().order_by(Bundle.code).run()
    }
    departments = {r["code"]: r["name"] for r in await Department.select().run()}
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
    rows = await ItemVersion.raw(
        "SELECT v.*, d.name AS department_name FROM item_version v"
        " JOIN department d ON d.code = v.department WHERE v.id = {}",
        version_id,
    ).run()
    if not rows:
        raise NotFound("找不到该事项版本。", code="item_not_found")
    r = rows[0]
    view = ItemView(
        r["id"], r["version"], r["effective_from"], _spec_from_row(r), r["department_name"]
    )
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
    rows = await Department.raw(
        "INSERT INTO department (code, name, created_at) VALUES ({}, {}, now())"
        " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name"
        " WHERE department.name IS DISTINCT FROM EXCLUDED.name RETURNING code",
        code,
        name,
    ).run()
    return bool(rows)


def _version_values(spec: ItemSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "department": spec.department_code,
        "lowest_level": spec.lowest_level,
        "channels": list(spec.channels),
        "delegable": spec.delegable,
        "district_wide": spec.district_wide,
        "personal": spec.personal,
        "legal_days": spec.legal_days,
        "committed_days": spec.committed_days,
        "fee": spec.fee,
        "delivery_methods": list(spec.delivery_methods),
        "keywords": list(spec.keywords),
        "materials": [asdict(m) for m in spec.materials],
        "form": [{**asdict(f), "values": list(f.values)} for f in spec.form],
    }


async def upsert_item(*, spec: ItemSpec, effective_from: date) -> str:
    """Record ``spec`` as the item's new version from ``effective_from``, if anything changed.

    Returns ``created``, ``versioned`` or ``unchanged``. Versions are never edited: a case
    keeps pointing at the one it was filed under.
    """
    await Item.raw(
        "INSERT INTO item (code, retired, created_at) VALUES ({}, false, now())"
        " ON CONFLICT (code) DO UPDATE SET retired = false",
        spec.code,
    ).run()
    latest = await ItemVersion.raw(
        "SELECT * FROM item_version WHERE item = {} ORDER BY version DESC LIMIT 1 FOR UPDATE",
        spec.code,
    ).run()
    if latest and _spec_from_row(latest[0]) == spec:
        return "unchanged"
    if latest and effective_from < latest[0]["effective_from"]:
        raise InvalidInput(
            f"事项 {spec.code} 的新版本生效日期 {effective_from} 早于现行版本的生效日期"
            f" {latest[0]['effective_from']}，不能追溯修改。",
            code="effective_date_invalid",
        )
    values = _version_values(spec)
    await ItemVersion.insert(
        ItemVersion(
            item=spec.code,
            version=(latest[0]["version"] + 1) if latest else 1,
            effective_from=effective_from,
            **values,
        )
    ).run()
    return "versioned" if latest else "created"


async def upsert_bundle(*, spec: BundleSpec) -> bool:
    rows = await Bundle.raw(
        "INSERT INTO bundle (code, name, item_codes, keywords, note, updated_at)"
        " VALUES ({}, {}, {}, {}, '', now())"
        " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, item_codes = EXCLUDED.item_codes,"
        " keywords = EXCLUDED.keywords, updated_at = now()"
        " WHERE (bundle.name, bundle.item_codes, bundle.keywords)"
        " IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.item_codes, EXCLUDED.keywords)"
        " RETURNING code",
        spec.code,
        spec.name,
        list(spec.item_codes),
        list(spec.keywords),
    ).run()
    return bool(rows)


async def known_codes() -> tuple[set[str], set[str], set[str]]:
    """Codes of departments, items and bundles that exist (for validating imports)."""
    departments = {r["code"] for r in await Department.select(Department.code).run()}
    items = {r["code"] for r in await Item.select(Item.code).run()}
    bundles = {r["code"] for r in await Bundle.select(Bundle.code).run()}
    return departments, items, bundles


def item_codes_of(views: Sequence[ItemView]) -> list[str]:
    return [v.spec.code for v in views]

"""Checking an import against what exists, then applying it — inside the caller's transaction."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from backend.catalogue import service as catalogue
from backend.catalogue.model import ItemSpec, item_problems
from backend.catalogue.store import items as items_store
from backend.geo import points as geo
from backend.geo.store import imports as geo_store
from backend.imports.changes import FieldChange, item_changes, item_summary
from backend.imports.parse import Batch, ItemRow
from backend.imports.reader import RowError

_PARENT_LEVEL = {"district": None, "township": "district", "village": "township"}
_LEVEL_ORDER = {"district": 0, "township": 1, "village": 2}


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def add(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)


@dataclass(frozen=True, slots=True)
class ItemChange:
    """One item the import creates, gives a new version, or leaves as it is: for a new version
    the fields it changes (old → new), for a new item a short summary."""

    code: str
    name: str
    changes: tuple[FieldChange, ...] = ()


@dataclass
class ImportReport:
    tallies: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    dry_run: bool = False
    items: dict[str, list[ItemChange]] = field(default_factory=lambda: defaultdict(list))
    """``created``, ``updated``, ``unchanged`` → the items, in code order."""

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {
            k: {
                "created": t.created,
                "updated": t.updated,
                "unchanged": t.unchanged,
                "removed": t.removed,
            }
            for k, t in self.tallies.items()
        }


class ImportRejected(Exception):
    """The file breaks rules; nothing was applied. ``errors`` names every row."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


async def _current_specs(codes: set[str]) -> dict[str, ItemSpec]:
    if not codes:
        return {}
    return await items_store.latest_specs(codes=sorted(codes))


async def _latest_effective(codes: set[str]) -> dict[str, date]:
    if not codes:
        return {}
    return await items_store.latest_effective(codes=sorted(codes))


def _spec(row: ItemRow, current: ItemSpec | None) -> ItemSpec:
    """The item as its row gives it; a blank 事项类型 keeps the current version's kind."""
    kind = row.kind or (current.kind if current is not None else "public_service")
    return ItemSpec(
        code=row.code,
        name=row.name,
        department_code=row.department_code,
        lowest_level=row.lowest_level,
        channels=row.channels,
        delegable=row.delegable,
        district_wide=row.district_wide,
        legal_days=row.legal_days,
        committed_days=row.committed_days,
        fee=row.fee,
        delivery_methods=row.delivery_methods,
        keywords=row.keywords,
        personal=row.personal,
        kind=kind,
    )


async def apply_batch(batch: Batch, *, effective_from: date) -> ImportReport:
    """Apply ``batch`` whole, or raise ImportRejected with every problem and apply nothing.

    Must run inside a transaction the caller owns (and rolls back on ImportRejected).
    """
    if batch.errors:
        raise ImportRejected(batch.errors)
    errors: list[RowError] = []
    report = ImportReport()
    existing_departments, item_codes, _ = await catalogue.known_codes()
    departments = existing_departments | {d.code for d in batch.departments}
    areas = await geo.areas_by_code()
    for a in batch.areas:
        areas[a.code] = {"code": a.code, "level": a.level, "parent": a.parent_code}

    # Areas: parents exist and sit one level up.
    for a in batch.areas:
        want = _PARENT_LEVEL[a.level]
        parent = areas.get(a.parent_code or "") if a.parent_code else None
        if want is None and a.parent_code:
            errors.append(RowError(a.where.source, a.where.row, "上级代码", "区级区划没有上级"))
        elif want is not None and (parent is None or parent["level"] != want):
            errors.append(
                RowError(
                    a.where.source,
                    a.where.row,
                    "上级代码",
                    f"上级区划 {a.parent_code} 不存在或层级不对",
                )
            )

    # Items: one spec per touched code, from its row (or its current version),
    # with its materials and form fields.
    touched = (
        {i.code for i in batch.items}
        | {m.item_code for m in batch.materials}
        | {f.item_code for f in batch.forms}
    )
    current = await _current_specs(touched)
    rows = {i.code: i for i in batch.items}
    materials = defaultdict(list)
    for m in sorted(batch.materials, key=lambda m: (m.order, m.where.row)):
        materials[m.item_code].append(m)
    forms = defaultdict(list)
    for f in sorted(batch.forms, key=lambda f: (f.order, f.where.row)):
        forms[f.item_code].append(f)
    specs: dict[str, tuple[ItemSpec, date, Any]] = {}
    for code in sorted(touched):
        row = rows.get(code)
        base = _spec(row, current.get(code)) if row else current.get(code)
        where = row.where if row else (materials.get(code) or forms.get(code))[0].where  # type: ignore[index]
        if base is None:
            errors.append(RowError(where.source, where.row, "事项编码", f"事项 {code} 不存在"))
            continue
        if row is None and code in current:
            base = current[code]
        mats = (
            tuple(m.spec for m in materials[code])
            if code in materials
            else (current[code].materials if code in current else ())
        )
        fields = (
            tuple(f.spec for f in forms[code])
            if code in forms
            else (current[code].form if code in current else ())
        )
        spec = replace(base, materials=mats, form=fields)
        problems = item_problems(spec)
        if spec.department_code not in departments:
            problems.append(f"部门 {spec.department_code} 不存在")
        if not spec.materials:
            problems.append("至少要有一项材料（在材料表中列出）")
        errors.extend(RowError(where.source, where.row, None, p) for p in problems)
        specs[code] = (spec, (row.effective_from if row else None) or effective_from, where)
    item_codes |= set(specs)

    for b in batch.bundles:
        missing = [c for c in b.spec.item_codes if c not in item_codes]
        if missing:
            errors.append(
                RowError(
                    b.where.source, b.where.row, "包含事项", "事项不存在：" + "、".join(missing)
                )
            )

    point_codes = await geo.point_codes() | {p.spec.code for p in batch.points}
    townships: dict[str, str] = {}
    for p in batch.points:
        area = areas.get(p.spec.area_code)
        if area is None or area["level"] == "district":
            errors.append(
                RowError(
                    p.where.source,
                    p.where.row,
                    "所在区划",
                    f"区划 {p.spec.area_code} 不存在或不是镇街/村社",
                )
            )
            continue
        townships[p.spec.code] = p.spec.area_code if area["level"] == "township" else area["parent"]
    for h in batch.handles:
        if h.point_code not in point_codes:
            errors.append(
                RowError(h.where.source, h.where.row, "办事点编码", f"办事点 {h.point_code} 不存在")
            )
        missing = [c for c in h.item_codes if c not in item_codes]
        if missing:
            errors.append(
                RowError(
                    h.where.source, h.where.row, "事项编码", "事项不存在：" + "、".join(missing)
                )
            )
    if errors:
        raise ImportRejected(errors)

    # Apply, references first.
    for d in batch.departments:
        changed = await catalogue.upsert_department(code=d.code, name=d.name)
        _count(report, "departments", changed, d.code in existing_departments)
    for a in sorted(batch.areas, key=lambda a: _LEVEL_ORDER[a.level]):
        change = await geo_store.upsert_area(
            code=a.code,
            name=a.name,
            level=a.level,
            parent_code=a.parent_code,
            lat=a.lat,
            lng=a.lng,
            population=a.population,
        )
        report.tallies["areas"].add(change)
    latest_dates = await _latest_effective(set(specs))
    late = [
        RowError(
            w.source, w.row, "生效日期", f"早于现行版本的生效日期 {latest_dates[c]}，不能追溯修改"
        )
        for c, (spec, day, w) in specs.items()
        if c in latest_dates and day < latest_dates[c] and spec != current.get(c)
    ]
    if late:
        raise ImportRejected(late)
    for spec, day, _ in specs.values():
        status = await catalogue.upsert_item(spec=spec, effective_from=day)
        key = {"created": "created", "versioned": "updated", "unchanged": "unchanged"}[status]
        report.tallies["items"].add(key)
        was = current.get(spec.code)
        if key == "updated" and was is not None:
            changes = item_changes(was, spec)
        elif key == "created":
            changes = item_summary(spec)
        else:
            changes = ()
        report.items[key].append(ItemChange(spec.code, spec.name, changes))
    _, _, existing_bundles = await catalogue.known_codes()
    for b in batch.bundles:
        existed = b.spec.code in existing_bundles
        _count(report, "bundles", await catalogue.upsert_bundle(spec=b.spec), existed)
    existing_points = await geo.point_codes()
    for p in batch.points:
        changed = await geo.upsert_point(p.spec, township_code=townships[p.spec.code])
        _count(report, "service_points", changed, p.spec.code in existing_points)
    by_point: dict[str, list[str]] = defaultdict(list)
    for h in batch.handles:
        by_point[h.point_code].extend(h.item_codes)
    if by_point:
        # The file's list for a point replaces what the point handled before (removals count).
        before = await geo_store.remove_handles(point_codes=list(by_point))
        after = {(p, i) for p, items in by_point.items() for i in items}
        await geo.add_handles(sorted(after))
        report.tallies["handles"] = Tally(
            created=len(after - before), unchanged=len(after & before), removed=len(before - after)
        )
    if any(t.created or t.updated or t.removed for t in report.tallies.values()):
        await catalogue.bump_revision()
    return report


def _count(report: ImportReport, sheet: str, changed: bool, existed: bool) -> None:
    tally = report.tallies[sheet]
    if not changed:
        tally.unchanged += 1
    elif existed:
        tally.updated += 1
    else:
        tally.created += 1

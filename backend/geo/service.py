"""Geo's use cases: the area tree, the points near a citizen, the 30-minute coverage, and the
administrator's service points (list, create, edit, bank outlets and coverage by kind)."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Final

from backend.audit.service import Actor, AuditLog
from backend.catalogue import service as catalogue
from backend.errors import InvalidInput, NotFound
from backend.geo import points, reach, texts
from backend.geo.hours import HOLIDAY, HoursError, parse_holiday_hours, parse_hours
from backend.geo.levels import LEVELS
from backend.geo.reach import CoverageReport, NearbyPoint, VillageCoverage
from backend.geo.store import admin_points, areas
from backend.geo.store.admin_points import Bounds, ListedPoint, Place, PointRecord, TownshipOutlets
from backend.geo.store.areas import AreaRow
from backend.geo.travel import TravelTimeProvider
from backend.outbox.service import Doorbell, unit_of_work
from backend.textrules import has_hidden_chars
from backend.workdays.service import load_calendar

AreaView = AreaRow  # the name the portal's walk-in form reads them by


async def list_areas(
    *, level: str | None, parent: str | None, page: int, page_size: int
) -> tuple[list[AreaRow], int]:
    if level is not None and level not in LEVELS:
        raise InvalidInput("level 须为 district、township 或 village。", code="area_level_invalid")
    return await areas.areas_page(level=level, parent=parent, page=page, page_size=page_size)


async def nearby_points(
    *,
    lat: float,
    lng: float,
    item_code: str,
    mode: str,
    within_minutes: float,
    at: datetime,
    travel: TravelTimeProvider,
    limit: int,
) -> list[NearbyPoint]:
    """Points handling the item within ``within_minutes`` of (lat, lng), nearest first; open
    or not at ``at`` by the working-day calendar."""
    return await reach.nearby(
        lat=lat,
        lng=lng,
        item_code=item_code,
        mode=mode,
        within_minutes=within_minutes,
        at=at,
        calendar=await load_calendar(),
        travel=travel,
        limit=limit,
    )


@dataclass(frozen=True, slots=True)
class CoveragePage:
    """One page of villages of a coverage report, with the district's figures (unfiltered)."""

    report: CoverageReport
    villages: list[VillageCoverage]
    total: int


async def coverage_page(
    *,
    item_code: str | None,
    mode: str,
    township: str | None,
    gaps_only: bool,
    page: int,
    page_size: int,
    travel: TravelTimeProvider,
) -> CoveragePage:
    """The 30-minute coverage of every village, filtered and cut to one page.

    The minutes come from the travel-time provider for the asked mode and item, not from a
    table, so the report is computed whole (well under a second) and the page cut from it.
    """
    report = await reach.coverage(item_code=item_code, mode=mode, travel=travel)
    villages = [
        v
        for v in report.villages
        if (township is None or v.township_code == township) and (v.gaps or not gaps_only)
    ]
    start = (page - 1) * page_size
    return CoveragePage(report, villages[start : start + page_size], len(villages))


# --- the administrator's service points (办事点) -------------------------------------------

POINT_SUBJECT: Final = "service_point"
POINT_CREATE: Final = "service_point_create"
POINT_UPDATE: Final = "service_point_update"
TARGET_KIND: Final = "bank_outlet"  # the plan's target: a 政银通 outlet in every township
BOUNDS_MARGIN: Final = 0.05  # degrees (about 5 km) around the district's area centres
NAME_MAX: Final = 100
ADDRESS_MAX: Final = 200
PHONE_MIN: Final = 5
PHONE_MAX: Final = 30
# A telephone number as written in China: digits, spaces, + - ( ), and an extension
# (0571-82345678, 13812345678, +86 571 8234 5678, 0571-8234 5678 转 801).
_PHONE = re.compile(
    r"^[+(（]?[0-9][0-9 ()（）+-]*(?:\s*(?:转|分机|ext\.?|x)\s*[0-9]{1,6})?$", re.IGNORECASE
)
_CODE_PREFIX: Final = {
    "township_hall": "HALL",
    "village_station": "STN",
    "bank_outlet": "BANK",
    "self_service_terminal": "TERM",
    "dept_station": "DEPT",
}


@dataclass(frozen=True, slots=True)
class PointDraft:
    """What the administrator typed for a service point, as text (the use case checks it)."""

    kind: str
    name: str
    area_code: str
    address: str
    phone: str
    lat: str
    lng: str
    hours: str
    holiday_hours: str
    items: tuple[str, ...]
    active: bool = True


@dataclass(frozen=True, slots=True)
class ItemChoice:
    code: str
    name: str
    department: str


@dataclass(frozen=True, slots=True)
class PointChoices:
    """What the point form offers: the district's places, the catalogue's items, the bounds."""

    places: list[Place]
    items: list[ItemChoice]
    bounds: Bounds | None


@dataclass(frozen=True, slots=True)
class KindCoverage:
    """A township's active points of each kind and whether it meets the outlet target."""

    code: str
    name: str
    counts: dict[str, int]
    meets_target: bool


@dataclass(frozen=True, slots=True)
class CoverageByKind:
    townships: list[KindCoverage]
    totals: dict[str, int]
    meeting: int


def _kind_filter(kind: str | None) -> str | None:
    if kind and kind not in points.KINDS:
        raise InvalidInput(
            texts.KIND_FILTER_UNKNOWN.format(kinds="、".join(points.KINDS)), code="filter_invalid"
        )
    return kind or None


async def admin_points_page(
    *,
    district: str,
    township: str | None,
    kind: str | None,
    search: str | None,
    page: int,
    page_size: int,
) -> tuple[list[ListedPoint], int]:
    """The district's service points, filtered by township, kind and name, one page."""
    if township and not any(
        p.code == township and p.level == "township"
        for p in await admin_points.places(district=district)
    ):
        raise InvalidInput(texts.TOWNSHIP_FILTER_UNKNOWN, code="filter_invalid")
    return await admin_points.points_page(
        district=district,
        township=township or None,
        kind=_kind_filter(kind),
        search=(search or "").strip()[:NAME_MAX] or None,
        kind_order=points.KINDS,
        limit=page_size,
        offset=(max(1, page) - 1) * page_size,
    )


async def point_choices(*, district: str) -> PointChoices:
    snap = await catalogue.snapshot()
    items = sorted(
        (ItemChoice(v.spec.code, v.spec.name, v.department_name) for v in snap.items.values()),
        key=lambda i: (i.department, i.code),
    )
    return PointChoices(
        await admin_points.places(district=district),
        items,
        await admin_points.bounds(district=district),
    )


async def admin_point(*, district: str, code: str) -> PointRecord:
    """One service point of the district, active or not (``point_not_found`` otherwise)."""
    found = await admin_points.point(code=code, district=district)
    if found is None:
        raise NotFound(texts.POINT_NOT_FOUND, code="point_not_found")
    return found


def _number(raw: str, field: str, low: float, high: float, problems: dict[str, str]) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        problems[field] = texts.NOT_A_NUMBER.format(example="30.16" if field == "lat" else "120.27")
        return 0.0
    if not low <= value <= high:
        problems[field] = texts.OUT_OF_BOUNDS.format(low=low, high=high)
    return value


def _text(raw: str, field: str, limit: int, problems: dict[str, str]) -> str:
    value = raw.strip()
    if len(value) > limit:
        problems[field] = texts.TOO_LONG.format(limit=limit)
    return value


def _phone(raw: str, problems: dict[str, str]) -> str:
    value = raw.strip()
    digits = sum(c.isdigit() for c in value)
    if value and (
        not PHONE_MIN <= len(value) <= PHONE_MAX or digits < PHONE_MIN or not _PHONE.match(value)
    ):
        problems["phone"] = texts.PHONE_BAD.format(low=PHONE_MIN, high=PHONE_MAX)
    return value


def _hidden_characters(draft: PointDraft, problems: dict[str, str]) -> None:
    """Every text field holding a control, bidi or zero-width character is refused (this
    problem wins over any other of the field: the text is not what it looks like)."""
    for field, label in texts.FIELD_LABELS.items():
        value = getattr(draft, field)
        values = value if isinstance(value, tuple) else (value,)
        if any(has_hidden_chars(v) for v in values):
            problems[field] = texts.HIDDEN_CHARACTERS.format(label=label)


def _parsed_hours(draft: PointDraft, problems: dict[str, str]) -> dict[str, list[list[str]]]:
    hours: dict[str, list[list[str]]] = {}
    try:
        hours = parse_hours(draft.hours)
    except HoursError as exc:
        problems["hours"] = texts.HOURS_BAD.format(problem=exc)
    try:
        holiday = parse_holiday_hours(draft.holiday_hours)
    except HoursError as exc:
        problems["holiday_hours"] = texts.HOURS_BAD.format(problem=exc)
        holiday = []
    return {**hours, HOLIDAY: holiday} if holiday else hours


def _coordinates(
    draft: PointDraft, bounds: Bounds | None, problems: dict[str, str]
) -> tuple[float, float]:
    if bounds is None:
        problems["lat"] = problems["lng"] = texts.NO_BOUNDS
        return 0.0, 0.0
    m = BOUNDS_MARGIN
    lat = _number(draft.lat, "lat", bounds.min_lat - m, bounds.max_lat + m, problems)
    lng = _number(draft.lng, "lng", bounds.min_lng - m, bounds.max_lng + m, problems)
    return lat, lng


async def _checked(
    draft: PointDraft, *, district: str, code: str, kept_items: tuple[str, ...]
) -> PointRecord:
    """The point the draft describes, or ``point_invalid`` naming every wrong field."""
    problems: dict[str, str] = {}
    if draft.kind not in points.KINDS:
        problems["kind"] = texts.KIND_UNKNOWN
    name = _text(draft.name, "name", NAME_MAX, problems)
    if not name:
        problems["name"] = texts.NAME_EMPTY
    place = await admin_points.place(district=district, code=draft.area_code)
    if place is None:
        problems["area_code"] = texts.AREA_UNKNOWN
    address = _text(draft.address, "address", ADDRESS_MAX, problems)
    if not address:
        problems["address"] = texts.ADDRESS_EMPTY
    phone = _phone(draft.phone, problems)
    lat, lng = _coordinates(draft, await admin_points.bounds(district=district), problems)
    hours = _parsed_hours(draft, problems)
    if not draft.hours.strip():  # no hours: the citizens' nearby list would say 不开放 always
        problems["hours"] = texts.HOURS_EMPTY
    known = set((await catalogue.snapshot()).items) | set(kept_items)
    unknown = sorted(set(draft.items) - known)
    if unknown:
        problems["items"] = texts.ITEMS_UNKNOWN.format(codes="、".join(unknown))
    _hidden_characters(draft, problems)
    if problems or place is None:
        labels = "、".join(texts.FIELD_LABELS[f] for f in texts.FIELD_LABELS if f in problems)
        raise InvalidInput(
            texts.POINT_INVALID.format(fields=labels),
            code="point_invalid",
            extra={"fields": problems},
        )
    return PointRecord(
        code=code,
        name=name,
        kind=draft.kind,
        area_code=place.code,
        township_code=place.township_code,
        lat=lat,
        lng=lng,
        address=address,
        phone=phone,
        hours=hours,
        active=draft.active,
        item_codes=tuple(sorted(set(draft.items))),
    )


def _state(record: PointRecord | None) -> dict[str, object] | None:
    if record is None:
        return None
    state = asdict(record)
    state["item_codes"] = list(record.item_codes)
    return state


def _reason(note: str, before: PointRecord | None, after: PointRecord) -> str:
    return json.dumps(
        {"note": note, "before": _state(before), "after": _state(after)},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


async def _new_code(kind: str, area_code: str) -> str:
    while True:
        code = f"{_CODE_PREFIX.get(kind, 'PT')}-{area_code}-{secrets.token_hex(3)}"
        if not await admin_points.code_taken(code):
            return code


async def save_point(
    *,
    audit: AuditLog,
    actor: Actor,
    doorbell: Doorbell | None,
    district: str,
    code: str | None,
    draft: PointDraft,
) -> PointRecord:
    """Create (``code`` None) or change a service point of the district and what it handles.

    One transaction: the point and its items, an audit row with the state before and after, and
    a new catalogue revision so every process reloads its service points."""
    async with unit_of_work(doorbell):
        before = None
        if code is not None:
            before = await admin_points.point(code=code, district=district, lock=True)
            if before is None:
                raise NotFound(texts.POINT_NOT_FOUND, code="point_not_found")
        kept = before.item_codes if before is not None else ()
        record = await _checked(
            draft,
            district=district,
            code=code or await _new_code(draft.kind, draft.area_code),
            kept_items=kept,
        )
        await admin_points.save_point(record, new=before is None)
        after = await admin_points.point(code=record.code, district=district)
        assert after is not None  # just written in this transaction
        await audit.record(
            actor=actor,
            action=POINT_CREATE if before is None else POINT_UPDATE,
            subject_kind=POINT_SUBJECT,
            subject_id=record.code,
            reason=_reason(
                texts.AUDIT_CREATED if before is None else texts.AUDIT_UPDATED, before, after
            ),
        )
        await catalogue.bump_revision()
    points.forget()
    return after


async def bank_outlets(*, district: str) -> list[TownshipOutlets]:
    """Every township of the district with its 政银通 bank outlets (none: a gap)."""
    return await admin_points.outlets_by_township(district=district, kind=TARGET_KIND)


async def coverage_by_kind(*, district: str) -> CoverageByKind:
    """Per township, how many active points of each kind, and who meets the outlet target."""
    rows = await admin_points.kinds_by_township(district=district)
    townships = [
        KindCoverage(r.code, r.name, r.counts, r.counts.get(TARGET_KIND, 0) > 0) for r in rows
    ]
    totals = {k: sum(t.counts.get(k, 0) for t in townships) for k in points.KINDS}
    return CoverageByKind(townships, totals, sum(t.meets_target for t in townships))

"""Service points of the demo district, generated from its areas and items.

Every township gets a hall (镇街便民服务中心), every village a station (村社便民服务站); towns get
a 政银通 rural-bank outlet, streets a 24-hour self-service terminal, some townships a police
station (基层站所), and the district its civic centre. What each handles follows the items'
levels and channels, with the per-township differences real 下沉 lists have: a township may not
(yet) take every township-level item, decided by a stable hash so the demo is the same each time.
"""

from __future__ import annotations

import hashlib
import math

from backend.catalogue.model import ItemSpec
from backend.geo.hours import parse_hours
from backend.geo.points import PointSpec
from backend.imports.parse import AreaRow, Batch, HandleRow, ItemRow, PointRow, Where

DEMO = Where("demo", 0)
CIVIC_CENTRE_AREA = "330109002"  # 北干街道, seat of the district government
PILOT = "330109110"  # 益农镇, the plan's pilot township: takes every township-level item

HALL_HOURS = "周一至周五 08:30-12:00,13:30-17:00"
STREET_HALL_HOURS = HALL_HOURS + "；周六 09:00-12:00"
STATION_HOURS = "周一至周五 08:30-11:30,14:00-17:00"
BANK_HOURS = "周一至周五 08:30-17:00；周六至周日 09:00-16:00"
POLICE_HOURS = "周一至周五 08:30-12:00,14:00-17:30"


def _stable(*parts: str) -> float:
    """A number in [0, 1) fixed by ``parts``."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def _offset(lat: float, lng: float, metres_north: float, metres_east: float) -> tuple[float, float]:
    return (
        round(lat + metres_north / 111_320, 6),
        round(lng + metres_east / (111_320 * math.cos(math.radians(lat))), 6),
    )


def _spec(item: ItemRow) -> ItemSpec:
    return ItemSpec(
        item.code,
        item.name,
        item.department_code,
        item.lowest_level,
        item.channels,
        item.delegable,
        item.district_wide,
        item.legal_days,
        item.committed_days,
    )


def add_demo_points(batch: Batch) -> None:
    """Add the demo service points and their item lists to ``batch``."""
    townships = [a for a in batch.areas if a.level == "township"]
    villages = [a for a in batch.areas if a.level == "village"]
    items = [_spec(i) for i in batch.items]
    points: list[tuple[PointSpec, list[str]]] = []

    def point(
        code: str,
        name: str,
        kind: str,
        area: AreaRow,
        lat: float,
        lng: float,
        hours: str,
        handles: list[str],
        address: str,
    ) -> None:
        spec = PointSpec(
            code=code,
            name=name,
            kind=kind,
            area_code=area.code,
            lat=lat,
            lng=lng,
            address=f"杭州市萧山区{address}（演示地址）",
            phone="0571-8" + str(int(_stable(code) * 10**7)).zfill(7),
            hours=parse_hours(hours),
        )
        points.append((spec, handles))

    by_code = {a.code: a for a in batch.areas}
    centre = by_code.get(CIVIC_CENTRE_AREA)
    if centre is not None and centre.lat is not None and centre.lng is not None:
        point(
            "HALL-330109",
            "萧山区市民服务中心",
            "township_hall",
            centre,
            centre.lat,
            centre.lng,
            STREET_HALL_HOURS,
            [i.code for i in items],
            "北干街道市心北路",
        )

    for t in townships:
        if t.lat is None or t.lng is None:
            continue
        street = t.name.endswith("街道")
        township_level = [
            i.code
            for i in items
            if i.lowest_level in ("township", "village")
            and (t.code == PILOT or i.district_wide or _stable(t.code, i.code) > 0.15)
        ]
        point(
            f"HALL-{t.code}",
            f"{t.name}便民服务中心",
            "township_hall",
            t,
            t.lat,
            t.lng,
            STREET_HALL_HOURS if street else HALL_HOURS,
            township_level,
            f"{t.name}政务服务中心",
        )
        if street:
            lat, lng = _offset(t.lat, t.lng, 250, -300)
            self_service = [i.code for i in items if "self_service" in i.channels]
            point(
                f"TERM-{t.code}",
                f"{t.name}政务服务自助终端",
                "self_service_terminal",
                t,
                lat,
                lng,
                "全天",
                self_service,
                f"{t.name}24小时自助服务区",
            )
        else:
            lat, lng = _offset(t.lat, t.lng, -400, 350)
            bank = [i.code for i in items if "bank" in i.channels]
            point(
                f"BANK-{t.code}",
                f"萧山农商银行{t.name[:-1]}支行政银通",
                "bank_outlet",
                t,
                lat,
                lng,
                BANK_HOURS,
                bank,
                f"{t.name}农商银行营业部",
            )
        if _stable("police", t.code) < 0.4 or t.code == PILOT:
            lat, lng = _offset(t.lat, t.lng, 600, 500)
            police = [
                i.code for i in items if i.department_code == "GA" and i.lowest_level != "district"
            ]
            point(
                f"PCS-{t.code}",
                f"{t.name[:-1]}派出所户籍窗口",
                "dept_station",
                t,
                lat,
                lng,
                POLICE_HOURS,
                police,
                f"{t.name}派出所",
            )

    village_level = [i.code for i in items if i.lowest_level == "village"]
    for v in villages:
        if v.lat is None or v.lng is None:
            continue
        handles = [c for c in village_level if v.parent_code == PILOT or _stable(v.code, c) > 0.1]
        point(
            f"STN-{v.code}",
            f"{v.name}便民服务站",
            "village_station",
            v,
            v.lat,
            v.lng,
            STATION_HOURS,
            handles,
            f"{v.name}村（社区）服务中心",
        )

    for spec, handles in points:
        batch.points.append(PointRow(spec, DEMO))
        if handles:
            batch.handles.append(HandleRow(spec.code, tuple(handles), DEMO))

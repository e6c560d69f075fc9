"""Travel time between two points: one small interface, a default estimator behind it.

The default estimates from the straight-line (great-circle) distance, a detour factor for roads
and paths, a per-mode speed and a fixed start-up time (getting out, parking, finding the door).
A map-service adapter (road network, live traffic) can replace it behind the same interface.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Protocol

if TYPE_CHECKING:
    from backend.settings import Settings

MODES: Final = ("walk", "ebike", "car")
EARTH_RADIUS_M: Final = 6_371_008.8


@dataclass(frozen=True, slots=True)
class Point:
    lat: float
    lng: float


@dataclass(frozen=True, slots=True)
class Travel:
    distance_m: int
    minutes: float


class TravelTimeProvider(Protocol):
    def travel(self, origin: Point, destinations: Sequence[Point], mode: str) -> list[Travel]:
        """Distance and minutes from ``origin`` to each destination, in order."""
        ...


def distance_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres (haversine)."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlng = math.radians(b.lng - a.lng)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class StraightLineEstimator:
    """minutes = overhead + straight-line distance × detour ÷ speed.

    Defaults: detour 1.3 (rural road networks); walking 4.5 km/h, e-bike 15 km/h (the legal
    limit is 25, villagers ride slower), car 30 km/h (town roads, lights); 2 minutes to set off.
    """

    detour: float = 1.3
    speeds_kmh: Mapping[str, float] = field(
        default_factory=lambda: {"walk": 4.5, "ebike": 15.0, "car": 30.0}
    )
    overhead_min: Mapping[str, float] = field(
        default_factory=lambda: {"walk": 0.0, "ebike": 2.0, "car": 4.0}
    )

    @classmethod
    def from_settings(cls, settings: Settings) -> StraightLineEstimator:
        """The default travel-time provider, with this deployment's detour factor and speeds."""
        return cls(
            detour=settings.travel_detour,
            speeds_kmh={
                "walk": settings.travel_walk_kmh,
                "ebike": settings.travel_ebike_kmh,
                "car": settings.travel_car_kmh,
            },
        )

    def travel(self, origin: Point, destinations: Sequence[Point], mode: str) -> list[Travel]:
        speed_m_per_min = self.speeds_kmh[mode] * 1000 / 60
        overhead = self.overhead_min.get(mode, 0.0)
        result = []
        for dest in destinations:
            straight = distance_m(origin, dest)
            minutes = overhead + straight * self.detour / speed_m_per_min if straight > 1 else 0.0
            result.append(Travel(distance_m=round(straight), minutes=minutes))
        return result

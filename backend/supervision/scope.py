"""Whose cases a supervisor sees: a township supervisor their township's, a district one (and an
administrator) the whole district. Anything outside the scope is 404, as if it did not exist."""

from __future__ import annotations

from dataclasses import dataclass

from backend.errors import NotAllowed
from backend.geo.store import areas
from backend.identity import roles
from backend.supervision import texts


@dataclass(frozen=True, slots=True)
class Scope:
    staff_id: str
    role: str
    area_code: str
    township: str | None  # None: the whole district

    @property
    def district_wide(self) -> bool:
        return self.township is None

    def sees(self, township: str | None) -> bool:
        return self.township is None or township == self.township


async def load_scope(*, staff_id: str, role: str | None, area_code: str | None) -> Scope:
    """The scope of a supervisor or administrator; anyone else is refused (403)."""
    if role not in (roles.SUPERVISOR, roles.ADMIN):
        raise NotAllowed(texts.NOT_SUPERVISOR)
    area = await areas.area(area_code or "")
    township = area_code if area is not None and area.level == "township" else None
    return Scope(staff_id, role, area_code or "", township)


def require_district(scope: Scope) -> None:
    """The audit log is for administrators and the district's supervisors only (403)."""
    if not scope.district_wide:
        raise NotAllowed(texts.AUDIT_DISTRICT_ONLY, code="audit_district_only")

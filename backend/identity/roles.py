"""Staff roles and the area levels each may be scoped to (standard library only)."""

from __future__ import annotations

from typing import Final, Literal, TypeAlias

AGENT: Final = "agent"
WINDOW: Final = "window"
APPROVER: Final = "approver"
SUPERVISOR: Final = "supervisor"
ADMIN: Final = "admin"

Role: TypeAlias = Literal["agent", "window", "approver", "supervisor", "admin"]
ROLES: Final[tuple[Role, ...]] = (AGENT, WINDOW, APPROVER, SUPERVISOR, ADMIN)

#: A village agent works in a village; a 政银通 bank clerk is scoped to the outlet's township.
AREA_LEVELS: Final[dict[str, frozenset[str]]] = {
    AGENT: frozenset({"village", "township"}),
    WINDOW: frozenset({"township"}),
    APPROVER: frozenset({"township", "district"}),
    SUPERVISOR: frozenset({"township", "district"}),
    ADMIN: frozenset({"district"}),
}

LABELS: Final[dict[str, str]] = {
    AGENT: "代办员",
    WINDOW: "窗口人员",
    APPROVER: "后台审批",
    SUPERVISOR: "监管人员",
    ADMIN: "管理员",
}

"""Which step issues which notice, how it is numbered and whose name it bears (pure rules)."""

from __future__ import annotations

from typing import Final

ACCEPTANCE: Final = "acceptance"
REJECTION: Final = "rejection"
SUPPLEMENT: Final = "supplement"
DENIAL: Final = "denial"
COMPLETION: Final = "completion"

KIND_OF_ACTION: Final = {
    "accept": ACCEPTANCE,
    "reject": REJECTION,
    "request_supplement": SUPPLEMENT,
    "deny": DENIAL,
    "deliver": COMPLETION,
}
"""The timeline steps that issue a notice, and which (``backend.cases.states.Action`` values)."""

ISSUED_PER_ITEM: Final = frozenset({SUPPLEMENT})
"""The notices a bundle's parent issues from its own step, one per open item: a 补正 is asked
of the whole bundle (the parent's step only), while acceptance and rejection at the window are
each item's own steps too (which issue their notices)."""

WINDOW_ROLES: Final = frozenset({"window"})
"""Who acts at the one window, for the competent department (the notice says so)."""


def full_department_name(name: str, district: str) -> str:
    """A department's name as it signs: the catalogue's "区公安分局" is the district's."""
    return f"{district}{name[1:]}" if name.startswith("区") and district else name


def department_mark(name: str) -> str:
    """The department's one-character mark in a notice number (机关代字): 区公安分局 → 公."""
    rest = name
    for prefix in ("区", "市", "县"):
        rest = rest.removeprefix(prefix)
    return rest[:1] or "政"


def notice_number(
    *, district: str, department_name: str, kind_mark: str, year: int, seq: int
) -> str:
    """文号, e.g. 萧公受字〔2026〕第12号: district, department and kind marks, year, sequence."""
    return f"{district[:1]}{department_mark(department_name)}{kind_mark}字〔{year}〕第{seq}号"


def acting_for(township_name: str) -> str:
    """The one-window centre that accepts for the department (一窗受理)."""
    return f"由{township_name}便民服务中心一窗受理" if township_name else ""

"""The e-licence / data-sharing interface (电子证照, 数据共享) (standard library only).

A material marked "exempt when the data is shared" is satisfied by a record the government
already holds, instead of an upload, when this service confirms it for the applicant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SharedRecord:
    material_type: str
    reference: str  # the e-licence number or data-sharing receipt, kept on the case


class SharedData(Protocol):
    async def lookup(self, *, name: str, id_number: str, material_type: str) -> SharedRecord | None:
        """The shared record of this type for the person, or None when there is none."""
        ...


class NoSharedData:
    """Used when no data-sharing service is configured: nothing is ever shared."""

    async def lookup(self, *, name: str, id_number: str, material_type: str) -> SharedRecord | None:
        return None

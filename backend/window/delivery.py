"""送达 at the window: collected by the applicant (their ID number checked, never kept) or
mailed with its waybill (to the case's address, or to one the clerk types when the case has
none); a result for the agent goes through a results batch instead.

Runs inside the caller's ``unit_of_work`` like every front-desk action (``backend.window.actions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend import clock
from backend.cases import bundles
from backend.cases import views as case_views
from backend.cases.clock import Calendar
from backend.cases.states import Action
from backend.cases.store.cases import CaseRecord
from backend.cases.transitions import Change, apply
from backend.catalogue.model import DELIVERY_METHODS
from backend.errors import Conflict, InvalidInput
from backend.identity.idnumber import parse_id_number
from backend.identity.sealed import ID_NUMBER_LOOKUP
from backend.identity.store import identities
from backend.security.fieldcrypt import FieldCipher
from backend.window import texts
from backend.window.access import Clerk
from backend.window.actions import begin, done
from backend.window.steps import IN_PERSON, front_desk


def check_delivery(method: str, tracking_no: str | None) -> tuple[str, str | None]:
    if method not in DELIVERY_METHODS:
        raise InvalidInput(texts.DELIVERY_METHOD_INVALID, code="delivery_method_invalid")
    tracking = (tracking_no or "").strip() or None
    if method == "mail" and tracking is None:
        raise InvalidInput(texts.TRACKING_NO_REQUIRED, code="tracking_no_required")
    return method, tracking


def _mail_address(row: CaseRecord, typed: str | None) -> tuple[str, str | None]:
    """Where a mailed result goes, and what to store as the case's address (None: keep it).
    An address typed now replaces the case's; a case without one (filed for collection at the
    window) needs it typed: 422 ``delivery_address_required``."""
    address = (typed or "").strip()
    if address:
        return address, address
    if row.delivery_address.strip():
        return row.delivery_address.strip(), None
    raise InvalidInput(texts.DELIVERY_ADDRESS_REQUIRED, code="delivery_address_required")


@dataclass(frozen=True, slots=True)
class Collector:
    """领取人 — who collects a result at the window, as the clerk typed it from their ID card."""

    name: str
    id_number: str


def _collector_typed(collector: Collector | None) -> tuple[str, str]:
    """The collector's name and well-formed ID number (422 before anything is looked at)."""
    name = (collector.name if collector else "").strip()
    raw = (collector.id_number if collector else "").strip()
    if not name or not raw:
        raise InvalidInput(texts.COLLECTOR_REQUIRED, code="collector_required")
    return name, parse_id_number(raw, today=clock.today()).value


async def _checked_collector(
    row: CaseRecord, typed: tuple[str, str], *, clerk: Clerk, cipher: FieldCipher
) -> dict[str, Any]:
    """The collector checked against the case: their ID number's lookup hash must be the
    applicant's and the name theirs. What is kept (the event's data) is the name, whose number
    it matched and who checked — never the number."""
    name, number = typed
    holder = await identities.named_by_lookup(
        lookup=cipher.lookup_hash(number, context=ID_NUMBER_LOOKUP)
    )
    if holder is None or holder.id != str(row.applicant) or holder.name != name:
        raise InvalidInput(texts.COLLECTOR_MISMATCH, code="collector_mismatch")
    return {"name": name, "matched": "applicant", "id_checked": True, "checked_by": clerk.id}


async def _mail_allowed(row: CaseRecord) -> None:
    """Mail only what every item of the case may be mailed (an ID card is collected in person)."""
    items = await case_views.item_versions(row)
    refused = [v.spec.name for v in items if "mail" not in v.spec.delivery_methods]
    if refused:
        raise InvalidInput(
            texts.MAIL_NOT_OFFERED.format(items="、".join(refused)), code="delivery_method_invalid"
        )


async def deliver(
    *,
    number: str,
    clerk: Clerk,
    calendar: Calendar,
    lapse_s: int,
    method: str,
    tracking_no: str | None,
    collector: Collector | None = None,
    cipher: FieldCipher,
    address: str | None = None,
) -> None:
    """送达: collected at the window (the collector's ID number checked against the applicant's),
    mailed (with its tracking number, to the case's address or ``address``) or through the
    agent (a results batch)."""
    method, tracking = check_delivery(method, tracking_no)
    typed = _collector_typed(collector) if method == "window" else None
    row = await begin(number, clerk, Action.DELIVER)
    if method == "agent":  # the agent records the hand-over, with a photo (delegation.custody)
        raise Conflict(texts.DELIVER_THROUGH_AGENT, code="deliver_through_agent")
    data: dict[str, Any] = {"method": method, "tracking_no": tracking}
    new_address = None
    if method == "mail":
        await _mail_allowed(row)
        data["address"], new_address = _mail_address(row, address)
    if typed is not None:
        data["collector"] = await _checked_collector(row, typed, clerk=clerk, cipher=cipher)
        data.update(IN_PERSON)  # picked up at the window: one trip
    change = Change(
        Action.DELIVER,
        front_desk(clerk),
        "",
        data,
        delivery_method=method,
        delivery_address=new_address,
    )
    await apply(row.id, change, calendar=calendar)
    await bundles.settle_parent(row, calendar=calendar)
    await done(row, clerk, lapse_s=lapse_s)

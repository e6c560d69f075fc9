"""The consent ledger of subscribe messages (订阅消息授权).

The mini-program reports each ``wx.requestSubscribeMessage`` result, and WeChat's message
push reports the same popup (``subscribe_msg_popup_event``), later changes in the settings page
(``subscribe_msg_change_event``) and each send's outcome (``subscribe_msg_sent_event``). One
``accept`` of a one-time template earns one credit, and each send spends one; ``reject`` and
``ban`` are remembered (WeChat's 43101 means the same). Because the app's report and the popup
event describe the same tap, an ``accept`` from one source within ``SAME_TAP_S`` of an accept
from the other source for the same template earns no second credit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from backend import clock
from notifications.store import subscriptions
from notifications.templates import Configured

STATUSES: Final = frozenset({"accept", "reject", "ban", "filter"})
SAME_TAP_S: Final = 120
_PAIRED: Final = {"app": "popup", "popup": "app"}


@dataclass(frozen=True, slots=True)
class Credit:
    template_id: str
    status: str | None
    credits: int


async def record(*, citizen_id: str, template_id: str, status: str, source: str, kind: str) -> None:
    """One answer of the citizen for one template; in the caller's transaction."""
    if status not in STATUSES:
        return
    now = clock.now_utc()
    await subscriptions.ensure(
        citizen_id=citizen_id, template_id=template_id, status=status, at=now, source=source
    )
    row = await subscriptions.lock(citizen_id, template_id)
    assert row is not None
    credits = row.credits
    if status == "accept" and kind == "one_time":
        same_tap = (
            row.status == "accept"
            and _PAIRED.get(source) == row.source
            and now - row.updated_at <= timedelta(seconds=SAME_TAP_S)
        )
        if same_tap:
            source = "paired"  # both reports of this tap are in: the next accept is a new tap
        else:
            credits += 1
    await subscriptions.save(row.id, status=status, credits=credits, at=now, source=source)


async def record_results(
    *,
    citizen_id: str,
    results: Mapping[str, object],
    templates: Mapping[str, Configured],
    source: str = "app",
) -> list[Credit]:
    """The mini-program's ``requestSubscribeMessage`` result object; unknown template ids and
    its ``errMsg`` key are ignored. Returns the credits of every known template."""
    kinds = {c.template_id: c.kind for c in templates.values()}
    for template_id, status in results.items():
        if template_id in kinds and isinstance(status, str):
            await record(
                citizen_id=citizen_id,
                template_id=template_id,
                status=status,
                source=source,
                kind=kinds[template_id],
            )
    return await credits_of(citizen_id=citizen_id, templates=templates)


async def credits_of(*, citizen_id: str, templates: Mapping[str, Configured]) -> list[Credit]:
    ids = sorted({c.template_id for c in templates.values()})
    found = await subscriptions.of_templates(citizen_id, ids)
    return [
        Credit(t, found[t].status if t in found else None, found[t].credits if t in found else 0)
        for t in ids
    ]


async def spend(*, citizen_id: str, template_id: str, kind: str) -> str | None:
    """Use the right to send one message; None when allowed, else why not (``no_credit``,
    ``refused``). In the caller's transaction."""
    row = await subscriptions.lock(citizen_id, template_id)
    if row is None or row.status is None:
        return "no_credit"
    if row.status != "accept":
        return "refused"
    if kind == "long_term":
        return None
    if row.credits <= 0:
        return "no_credit"
    await subscriptions.spend_one(row.id)
    return None


async def refund(*, citizen_id: str, template_id: str, kind: str) -> None:
    """Give back a credit a send did not use (WeChat never delivered it)."""
    if kind == "one_time":
        await subscriptions.give_back(citizen_id, template_id)


async def refused(*, citizen_id: str, template_id: str) -> None:
    """WeChat says the user refuses this template (43101): no more tries until they accept."""
    await subscriptions.refuse(citizen_id, template_id)

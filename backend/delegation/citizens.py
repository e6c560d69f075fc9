"""Citizens an agent serves: registering a villager without WeChat, and finding one.

Registration goes through ``identity.offline`` (the ID number checked, encrypted and
de-duplicated by its keyed hash — the same record a window walk-in would find). A number that
already belongs to a citizen of this village returns that citizen (the name must match); one
that belongs to somebody outside the agent's village is 404 like any stranger.
"""

from __future__ import annotations

import re
from typing import Any

from pypinyin import Style, lazy_pinyin

from backend import clock
from backend.delegation import texts
from backend.delegation.scope import Agent, citizen_of
from backend.delegation.tables import Mandate, Registration
from backend.errors import NotAllowed
from backend.geo.tables import Area
from backend.identity.offline import AGENT_CONSENT, Applicant, find_or_register
from backend.identity.tables import Citizen
from backend.identity.texts import TAKEOVER_REFUSED
from backend.outbox.service import publish, unit_of_work
from backend.security.fieldcrypt import FieldCipher

_INITIALS = re.compile(r"[A-Za-z]{1,10}")
_LAST4 = re.compile(r"\d{3}[\dXx]")


async def register(*, agent: Agent, applicant: Applicant, cipher: FieldCipher) -> dict[str, Any]:
    """A villager of the agent's own village (or a bank clerk's township), found or registered."""
    village = applicant.village_code.strip()
    area = await Area.select(Area.level, Area.parent).where(Area.code == village).first().run()
    if (
        area is not None
        and area["level"] == "village"
        and not agent.serves(village, area["parent"])
    ):
        message = (
            texts.VILLAGE_NOT_YOURS if agent.level == "village" else (texts.TOWNSHIP_NOT_YOURS)
        )
        raise NotAllowed(message, code="village_not_yours")
    citizen_id = await find_or_register(applicant=applicant, cipher=cipher, consent=AGENT_CONSENT)
    found = await citizen_of(agent, citizen_id)
    if not found["has_wechat"]:
        await Registration.raw(
            "INSERT INTO agent_registration (citizen, agent, registered_at)"
            " VALUES ({}::uuid, {}::uuid, now()) ON CONFLICT (citizen) DO NOTHING",
            citizen_id,
            agent.id,
        ).run()
    return found


def initials(name: str) -> str:
    return "".join(p[:1] for p in lazy_pinyin(name, style=Style.FIRST_LETTER)).upper()


async def search(
    *, agent: Agent, q: str, page: int, page_size: int, only: str | None = None
) -> tuple[list[dict[str, Any]], int]:
    """Citizens the agent serves, matched by name, pinyin initials or the ID's last four digits.

    Pinyin initials are computed from the names of the agent's village (a few thousand people
    at most), so nothing derived from a name is stored.
    """
    rows = await Citizen.raw(
        "SELECT c.id::text AS id, c.name, c.village, c.id_number_masked, c.birth_year, c.sex,"
        " c.openid IS NOT NULL AS has_wechat, c.identity_verified,"
        " r.agent IS NOT NULL AS registered_by_agent, r.takeover_refused_at,"
        " r.takeover_refused_reason"
        " FROM citizen c JOIN area v ON v.code = c.village"
        " LEFT JOIN agent_registration r ON r.citizen = c.id"
        " WHERE c.identity_bound AND (CASE WHEN {} THEN v.code ELSE v.parent END) = {}"
        " AND ({}::text IS NULL OR c.id::text = {})"
        " ORDER BY c.name, c.id",
        agent.level == "village",
        agent.area_code,
        only,
        only,
    ).run()
    needle = q.strip()
    if needle:
        if _LAST4.fullmatch(needle):
            rows = [
                r for r in rows if (r["id_number_masked"] or "").upper().endswith(needle.upper())
            ]
        elif _INITIALS.fullmatch(needle):
            wanted = needle.upper()
            rows = [r for r in rows if initials(r["name"] or "").startswith(wanted)]
        else:
            rows = [r for r in rows if needle in (r["name"] or "")]
    start = (page - 1) * page_size
    return [dict(r) for r in rows[start : start + page_size]], len(rows)


TAKEOVER_REFUSED_EVENT = "citizen.takeover_refused"


async def merge_citizen(from_id: str, into_id: str) -> None:
    """The WeChat account took the record over: its mandates and registration follow it."""
    await Mandate.update({Mandate.citizen: into_id}).where(Mandate.citizen == from_id).run()
    await (
        Registration.update(
            {Registration.citizen: into_id, Registration.taken_over_at: clock.now_utc()}
        )
        .where(Registration.citizen == from_id)
        .run()
    )


async def takeover_refused(registered_id: str, account_id: str, reason: str) -> None:
    """Tell the agent who registered the villager that a WeChat account could not take the
    record over, and why (shown in the agent's citizen list; an outbox event for messages)."""
    async with unit_of_work(None):
        rows = await Registration.raw(
            "UPDATE agent_registration SET takeover_refused_at = now(),"
            " takeover_refused_reason = {} WHERE citizen = {}::uuid RETURNING agent::text",
            TAKEOVER_REFUSED[reason],
            registered_id,
        ).run()
        if rows:
            await publish(
                kind=TAKEOVER_REFUSED_EVENT,
                payload={
                    "citizen_id": registered_id,
                    "agent_id": rows[0]["agent"],
                    "reason": reason,
                },
                dedup_key=None,
            )

"""Citizens an agent serves: registering a villager without WeChat, and finding one.

Registration goes through ``identity.offline`` (the ID number checked, verified when a verifier
answers, encrypted and de-duplicated by its keyed hash — the same record a window walk-in would
find). What an agent learns about a number already registered is in ``register``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

from backend import clock
from backend.delegation import texts
from backend.delegation.scope import Agent, citizen_of
from backend.delegation.store import mandates as mandate_store
from backend.delegation.store import villagers as store
from backend.delegation.store.villagers import Villager
from backend.errors import Conflict, NotAllowed
from backend.geo.store import delegation as areas
from backend.identity import offline
from backend.identity.offline import Applicant
from backend.identity.ports import IdentityVerifier
from backend.identity.store.agents import ServedCitizen
from backend.identity.texts import APPLICANT_NAME_MISMATCH
from backend.security.fieldcrypt import FieldCipher

_INITIALS = re.compile(r"[A-Za-z]{1,10}")
_LAST4 = re.compile(r"\d{3}[\dXx]")


@dataclass(frozen=True, slots=True)
class Prepared:
    """An applicant checked and, where a verifier answered, verified (outside any transaction)."""

    checked: offline.Checked
    verified: bool


class ReferredToTownship(Conflict):
    """The number is held outside the agent's village and nothing verified who is who: the
    township settles it (a ``registration_referral``); the agent learns nothing more."""

    def __init__(self, *, holder_id: str, name: str, village: str) -> None:
        super().__init__(texts.REFERRED_TO_TOWNSHIP, code="referred_to_township")
        self.holder_id, self.name, self.village = holder_id, name, village


async def prepare(
    *, agent: Agent, applicant: Applicant, verifier: IdentityVerifier | None
) -> Prepared:
    """The checks that need no transaction: the agent's own village, the fields, and the pair at
    the verification service (a mismatch is 422 before any record is looked at)."""
    village = applicant.village_code.strip()
    area = await areas.place_of(village)
    if area is not None and area.level == "village" and not agent.serves(village, area.parent):
        message = (
            texts.VILLAGE_NOT_YOURS if agent.level == "village" else (texts.TOWNSHIP_NOT_YOURS)
        )
        raise NotAllowed(message, code="village_not_yours")
    checked = await offline.check(applicant, fields="")  # the body's own fields
    return Prepared(checked, await offline.verify(checked, verifier))


async def register(*, agent: Agent, prepared: Prepared, cipher: FieldCipher) -> ServedCitizen:
    """A villager of the agent's own village (or a bank clerk's township), found or registered.

    What the agent may learn about a number already registered (docs/personal-data.md): held in
    their own village — that citizen (the name must match: they are the agent's villagers); held
    elsewhere — 409 ``registered_elsewhere`` only for a verified pair, else the township is asked
    to settle it (409 ``referred_to_township``, raised as ``ReferredToTownship``).
    """
    checked = prepared.checked
    lookup = offline.lookup_of(checked, cipher)
    holder = await offline.holder_of(lookup)
    created = None
    if holder is None:
        created = await offline.insert(checked, lookup, cipher, offline.AGENT_CONSENT)
        if created is None:  # registered meanwhile by another request
            holder = await offline.holder_of(lookup)
    if holder is not None:
        if not agent.serves(holder["village"], holder["township"]):
            if prepared.verified:
                raise Conflict(texts.REGISTERED_ELSEWHERE, code="registered_elsewhere")
            raise ReferredToTownship(
                holder_id=holder["id"], name=checked.name, village=checked.village
            )
        if holder["name"] != checked.name:
            raise Conflict(APPLICANT_NAME_MISMATCH, code="applicant_name_mismatch")
    citizen_id = str(holder["id"]) if holder is not None else created
    assert citizen_id is not None
    found = await citizen_of(agent, citizen_id)
    if not found.has_wechat:
        await store.note_registered(citizen_id=citizen_id, agent_id=agent.id)
    return found


async def refer(*, agent: Agent, referred: ReferredToTownship) -> str:
    """Record the request for the township (one pending per holder and village); its own
    transaction, so it stands although the registration answered 409."""
    return await store.refer(
        agent_id=agent.id,
        village=referred.village,
        township=agent.township_code,
        name=referred.name,
        holder_id=referred.holder_id,
    )


def initials(name: str) -> str:
    return "".join(p[:1] for p in lazy_pinyin(name, style=Style.FIRST_LETTER)).upper()


async def search(
    *, agent: Agent, q: str, page: int, page_size: int, only: str | None = None
) -> tuple[list[Villager], int]:
    """Citizens the agent serves, matched by name, pinyin initials or the ID's last four digits.

    Pinyin initials are computed from the names of the agent's village (a few thousand people
    at most), so nothing derived from a name is stored.
    """
    rows = await store.in_area(
        by_village=agent.level == "village", area_code=agent.area_code, only=only
    )
    needle = q.strip()
    if needle:
        if _LAST4.fullmatch(needle):
            rows = [r for r in rows if (r.id_number_masked or "").upper().endswith(needle.upper())]
        elif _INITIALS.fullmatch(needle):
            wanted = needle.upper()
            rows = [r for r in rows if initials(r.name or "").startswith(wanted)]
        else:
            rows = [r for r in rows if needle in (r.name or "")]
    start = (page - 1) * page_size
    return rows[start : start + page_size], len(rows)


async def merge_citizen(from_id: str, into_id: str) -> None:
    """The WeChat account took the record over: its mandates and registration follow it."""
    await mandate_store.move_to(from_citizen=from_id, into_citizen=into_id)
    await store.move_registration(from_citizen=from_id, into_citizen=into_id, at=clock.now_utc())

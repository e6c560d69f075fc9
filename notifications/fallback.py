"""When a message that needs the citizen to act cannot reach them, a person tells them.

The case's agent (if an agent filed it) or else the township's window desk gets a task in the
portal's bell: 请当面告知. One task per message key, however often the job reruns.
"""

from __future__ import annotations

from backend.cases.events import NoticeCase
from backend.identity.store import notices as people
from notifications import store, texts


async def tell_in_person(*, case: NoticeCase, title: str, key: str, why: str = "no_wechat") -> None:
    """A ``tell_citizen`` task for the case's agent, else its township desk; in the caller's
    transaction."""
    found = await people.person(case.applicant_id)
    name = (found.name if found else None) or "申请人"
    agent = case.agent_id
    await store.add_notice(
        key=f"tell:{key}",
        kind="tell_citizen",
        staff=agent,
        township=None if agent else case.township,
        case_number=case.number,
        text=texts.TELL_IN_PERSON.format(
            name=name, title=title, number=case.number, why=texts.WHY.get(why, "")
        ),
    )

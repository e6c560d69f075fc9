"""Moving a citizen's cases to the WeChat account that took their record over."""

from __future__ import annotations

from backend.cases.tables import Case, Evaluation


async def merge_citizen(from_id: str, into_id: str) -> None:
    """The cases (and ratings) of a registered record now belong to the account; the timeline
    keeps who acted for whom at the time."""
    await Case.update({Case.applicant: into_id}).where(Case.applicant == from_id).run()
    await (
        Evaluation.update({Evaluation.citizen: into_id}).where(Evaluation.citizen == from_id).run()
    )

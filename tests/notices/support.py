"""Helpers for the notices' tests: run the worker's ``case.notice`` handler here (the API server
under test has no worker), as ``tests.window.support.forward`` runs ``case.forward``."""

from __future__ import annotations

import asyncio

from backend.cases.events import NOTICE_EVENT
from backend.notices.jobs import on_notice_due
from backend.outbox.runner import HandlerContext
from backend.outbox.tables import OutboxEvent


async def due_payloads() -> list[tuple[int, dict[str, object]]]:
    """Every ``case.notice`` outbox row so far: (row id, payload), oldest first."""
    rows = (
        await OutboxEvent.select(OutboxEvent.id, OutboxEvent.payload)
        .where(OutboxEvent.kind == NOTICE_EVENT)
        .order_by(OutboxEvent.id)
        .output(load_json=True)
        .run()
    )
    return [(int(r["id"]), dict(r["payload"])) for r in rows]


async def run_notice_jobs(*, concurrently: bool = False, case_ids: list[int] | None = None) -> int:
    """Run the handler for every ``case.notice`` row (again, for rows already handled: it is
    idempotent), or only for the cases ``case_ids``. Returns how many rows were run."""
    due = [
        (row_id, payload)
        for row_id, payload in await due_payloads()
        if case_ids is None or payload.get("case_id") in case_ids
    ]
    jobs = [
        on_notice_due(HandlerContext(row_id, NOTICE_EVENT, 1), payload) for row_id, payload in due
    ]
    if concurrently:
        await asyncio.gather(*jobs)
    else:
        for job in jobs:
            await job
    if due:  # as the worker's runner marks a handled row
        await (
            OutboxEvent.update({OutboxEvent.status: "done"})
            .where(OutboxEvent.id.is_in([row_id for row_id, _ in due]))
            .run()
        )
    return len(due)

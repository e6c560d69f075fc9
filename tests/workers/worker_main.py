"""A real worker process for the kill test: its handler blocks on the first attempt.

Usage: ``python -m tests.workers.worker_main MARK_DIR`` with the test settings in the environment.
"""

import asyncio
import sys
from pathlib import Path

from backend.outbox.runner import HandlerContext
from backend.settings import load_settings
from backend.worker import run_worker


def main() -> None:
    marks = Path(sys.argv[1])

    async def block_first_attempt(ctx: HandlerContext, payload: dict) -> None:
        (marks / f"start-{ctx.event_id}-{ctx.attempt}").touch()
        if ctx.attempt == 1:
            await asyncio.sleep(3600)  # killed here by the test
        (marks / f"done-{ctx.event_id}-{ctx.attempt}").touch()

    run_worker(load_settings(), handlers={"test.block_first_attempt": block_first_attempt})


if __name__ == "__main__":
    main()

"""axe-core (from miniprogram/package-lock.json) run inside the page: no serious or critical
violation of WCAG 2.1 A/AA rules. Each page's result is kept in ``<screenshots>/axe/``."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from playwright.async_api import Page

from tests.support import screenshots

AXE = Path(__file__).resolve().parents[3] / "miniprogram/node_modules/axe-core/axe.min.js"
BLOCKING = {"serious", "critical"}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


async def axe_violations(page: Page, name: str) -> list[dict[str, Any]]:
    """The serious and critical violations on ``page`` now (evaluated through the DevTools
    protocol, so the page's Content-Security-Policy does not stop the script)."""
    return [v for v in await axe_all(page, name) if v["impact"] in BLOCKING]


async def axe_all(page: Page, name: str) -> list[dict[str, Any]]:
    """Every violation on ``page`` now, whatever its impact (kept as ``<name>.json``)."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(_source())
    result = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        TAGS,
    )
    violations = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]
    folder = screenshots("axe")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(
        json.dumps(violations, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return violations

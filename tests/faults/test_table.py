"""The fault suite's row and its table: what counts as a goal met, and what is written."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from rich.console import Console

from bench.faults.base import FULL, SHORT, Outcome
from bench.faults.run import render, to_json

pytestmark = pytest.mark.unit


def _row(**changes: object) -> Outcome:
    values: dict[str, object] = {
        "scenario": "workers SIGKILLed while sending WeChat messages",
        "sent": 1000,
        "done": 1000,
        "lost": 0,
        "duplicated": 0,
        "recover_s": 12.34,
    }
    values.update(changes)
    return Outcome(**values)  # type: ignore[arg-type]


def test_a_row_meets_its_goal_with_nothing_lost_and_duplicates_within_the_allowance():
    assert _row().ok
    assert _row(duplicated=3, allowed_duplicates=3).ok
    assert not _row(lost=1, done=999).ok
    assert not _row(duplicated=4, allowed_duplicates=3).ok
    assert not _row(problems=("the API answered 500 while PostgreSQL was away",)).ok


def _text(outcomes: list[Outcome], *, short: bool) -> str:
    console = Console(record=True, width=200)
    console.print(render(outcomes, SHORT if short else FULL))
    return console.export_text()


def test_the_table_shows_each_row_its_figures_and_whether_it_met_its_goal():
    text = _text(
        [
            _row(duplicated=2, allowed_duplicates=5),
            _row(scenario="Redis FLUSHALL mid-flow — cases", lost=7, done=993, recover_s=None),
        ],
        short=True,
    )
    assert "make faults --short" in text
    first, second = (line for line in text.splitlines() if "│ workers" in line or "│ Redis" in line)
    assert "1,000" in first and "2 (5)" in first and "12.3" in first and "met" in first
    assert "missed" not in first
    assert "7" in second and "993" in second and "–" in second and "missed" in second
    assert "--short" not in _text([_row()], short=False)


def test_the_json_holds_every_row_with_its_goal_and_the_size():
    started = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    written = to_json([_row(), _row(lost=1, done=999)], FULL, started)
    again = json.loads(json.dumps(written, ensure_ascii=False))
    assert again["started"] == started.isoformat()
    assert again["size"] == {"short": False, "cases": 1000, "kills": 20}
    assert [o["ok"] for o in again["outcomes"]] == [True, False]
    assert again["outcomes"][1]["lost"] == 1
    assert set(again["outcomes"][0]) >= {
        "scenario",
        "sent",
        "done",
        "lost",
        "duplicated",
        "allowed_duplicates",
        "recover_s",
        "detail",
        "problems",
        "ok",
    }

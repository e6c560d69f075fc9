"""Deleting an expired restricted file reaches every table that points at a case: a new table
with a foreign key to ``case_record`` (other than ON DELETE CASCADE) must be added to the purge,
else the deletion fails."""

from __future__ import annotations

import re

import pytest

from backend import db
from backend.cases.store import erase

pytestmark = pytest.mark.integration


async def test_every_table_that_points_at_a_case_is_purged(database: None) -> None:
    rows = await db.fetch(
        "SELECT c.conrelid::regclass::text AS tab, a.attname AS col"
        " FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
        " WHERE c.contype = 'f' AND c.confrelid = 'case_record'::regclass"
        " AND c.confdeltype <> 'c'"  # ON DELETE CASCADE goes with the case by itself
    )
    purged = {
        m[1] for m in (re.match(r'DELETE FROM (\w+) WHERE "case"', s) for s in erase._PURGE) if m
    }
    pointing = {(r["tab"], r["col"]) for r in rows} - {("case_record", "parent")}
    assert pointing, "no foreign key to case_record found"
    assert {(t, c) for t, c in pointing if t not in purged or c != "case"} == set()

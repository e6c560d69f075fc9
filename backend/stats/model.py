"""The shape of the roll-ups: the measures each row sums and the dimensions it is keyed by
(docs/statistics.md)."""

from __future__ import annotations

from typing import Final

HIST_MAX: Final = 120
"""Working-day histograms have buckets 0..HIST_MAX and one overflow bucket (``over``)."""

MEASURES: Final = [
    "cases", "open", "closed", "due", "on_time", "delegated", "local", "trips_sum", "trips_le1",
    "sat_count", "sat_sum", "sat_bad", "wa_n", "wa_sum", "wd_n", "wd_sum", "items", "bundles",
]  # fmt: skip

DIMS: Final = (
    "all",
    "status",
    "channel",
    "kind",
    "item",
    "department",
    "village",
    "township",
    "wd_accept",
    "wd_deliver",
)

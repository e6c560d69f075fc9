"""The province's day is pinned: its figures, its schedule, how its report judges a run."""

from __future__ import annotations

import argparse
import itertools
import math

import pytest

from bench import province, province_load
from bench import province_profile as profile
from bench.citizens import phone_photo
from bench.province_report import (
    flatness,
    goal_misses,
    interval_p99,
    merge,
    missed_windows,
    op_figures,
    soak_svg,
)
from bench.province_setup import citizens_needed, id_number

pytestmark = pytest.mark.unit


def test_the_day_is_the_issues_day() -> None:
    assert profile.CASES_PER_DAY == 200_000
    assert profile.CASES_PER_DAY >= 30 * profile.DISTRICT_CASES_PER_DAY
    assert profile.PEAK_CASES_PER_HOUR == 30_000  # 200,000 × 15 %
    assert pytest.approx(8.333, abs=1e-3) == profile.PEAK_CASES_PER_S
    assert pytest.approx(25.0) == profile.BURST_CASES_PER_S
    assert profile.BURST_SECONDS == 60
    assert profile.RUN_MINUTES == 10
    assert profile.SOAK_MINUTES == 60


def test_one_case_is_the_issues_case() -> None:
    assert profile.per_case("upload") == profile.PHOTOS_PER_CASE == 3
    assert profile.per_case("submit") == 1
    assert profile.READS_PER_CASE == 20
    assert profile.STAFF_ACTIONS_PER_CASE == 6
    assert profile.NOTIFICATIONS_PER_CASE == len(profile.NOTIFIED_EVENTS) == 4
    reads = {op: profile.per_case(op) for op in profile.READ_OPS}
    assert reads["case_detail"] >= 5 and reads["nearby"] >= 2  # timeline, catalogue, nearby
    assert reads["items_search"] + reads["items_list"] + reads["item_detail"] >= 6
    assert profile.REQUESTS_PER_CASE == 20 + 3 + 1 + 1 + 6
    assert profile.DASHBOARD_EVERY_S <= 5


def test_a_photo_is_about_300_kb() -> None:
    size = len(phone_photo(1000, profile.PHOTO_SIZE))
    assert 0.85 * profile.PHOTO_TARGET_BYTES <= size <= 1.15 * profile.PHOTO_TARGET_BYTES


def test_photo_variants_are_distinct_and_still_jpegs() -> None:
    bases = [phone_photo(1000 + s, (320, 240)) for s in range(2)]
    tables = [province_load._quant_tables(b) for b in bases]
    assert all(len(t) >= 2 for t in tables)
    made = {province_load.variant(bases, tables, k) for k in range(2_000)}
    assert len(made) == 2_000
    assert all(v[:2] == b"\xff\xd8" for v in made)


def test_steps_wait_only_for_what_they_need() -> None:
    by_op = {s.op: s for s in profile.CASE_STEPS}
    assert by_op["submit"].after == "uploads"
    uploads = [s.at for s in profile.CASE_STEPS if s.op == "upload"]
    assert max(uploads) < by_op["subscribe"].at < by_op["submit"].at
    staff = [s for s in profile.CASE_STEPS if s.op in profile.STAFF_OPS]
    assert [s.op for s in staff] == list(profile.STAFF_OPS)
    assert all(s.at > by_op["submit"].at for s in staff)
    assert max(s.at for s in profile.CASE_STEPS) + 1 == profile.CASE_LIFE_S


def test_bursts_are_minutes_4_and_8_of_ten() -> None:
    assert profile.burst_minutes(10) == (3, 7)
    assert profile.burst_minutes(60)[:3] == (3, 7, 11)
    assert profile.burst_minutes(3) == (2,)  # a short trial still bursts
    assert profile.burst_minutes(2) == (1,)
    assert profile.burst_minutes(1) == ()


def test_the_schedule_counts() -> None:
    parts = profile.segments(10)
    assert [p.burst for p in parts].count(True) == 2
    assert parts[3].cases_per_s == pytest.approx(25.0)
    assert parts[0].cases_per_s == pytest.approx(profile.PEAK_CASES_PER_S)
    times = profile.arrivals(parts)
    # 8 minutes at 30,000/h and 2 at 90,000/h
    assert len(times) == 8 * 500 + 2 * 1500
    in_burst = [t for t in times if 180 <= t < 240]
    assert len(in_burst) == 1500
    assert all(b > a for a, b in itertools.pairwise(times))
    assert profile.figures().cases_in_run == 7000
    soak = profile.segments(60, bursts=False)
    assert profile.expected_cases(soak) == 30_000
    assert not any(p.burst for p in soak)


def test_a_multiple_scales_the_rate_not_the_mix() -> None:
    half = profile.segments(2, multiple=0.5, bursts=False)
    assert profile.expected_cases(half) == 500
    assert len(profile.CASE_STEPS) == profile.REQUESTS_PER_CASE


def test_windows() -> None:
    parts = profile.segments(10)
    assert profile.window_of(1.0, parts) == "ramp"
    assert profile.window_of(100.0, parts) == "peak"
    assert profile.window_of(181.0, parts) == "burst"
    assert profile.window_of(240 + profile.CASE_LIFE_S - 1, parts) == "burst"
    assert profile.window_of(240 + profile.CASE_LIFE_S + 1, parts) == "peak"
    assert profile.window_of(601.0, parts) == "tail"


def test_no_option_shrinks_the_profile() -> None:
    errors: list[str] = []

    def error(message: str) -> None:
        errors.append(message)

    ok = argparse.Namespace(
        minutes=2, soak_minutes=3, arq_workers=2, load_processes=1, step_seconds=60,
        compare_seconds=20,
    )  # fmt: skip
    province.check_args(ok, error)
    assert errors == []
    province.check_args(argparse.Namespace(**{**vars(ok), "minutes": 0}), error)
    assert errors
    # a trial is shorter, never lighter: the rate and the mix are the module's constants
    assert province.DEFAULTS["minutes"] == profile.RUN_MINUTES


def test_enough_citizens_for_the_upload_limit() -> None:
    assert citizens_needed(100, 200) == 400
    n = citizens_needed(30_000, 200)
    assert math.ceil(30_000 / n) * 3 <= 200
    numbers = {id_number(k) for k in range(3_000)}
    assert len(numbers) == 3_000


def _output(records: dict[str, list[tuple[float, float, int]]]) -> dict[str, object]:
    return {
        "t0_wall": 0.0,
        "cases": 3,
        "submitted": ["A", "B"],
        "never_queued": 0,
        "queue_polls": 0,
        "lag_p99_ms": 1.0,
        "ops": {
            op: {
                "due": [r[0] for r in rows],
                "latency_ms": [r[1] for r in rows],
                "status": [r[2] for r in rows],
            }
            for op, rows in records.items()
        },
        "errors": {},
        "skipped": {},
    }


def test_the_report_by_window_and_the_goal() -> None:
    parts = profile.segments(10)
    slow_burst = [(190.0 + k * 0.1, 400.0, 200) for k in range(100)]
    calm_peak = [(100.0 + k * 0.1, 20.0, 200) for k in range(100)]
    merged = merge(
        [
            _output({"case_detail": calm_peak}),
            _output({"case_detail": slow_burst, "submit": [(100.0, 30.0, 201), (101.0, 5.0, 0)]}),
        ]
    )
    assert merged["submitted"] == ["A", "B", "A", "B"]
    figures = op_figures(merged, parts)
    detail = figures["case_detail"]
    assert detail.count == 200 and detail.errors == 0
    assert detail.p99_by_window["peak"] == 20.0
    assert detail.p99_by_window["burst"] == 400.0
    assert figures["submit"].errors == 1
    misses = goal_misses(figures, errors=1, cpu_ratio=1.5)
    assert any("case_detail" in m and "(burst)" in m for m in misses)
    assert "1 errors" in misses
    assert any("1.50×" in m for m in misses)
    assert missed_windows(misses) == {"burst"}
    assert goal_misses(figures, errors=0, cpu_ratio=1.2, windows=("peak",)) == []


def test_interval_p99() -> None:
    merged = merge([_output({"x": [(1.0, 10.0, 200), (31.0, 50.0, 200), (32.0, 70.0, 200)]})])
    assert interval_p99(merged, interval_s=30, intervals=3) == [10.0, 70.0, None]


def test_flatness() -> None:
    assert flatness([100.0] * 20, interval_s=30).flat is True
    growing = flatness([100.0 + 10 * k for k in range(20)], interval_s=30)
    assert growing.flat is False and growing.slope_per_hour is not None
    assert growing.slope_per_hour > 0
    # warm-up at the start is not counted against the series
    assert flatness([10.0, 50.0] + [100.0] * 18, interval_s=30).flat is True
    # a queue of 0 that becomes 3 is within the floor
    assert flatness([0.0] * 10 + [3.0] * 10, interval_s=30, floor=50).flat is True
    assert flatness([1.0, 2.0], interval_s=30).flat is None


def test_soak_svg() -> None:
    svg = soak_svg(
        [("RSS, MB", {"api-0": [100.0, 101.0, None], "worker-0": [80.0, 80.0, 81.0]})],
        minutes=[0.0, 0.5, 1.0],
        title="soak <trial>",
    )
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert svg.count("<polyline") == 2
    assert "&lt;trial&gt;" in svg


def test_the_soak_arrives_at_its_multiple_of_the_peak_mean_and_the_day_at_the_peak() -> None:
    soak = province.arrivals(
        argparse.Namespace(soak=True, soak_minutes=60, soak_multiple=0.5, minutes=10)
    )
    assert all(part.cases_per_s == pytest.approx(profile.PEAK_CASES_PER_S * 0.5) for part in soak)
    assert not any(part.burst for part in soak) and len(soak) == 60
    day = province.arrivals(argparse.Namespace(soak=False, soak_minutes=60, minutes=10))
    assert max(part.cases_per_s for part in day) == pytest.approx(3 * profile.PEAK_CASES_PER_S)

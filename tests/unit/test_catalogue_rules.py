from datetime import datetime

import pytest

from backend.catalogue.model import ItemSpec, MaterialSpec, item_problems, merge_materials
from backend.catalogue.search import Searchable, initials, rank
from backend.geo.hours import HoursError, is_open, parse_hours
from backend.geo.travel import Point, StraightLineEstimator, distance_m

pytestmark = pytest.mark.unit


def test_pinyin_initials():
    assert initials("出生一件事") == "csyjs"
    assert initials("居民身份证换领") == "jmsfzhl"


def test_ranking_puts_name_matches_before_keyword_matches():
    entries = [
        Searchable("a", "户口迁移", ["身份证", "户口"]),
        Searchable("b", "居民身份证换领", ["换证"]),
        Searchable("c", "居民身份证申领", ["办证"]),
        Searchable("d", "出生一件事", ["新生儿"]),
    ]
    assert [e.key for e in rank("身份证", entries)][:2] in (["b", "c"], ["c", "b"])
    assert [e.key for e in rank("身份证", entries)][2] == "a"
    assert [e.key for e in rank("csyjs", entries)] == ["d"]
    assert rank("zzzz", entries) == []
    assert len(rank("", entries)) == 4


def test_bundle_materials_merge_by_type():
    merged = merge_materials(
        [
            (
                "A",
                [
                    MaterialSpec(
                        "身份证",
                        "身份证复印件",
                        required=False,
                        original=False,
                        copies=1,
                        exempt_if_shared=True,
                    )
                ],
            ),
            (
                "B",
                [
                    MaterialSpec(
                        "身份证",
                        "身份证原件",
                        required=True,
                        original=True,
                        copies=0,
                        exempt_if_shared=False,
                    )
                ],
            ),
            ("B", [MaterialSpec("户口簿", "户口簿")]),
        ]
    )
    assert [m.type for m in merged] == ["身份证", "户口簿"]
    id_card = merged[0]
    assert id_card.required and id_card.original and id_card.copies == 1
    assert not id_card.exempt_if_shared
    assert id_card.item_codes == ("A", "B")


def test_item_rules_are_all_reported():
    spec = ItemSpec("X", "测试", "GA", "planet", ("fax",), True, False, 5, 10, delivery_methods=())
    problems = "；".join(item_problems(spec))
    for fragment in ("办理层级", "办理渠道", "送达方式", "承诺时限不能长于法定时限"):
        assert fragment in problems


def test_hours_parse_in_both_notations_and_reject_nonsense():
    assert parse_hours("周一至周五 08:30-12:00,13:30-17:00；周六 09:00-12:00")["6"] == [
        ["09:00", "12:00"]
    ]
    assert parse_hours("1-5 08:30-17:00; 6、7 09:00-11:30")["7"] == [["09:00", "11:30"]]
    assert parse_hours("全天")["3"] == [["00:00", "24:00"]]
    for bad in ("周八 08:00-09:00", "周一 9点-10点", "周一 12:00-08:00"):
        with pytest.raises(HoursError):
            parse_hours(bad)


def test_open_depends_on_the_calendar():
    hours = parse_hours("周一至周五 08:30-12:00,13:30-17:00")
    friday = datetime(2026, 10, 2, 10, 0)  # National Day, a Friday
    assert is_open(hours, datetime(2026, 10, 9, 10, 0), working_day=True, holiday=False)
    assert not is_open(hours, friday, working_day=False, holiday=True)
    assert is_open(
        hours, datetime(2026, 10, 10, 10, 0), working_day=True, holiday=False
    )  # make-up Saturday
    assert not is_open(
        hours, datetime(2026, 10, 17, 10, 0), working_day=False, holiday=False
    )  # plain Saturday
    assert is_open(parse_hours("全天"), friday, working_day=False, holiday=True)


def test_travel_minutes_rise_with_distance_and_mode():
    estimator = StraightLineEstimator()
    home = Point(30.22, 120.63)
    near, far = Point(30.23, 120.63), Point(30.30, 120.63)
    assert 1100 < distance_m(home, near) < 1120
    walk = estimator.travel(home, [near, far], "walk")
    car = estimator.travel(home, [near, far], "car")
    assert walk[0].minutes < walk[1].minutes
    assert car[1].minutes < walk[1].minutes
    assert estimator.travel(home, [home], "ebike")[0].minutes == 0

"""ID numbers (GB 11643): check digits, shape, birth dates, what is derived, masking."""

import datetime as dt
import random

import pytest

from backend.errors import InvalidInput
from backend.identity.idnumber import check_character, parse_id_number
from backend.identity.masking import mask_id_number, mask_phone
from tests.factories import make_id_number

pytestmark = pytest.mark.unit

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """Pure tests: no database."""


@pytest.mark.parametrize(
    ("number", "year", "sex"),
    [
        ("11010519491231002X", 1949, "female"),  # the standard's own example
        (make_id_number(birth="19800101", seq=3, male=True), 1980, "male"),
        (make_id_number(region="330109", birth="20000229", seq=7, male=False), 2000, "female"),
        (make_id_number(region="810000", birth="19991231", seq=1, male=True), 1999, "male"),
    ],
)
def test_valid_numbers_give_birth_year_and_sex(number: str, year: int, sex: str):
    parsed = parse_id_number(number, today=TODAY)
    assert parsed.value == number
    assert parsed.birth_year == year
    assert parsed.sex == sex


def test_check_character_follows_iso_7064_mod_11_2():
    assert check_character("11010519491231002") == "X"
    assert check_character("44052418800101001") == "4"


def test_lower_case_x_and_spaces_around_are_accepted_and_normalised():
    parsed = parse_id_number("  11010519491231002x ", today=TODAY)
    assert parsed.value == "11010519491231002X"


def test_the_check_digit_catches_every_single_digit_change():
    number = make_id_number(birth="19760415", seq=12)
    for position in range(17):
        for digit in "0123456789":
            if digit == number[position]:
                continue
            changed = number[:position] + digit + number[position + 1 :]
            try:
                parse_id_number(changed, today=TODAY)
            except InvalidInput:
                continue
            pytest.fail(f"a change at position {position} went unnoticed")


def test_a_wrong_check_digit_is_id_number_invalid_with_a_chinese_reason():
    number = make_id_number()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(InvalidInput) as error:
        parse_id_number(wrong, today=TODAY)
    assert error.value.code == "id_number_invalid"
    assert "校验位" in error.value.detail
    assert wrong not in error.value.detail


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("33010919800101001", "18 位"),  # 17 characters
        ("3301091980010100123", "18 位"),  # 19
        ("33010919800101001Y", "18 位"),
        ("X30109198001010011", "18 位"),
        ("", "18 位"),
        ("990109198001010010", "地区"),  # no such province
        ("000109198001010010", "地区"),
    ],
)
def test_shape_and_region_problems_are_named(raw: str, words: str):
    with pytest.raises(InvalidInput) as error:
        parse_id_number(raw, today=TODAY)
    assert error.value.code == "id_number_invalid"
    assert words in error.value.detail


@pytest.mark.parametrize("birth", ["19800230", "19810229", "19801301", "19800100", "18991231"])
def test_impossible_birth_dates_are_refused(birth: str):
    with pytest.raises(InvalidInput) as error:
        parse_id_number(make_id_number(birth=birth), today=TODAY)
    assert "出生日期" in error.value.detail


def test_a_birth_date_in_the_future_is_refused_today_is_not():
    tomorrow = (TODAY + dt.timedelta(days=1)).strftime("%Y%m%d")
    with pytest.raises(InvalidInput):
        parse_id_number(make_id_number(birth=tomorrow), today=TODAY)
    assert parse_id_number(make_id_number(birth=TODAY.strftime("%Y%m%d")), today=TODAY)


def test_random_valid_numbers_all_parse():
    rng = random.Random(11643)
    for _ in range(500):
        born = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(30000))
        number = make_id_number(
            region=rng.choice(["330109", "110105", "440304", "650102"]),
            birth=born.strftime("%Y%m%d"),
            seq=rng.randrange(500),
            male=rng.random() < 0.5,
        )
        assert parse_id_number(number, today=TODAY).birth_year == born.year


def test_masks_show_first_three_and_last_four():
    assert mask_id_number("330109198001010011") == "330***********0011"
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_phone("13812345678") == "138****5678"
    parsed = parse_id_number("11010519491231002X", today=TODAY)
    assert parsed.masked == "110***********002X"
    assert "19491231" not in repr(parsed)
    assert "11010519491231002X" not in repr(parsed)

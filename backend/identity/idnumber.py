"""Resident identity card numbers (公民身份号码, GB 11643-1999). Standard library only.

An 18-character number is a 6-digit region code, the 8-digit birth date, a 3-digit sequence
(odd for men, even for women) and a check character (ISO 7064 MOD 11-2, ``X`` standing for 10).
The birth date is read here and thrown away: only the birth year and sex are kept, since the date
together with the masked form (first 3 and last 4 characters) rebuilds most of the number.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final, Literal

from backend.errors import InvalidInput
from backend.identity import texts
from backend.identity.masking import mask_id_number

Sex = Literal["male", "female"]

_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK: Final = "10X98765432"
_SHAPE: Final = re.compile(r"\d{17}[\dX]")
EARLIEST_BIRTH: Final = dt.date(1900, 1, 1)

#: First two digits: the provinces of the mainland (GB/T 2260), 71 Taiwan, and 81/82/83 for the
#: residence permits of Hong Kong, Macao and Taiwan residents.
PROVINCES: Final = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)


@dataclass(frozen=True, slots=True)
class IdNumber:
    """A valid number (normalised: upper-case ``X``) and what may be kept of it besides."""

    value: str
    birth_year: int
    sex: Sex

    @property
    def masked(self) -> str:
        return mask_id_number(self.value)

    def __repr__(self) -> str:  # never the number itself in a log or a traceback
        return f"IdNumber({self.masked!r})"


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalise(raw: str) -> str:
    return raw.strip().upper()


def problem_with(raw: str, *, today: dt.date) -> str | None:
    """Why ``raw`` is not a valid 18-character number (Chinese, without the number), or None."""
    value = normalise(raw)
    if not _SHAPE.fullmatch(value):
        return texts.ID_SHAPE
    if int(value[:2]) not in PROVINCES:
        return texts.ID_REGION
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return texts.ID_BIRTH_DATE
    if born > today or born < EARLIEST_BIRTH:
        return texts.ID_BIRTH_DATE
    if check_character(value[:17]) != value[17]:
        return texts.ID_CHECK_DIGIT
    return None


def parse_id_number(raw: str, *, today: dt.date) -> IdNumber:
    """The number behind ``raw``; 422 ``id_number_invalid`` with a Chinese reason otherwise."""
    problem = problem_with(raw, today=today)
    if problem is not None:
        raise InvalidInput(problem, code="id_number_invalid")
    value = normalise(raw)
    return IdNumber(
        value=value,
        birth_year=int(value[6:10]),
        sex="male" if int(value[16]) % 2 == 1 else "female",
    )

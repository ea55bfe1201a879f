"""Resident identity card numbers (居民身份证号码, GB 11643-1999): check, mask, generate.

An 18-character number: a 6-digit region code, the birth date (YYYYMMDD), a 3-digit sequence
(odd for men, even for women) and a check character computed from the first 17 digits
(ISO 7064 MOD 11-2), 0-9 or X.
"""
from __future__ import annotations

import re
from datetime import date

from training_app.services.errors import N_, DomainError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
_PATTERN = re.compile(r"^\d{17}[\dX]$")


def check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def normalize(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def validate(value: str, *, today: date | None = None) -> str:
    """The number normalized (upper-case X), or ``DomainError`` saying what is wrong."""
    number = normalize(value)
    if not number:
        raise DomainError(N_("请填写身份证号。"))
    if not _PATTERN.match(number):
        raise DomainError(N_("身份证号应为18位（最后一位可以是X）：%(number)s"), number=number)
    born = birth_date(number)
    if born is None or born.year < 1900 or (today is not None and born > today):
        raise DomainError(N_("身份证号中的出生日期无效：%(number)s"), number=number)
    if check_character(number[:17]) != number[17]:
        raise DomainError(N_("身份证号校验码错误：%(number)s"), number=number)
    return number


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except DomainError:
        return False
    return True


def is_male(number: str) -> bool:
    return int(number[16]) % 2 == 1


def mask(number: str) -> str:
    """3701**********1234: the first 4 and the last 4 characters, the rest hidden."""
    number = number or ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def make(region: str, born: date, sequence: int) -> str:
    """A valid number (for demo data and tests): ``sequence`` 0-999, odd for men."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)

"""Japanese bank business days and the monthly pay date.

Bank holidays (zengin.md §4.1; 銀行法 第15条, 銀行法施行令 第5条1項): Saturdays, Sundays, 国民の祝日
(including 振替休日 and 国民の休日, as listed by ``jpholiday``) and 31 December – 3 January.
A 振込指定日 must be a bank business day (zengin.md §1.4 field 6). The pay date rule is PD18.
No clock is read here: every function takes its date explicitly.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

import jpholiday

__all__ = [
    "BENEFIT_MONTH_PATTERN",
    "is_bank_business_day",
    "next_bank_business_day",
    "parse_benefit_month",
    "pay_date",
    "previous_bank_business_day",
]

BENEFIT_MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
"""A benefit month is written ``YYYY-MM``."""

_YEAR_END_CLOSURE = frozenset({(12, 31), (1, 1), (1, 2), (1, 3)})
_ONE_DAY = timedelta(days=1)


def is_bank_business_day(day: date) -> bool:
    """True if banks are open on ``day`` (zengin.md §4.1).

    Closed: Saturday, Sunday, national holidays incl. 振替休日/国民の休日 (jpholiday), 12/31–1/3.
    1/2 and 1/3 are not national holidays, so the holiday library alone is not enough.
    """
    if day.weekday() >= 5:
        return False
    if (day.month, day.day) in _YEAR_END_CLOSURE:
        return False
    return not jpholiday.is_holiday(day)


def previous_bank_business_day(day: date) -> date:
    """The latest bank business day on or before ``day`` (PD18 moves pay dates backwards)."""
    while not is_bank_business_day(day):
        day -= _ONE_DAY
    return day


def next_bank_business_day(day: date) -> date:
    """The earliest bank business day on or after ``day``."""
    while not is_bank_business_day(day):
        day += _ONE_DAY
    return day


def parse_benefit_month(benefit_month: str) -> tuple[int, int]:
    """Parse ``'YYYY-MM'`` into (year, month); raise ``ValueError`` naming the input otherwise."""
    match = BENEFIT_MONTH_PATTERN.match(benefit_month)
    if match is None:
        raise ValueError(f"benefit_month {benefit_month!r} is not of the form YYYY-MM")
    return int(match.group(1)), int(match.group(2))


def pay_date(benefit_month: str, pay_day: int = 25) -> date:
    """Pay date of a benefit month (PD18).

    The ``pay_day`` (setting, default the 25th) of the benefit month, clamped to the month's
    length (``pay_day=31`` in February → the 28th/29th), then moved to the previous bank business
    day if banks are closed that day.
    """
    year, month = parse_benefit_month(benefit_month)
    if isinstance(pay_day, bool) or not isinstance(pay_day, int) or not 1 <= pay_day <= 31:
        raise ValueError(f"pay_day {pay_day!r} must be an integer from 1 to 31")
    last_day = calendar.monthrange(year, month)[1]
    return previous_bank_business_day(date(year, month, min(pay_day, last_day)))

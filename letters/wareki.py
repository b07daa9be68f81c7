"""和暦 (Japanese era) dates for letters.

The eras are data (``letters/eras.csv``: start date, era name), so a new era is a one-line change.
A date on an era's start day belongs to the new era (平成元年1月8日, 令和元年5月1日); the first year
of an era is written 元年.

Only dates from 1873-01-01 (明治6年1月1日) are supported: Japan adopted the Gregorian calendar on
that day (明治5年太政官布告第337号), so earlier Gregorian dates have no simple 和暦 equivalent.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

GREGORIAN_ADOPTED_ON = date(1873, 1, 1)

_MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
_WAREKI_PATTERN = re.compile(r"^(?P<era>\D+?)(?P<year>元|\d+)年(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})日)?$")


@dataclass(frozen=True, slots=True)
class Era:
    """One era (元号) and the Gregorian date of its first day."""

    start_date: date
    name: str


@cache
def eras() -> tuple[Era, ...]:
    """The eras of ``eras.csv``, oldest first (validated: strictly increasing start dates)."""
    text = resources.files("letters").joinpath("eras.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    loaded = tuple(Era(date.fromisoformat(row["start_date"]), row["name"].strip()) for row in rows)
    if not loaded:
        raise ValueError("eras.csv has no eras")
    for earlier, later in zip(loaded, loaded[1:], strict=False):
        if later.start_date <= earlier.start_date:
            raise ValueError(f"eras.csv is not in date order: {earlier} then {later}")
    return loaded


def era_of(d: date) -> tuple[Era, int]:
    """The era containing ``d`` and the year number within it (1 = 元年)."""
    if d < GREGORIAN_ADOPTED_ON:
        raise ValueError(f"和暦 is only supported from {GREGORIAN_ADOPTED_ON.isoformat()}: {d.isoformat()}")
    for era in reversed(eras()):
        if d >= era.start_date:
            return era, d.year - era.start_date.year + 1
    raise ValueError(f"no era for {d.isoformat()}")  # pragma: no cover - guarded above


def _year_text(year: int) -> str:
    return "元" if year == 1 else str(year)


def to_wareki(d: date) -> str:
    """``date(2026, 11, 27)`` → ``'令和8年11月27日'``; ``date(2019, 5, 1)`` → ``'令和元年5月1日'``."""
    era, year = era_of(d)
    return f"{era.name}{_year_text(year)}年{d.month}月{d.day}日"


def parse_month(month: str) -> tuple[int, int]:
    """``'2025-05'`` → ``(2025, 5)``; anything else is a ``ValueError``."""
    match = _MONTH_PATTERN.match(month)
    if match is None:
        raise ValueError(f"not a YYYY-MM month: {month!r}")
    year, month_number = int(match.group(1)), int(match.group(2))
    if not 1 <= month_number <= 12:
        raise ValueError(f"not a YYYY-MM month: {month!r}")
    return year, month_number


def wareki_month(month: str) -> str:
    """``'2025-05'`` → ``'令和7年5月'``.

    The era is that of the month's first day, so ``'1989-01'`` is 昭和64年1月 and ``'2019-05'`` is
    令和元年5月.
    """
    year, month_number = parse_month(month)
    era, era_year = era_of(date(year, month_number, 1))
    return f"{era.name}{_year_text(era_year)}年{month_number}月"


def parse_wareki(text: str) -> date:
    """Inverse of :func:`to_wareki`: ``'令和元年5月1日'`` → ``date(2019, 5, 1)``.

    Raises ``ValueError`` for an unknown era or a date outside its era (``'平成31年5月1日'``).
    """
    match = _WAREKI_PATTERN.match(text)
    if match is None or match.group("day") is None:
        raise ValueError(f"not a 和暦 date: {text!r}")
    by_name = {era.name: index for index, era in enumerate(eras())}
    index = by_name.get(match.group("era"))
    if index is None:
        raise ValueError(f"unknown era in {text!r}")
    era = eras()[index]
    year_text = match.group("year")
    era_year = 1 if year_text == "元" else int(year_text)
    if era_year < 1:
        raise ValueError(f"not a 和暦 date: {text!r}")
    result = date(era.start_date.year + era_year - 1, int(match.group("month")), int(match.group("day")))
    if era_of(result)[0] != era:
        raise ValueError(f"{text!r} is outside the era {era.name}")
    return result

"""Builds the pure OfficeCalendar from jpholiday (national holidays, substitute holidays and
国民の休日), for the years the service can meet."""

from __future__ import annotations

from functools import lru_cache

import jpholiday

from calculations.calendar import OfficeCalendar

FIRST_YEAR = 2015
LAST_YEAR = 2045


@lru_cache(maxsize=1)
def office_calendar() -> OfficeCalendar:
    """The municipal office calendar (PD6) for FIRST_YEAR..LAST_YEAR."""
    holidays = frozenset(
        day for year in range(FIRST_YEAR, LAST_YEAR + 1) for day, _name in jpholiday.year_holidays(year)
    )
    return OfficeCalendar(holidays=holidays)

"""Builds the pure OfficeCalendar from jpholiday (national holidays, substitute holidays and
国民の休日), for the years the service can meet."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache

import jpholiday

from calculations.calendar import OfficeCalendar

#: The office's time zone: dates on letters and deadlines are Japanese calendar days.
JST = timezone(timedelta(hours=9), "JST")
FIRST_YEAR = 2015
LAST_YEAR = 2045


@lru_cache(maxsize=1)
def office_calendar() -> OfficeCalendar:
    """The municipal office calendar (PD6) for FIRST_YEAR..LAST_YEAR."""
    holidays = frozenset(
        day for year in range(FIRST_YEAR, LAST_YEAR + 1) for day, _name in jpholiday.year_holidays(year)
    )
    return OfficeCalendar(holidays=holidays)


def office_date(moment: datetime) -> date:
    """The office's calendar day of a stored moment (SQLite hands back naive UTC datetimes)."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(JST).date()

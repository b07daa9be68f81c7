"""The municipal office's calendar (PD6): closed on Saturdays, Sundays, national holidays and
29 December – 3 January. Holidays are passed in (the shell builds them from jpholiday), so this
module stays pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta


def is_year_end_closure(day: date) -> bool:
    """29 Dec – 3 Jan, the closing days of municipal offices (地方自治法 第4条の2; PD6)."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


@dataclass(frozen=True, slots=True)
class OfficeCalendar:
    """Days the municipal office is closed. ``holidays`` are national holidays, including
    substitute holidays and 国民の休日, for every year the caller needs."""

    holidays: frozenset[date] = field(default_factory=frozenset)

    def is_closed(self, day: date) -> bool:
        return day.weekday() >= 5 or day in self.holidays or is_year_end_closure(day)

    def last_open_day_on_or_before(self, day: date) -> date:
        """The day itself if the office is open, else the last open day before it (PD6)."""
        while self.is_closed(day):
            day -= timedelta(days=1)
        return day

"""Months, periods and deadlines of the rent subsidy (R37–R43, PD5–PD7).

Months are ``YYYY-MM`` strings at the boundary and ``(year, month)`` arithmetic inside.
"""

from __future__ import annotations

import calendar as _calendar
from datetime import date

from calculations.calendar import OfficeCalendar


def parse_month(month: str) -> tuple[int, int]:
    """``'2025-05'`` → ``(2025, 5)``; raises ValueError for anything else."""
    if len(month) != 7 or month[4] != "-":
        raise ValueError(f"not a YYYY-MM month: {month!r}")
    year, mon = int(month[:4]), int(month[5:])
    if not 1 <= mon <= 12 or year < 1:
        raise ValueError(f"not a YYYY-MM month: {month!r}")
    return year, mon


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def add_months(month: str, count: int) -> str:
    year, mon = parse_month(month)
    index = year * 12 + (mon - 1) + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(first: str, last: str) -> int:
    """Number of months from ``first`` to ``last`` (0 when equal, negative when before)."""
    y1, m1 = parse_month(first)
    y2, m2 = parse_month(last)
    return (y2 * 12 + m2) - (y1 * 12 + m1)


def period_months(first_month: str, count: int = 3) -> list[str]:
    """The benefit months of one period (R37: 3 months)."""
    return [add_months(first_month, i) for i in range(count)]


def first_day(month: str) -> date:
    year, mon = parse_month(month)
    return date(year, mon, 1)


def last_day(month: str) -> date:
    year, mon = parse_month(month)
    return date(year, mon, _calendar.monthrange(year, mon)[1])


def first_benefit_month(
    *, applicant_type: str, application_date: date, lease_initial_costs_paid_on: date | None
) -> str:
    """First month paid (R43, PD5).

    住居喪失のおそれのある者 (at_risk): the month of the application date. 住居喪失者 (homeless): the
    month after the month in which the new lease's initial costs were paid.
    """
    if applicant_type == "homeless":
        if lease_initial_costs_paid_on is None:
            raise ValueError("a homeless applicant needs lease_initial_costs_paid_on (PD5)")
        return add_months(month_of(lease_initial_costs_paid_on), 1)
    return month_of(application_date)


def extension_deadline(last_month: str, office_calendar: OfficeCalendar) -> date:
    """Last day to apply for an extension (R40, PD6): the last day of the period's final month,
    or the last day before it on which the office is open. A later application is refused."""
    return office_calendar.last_open_day_on_or_before(last_day(last_month))


def housing_report_days_late(moved_in_on: date, received_on: date, within_days: int) -> tuple[date, int]:
    """R44 [M]: a homeless applicant's 住居確保報告書 is due ``within_days`` after moving in (S30: 7;
    E15: moved in 2025-06-20 → due 2025-06-27). Returns (due date, days late, 0 when on time).
    A report received before moving in is impossible: ValueError."""
    if received_on < moved_in_on:
        raise ValueError(f"the report was received on {received_on}, before moving in on {moved_in_on}")
    due_on = date.fromordinal(moved_in_on.toordinal() + within_days)
    return due_on, max((received_on - due_on).days, 0)

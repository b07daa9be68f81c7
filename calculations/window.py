"""The 2-year window after job loss or business closure (R18, PD11), by 民法 第140条・第143条."""

from __future__ import annotations

import calendar as _calendar
from datetime import date, timedelta
from functools import lru_cache


def period_last_day(start_day: date, years: int) -> date:
    """Last day of a period of ``years`` years that starts on ``start_day`` (起算日).

    民法143条②: the period ends on the day before the day corresponding to the start day; if that
    year has no corresponding day (起算日 29 Feb), it ends on the last day of that month.
    """
    target_year = start_day.year + years
    last_of_month = _calendar.monthrange(target_year, start_day.month)[1]
    if start_day.day > last_of_month:
        return date(target_year, start_day.month, last_of_month)
    return date(target_year, start_day.month, start_day.day) - timedelta(days=1)


@lru_cache(maxsize=4096)
def job_loss_window_last_day(
    *, loss_date: date, blocked_days: int, window_years: int, max_years: int
) -> date:
    """Last application day of the window (R18, PD11).

    The period starts the day after the job loss (民法140条, 初日不算入). ``blocked_days`` (the total
    of periods of 30+ consecutive days in which job search was impossible) extends the last day,
    never beyond the last day of the ``max_years`` period.
    """
    start_day = loss_date + timedelta(days=1)
    base = period_last_day(start_day, window_years)
    ceiling = period_last_day(start_day, max_years)
    if blocked_days >= (ceiling - base).days:  # also keeps absurd day counts clear of date overflow
        return ceiling
    return base + timedelta(days=blocked_days)

"""Monthly job-search obligations during receipt (R48–R52)."""

from __future__ import annotations

import calendar as _calendar
from datetime import date
from typing import Any

from calculations.periods import add_months, first_day, parse_month
from calculations.rate_book import RateBook, load_rate_book


def required_employer_applications(month: str, weekly_minimum: int) -> int:
    """R48c: in principle one application or interview a week, counted as ⌊days in month ÷ 7⌋
    weeks (4 for every month)."""
    year, mon = parse_month(month)
    return weekly_minimum * (_calendar.monthrange(year, mon)[1] // 7)


def check_month(*, month: str, interviews: int, hello_work_consultations: int, employer_applications: int,
                rates: RateBook | None = None) -> list[dict[str, Any]]:
    """Reasons a month's activity is short of the minimums (R48): ≥ 4 interviews with the
    自立相談支援機関, ≥ 2 Hello Work consultations, ≥ 1 employer application a week. Empty when
    compliant. A short month only ever *proposes* a stop (R52, PD16)."""
    book = rates or load_rate_book()
    as_of = first_day(month)
    minimums = [
        ("interviews", interviews, book.parameter("monthly_interviews_min", as_of), "R48",
         "自立相談支援機関との面談等"),
        ("hello_work_consultations", hello_work_consultations, book.parameter("monthly_hello_work_min", as_of),
         "R48", "ハローワークでの職業相談"),
        ("employer_applications", employer_applications,
         required_employer_applications(month, book.parameter("weekly_employer_applications_min", as_of)), "R48",
         "企業等への応募・面接"),
    ]
    reasons = []
    for field, count, minimum, rule, label in minimums:
        if count < minimum:
            reasons.append({"rule": rule, "code": f"too_few_{field}", "field": field, "count": count,
                            "minimum": minimum, "message": f"{label}が{count}回（必要 {minimum}回以上）です。"})
    return reasons


def monthly_report_due_on(month: str, due_day: int) -> date:
    """PD29, R51: the report for benefit month ``month`` is due on ``due_day`` of the following month
    (2025-05, 10 → 2025-06-10)."""
    following = add_months(month, 1)
    return first_day(following).replace(day=due_day)


def report_overdue(month: str, grant_first_month: str, today: date, due_day: int) -> bool:
    """PD29: a missing report may lead to a stop proposal only once it is overdue (after its due day),
    never for the current month or the grant's first month."""
    if month == grant_first_month or month >= f"{today.year:04d}-{today.month:02d}":
        return False
    return today > monthly_report_due_on(month, due_day)

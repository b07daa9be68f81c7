"""The shell's single door to the rules engine (``calculations``) and the office calendar.

It binds the engine to the shipped rate tables and the jpholiday calendar and turns the engine's
input errors into 4xx answers; nothing here re-implements a rule.
"""

from __future__ import annotations

import functools
import subprocess
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

from calculations.changes import change_effective_month as _change_effective_month
from calculations.compliance import check_month as _check_month
from calculations.compliance import report_overdue as _report_overdue
from calculations.contract import assess_payload
from calculations.errors import InvalidInput
from calculations.periods import add_months as _add_months
from calculations.periods import extension_deadline as _extension_deadline
from calculations.periods import first_day as _first_day
from calculations.periods import housing_report_days_late as _housing_report_days_late
from calculations.rate_book import RateBook, load_rate_book
from calculations.stops import STOP_EVIDENCE, StopCause
from calculations.stops import first_unpaid_month as _first_unpaid_month
from calculations.stops import repayment_for_stop as _repayment_for_stop
from service.calendar import office_calendar
from service.errors import InvalidRequest


def rate_book() -> RateBook:
    return load_rate_book()


@functools.lru_cache(maxsize=1)
def first_rate_month() -> str:
    """The first month every shipped rate table covers (YYYY-MM): months before it cannot be computed.

    The latest first ``valid_from`` over the 基準額's 均等割 lines (R11, PD25) and the ceiling tables
    (R10, PD14); the asset limit (R13) follows B."""
    book = rate_book()
    starts = [lines[0].valid_from for lines in book.exemption_lines.values() if lines]
    starts += [series.starts[0] for table in (book.city_ceilings, book.prefecture_ceilings)
               for series in table.values() if series.starts]
    return max(starts).strftime("%Y-%m")


#: The last month a request may name (the tables are open-ended; beyond this is a typing error).
LAST_REQUEST_MONTH = "2099-12"


def month_in_rate_tables(month: str) -> bool:
    """A YYYY-MM within the months the rate tables cover (issue 12: 0000-01 or 2020-01 is a 422)."""
    return first_rate_month() <= month <= LAST_REQUEST_MONTH


def assess(facts: dict[str, Any], *, purpose: str = "initial") -> dict[str, Any]:
    """``assess_payload`` of contracts.md §1; bad input becomes a 422 naming the field."""
    try:
        return assess_payload(facts, rate_book(), office_calendar(), purpose=purpose)
    except InvalidInput as exc:
        raise InvalidRequest(exc.message, code=exc.code, field=exc.field) from exc


def housing_report_timing(municipality_code: str, moved_in_on: date, received_on: date) -> tuple[int, date, int]:
    """R44 [M]: the municipality's days for the 住居確保報告書, its due date and the days late."""
    within = rate_book().settings(municipality_code).housing_report_within_days
    try:
        due_on, late = _housing_report_days_late(moved_in_on, received_on, within)
    except ValueError as exc:
        raise InvalidRequest(str(exc), field="facts_update.moved_in_on") from exc
    return within, due_on, late


@dataclass(frozen=True, slots=True)
class PeriodRules:
    """The grant clock's dated parameters (R37, R38, PD7) in force in a month."""

    period_months: int
    """Months of one decision (R37)."""
    max_months: int
    """Months one receipt can pay at most (R38)."""

    @property
    def max_extensions(self) -> int:
        """Extensions after the first period that stay within ``max_months`` (PD7: 3 + 3 + 3 → 2)."""
        return self.max_months // self.period_months - 1


def period_rules(month: str) -> PeriodRules:
    """The parameters in force on the first day of ``month`` (YYYY-MM): a grant uses its first month's."""
    book, day = rate_book(), _first_day(month)
    return PeriodRules(period_months=book.parameter("period_months", day),
                       max_months=book.parameter("max_benefit_months", day))


def rates_version() -> str:
    return rate_book().version


def add_months(month: str, n: int) -> str:
    return _add_months(month, n)


def extension_deadline(last_month: str) -> date:
    """PD6 on the municipal office's calendar."""
    return _extension_deadline(last_month, office_calendar())


def stop_cause(value: str) -> StopCause:
    try:
        return StopCause(value)
    except ValueError as exc:
        allowed = ", ".join(c.value for c in StopCause)
        raise InvalidRequest(f"unknown stop cause {value!r}; one of {allowed}", field="cause") from exc


def stop_causes() -> list[str]:
    return [c.value for c in StopCause]


def first_unpaid_month(cause: str, event_date: date, grant_first_month: str,
                       municipality_code: str | None = None) -> str:
    """PD8 with the municipality's setting per cause."""
    settings = rate_book().settings(municipality_code) if municipality_code else None
    return _first_unpaid_month(stop_cause(cause), event_date, grant_first_month, settings=settings)


def repayment_for_stop(paid_yen_by_month: dict[str, int], first_unpaid: str) -> tuple[list[str], int]:
    months, total = _repayment_for_stop(paid_yen_by_month, first_unpaid)
    return list(months), total


def stop_evidence(cause: str) -> list[str]:
    return list(STOP_EVIDENCE[stop_cause(cause)])


def check_month(*, month: str, interviews: int, hello_work_consultations: int,
                employer_applications: int) -> list[dict[str, Any]]:
    return _check_month(month=month, interviews=interviews, hello_work_consultations=hello_work_consultations,
                        employer_applications=employer_applications, rates=rate_book())


def report_overdue(municipality_code: str | None, month: str, grant_first_month: str, today: date) -> bool:
    """PD29 with the municipality's ``monthly_report_due_day``."""
    settings = rate_book().settings(municipality_code) if municipality_code else rate_book().default_settings
    return _report_overdue(month, grant_first_month, today, settings.monthly_report_due_day)


def change_effective_month(municipality_code: str, accepted_on: date) -> str:
    """PD10 with the municipality's setting."""
    return _change_effective_month(accepted_on, rate_book().settings(municipality_code))


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """The deployed code: git commit when available, else the package version."""
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5, check=False
        )
        if out.returncode == 0 and out.stdout.strip():
            return "git:" + out.stdout.strip()
    except OSError:
        pass
    try:
        return "housing-benefit " + metadata.version("housing-benefit")
    except metadata.PackageNotFoundError:
        return "unknown"

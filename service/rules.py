"""The shell's single door to the rules engine (``calculations``) and the office calendar.

Imports are lazy so that the service starts (and answers 503-free errors) even while a part of the
core is being replaced; nothing here re-implements a rule.
"""

from __future__ import annotations

import functools
import inspect
import subprocess
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

from service.errors import InvalidRequest


def rate_book() -> Any:
    from calculations.rate_book import load_rate_book

    return load_rate_book()


@functools.lru_cache(maxsize=1)
def calendar() -> Any:
    from service import calendar as calendar_module

    obj: Any = calendar_module.office_calendar
    if inspect.isfunction(obj) or isinstance(obj, functools._lru_cache_wrapper):
        return obj()
    return obj


def assess(facts: dict[str, Any], *, purpose: str = "initial") -> dict[str, Any]:
    """``assess_payload`` of contracts.md §1; bad input becomes a 422 naming the field."""
    from calculations.contract import assess_payload
    from calculations.errors import InvalidInput

    try:
        result: dict[str, Any] = assess_payload(facts, rate_book(), calendar(), purpose=purpose)
    except InvalidInput as exc:
        raise InvalidRequest(
            str(getattr(exc, "message", exc)),
            code=str(getattr(exc, "code", "invalid_input")),
            field=getattr(exc, "field", None),
        ) from exc
    return result


def rates_version() -> str:
    return str(rate_book().version)


def add_months(month: str, n: int) -> str:
    from calculations.periods import add_months as _add

    return str(_add(month, n))


def extension_deadline(last_month: str) -> date:
    from calculations.periods import extension_deadline as _deadline

    result: date = _deadline(last_month, calendar())
    return result


def stop_cause(value: str) -> Any:
    from calculations.stops import StopCause

    try:
        return StopCause(value)
    except ValueError as exc:
        allowed = ", ".join(str(c.value) for c in StopCause)
        raise InvalidRequest(f"unknown stop cause {value!r}; one of {allowed}", field="cause") from exc


def stop_causes() -> list[str]:
    from calculations.stops import StopCause

    return [str(c.value) for c in StopCause]


def first_unpaid_month(cause: str, event_date: date, grant_first_month: str,
                       municipality_code: str | None = None) -> str:
    from calculations.stops import first_unpaid_month as _first

    settings = rate_book().settings(municipality_code) if municipality_code else None
    return str(_first(stop_cause(cause), event_date, grant_first_month, settings=settings))


def repayment_for_stop(paid_yen_by_month: dict[str, int], first_unpaid: str) -> tuple[list[str], int]:
    from calculations.stops import repayment_for_stop as _repay

    months, total = _repay(paid_yen_by_month, first_unpaid)
    return list(months), int(total)


def stop_evidence(cause: str) -> list[str]:
    from calculations.stops import STOP_EVIDENCE

    return [str(kind) for kind in STOP_EVIDENCE[stop_cause(cause)]]


def check_month(*, month: str, interviews: int, hello_work_consultations: int,
                employer_applications: int) -> list[dict[str, Any]]:
    from calculations.compliance import check_month as _check

    reasons: list[dict[str, Any]] = _check(
        month=month,
        interviews=interviews,
        hello_work_consultations=hello_work_consultations,
        employer_applications=employer_applications,
    )
    return reasons


def change_effective_month(municipality_code: str, accepted_on: date) -> str:
    """PD10: a change takes effect from the month after acceptance unless the setting says otherwise."""
    month = accepted_on.strftime("%Y-%m")
    setting = rate_book().settings(municipality_code).change_effective
    return month if setting == "acceptance_month" else add_months(month, 1)


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

"""Builders of contract inputs (contracts.md §1) with keyword defaults, for tests and benchmarks."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any


def member(relationship: str = "applicant", birth_date: str = "1985-04-01", student: bool = False,
           incomes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"relationship": relationship, "birth_date": birth_date, "student": student, "incomes": incomes or []}


def wages(amount_yen: int, commuting_allowance_yen: int | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"kind": "wages", "amount_yen": amount_yen}
    if commuting_allowance_yen is not None:
        item["commuting_allowance_yen"] = commuting_allowance_yen
    return item


def income(kind: str, amount_yen: int) -> dict[str, Any]:
    return {"kind": kind, "amount_yen": amount_yen}


def household_of(size: int, income_yen: int = 0) -> list[dict[str, Any]]:
    """The applicant earning ``income_yen`` in wages, plus ``size - 1`` members without income."""
    applicant = member(incomes=[wages(income_yen)] if income_yen else [])
    return [applicant] + [member("child", "2015-01-01") for _ in range(size - 1)]


def rent_case(**overrides: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "benefit": "rent",
        "municipality_code": "131016",
        "application_date": "2025-05-12",
        "household": household_of(1),
        "assets_yen": 300000,
        "declarations": {"hello_work_registered": True, "similar_benefit": False, "gang_member_in_household": False},
        "applicant_type": "at_risk",
        "rent_yen": 50000,
        "common_charges_yen": 0,
        "lease_initial_costs_paid_on": None,
        "trigger": {"kind": "job_loss", "date": "2025-03-31", "cause": "dismissal", "main_earner": True,
                    "job_search_blocked_days": 0},
        "previous_receipt": None,
    }
    return _merge(case, overrides)


def moving_case(**overrides: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "benefit": "moving",
        "municipality_code": "131016",
        "application_date": "2025-05-12",
        "household": household_of(1),
        "assets_yen": 300000,
        "declarations": {"hello_work_registered": False, "similar_benefit": False, "gang_member_in_household": False},
        "current_rent_yen": 80000,
        "destination": {"municipality_code": "131041"},
        "income_drop": {"month": "2025-01", "cause": "job_loss", "main_earner": True},
        "household_finance_review": {"move_needed": True, "cannot_fund": True},
        "costs": [{"category": "key_money", "amount_yen": 50000}, {"category": "removal", "amount_yen": 40000}],
    }
    return _merge(case, overrides)


MERGED_KEYS = {"declarations", "trigger", "income_drop", "household_finance_review"}


def _merge(case: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(case)
    for key, value in overrides.items():
        if key in MERGED_KEYS and isinstance(value, dict):
            result[key] = {**result[key], **value}
        else:
            result[key] = value
    return result


def with_setting(rates: Any, code: str, **changes: Any) -> Any:
    """A RateBook whose municipality ``code`` has the given settings changed."""
    settings = dataclasses.replace(rates.settings(code), **changes)
    return dataclasses.replace(rates, municipality_settings={**rates.municipality_settings, code: settings})

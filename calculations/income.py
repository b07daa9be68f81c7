"""Household income of the application month (R26–R31, PD3, PD4)."""

from __future__ import annotations

from datetime import date

from calculations.facts import Income, Member
from calculations.rate_book import MunicipalitySettings
from calculations.results import Trace

INCOME_RULE = {
    "wages": "R27",
    "self_employment": "R28",
    "pension": "R29",
    "unemployment_benefit": "R29",
    "other_regular": "R29",
}


def age_on(birth_date: date, on: date) -> int:
    """Completed years on ``on``; a birthday counts from the day itself (PD4)."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - (1 if before_birthday else 0)


def item_amount_yen(item: Income) -> int:
    """The countable amount of one item: wages minus commuting allowance (R27), self-employment
    revenue minus expenses with a floor of 0 (R28), other kinds gross (R29)."""
    if item.kind == "wages":
        return item.amount_yen - item.commuting_allowance_yen
    if item.kind == "self_employment":
        return max(item.amount_yen - item.expenses_yen, 0)
    return item.amount_yen


def is_excluded_student(index: int, member: Member, application_date: date, max_age: int) -> bool:
    """PD4 / R30: a non-applicant student aged ``max_age`` or younger on the application date."""
    return index > 0 and member.student and age_on(member.birth_date, application_date) <= max_age


def household_income_yen(
    household: tuple[Member, ...], application_date: date, settings: MunicipalitySettings,
    student_max_age: int, trace: Trace,
) -> int:
    """Sum of the counted items of every member (R26); each item is traced as counted or excluded."""
    total = 0
    for index, member in enumerate(household):
        student_excluded = settings.exclude_student_income and is_excluded_student(
            index, member, application_date, student_max_age)
        for item in member.incomes:
            amount = item_amount_yen(item)
            if student_excluded:
                trace.add("income_excluded", amount, "R30", member=index, kind=item.kind, note="student_income")
            elif item.kind not in settings.counted_income_kinds:
                trace.add("income_excluded", amount, "PD3", member=index, kind=item.kind, note="kind_not_counted")
            else:
                trace.add("income_counted", amount, INCOME_RULE.get(item.kind, "R29"), member=index, kind=item.kind)
                total += amount
    trace.add("household_income_yen", total, "R26")
    return total

"""Fuzzing the assess contract (contracts.md §1): whatever one changes in a valid input, the answer is a
result or an input error naming a field (exit 2 / HTTP 422), never a crash."""

from __future__ import annotations

from typing import Any

from factories import moving_case, rent_case
from fuzzing import JSON_VALUES, mutate, paths
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculations.contract import assess_payload
from calculations.errors import InvalidInput
from service.calendar import office_calendar
from service.rules import rate_book

BASES = [rent_case(), moving_case()]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from(BASES), data=st.data(), action=st.sampled_from(["replace", "delete", "add"]),
       value=JSON_VALUES)
def test_any_one_change_gives_a_result_or_an_error_naming_a_field(base: dict[str, Any], data: st.DataObject,
                                                                  action: str, value: Any) -> None:
    path = data.draw(st.sampled_from(paths(base)))
    payload = mutate(base, path, action, value)
    try:
        output = assess_payload(payload, rate_book(), office_calendar())
    except InvalidInput as error:
        assert error.field and error.code and error.message
        return
    assert isinstance(output["eligible"], bool)
    assert isinstance(output["amount_yen"], int) and output["amount_yen"] >= 0
    assert output["eligible"] == (not output["reasons"])


@settings(max_examples=200, deadline=None)
@given(payload=JSON_VALUES)
def test_any_json_document_gives_a_result_or_an_error(payload: Any) -> None:
    try:
        assess_payload(payload, rate_book(), office_calendar())
    except InvalidInput as error:
        assert error.field is not None and error.code


def test_dates_and_months_take_ascii_digits_only() -> None:
    """２０２５ (full-width) is not a year of the contract: the field is named, nothing is guessed."""
    import pytest
    from factories import moving_case

    case = rent_case(application_date="２０２５-05-12")
    with pytest.raises(InvalidInput) as error:
        assess_payload(case, rate_book(), office_calendar())
    assert error.value.field == "application_date"
    moving = moving_case()
    moving["income_drop"] = {**moving["income_drop"], "month": "２０２５-01"}
    with pytest.raises(InvalidInput) as error:
        assess_payload(moving, rate_book(), office_calendar())
    assert error.value.field == "income_drop.month"


def test_a_huge_count_of_blocked_days_stops_at_the_four_year_cap() -> None:
    """Found by the fuzzing above: 2,911,989 days overflowed the date. PD11 caps the window at 4 years,
    so any count past the cap answers as the cap does."""
    def with_days(days: int, application_date: str) -> dict[str, Any]:
        case = rent_case(application_date=application_date)
        case["trigger"] = {**case["trigger"], "date": "2023-03-31", "job_search_blocked_days": days}
        return assess_payload(case, rate_book(), office_calendar())

    for application_date, out_of_window in (("2027-03-31", False), ("2027-04-01", True)):
        huge, at_cap = with_days(10**9, application_date), with_days(731, application_date)
        assert huge == at_cap
        assert any(r["rule"] == "R18" for r in huge["reasons"]) == out_of_window, huge["reasons"]

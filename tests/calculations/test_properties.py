"""Property tests (hypothesis) of the amounts: R32, R74, R78, PD13."""

from __future__ import annotations

from typing import Any

from factories import household_of, moving_case, rent_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculations.contract import assess_payload
from calculations.rate_book import load_rate_book
from service.calendar import office_calendar

RATES = load_rate_book()
CALENDAR = office_calendar()
MUNICIPALITIES = st.sampled_from(["131016", "131237", "141003", "011002", "402109"])
yen = st.integers(min_value=0, max_value=600_000)


def run(payload: dict[str, Any]) -> dict[str, Any]:
    return assess_payload(payload, RATES, CALENDAR)


rent_inputs = st.fixed_dictionaries({
    "code": MUNICIPALITIES, "size": st.integers(1, 6), "rent": yen, "income": yen,
    "assets": st.integers(0, 1_200_000), "hello_work": st.booleans(), "main_earner": st.booleans(),
})


def rent_payload(x: dict[str, Any], income: int | None = None) -> dict[str, Any]:
    return rent_case(municipality_code=x["code"], household=household_of(x["size"], x["income"] if income is None
                                                                          else income),
                     rent_yen=x["rent"], assets_yen=x["assets"],
                     declarations={"hello_work_registered": x["hello_work"]},
                     trigger={"main_earner": x["main_earner"]})


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(rent_inputs)
def test_rent_amount_is_between_zero_and_the_ceiling_and_zero_exactly_when_ineligible(x: dict[str, Any]) -> None:
    result = run(rent_payload(x))
    assert 0 <= result["amount_yen"] <= result["rent_ceiling_yen"]
    assert result["amount_yen"] <= x["rent"]
    assert (result["amount_yen"] == 0) is (not result["eligible"])
    assert result["eligible"] is (result["reasons"] == [])


@settings(max_examples=300)
@given(rent_inputs, st.integers(0, 300_000))
def test_rent_amount_never_increases_when_income_rises(x: dict[str, Any], raise_yen: int) -> None:
    lower = run(rent_payload(x))
    higher = run(rent_payload(x, income=x["income"] + raise_yen))
    assert higher["amount_yen"] <= lower["amount_yen"]


categories = st.sampled_from(["key_money", "agency_fee", "rent_guarantee_fee", "home_insurance", "removal",
                              "cleaning", "key_replacement", "deposit", "advance_rent", "furniture", "other"])


@settings(max_examples=300)
@given(MUNICIPALITIES, st.integers(1, 6), st.lists(st.tuples(categories, yen), max_size=8), yen,
       st.sampled_from(["131041", "132012", "011011", "402109", "472018", "012025"]))
def test_moving_amount_never_exceeds_cap_or_eligible_costs(code: str, size: int, costs: list[tuple[str, int]],
                                                           income: int, destination: str) -> None:
    result = run(moving_case(municipality_code=code, household=household_of(size, income),
                             costs=[{"category": c, "amount_yen": a} for c, a in costs],
                             destination={"municipality_code": destination}))
    assert 0 <= result["amount_yen"] <= result["cost_cap_yen"]
    assert result["amount_yen"] <= result["eligible_costs_yen"]
    assert (result["amount_yen"] == 0) is (not result["eligible"])
    assert result["eligible"] is (result["reasons"] == [])
    allocation = result["allocation"]
    assert allocation["agent_yen"] + allocation["other_yen"] == result["amount_yen"]

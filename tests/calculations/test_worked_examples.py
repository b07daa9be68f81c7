"""rules.md §20 worked examples E1–E22 that decisions.md settles, with intermediate values."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from factories import household_of, income, member, moving_case, rent_case, wages, with_setting

from calculations.periods import extension_deadline
from calculations.stops import StopCause, first_unpaid_month


def step(result: dict[str, Any], name: str) -> Any:
    values = [s["value"] for s in result["trace"] if s["step"] == name]
    assert len(values) == 1, f"{name}: {values}"
    return values[0]


RENT_EXAMPLES = [
    # id, municipality, size, rent, income, expected: (T, amount, amount_before_cap or None)
    ("E1 full payment", "131016", 1, 50000, 0, 134000, 50000, None),
    ("E2 rent above cap", "131016", 1, 70000, 0, 137700, 53700, None),
    ("E3 partial payment", "131016", 1, 60000, 100000, 137700, 44000, 44000),
    ("E4 income at threshold", "131016", 1, 80000, 137700, 137700, 26300, 26300),
    ("E6 income equals B", "131016", 1, 45000, 84000, 129000, 45000, None),
    ("E6 one yen over B", "131016", 1, 45000, 84001, 129000, 44999, 44999),
    ("E10 no rounding", "131016", 1, 50000, 90050, 134000, 43950, 43950),
    ("E11 Yokohama 4 persons", "141003", 4, 70000, 250000, 282000, 34000, 34000),
    ("E12 Sapporo rent above cap", "011002", 1, 40000, 100000, 120000, 24000, 24000),
    ("E13 Yame city example 1", "402109", 2, 26000, 130000, 141000, 11000, 11000),
]


@pytest.mark.parametrize(("name", "code", "size", "rent", "income_yen", "limit", "amount", "before_cap"),
                         RENT_EXAMPLES, ids=[e[0] for e in RENT_EXAMPLES])
def test_rent_examples(assess: Any, name: str, code: str, size: int, rent: int, income_yen: int, limit: int,
                       amount: int, before_cap: int | None) -> None:
    result = assess(rent_case(municipality_code=code, household=household_of(size, income_yen), rent_yen=rent))
    assert result["eligible"], result["reasons"]
    assert result["income_limit_yen"] == limit
    assert step(result, "income_limit_yen") == limit
    assert step(result, "rent_counted") == min(rent, result["rent_ceiling_yen"])
    assert result["counted_income_yen"] == income_yen
    assert result["amount_yen"] == amount
    assert step(result, "monthly_amount_yen") == amount
    if before_cap is None:
        assert not [s for s in result["trace"] if s["step"] == "amount_before_cap_yen"]
    else:
        assert step(result, "amount_before_cap_yen") == before_cap


# The same examples after the 2026-07-01 change of the 1級地 基準額 (PD25: 令和8年度 line, B 92,000 for one
# person, 139,000 for two; three persons and more unchanged). Examples dated before 2026-07 keep their figures.
RENT_EXAMPLES_FROM_2026_07 = [
    # id, municipality, size, rent, income, application date, expected: (B, T, amount, amount_before_cap or None)
    ("E1 after the change", "131016", 1, 50000, 0, "2026-07-01", 92000, 142000, 50000, None),
    ("E3 after the change", "131016", 1, 60000, 100000, "2026-08-03", 92000, 145700, 52000, 52000),
    ("E4 old limit is now inside", "131016", 1, 80000, 137700, "2026-08-03", 92000, 145700, 34300, 34300),
    ("issue 10: single Tokyo applicant earning 140,000", "131016", 1, 60000, 140000, "2026-11-30", 92000, 145700,
     12000, 12000),
    ("E6 income equals the new B", "131016", 1, 45000, 92000, "2026-07-01", 92000, 137000, 45000, None),
    ("two persons", "131016", 2, 70000, 150000, "2026-09-01", 139000, 203000, 59000, 59000),
    ("E7 three persons unchanged", "131016", 3, 75000, 200000, "2026-09-01", 172000, 241800, 47000, 47000),
    ("E11 Yokohama 4 persons unchanged", "141003", 4, 70000, 250000, "2026-09-01", 214000, 282000, 34000, 34000),
    ("E12 Sapporo", "011002", 1, 40000, 100000, "2026-09-01", 92000, 128000, 32000, 32000),
    ("E13 Yame 2 persons (3級地)", "402109", 2, 26000, 130000, "2026-09-01", 124000, 150000, 20000, 20000),
]


@pytest.mark.parametrize(("name", "code", "size", "rent", "income_yen", "applied", "standard", "limit", "amount",
                          "before_cap"), RENT_EXAMPLES_FROM_2026_07, ids=[e[0] for e in RENT_EXAMPLES_FROM_2026_07])
def test_rent_examples_from_2026_07(assess: Any, name: str, code: str, size: int, rent: int, income_yen: int,
                                    applied: str, standard: int, limit: int, amount: int,
                                    before_cap: int | None) -> None:
    result = assess(rent_case(municipality_code=code, household=household_of(size, income_yen), rent_yen=rent,
                              application_date=applied, trigger={"date": "2026-06-30"}))
    assert result["eligible"], result["reasons"]
    assert step(result, "standard_amount_yen") == standard == result["standard_amount_yen"]
    assert result["income_limit_yen"] == limit
    assert result["amount_yen"] == amount
    if before_cap is None:
        assert not [s for s in result["trace"] if s["step"] == "amount_before_cap_yen"]
    else:
        assert step(result, "amount_before_cap_yen") == before_cap


@pytest.mark.parametrize(("applied", "eligible", "standard", "asset_limit"), [
    ("2026-06-30", False, 84000, 504000),  # April–June still use the 令和7年度 line (R11)
    ("2026-07-01", True, 92000, 552000),
])
def test_the_change_applies_from_1_july_2026(assess: Any, applied: str, eligible: bool, standard: int,
                                              asset_limit: int) -> None:
    """Issue 10: a Tokyo single applicant earning 140,000 with assets 540,000 was refused though eligible."""
    result = assess(rent_case(household=household_of(1, 140000), rent_yen=60000, assets_yen=540000,
                              application_date=applied, trigger={"date": "2026-03-31"}))
    assert result["eligible"] is eligible
    assert (result["standard_amount_yen"], result["asset_limit_yen"]) == (standard, asset_limit)
    assert [r["rule"] for r in result["reasons"]] == ([] if eligible else ["R20", "R21"])


def test_e3_common_charges_are_not_rent(assess: Any) -> None:
    result = assess(rent_case(household=household_of(1, 100000), rent_yen=60000, common_charges_yen=5000))
    assert step(result, "rent_yen") == 60000
    assert result["amount_yen"] == 44000


def test_e5_one_yen_over_the_limit_is_refused_before_the_formula(assess: Any) -> None:
    result = assess(rent_case(household=household_of(1, 137701), rent_yen=80000))
    assert not result["eligible"]
    assert result["amount_yen"] == 0
    assert [r["rule"] for r in result["reasons"]] == ["R20"]
    assert not [s for s in result["trace"] if s["step"] == "monthly_amount_yen"]


def test_e4_with_lt_comparison_is_refused(assess: Any, rates: Any) -> None:
    book = with_setting(rates, "131016", income_limit_comparison="lt")
    result = assess(rent_case(household=household_of(1, 137700), rent_yen=80000), book)
    assert [r["code"] for r in result["reasons"]] == ["income_over_limit"]


@pytest.mark.parametrize(("income_yen", "rent", "plain", "rounded"), [(84001, 45000, 44999, 45000),
                                                                       (90050, 50000, 43950, 44000)])
def test_e6_e10_rounding_setting(assess: Any, rates: Any, income_yen: int, rent: int, plain: int,
                                 rounded: int) -> None:
    case = rent_case(household=household_of(1, income_yen), rent_yen=rent)
    assert assess(case)["amount_yen"] == plain
    result = assess(case, with_setting(rates, "131016", round_rent_amount_up_to_100=True))
    assert result["amount_yen"] == rounded
    assert step(result, "rounded_amount_yen") == rounded


def test_rounding_never_exceeds_the_ceiling(assess: Any, rates: Any) -> None:
    book = with_setting(rates, "011002", round_rent_amount_up_to_100=True)
    result = assess(rent_case(municipality_code="011002", rent_yen=36050), book)
    assert result["amount_yen"] == 36000


def test_e7_three_person_household(assess: Any) -> None:
    household = [
        member(incomes=[income("unemployment_benefit", 85000)]),
        member("spouse", "1987-01-01", incomes=[wages(120000, 5000)]),
        member("child", "2017-01-01"),
    ]
    result = assess(rent_case(household=household, rent_yen=75000, assets_yen=950000))
    assert result["counted_income_yen"] == 200000
    assert [s["value"] for s in result["trace"] if s["step"] == "income_counted"] == [85000, 115000]
    assert result["income_limit_yen"] == 241800
    assert result["asset_limit_yen"] == 1000000
    assert step(result, "amount_before_cap_yen") == 47000
    assert result["amount_yen"] == 47000


@pytest.mark.parametrize(("size", "assets", "eligible"), [
    (2, 780000, True), (2, 780001, False),  # E8
    (3, 1000000, True), (3, 1020000, False),  # E9
])
def test_e8_e9_asset_limit(assess: Any, size: int, assets: int, eligible: bool) -> None:
    result = assess(rent_case(household=household_of(size), assets_yen=assets))
    assert result["eligible"] is eligible
    assert [r["rule"] for r in result["reasons"]] == ([] if eligible else ["R21"])


def test_e13_yame_example_2_threshold(assess: Any) -> None:
    result = assess(rent_case(municipality_code="402109", household=household_of(2, 130000), rent_yen=40000))
    assert result["income_limit_yen"] == 153000


def test_e14_periods_and_deadlines(assess: Any, calendar: Any) -> None:
    result = assess(rent_case(application_date="2025-05-12"))
    assert result["first_benefit_month"] == "2025-05"
    assert result["initial_period"] == {"first_month": "2025-05", "last_month": "2025-07"}
    assert result["extension_deadline"] == "2025-07-31"
    assert extension_deadline("2025-10", calendar) == date(2025, 10, 31)


@pytest.mark.parametrize(("last_month", "deadline"), [
    ("2025-05", date(2025, 5, 30)),  # 31 May 2025 is a Saturday
    ("2025-08", date(2025, 8, 29)),  # 31 Aug 2025 is a Sunday
    ("2025-12", date(2025, 12, 26)),  # 29 Dec – 3 Jan closed (PD6)
    ("2026-11", date(2026, 11, 30)),
    ("2027-01", date(2027, 1, 29)),  # 31 Jan 2027 is a Sunday
])
def test_pd6_deadline_moves_to_the_last_open_day(calendar: Any, last_month: str, deadline: date) -> None:
    assert extension_deadline(last_month, calendar) == deadline


def test_pd6_national_holiday_moves_the_deadline(calendar: Any) -> None:
    # 2026-11-03 (文化の日) is not month-end; 2025-03-20 neither. Use a synthetic holiday.
    from calculations.calendar import OfficeCalendar
    synthetic = OfficeCalendar(holidays=frozenset({date(2026, 6, 30)}))
    assert extension_deadline("2026-06", synthetic) == date(2026, 6, 29)


def test_e15_homeless_first_month(assess: Any) -> None:
    result = assess(rent_case(applicant_type="homeless", lease_initial_costs_paid_on="2025-06-15",
                              application_date="2025-05-20"))
    assert result["first_benefit_month"] == "2025-07"
    assert result["initial_period"] == {"first_month": "2025-07", "last_month": "2025-09"}
    assert result["extension_deadline"] == "2025-09-30"


@pytest.mark.parametrize(("applied", "eligible"), [("2025-06-20", True), ("2025-06-29", True),
                                                    ("2025-06-30", False), ("2025-07-10", False)])
def test_e16_window_with_illness_days(assess: Any, applied: str, eligible: bool) -> None:
    trigger = {"date": "2023-03-31", "job_search_blocked_days": 90}
    result = assess(rent_case(application_date=applied, trigger=trigger))
    assert step(result, "window_last_day") == "2025-06-29"
    assert result["eligible"] is eligible
    assert [r["rule"] for r in result["reasons"]] == ([] if eligible else ["R18"])


def test_e17_extension_does_not_retest_the_window(assess: Any) -> None:
    case = rent_case(application_date="2025-08-29", trigger={"date": "2023-06-15"})
    assert [r["rule"] for r in assess(case)["reasons"]] == ["R18"]
    assert assess(case, purpose="extension")["eligible"]


@pytest.mark.parametrize(("applied", "cause", "last_application", "reasons"), [
    ("2025-07-10", "dismissal", "2024-06-01", ["regrant_waiting_period"]),
    ("2026-01-31", "dismissal", "2024-06-01", ["regrant_waiting_period"]),
    ("2026-02-01", "dismissal", "2024-06-01", []),
    ("2025-07-10", "dismissal", "2024-03-31", []),  # R66 transitional rule
    ("2025-07-10", "employer_reasons", "2024-03-01", []),
    ("2026-03-01", "voluntary", "2024-06-01", ["regrant_no_ground"]),
])
def test_e18_regrant(assess: Any, applied: str, cause: str, last_application: str, reasons: list[str]) -> None:
    case = rent_case(application_date=applied, trigger={"date": "2025-06-30", "cause": cause},
                     previous_receipt={"last_paid_month": "2025-01", "last_application_date": last_application})
    result = assess(case)
    assert [r["code"] for r in result["reasons"]] == reasons
    assert all(r["rule"] == "R65" for r in result["reasons"])


def test_regrant_after_business_closure_and_reduced_work(assess: Any) -> None:
    previous = {"last_paid_month": "2025-01", "last_application_date": "2024-06-01"}
    closure = rent_case(application_date="2026-02-01", previous_receipt=previous,
                        trigger={"kind": "business_closure", "date": "2025-12-31", "cause": "other"})
    assert assess(closure)["eligible"]
    reduced = rent_case(application_date="2026-02-01", previous_receipt=previous,
                        trigger={"kind": "reduced_work", "date": None, "cause": "other"})
    assert assess(reduced)["eligible"]
    closed_voluntarily = rent_case(application_date="2026-02-01", previous_receipt=previous,
                                   trigger={"kind": "business_closure", "date": "2025-12-31", "cause": "voluntary"})
    assert [r["code"] for r in assess(closed_voluntarily)["reasons"]] == ["regrant_no_ground"]


def test_e19_moving_cap_and_allocation(assess: Any) -> None:
    costs = [{"category": c, "amount_yen": a} for c, a in [
        ("key_money", 50000), ("agency_fee", 55000), ("rent_guarantee_fee", 25000), ("home_insurance", 15000),
        ("removal", 40000), ("deposit", 50000), ("advance_rent", 55000)]]
    result = assess(moving_case(costs=costs))
    assert result["eligible"]
    assert result["cost_cap_yen"] == 161100
    assert result["eligible_costs_yen"] == 185000
    assert step(result, "excluded_costs_yen") == 105000
    assert result["amount_yen"] == 161100
    assert step(result, "allocation_agent_yen") == 145000
    assert step(result, "allocation_other_yen") == 16100


def test_e20_moving_three_persons_below_cap(assess: Any) -> None:
    costs = [{"category": "agency_fee", "amount_yen": 110000}, {"category": "removal", "amount_yen": 40000}]
    result = assess(moving_case(household=household_of(3), costs=costs, current_rent_yen=90000))
    assert result["cost_cap_yen"] == 209400
    assert result["amount_yen"] == 150000
    assert result["income_limit_yen"] == 172000 + 69800  # current rent capped (PD23)


def test_e21_student_income_excluded_and_setting_off(assess: Any, rates: Any) -> None:
    household = [member(), member("spouse", "1986-01-01", incomes=[wages(150000)]),
                 member("child", "2006-01-10", student=True, incomes=[wages(60000)])]
    case = rent_case(municipality_code="402109", household=household, rent_yen=40000, application_date="2025-06-02")
    result = assess(case)
    assert result["counted_income_yen"] == 150000
    assert result["income_limit_yen"] == 180000
    assert result["eligible"]
    counted = assess(case, with_setting(rates, "402109", exclude_student_income=False))
    assert counted["counted_income_yen"] == 210000
    assert [r["rule"] for r in counted["reasons"]] == ["R20"]


@pytest.mark.parametrize(("birth_date", "excluded"), [("2002-05-12", False), ("2002-05-13", True),
                                                      ("2003-05-12", True)])
def test_pd4_student_age_is_completed_years_on_the_application_date(assess: Any, birth_date: str,
                                                                     excluded: bool) -> None:
    household = [member(), member("child", birth_date, student=True, incomes=[wages(60000)])]
    result = assess(rent_case(household=household, application_date="2025-05-12"))
    assert result["counted_income_yen"] == (0 if excluded else 60000)


def test_e22_stop_after_stable_employment() -> None:
    assert first_unpaid_month(StopCause.income_over_limit, date(2025, 9, 25), "2025-05") == "2025-10"


@pytest.mark.parametrize(("loss", "applied", "eligible"), [
    ("2023-03-31", "2025-03-31", True), ("2023-03-31", "2025-04-01", False),
    ("2024-02-28", "2026-02-28", True), ("2024-02-28", "2026-03-01", False),
])
def test_pd11_legal_period_counting(assess: Any, loss: str, applied: str, eligible: bool) -> None:
    result = assess(rent_case(application_date=applied, trigger={"date": loss}))
    assert result["eligible"] is eligible


def test_pd11_blocked_days_never_beyond_four_years(assess: Any) -> None:
    result = assess(rent_case(application_date="2025-04-01",
                              trigger={"date": "2021-06-30", "job_search_blocked_days": 2000}))
    assert step(result, "window_last_day") == "2025-06-30"
    assert result["eligible"]


@pytest.mark.parametrize(("moved_in", "received", "within", "due", "late"), [
    (date(2025, 6, 20), date(2025, 6, 27), 7, date(2025, 6, 27), 0),  # E15: due 2025-06-27, on the day
    (date(2025, 6, 20), date(2025, 6, 20), 7, date(2025, 6, 27), 0),  # the day of moving in
    (date(2025, 6, 20), date(2025, 6, 28), 7, date(2025, 6, 27), 1),
    (date(2025, 12, 28), date(2026, 1, 10), 7, date(2026, 1, 4), 6),  # across the year (calendar days)
    (date(2025, 6, 20), date(2025, 7, 5), 14, date(2025, 7, 4), 1),  # another municipality's days
])
def test_e15_housing_report_due_within_the_municipal_days(moved_in: date, received: date, within: int,
                                                          due: date, late: int) -> None:
    """R44 [M] (S30): the 住居確保報告書 within 7 days of moving in; later is late by whole days."""
    from calculations.periods import housing_report_days_late

    assert housing_report_days_late(moved_in, received, within) == (due, late)


def test_a_housing_report_before_moving_in_is_impossible() -> None:
    from calculations.periods import housing_report_days_late

    with pytest.raises(ValueError, match="before moving in"):
        housing_report_days_late(date(2025, 6, 20), date(2025, 6, 19), 7)

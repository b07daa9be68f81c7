"""Rate tables: loading, validation errors, §16.6 consistency, settings, deciding bodies (PD26)."""

from __future__ import annotations

import shutil
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from factories import household_of, income, member, rent_case, with_setting

from calculations.changes import change_effective_month
from calculations.errors import RateTableError
from calculations.rate_book import (
    HOUSEHOLD_BANDS,
    RATES_DIR,
    load_rate_book,
    load_rate_book_from,
    municipality_check_digit,
)
from calculations.stops import StopCause, first_unpaid_month

RATES = load_rate_book()


def test_every_municipality_of_the_national_list_is_assessable() -> None:
    """PD25: 1,741 municipalities and 175 designated-city wards, nothing else."""
    assert len(RATES.municipalities) == 1916
    assert sum(1 for m in RATES.municipalities.values() if m.ward) == 175
    assert all(RATES.is_assessable(code) for code in RATES.municipalities)
    assert not RATES.is_assessable("999999") and not RATES.is_assessable("130001")


def test_every_municipality_of_japan_has_a_ceiling_for_every_band() -> None:
    sizes = (1, 2, 4, 6, 9)
    assert len(sizes) == len(HOUSEHOLD_BANDS)
    for municipality in RATES.municipalities.values():
        for as_of in (date(2024, 7, 1), date(2027, 12, 31)):
            for size in sizes:
                assert 10_000 <= RATES.nationwide_ceiling(municipality, size, as_of).value <= 200_000


def test_codes_carry_their_check_digit() -> None:
    """The 全国地方公共団体コード check digit, also used for the prefectures' codes (PD26)."""
    for code in RATES.municipalities:
        assert municipality_check_digit(code[:5]) == code[5], code
    assert RATES.prefecture_codes["東京都"] == "130001"
    assert RATES.prefecture_codes["北海道"] == "010006"
    assert RATES.prefecture_codes["沖縄県"] == "470007"


@pytest.mark.parametrize(("code", "body"), [
    ("131016", "131016"),  # 千代田区 decides itself
    ("132012", "132012"),  # 八王子市: a 市 has its 福祉事務所
    ("011011", "011002"),  # 札幌市中央区 → 札幌市
    ("141313", "141305"),  # 川崎市川崎区 → 川崎市
    ("013030", "010006"),  # 当別町 → 北海道
    ("133035", "130001"),  # 瑞穂町 → 東京都
])
def test_the_deciding_body_of_a_residence(code: str, body: str) -> None:
    """PD26: rates follow the residence; settings and letterheads follow the deciding body."""
    assert RATES.deciding_body(code) == body


def test_a_town_with_its_own_settings_decides_itself() -> None:
    import dataclasses
    book = dataclasses.replace(RATES, municipality_settings={**RATES.municipality_settings,
                                                             "013030": RATES.default_settings})
    assert book.deciding_body("013030") == "013030"
    assert RATES.settings("011011") is RATES.settings("011002")


def salary_from_income(income_man: Fraction) -> Fraction:
    """Invert the 給与所得控除 (rules.md §16.6, before 令和8年度), in 万円."""
    if income_man <= Fraction(1075, 10):
        return income_man + 55
    if income_man <= 118:
        return (income_man - 10) / Fraction(6, 10)
    if income_man <= 244:
        return (income_man + 8) / Fraction(7, 10)
    return (income_man + 44) / Fraction(8, 10)


def standard_amount_by_grade(size: int, grade: int) -> int:
    k = {1: Fraction(1), 2: Fraction(9, 10), 3: Fraction(8, 10)}[grade]
    non_taxable = k * 35 * size + 10 + (k * 21 if size >= 2 else 0)
    monthly = salary_from_income(non_taxable) * 10_000 / 12
    return int(-(-monthly // 1000) * 1000)


@pytest.mark.parametrize("grade", [1, 2, 3])
def test_derived_standard_amounts_agree_with_the_16_6_formula(grade: int) -> None:
    """§16.6 consistency check, written independently of the derivation (QA only, never a source)."""
    code = {1: "131016", 2: "222038", 3: "402109"}[grade]
    assert RATES.grade_of(RATES.municipalities[code]) == grade
    for size in range(1, 11):
        assert RATES.standard_amount(code, size, date(2025, 7, 1)).value == standard_amount_by_grade(size, grade)


def test_every_row_has_a_source_and_dates() -> None:
    rows: list[Any] = [*RATES.deduction_schedules, *(line for lines in RATES.exemption_lines.values()
                                                      for line in lines)]
    rows += [row for rows_ in (*RATES.standard_overrides.values(), *RATES.ceiling_overrides.values()) for row in rows_]
    rows += [value for series in (*RATES.city_ceilings.values(), *RATES.prefecture_ceilings.values())
             for value in series.values]
    for row in rows:
        assert row.source.strip() and row.valid_from >= date(2015, 1, 1)
        assert row.verified_on is None or row.verified_on >= row.valid_from


def copy_rates(tmp_path: Path) -> Path:
    target = tmp_path / "rates"
    shutil.copytree(RATES_DIR, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("resident_tax_exemption.csv", "1,2021-07-01,350000", "1,2021-07-01,", "blank cell"),
    ("resident_tax_exemption.csv", "2,2021-07-01,315000", "1,2021-07-01,315000", "overlap"),
    ("resident_tax_exemption.csv", "3,2021-07-01,280000", "3,2021-04-01,280000", "1 July"),
    ("employment_income_deduction.csv", "2025,2026-07-01,1900000,30,80000", "2025,2026-07-01,1900000,30,90000",
     "jumps"),
    ("employment_income_deduction.csv", "2025,2026-07-01,0,", "2025,2026-04-01,0,", "counts for B from"),
    ("employment_income_deduction.csv", "2020,2021-07-01,1625000,40,-100000", "2020,2021-07-01,1625000,40,-1e5",
     "whole number"),
    ("rent_ceiling_override.csv", "131032,3,2023-07-01", "131032,5,2023-07-01", "not contiguous"),
    ("rent_ceiling_override.csv", "131032,1,2023-07-01,,69800", "131032,1,2023-07-01,,69.8", "whole number"),
    ("rent_ceiling_override.csv", "131032,1,2023-07-01,", "999999,1,2023-07-01,", "not a municipality"),
    ("standard_amount_override.csv", "042111,1,2025-07-01,2026-06-30", "042111,1,2025-07-01,2026-05-31",
     "1 July to 30 June"),
    ("nationwide_ceiling_by_city.csv", "札幌市,1,", "札幌巿,1,", "unknown city"),
    ("municipality_settings.toml", 'pay_day = 25', 'pay_day = 40', "pay_day"),
    ("municipality_settings.toml", 'housing_report_within_days = 7', 'housing_report_within_days = 0',
     "housing_report_within_days"),
    ("parameters.toml", "value = 9,", "value = 9.5,", "integer"),
])
def test_a_broken_table_stops_loading_with_its_name(tmp_path: Path, file: str, old: str, new: str,
                                                    message: str) -> None:
    directory = copy_rates(tmp_path)
    edit(directory / file, old, new)
    with pytest.raises(RateTableError, match=message) as error:
        load_rate_book_from(directory)
    assert error.value.table == file.rsplit(".", 1)[0]


def test_overlapping_override_periods_are_refused(tmp_path: Path) -> None:
    directory = copy_rates(tmp_path)
    with (directory / "rent_ceiling_override.csv").open("a", encoding="utf-8") as handle:
        handle.write("131032,1,2025-04-01,,70000,test row,\n")
    with pytest.raises(RateTableError, match="overlap"):
        load_rate_book_from(directory)


def test_pd3_counted_income_kinds_setting(assess: Any, rates: Any) -> None:
    case = rent_case(household=[member(incomes=[income("child_rearing_allowance", 40000)])])
    assert assess(case)["counted_income_yen"] == 0
    book = with_setting(rates, "131016", counted_income_kinds=frozenset({"wages", "child_rearing_allowance"}))
    assert assess(case, book)["counted_income_yen"] == 40000


def test_pd1_lt_also_governs_assets(assess: Any, rates: Any) -> None:
    case = rent_case(household=household_of(2), assets_yen=780000)
    assert assess(case)["eligible"]
    result = assess(case, with_setting(rates, "131016", income_limit_comparison="lt"))
    assert [r["rule"] for r in result["reasons"]] == ["R21"]


def test_pd8_stop_rule_setting() -> None:
    settings = RATES.settings("131016")
    assert first_unpaid_month(StopCause.left_dwelling, date(2025, 8, 3), "2025-05", settings=settings) == "2025-09"
    import dataclasses
    same_month = dataclasses.replace(settings, stop_first_unpaid=tuple(
        (cause, "event_month" if cause == "left_dwelling" else rule) for cause, rule in settings.stop_first_unpaid))
    assert first_unpaid_month(StopCause.left_dwelling, date(2025, 8, 3), "2025-05", settings=same_month) == "2025-08"


def test_pd10_change_effective_setting() -> None:
    import dataclasses
    settings = RATES.settings("131016")
    assert change_effective_month(date(2025, 6, 10), settings) == "2025-07"
    same = dataclasses.replace(settings, change_effective="acceptance_month")
    assert change_effective_month(date(2025, 6, 10), same) == "2025-06"


def test_pd18_pay_day_setting_moves_the_pay_date() -> None:
    import dataclasses

    from payments.bank_calendar import pay_date
    settings = RATES.settings("131016")
    assert settings.pay_day == 25
    assert pay_date("2026-11", settings.pay_day) == date(2026, 11, 25)
    later = dataclasses.replace(settings, pay_day=28)
    assert pay_date("2026-11", later.pay_day) == date(2026, 11, 27)  # 28 Nov 2026 is a Saturday

"""Rate tables: coverage over 2024-07..2026-12, validation errors, §16.6 consistency, settings."""

from __future__ import annotations

import calendar as _calendar
import shutil
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from factories import household_of, income, member, rent_case, with_setting

from calculations.changes import change_effective_month
from calculations.errors import RateTableError
from calculations.rate_book import HOUSEHOLD_BANDS, RATES_DIR, load_rate_book, load_rate_book_from
from calculations.stops import StopCause, first_unpaid_month

RATES = load_rate_book()
MONTHS = [date(y, m, d) for y in (2024, 2025, 2026) for m in range(1, 13)
          for d in (1, _calendar.monthrange(y, m)[1]) if date(2024, 7, 1) <= date(y, m, 1) <= date(2026, 12, 1)]
TOKYO_WARDS = [m.code for m in RATES.municipalities.values() if m.prefecture == "東京都" and m.name.endswith("区")
               and m.code.startswith("131") and not m.ward]


def test_all_23_wards_and_the_three_cities_are_shipped() -> None:
    assert len(TOKYO_WARDS) == 23
    assert set(RATES.deciding_sizes) == set(TOKYO_WARDS) | {"141003", "011002", "402109"}


@pytest.mark.parametrize("code", sorted(RATES.deciding_sizes))
def test_every_table_covers_every_size_and_month(code: str) -> None:
    for as_of in MONTHS:
        for size in RATES.deciding_sizes[code]:
            assert RATES.standard_amount(code, size, as_of).value > 0
            assert RATES.rent_ceiling(code, size, as_of).value > 0
            assert RATES.asset_limit(code, size, as_of).value > 0
            assert RATES.nationwide_ceiling(RATES.municipalities[code], size, as_of).value > 0


def test_every_municipality_of_japan_has_a_ceiling_for_every_band() -> None:
    sizes = (1, 2, 4, 6, 9)
    assert len(sizes) == len(HOUSEHOLD_BANDS)
    for municipality in RATES.municipalities.values():
        for as_of in (MONTHS[0], MONTHS[-1]):
            for size in sizes:
                assert 10_000 <= RATES.nationwide_ceiling(municipality, size, as_of).value <= 200_000


@pytest.mark.parametrize("code", sorted(RATES.deciding_sizes))
def test_asset_limit_is_six_times_b_capped_at_one_million(code: str) -> None:
    for size in RATES.deciding_sizes[code]:
        b = RATES.standard_amount(code, size, date(2025, 7, 1)).value
        assert RATES.asset_limit(code, size, date(2025, 7, 1)).value == min(6 * b, 1_000_000)  # R13


def salary_from_income(income_man: Fraction) -> Fraction:
    """Invert the 給与所得控除 (rules.md §16.6), in 万円."""
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


@pytest.mark.parametrize("code", sorted(RATES.deciding_sizes))
def test_standard_amounts_agree_with_the_grade_formula(code: str) -> None:
    """§16.6 consistency check (QA only, never a source)."""
    grade = RATES.grade_of(RATES.municipalities[code])
    for size in RATES.deciding_sizes[code]:
        assert RATES.standard_amount(code, size, date(2025, 7, 1)).value == standard_amount_by_grade(size, grade)


def test_every_row_has_a_source_and_dates() -> None:
    for series in (*RATES.standard_amounts.values(), *RATES.rent_ceilings.values(), *RATES.city_ceilings.values()):
        for value in series.values:
            assert value.source.strip() and value.valid_from >= date(2015, 1, 1)


def copy_rates(tmp_path: Path) -> Path:
    target = tmp_path / "rates"
    shutil.copytree(RATES_DIR, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("standard_amount.csv", "131016,1,2024-07-01,84000", "131016,1,2024-07-01,", "blank cell"),
    ("standard_amount.csv", "131016,2,2024-07-01", "131016,1,2024-07-01", "overlap"),
    ("standard_amount.csv", "131016,3,2024-07-01", "131016,9,2024-07-01", "not contiguous"),
    ("standard_amount.csv", "131016,1,2024-07-01", "131016,1,2024-04-01", "1 July"),
    ("rent_ceiling.csv", "131016,1,2024-07-01,53700", "131016,1,2024-07-01,53.7", "whole number"),
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


def test_standard_amount_switches_on_1_july(tmp_path: Path) -> None:
    """R11: a new year's table applies to applications from 1 July; April–June use the old one."""
    directory = copy_rates(tmp_path)
    with (directory / "standard_amount.csv").open("a", encoding="utf-8") as handle:
        handle.write("".join(f"131016,{n},2026-07-01,{b},test table,2026-11-27\n"
                             for n, b in enumerate([85000, 131000, 173000, 215000, 256000, 298000, 335000], 1)))
    book = load_rate_book_from(directory)
    assert book.standard_amount("131016", 1, date(2026, 6, 30)).value == 84000
    assert book.standard_amount("131016", 1, date(2026, 7, 1)).value == 85000
    assert book.version != RATES.version


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

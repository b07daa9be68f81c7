"""基準額 derivation (R11, PD25), date coverage 2024-07..2027-12 and properties of B, C, T and the asset limit."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from factories import household_of, rent_case
from hypothesis import given, settings
from hypothesis import strategies as st

from calculations.contract import assess_payload
from calculations.errors import RateNotFound
from calculations.rate_book import RATES_DIR, load_rate_book, load_rate_book_from
from calculations.standard_amount import (
    employment_income_line_yen,
    monthly_standard_amount_yen,
    resident_tax_year,
    table_employment_income_yen,
)
from service.calendar import office_calendar

RATES = load_rate_book()
OLD, NEW = RATES.deduction_schedules  # 令和2年分〜 (55万円), 令和7年分〜 (65万円)
FIRST, LAST = date(2024, 7, 1), date(2027, 12, 31)
SIZES = range(1, 11)


@pytest.mark.parametrize(("annual", "monthly"), [
    (1_000_000, 84_000), (1_100_000, 92_000), (1_680_000, 140_000), (1_683_999, 141_000), (12_000, 1_000),
    (12_001, 2_000), (0, 0), (2_057_143, 172_000),
])
def test_r11_one_twelfth_rounded_up_to_1000(annual: int, monthly: int) -> None:
    assert monthly_standard_amount_yen(annual) == monthly


@pytest.mark.parametrize(("as_of", "year"), [(date(2026, 6, 30), 2025), (date(2026, 7, 1), 2026),
                                             (date(2027, 3, 31), 2026), (date(2027, 4, 1), 2026)])
def test_r11_the_line_switches_on_1_july(as_of: date, year: int) -> None:
    assert resident_tax_year(as_of) == year


@pytest.mark.parametrize(("schedule", "income", "employment_income"), [
    ("old", 550_999, 999), ("old", 1_618_999, 1_068_999), ("old", 1_619_500, 1_069_000),
    ("old", 1_621_999, 1_070_000), ("old", 1_627_999, 1_074_000), ("old", 1_628_000, 1_076_800),
    ("old", 1_683_999, 1_108_000), ("old", 2_059_999, 1_359_200), ("old", 6_600_000, 4_840_000),
    ("new", 1_100_000, 450_000), ("new", 1_899_999, 1_249_999), ("new", 1_900_000, 1_250_000),
    ("new", 1_903_999, 1_250_000), ("new", 640_000, 0),
])
def test_the_employment_income_table(schedule: str, income: int, employment_income: int) -> None:
    """所得税法 別表第五 as encoded: flat below the first step, then 1,000/2,000/4,000-yen steps."""
    found = table_employment_income_yen(OLD if schedule == "old" else NEW, income)
    assert found == employment_income


@pytest.mark.parametrize(("line", "old", "new"), [
    (450_000, 1_000_000, 1_100_000), (1_010_000, 1_560_000, 1_660_000), (1_360_000, 2_059_999, 2_059_999),
    (1_710_000, 2_559_999, 2_559_999), (2_060_000, 3_059_999, 3_059_999),
])
def test_the_tax_office_line_of_osaka(line: int, old: int, new: int) -> None:
    """Osaka City 令和8年度 (1級地): 1,100,000 / 1,660,000 / 2,059,999 / 2,559,999 / 3,059,999."""
    assert employment_income_line_yen(OLD, line) == old
    assert employment_income_line_yen(NEW, line) == new


def copy_rates(tmp_path: Path) -> Path:
    target = tmp_path / "rates"
    shutil.copytree(RATES_DIR, target)
    return target


NAGOYA_2026_ROWS = "".join(
    f'2026,2027-07-01,{start},{rate},{addition},{step},"test: 令和9年度 (Nagoya 1,190,000 for one person)",\n'
    for start, rate, addition, step in [(0, 0, 740000, 1), (2200000, 30, 80000, 4000), (3600000, 20, 440000, 4000),
                                        (6600000, 10, 1100000, 1), (8500000, 0, 1950000, 1)])


def test_the_next_change_is_one_dated_schedule(tmp_path: Path) -> None:
    """Issue 10 item 6: Nagoya's 令和9年度 line 1,190,000 is NOT shipped (no official schedule yet); adding
    the schedule of income year 2026 is data only and moves B from 2027-07-01, never before."""
    assert all(schedule.income_year < 2026 for schedule in RATES.deduction_schedules)
    assert RATES.standard_amount("131016", 1, date(2027, 7, 1)).value == 92_000
    directory = copy_rates(tmp_path)
    with (directory / "employment_income_deduction.csv").open("a", encoding="utf-8") as handle:
        handle.write(NAGOYA_2026_ROWS)
    book = load_rate_book_from(directory)
    assert book.version != RATES.version
    nagoya = "231002"
    assert book.standard_amount_basis(nagoya, 1, date(2027, 7, 1)).employment_income_line_yen == 1_190_000  # type: ignore[union-attr]
    assert book.standard_amount(nagoya, 1, date(2027, 6, 30)).value == 92_000
    assert book.standard_amount(nagoya, 1, date(2027, 7, 1)).value == 100_000
    changed = [(code, size) for code in ("131016", "402109", nagoya) for size in SIZES
               for day in (date(2024, 7, 1), date(2026, 7, 1), date(2027, 6, 30))
               if book.standard_amount(code, size, day) != RATES.standard_amount(code, size, day)]
    assert changed == []


def test_before_the_first_line_there_is_no_standard_amount() -> None:
    with pytest.raises(RateNotFound):
        RATES.standard_amount("131016", 1, date(2021, 6, 30))


def month_edges() -> list[date]:
    days, day = [], FIRST
    while day <= LAST:
        following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        days += [day, following - timedelta(days=1)]
        day = following
    return days


def test_coverage_2024_07_to_2027_12_for_every_municipality_and_size() -> None:
    """No gaps: every municipality × household sizes 1–10 has B, C and the asset limit on every first and
    last day of every month. B and C depend on the municipality only through its 級地, its city or
    prefecture row and its override rows, so each of those keys is walked over every month, and every
    municipality on the dates where any row starts or ends."""
    edges = month_edges()
    assert len(edges) == 2 * 42
    for grade in (1, 2, 3):
        for day in edges:
            for size in SIZES:
                assert RATES._derived(grade, size, resident_tax_year(day)).value > 0
    for series in (*RATES.city_ceilings.values(), *RATES.prefecture_ceilings.values()):
        assert all(series.at(day) is not None for day in edges)
    boundaries = {FIRST, LAST, date(2025, 7, 1), date(2026, 6, 30), date(2026, 7, 1), date(2027, 7, 1)}
    for rows in (*RATES.standard_overrides.values(), *RATES.ceiling_overrides.values()):
        for row in rows:
            boundaries |= {row.valid_from, row.valid_from - timedelta(days=1)}
            if row.valid_until:
                boundaries |= {row.valid_until, row.valid_until + timedelta(days=1)}
    days = sorted(day for day in boundaries if FIRST <= day <= LAST)
    for code in RATES.municipalities:
        for size in SIZES:
            for day in days:
                assert RATES.asset_limit(code, size, day).value > 0  # looks B up too
                assert RATES.rent_ceiling(code, size, day).value > 0


def test_no_overlaps() -> None:
    """Every key's rows start on distinct dates; override periods are disjoint (the loader refuses both)."""
    for series in (*RATES.city_ceilings.values(), *RATES.prefecture_ceilings.values()):
        assert list(series.starts) == sorted(set(series.starts))
    for lines in RATES.exemption_lines.values():
        assert len({line.valid_from for line in lines}) == len(lines)
    assert len({s.valid_from for s in RATES.deduction_schedules}) == len(RATES.deduction_schedules)
    for rows in (*RATES.standard_overrides.values(), *RATES.ceiling_overrides.values()):
        for before, after in zip(rows, rows[1:], strict=False):
            assert before.valid_until is not None and before.valid_until < after.valid_from


CODES = sorted(RATES.municipalities)
days = st.dates(FIRST, LAST)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CODES + ["131032", "042111", "131016", "402109"]), days)
def test_b_never_falls_as_the_household_grows(code: str, day: date) -> None:
    amounts = [RATES.standard_amount(code, size, day).value for size in range(1, 16)]
    assert amounts == sorted(amounts)
    assert len(set(amounts)) == len(amounts)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CODES + ["131032", "042111"]), st.integers(1, 10), days)
def test_the_asset_limit_is_six_b_capped(code: str, size: int, day: date) -> None:
    b = RATES.standard_amount(code, size, day).value
    assert RATES.asset_limit(code, size, day).value == min(6 * b, 1_000_000)  # R13


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(CODES + ["131032"]), st.integers(1, 9), days.filter(lambda d: d >= date(2025, 4, 1)),
       st.integers(0, 200_000), st.integers(0, 400_000))
def test_t_is_b_plus_the_rent_up_to_c(code: str, size: int, day: date, rent: int, income: int) -> None:
    result: dict[str, Any] = assess_payload(rent_case(
        municipality_code=code, application_date=day.isoformat(), household=household_of(size, income),
        rent_yen=rent, trigger={"date": (day - timedelta(days=30)).isoformat()}), RATES, office_calendar())
    b, c = RATES.standard_amount(code, size, day).value, RATES.rent_ceiling(code, size, day).value
    assert (result["standard_amount_yen"], result["rent_ceiling_yen"]) == (b, c)
    assert result["income_limit_yen"] == b + min(rent, c)  # R12
    assert result["asset_limit_yen"] == min(6 * b, 1_000_000)

"""和暦 conversion: era boundaries (元年), months, and round trips."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from letters.wareki import eras, parse_wareki, to_wareki, wareki_month


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1990, 1, 1), "平成2年1月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2020, 1, 1), "令和2年1月1日"),
        (date(2026, 11, 27), "令和8年11月27日"),
        (date(1926, 12, 24), "大正15年12月24日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1912, 7, 29), "明治45年7月29日"),
        (date(1912, 7, 30), "大正元年7月30日"),
        (date(1873, 1, 1), "明治6年1月1日"),
    ],
)
def test_dates_at_era_boundaries_use_the_new_era_from_its_first_day(day: date, expected: str) -> None:
    assert to_wareki(day) == expected
    assert parse_wareki(expected) == day


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        ("2025-05", "令和7年5月"),
        ("2019-05", "令和元年5月"),
        ("2019-04", "平成31年4月"),
        ("1989-01", "昭和64年1月"),
        ("1989-02", "平成元年2月"),
        ("2027-02", "令和9年2月"),
    ],
)
def test_months_take_the_era_of_their_first_day(month: str, expected: str) -> None:
    assert wareki_month(month) == expected


@pytest.mark.parametrize("bad", ["2025-5", "2025-13", "2025-00", "202505", "", "2025-05-01"])
def test_malformed_months_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        wareki_month(bad)


def test_dates_before_the_gregorian_calendar_was_adopted_are_refused() -> None:
    with pytest.raises(ValueError):
        to_wareki(date(1872, 12, 31))


@pytest.mark.parametrize("text", ["平成31年5月1日", "昭和64年1月8日", "令和0年5月1日", "天保3年1月1日", "令和8年"])
def test_parsing_refuses_dates_outside_their_era(text: str) -> None:
    with pytest.raises(ValueError):
        parse_wareki(text)


def test_the_era_table_is_data_in_date_order() -> None:
    names = [era.name for era in eras()]
    assert names == ["明治", "大正", "昭和", "平成", "令和"]
    starts = [era.start_date for era in eras()]
    assert starts == sorted(starts)


@given(st.dates(min_value=date(1873, 1, 1), max_value=date(2200, 12, 31)))
def test_every_date_round_trips(day: date) -> None:
    text = to_wareki(day)
    assert parse_wareki(text) == day
    assert re.fullmatch(r"(明治|大正|昭和|平成|令和)(元|[2-9]|[1-9]\d+)年(1[0-2]|[1-9])月([1-3]?\d)日", text)


@given(st.dates(min_value=date(1873, 1, 1), max_value=date(2200, 12, 30)))
def test_the_year_number_restarts_at_gan_nen_only_on_an_era_start(day: date) -> None:
    today, tomorrow = to_wareki(day), to_wareki(day + timedelta(days=1))
    starts = {era.start_date for era in eras()}
    if "元年" in tomorrow and "元年" not in today:
        assert day + timedelta(days=1) in starts
    if day + timedelta(days=1) in starts:
        assert "元年" in tomorrow

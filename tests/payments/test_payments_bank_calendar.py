"""Bank business days (zengin.md §4) and the pay date (PD18)."""

from __future__ import annotations

from datetime import date

import pytest

from payments.bank_calendar import (
    is_bank_business_day,
    next_bank_business_day,
    pay_date,
    previous_bank_business_day,
)


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (date(2025, 12, 30), True),
        (date(2025, 12, 31), False),  # 12/31 closed by 銀行法施行令 第5条
        (date(2026, 1, 1), False),  # 元日
        (date(2026, 1, 2), False),  # not a national holiday, but banks are closed
        (date(2026, 1, 3), False),
        (date(2026, 1, 5), True),
        (date(2026, 1, 12), False),  # 成人の日
        (date(2026, 4, 15), True),  # zengin.md §1.9 example date (Wednesday)
        (date(2026, 4, 29), False),  # 昭和の日
        (date(2026, 4, 30), True),
        (date(2026, 5, 1), True),
        (date(2026, 5, 2), False),  # Saturday
        (date(2026, 5, 3), False),  # 憲法記念日 (Sunday)
        (date(2026, 5, 4), False),  # みどりの日
        (date(2026, 5, 5), False),  # こどもの日
        (date(2026, 5, 6), False),  # 振替休日 for 5/3
        (date(2026, 5, 7), True),
        (date(2026, 9, 21), False),  # 敬老の日
        (date(2026, 9, 22), False),  # 国民の休日
        (date(2026, 9, 23), False),  # 秋分の日
        (date(2026, 9, 24), True),
        (date(2026, 12, 30), True),
        (date(2026, 12, 31), False),
        (date(2025, 11, 24), False),  # 振替休日 for 勤労感謝の日 (Sunday 11/23)
        (date(2026, 2, 23), False),  # 天皇誕生日
        (date(2026, 7, 20), False),  # 海の日
        (date(2026, 3, 20), False),  # 春分の日
    ],
)
def test_bank_business_days(day: date, open_: bool) -> None:
    assert is_bank_business_day(day) is open_


def test_previous_and_next_bank_business_day_around_new_year() -> None:
    assert previous_bank_business_day(date(2026, 1, 3)) == date(2025, 12, 30)
    assert next_bank_business_day(date(2026, 12, 31)) == date(2027, 1, 4)
    assert previous_bank_business_day(date(2026, 5, 6)) == date(2026, 5, 1)
    assert next_bank_business_day(date(2026, 5, 2)) == date(2026, 5, 7)
    assert previous_bank_business_day(date(2026, 4, 15)) == date(2026, 4, 15)


@pytest.mark.parametrize(
    ("benefit_month", "pay_day", "expected"),
    [
        ("2026-04", 25, date(2026, 4, 24)),  # Saturday 25th → Friday
        ("2026-01", 25, date(2026, 1, 23)),  # Sunday 25th → Friday
        ("2026-02", 25, date(2026, 2, 25)),  # Wednesday
        ("2026-05", 25, date(2026, 5, 25)),  # Monday
        ("2025-12", 25, date(2025, 12, 25)),
        ("2026-10", 25, date(2026, 10, 23)),  # Sunday → Friday
        ("2026-05", 6, date(2026, 5, 1)),  # Golden Week: 5/6 振替休日 … 5/2 Sat → 5/1
        ("2026-09", 23, date(2026, 9, 18)),  # シルバーウィーク 9/19–9/23 → Friday 9/18
        ("2025-12", 31, date(2025, 12, 30)),  # 12/31 closed
        ("2026-01", 3, date(2025, 12, 30)),  # closure 12/31–1/3 → the previous year's last open day
        ("2026-02", 31, date(2026, 2, 27)),  # clamp to 28th (Saturday) → 27th
        ("2028-02", 30, date(2028, 2, 29)),  # leap year clamp, Tuesday
        ("2026-11", 30, date(2026, 11, 30)),
        ("2026-06", 31, date(2026, 6, 30)),
    ],
)
def test_pay_date_is_the_pay_day_moved_to_the_previous_business_day(
    benefit_month: str, pay_day: int, expected: date
) -> None:
    assert pay_date(benefit_month, pay_day) == expected
    assert is_bank_business_day(expected)


def test_pay_date_defaults_to_the_25th() -> None:
    assert pay_date("2026-02") == date(2026, 2, 25)


@pytest.mark.parametrize(
    ("benefit_month", "pay_day"), [("2026-13", 25), ("2026-4", 25), ("202604", 25), ("2026-04", 0), ("2026-04", 32)]
)
def test_pay_date_rejects_bad_input(benefit_month: str, pay_day: int) -> None:
    with pytest.raises(ValueError):
        pay_date(benefit_month, pay_day)

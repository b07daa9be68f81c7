"""The grant clock reads its dated parameters (R37, R38, PD7) from the rate book: a rule change is a
new dated row, and months before it keep the old rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from calculations.rate_book import load_rate_book_from
from service import rules

RATES_DIR = Path(rules.__file__).parents[1] / "calculations" / "rates"


def test_the_shipped_clock_is_three_plus_three_plus_three() -> None:
    clock = rules.period_rules("2025-05")
    assert (clock.period_months, clock.max_months, clock.max_extensions) == (3, 9, 2)


def test_a_new_dated_cap_applies_from_its_month_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rates = tmp_path / "rates"
    shutil.copytree(RATES_DIR, rates)
    parameters = rates / "parameters.toml"
    old = 'value = 9, source = "施行規則 第12条 (S2, 2021-04-01 version); rules.md R38", verified_on = 2026-11-27 },'
    text = parameters.read_text(encoding="utf-8")
    assert old in text
    parameters.write_text(text.replace(old, old + '\n  { valid_from = 2027-04-01, value = 12, source = "test: a '
                                       'fictional amendment", verified_on = 2026-11-27 },'), encoding="utf-8")
    book = load_rate_book_from(rates)
    monkeypatch.setattr(rules, "rate_book", lambda: book)
    before, after = rules.period_rules("2027-03"), rules.period_rules("2027-04")
    assert (before.max_months, before.max_extensions) == (9, 2)
    assert (after.max_months, after.max_extensions) == (12, 3)

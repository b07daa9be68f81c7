"""Every published municipal figure (tests/calculations/published_figures.csv) is reproduced by the
rate book: derived B (R11, PD25), C (R10, PD14) and the asset limit (R13), or a sourced override row.

Each row names where the number is printed (``source``, ``published_on``); ``kind`` says whether it
was printed or only derived (a derived row is a regression check, never evidence); ``verified_on`` is
left empty until a person has seen the figure at its source (rates-sources.md).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from calculations.rate_book import RateBook, load_rate_book
from calculations.standard_amount import DerivedStandardAmount

TABLE = Path(__file__).with_name("published_figures.csv")
RATES = load_rate_book()

with TABLE.open(encoding="utf-8", newline="") as handle:
    ROWS = list(csv.DictReader(handle))


def computed(book: RateBook, row: dict[str, str]) -> int:
    code, size, as_of = row["municipality_code"], int(row["household_size"]), date.fromisoformat(row["as_of"])
    quantity = row["quantity"]
    if quantity == "standard_amount_yen":
        return book.standard_amount(code, size, as_of).value
    if quantity == "rent_ceiling_yen":
        return book.rent_ceiling(code, size, as_of).value
    if quantity == "asset_limit_yen":
        return book.asset_limit(code, size, as_of).value
    if quantity == "income_limit_yen":  # T with a rent at or above the ceiling (R12)
        return book.standard_amount(code, size, as_of).value + book.rent_ceiling(code, size, as_of).value
    if quantity == "moving_cost_cap_yen":  # R78: 3 × the destination's ceiling
        ceiling = book.nationwide_ceiling(book.municipalities[code], size, as_of).value
        return book.parameter("moving_cost_cap_multiplier", as_of) * ceiling
    if quantity == "employment_income_line_yen":
        basis = book.standard_amount_basis(code, size, as_of)
        assert isinstance(basis, DerivedStandardAmount)
        return basis.employment_income_line_yen
    raise AssertionError(f"unknown quantity {quantity}")


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['municipality_code']}-{r['quantity']}-{r['household_size']}-"
                                           f"{r['as_of']}" for r in ROWS])
def test_the_rate_book_reproduces_the_published_figure(row: dict[str, str]) -> None:
    assert computed(RATES, row) == int(row["value_yen"]), row["source"]


def test_every_row_says_where_it_is_printed_and_whether_it_was_seen() -> None:
    assert len(ROWS) > 150
    for row in ROWS:
        assert row["kind"] in ("printed", "derived")
        assert ("http" in row["source"]) if row["kind"] == "printed" else ("derived" in row["source"]), row
        for column in ("published_on", "verified_on"):
            assert not row[column] or date.fromisoformat(row[column])
        assert not row["verified_on"], "nobody has seen these figures at their source yet (rates-sources.md)"


def test_the_table_covers_the_sources_of_rates_sources_md() -> None:
    codes = {row["municipality_code"] for row in ROWS}
    # Bunkyo, Minato, Yokohama, Sapporo, Kawasaki, Hasuda, Okinawa City, Numazu, Osaka, Yame
    assert {"131059", "131032", "141003", "011002", "141305", "112381", "472115", "222038", "271004",
            "402109"} <= codes
    grades = {RATES.grade_of(RATES.municipalities[code]) for code in codes}
    assert grades == {1, 2, 3}


def test_the_3_grade_3_person_figure_follows_the_deduction_formula_not_the_tax_table() -> None:
    """Published 3級地 3 persons is 140,000 (Hasuda, Okinawa City, Yame): 1,680,000 / 12. The tax-office
    line (別表第五, 4,000-yen steps) is 1,683,999, which would give 141,000; B uses the formula."""
    basis = RATES.standard_amount_basis("402109", 3, date(2025, 7, 1))
    assert isinstance(basis, DerivedStandardAmount)
    assert (basis.income_line_yen, basis.employment_income_yen, basis.employment_income_line_yen) == (
        1_108_000, 1_680_000, 1_683_999)
    assert basis.value == 140_000

"""What the rate book says and why: ``rates explain`` and ``rates diff`` (issue 10, item 5).

Pure views over a :class:`RateBook`: B (R11, PD25), C (R10, PD14), the income limit T = B + C for a
rent at or above C (R12) and the asset limit (R13), each with the rows or the derivation it came from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from calculations.rate_book import OverrideRow, RateBook
from calculations.standard_amount import DerivedStandardAmount

#: Household sizes ``rates diff`` walks; B's formula and C's 7+ band go on the same way beyond.
DIFF_SIZES = tuple(range(1, 11))


def _verified(day: date | None) -> str | None:
    return day.isoformat() if day else None


def explain(book: RateBook, code: str, household_size: int, as_of: date) -> dict[str, Any]:
    """B, C, the income limit and the asset limit of one municipality, size and date, with their sources."""
    municipality = book.municipalities[code]
    city = book.municipalities[municipality.city_code]
    grade = book.grade_of(municipality)
    basis = book.standard_amount_basis(code, household_size, as_of)
    standard = book.standard_amount(code, household_size, as_of)
    if isinstance(basis, DerivedStandardAmount):
        how_b: dict[str, Any] = {
            "method": "derived (R11, PD25)",
            "resident_tax_year": f"令和{basis.tax_year - 2018}年度 ({basis.tax_year})",
            "in_force_from": basis.valid_from.isoformat(),
            "tax_grade": basis.grade,
            "non_taxable_income_line_yen": basis.income_line_yen,
            "line_formula": (f"{basis.line.per_person_yen:,} × {household_size} + {basis.line.fixed_addition_yen:,}"
                             + (f" + {basis.line.dependant_addition_yen:,}" if household_size >= 2 else "")),
            "line_source": basis.line.source,
            "employment_income_deduction_year": basis.schedule.income_year,
            "employment_income_deduction_source": basis.schedule.source,
            "employment_income_yen": basis.employment_income_yen,
            "tax_office_employment_income_line_yen": basis.employment_income_line_yen,
            "rounding": f"{basis.employment_income_yen:,} / 12 rounded up to 1,000 yen (R11)",
            "verified_on": None,
        }
    else:
        how_b = _override(basis)
    ceiling = book.rent_ceiling(code, household_size, as_of)
    override = _ceiling_override(book, code, household_size, as_of)
    if override is not None:
        how_c = _override(override)
    else:
        listed = any(name == city.name for name, _band in book.city_ceilings)
        how_c = {"method": "nationwide ceiling (PD14): " + ("city row" if listed else
                                                            f"{city.prefecture} × {grade}級地 row"),
                 "in_force_from": ceiling.valid_from.isoformat(), "source": ceiling.source,
                 "verified_on": _verified(ceiling.verified_on)}
    asset = book.asset_limit(code, household_size, as_of)
    return {
        "municipality": {"code": code, "name": f"{municipality.prefecture}{municipality.name}{municipality.ward}",
                         "resolves_to": city.code, "tax_grade": grade,
                         "deciding_body": book.deciding_body(code),
                         "deciding_body_name": book.body_name(book.deciding_body(code))},
        "household_size": household_size,
        "date": as_of.isoformat(),
        "standard_amount_yen": standard.value,
        "standard_amount_found": how_b,
        "rent_ceiling_yen": ceiling.value,
        "rent_ceiling_found": how_c,
        "income_limit_yen": standard.value + ceiling.value,
        "income_limit_found": "B + C for a rent at or above C; B + the rent when it is lower (R12)",
        "asset_limit_yen": asset.value,
        "asset_limit_found": asset.source,
    }


def _override(row: OverrideRow) -> dict[str, Any]:
    return {"method": "published override row", "in_force_from": row.valid_from.isoformat(),
            "in_force_until": row.valid_until.isoformat() if row.valid_until else None,
            "source": row.source, "verified_on": _verified(row.verified_on)}


def _ceiling_override(book: RateBook, code: str, size: int, as_of: date) -> OverrideRow | None:
    municipality = book.municipalities[code]
    for key in ((code, size), (municipality.city_code, size)):
        for row in book.ceiling_overrides.get(key, ()):
            if row.covers(as_of):
                return row
    return None


@dataclass(frozen=True, slots=True)
class Change:
    """One value that differs between two dates."""

    code: str
    name: str
    household_size: int
    quantity: str
    before: int | None
    after: int | None
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {"municipality_code": self.code, "municipality": self.name, "household_size": self.household_size,
                "quantity": self.quantity, "before": self.before, "after": self.after, "source": self.source}


def _value(getter: Any, *args: Any) -> tuple[int | None, str]:
    try:
        found = getter(*args)
    except LookupError:
        return None, "nothing in force"
    return found.value, found.source


def diff(book: RateBook, first: date, second: date) -> Iterator[Change]:
    """Every B, C and asset limit of every municipality (wards resolve to their city and are left out) and
    household sizes 1–10 that differs between ``first`` and ``second``, then the national parameters."""
    for code, municipality in sorted(book.municipalities.items()):
        if municipality.ward:
            continue
        name = f"{municipality.prefecture}{municipality.name}"
        for size in DIFF_SIZES:
            for quantity, getter in (("standard_amount_yen", book.standard_amount),
                                     ("rent_ceiling_yen", book.rent_ceiling),
                                     ("asset_limit_yen", book.asset_limit)):
                before, _ = _value(getter, code, size, first)
                after, source = _value(getter, code, size, second)
                if before != after:
                    yield Change(code, name, size, quantity, before, after, source)
    for parameter, series in sorted(book.parameters.items()):
        old, new = series.at(first), series.at(second)
        if (old and old.value) != (new and new.value):
            yield Change("", "", 0, parameter, old.value if old else None, new.value if new else None,
                         new.source if new else "")

"""Load and validate the dated rate tables in ``calculations/rates/`` (architecture.md §4.4).

Every table row has ``valid_from``, ``source`` and ``verified_on`` (blank until someone has seen the
number at its source). A row is in force from its ``valid_from`` until the next row for the same key
(override rows may also end on ``valid_until``). Validation at load time stops the program with a
:class:`RateTableError` naming the table: blank cells, duplicate (key, valid_from), overlapping
override periods, household sizes that are not contiguous from 1, 基準額 rows that do not start on
1 July (R11), a 給与所得控除 schedule that jumps, unknown municipality names.

Every municipality of ``municipalities.csv`` is assessable (PD25): B is derived from its main tax 級地
(:mod:`calculations.standard_amount`), C comes from the nationwide ceilings (PD14), the asset limit is
min(6B, cap) (R13); a municipality's own published figure is an override row with its source.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from calculations.errors import RateNotFound, RateTableError
from calculations.standard_amount import (
    DeductionSchedule,
    DeductionSegment,
    DerivedStandardAmount,
    ExemptionLine,
    derive_standard_amount,
    resident_tax_year,
)

RATES_DIR = Path(__file__).with_name("rates")

TABLE_FILES = (
    "resident_tax_exemption.csv",
    "employment_income_deduction.csv",
    "standard_amount_override.csv",
    "rent_ceiling_override.csv",
    "nationwide_ceiling_by_city.csv",
    "nationwide_ceiling_by_prefecture_grade.csv",
    "municipality_grade.csv",
    "municipalities.csv",
    "parameters.toml",
    "municipality_settings.toml",
)

HOUSEHOLD_BANDS = ("1", "2", "3-5", "6", "7+")
#: Lookups remembered before the memo starts afresh (derived B are cheap to recompute).
_MEMO_LIMIT = 200_000
DEFAULT_GRADE = 3  # PD14: a listed municipality missing from the 級地 file is 3級地.


def household_band(household_size: int) -> str:
    """住宅扶助 ceilings are published by the bands 1 / 2 / 3–5 / 6 / 7+ persons (R8)."""
    if household_size <= 2:
        return str(household_size)
    if household_size <= 5:
        return "3-5"
    return "6" if household_size == 6 else "7+"


@dataclass(frozen=True, slots=True)
class RateValue:
    """One value in force, with where it comes from (printed in a 算定内訳)."""

    value: int
    valid_from: date
    source: str
    verified_on: date | None = None


@dataclass(frozen=True, slots=True)
class OverrideRow:
    """A municipality's own published figure (PD25, R10), in force from ``valid_from`` to
    ``valid_until`` (inclusive; None = until further notice)."""

    value: int
    valid_from: date
    valid_until: date | None
    source: str
    verified_on: date | None

    def covers(self, as_of: date) -> bool:
        return self.valid_from <= as_of and (self.valid_until is None or as_of <= self.valid_until)


def _override_at(rows: tuple[OverrideRow, ...] | None, as_of: date) -> OverrideRow | None:
    if rows:
        for row in rows:
            if row.covers(as_of):
                return row
    return None


def municipality_check_digit(five_digits: str) -> str:
    """検査数字 of the 全国地方公共団体コード: 11 − (Σ digit × weight 6..2) mod 11, last digit."""
    total = sum(int(digit) * weight for digit, weight in zip(five_digits, (6, 5, 4, 3, 2), strict=True))
    return str((11 - total % 11) % 10)


@dataclass(frozen=True, slots=True)
class Series:
    """The dated values of one key, sorted by ``valid_from``."""

    starts: tuple[date, ...]
    values: tuple[RateValue, ...]

    def at(self, as_of: date) -> RateValue | None:
        index = bisect.bisect_right(self.starts, as_of) - 1
        return self.values[index] if index >= 0 else None


@dataclass(frozen=True, slots=True)
class Municipality:
    """A municipality of municipalities.csv; ``city_code`` is the code a designated-city ward
    resolves to (PD14)."""

    code: str
    prefecture: str
    name: str
    ward: str
    city_code: str

    @property
    def display_name(self) -> str:
        return f"{self.prefecture}{self.name}{self.ward}"


@dataclass(frozen=True, slots=True)
class MunicipalitySettings:
    """Per-municipality settings (decisions.md PD1–PD4, PD6, PD8, PD10, PD18; R44)."""

    income_limit_comparison: str = "le"
    round_rent_amount_up_to_100: bool = False
    counted_income_kinds: frozenset[str] = frozenset()
    exclude_student_income: bool = True
    extension_deadline_rule: str = "previous_open_day"
    stop_first_unpaid: tuple[tuple[str, str], ...] = ()
    change_effective: str = "month_after_acceptance"
    pay_day: int = 25
    #: R44 [M]: days after moving in within which the 住居確保報告書 is due (S30: 7).
    housing_report_within_days: int = 7
    #: PD29, R51: a month's 求職活動状況報告書 is due on this day of the following month (S42 Ebina: 10th).
    monthly_report_due_day: int = 10

    def within_limit(self, value_yen: int, limit_yen: int) -> bool:
        """PD1: ``le`` (≤, 以下) or ``lt`` (<, 未満); governs the income and the asset limit."""
        return value_yen <= limit_yen if self.income_limit_comparison == "le" else value_yen < limit_yen

    def stop_rule(self, cause: str) -> str:
        return dict(self.stop_first_unpaid)[cause]


@dataclass(frozen=True)
class RateBook:
    """Immutable view of every shipped table; lookups take an explicit ``as_of`` date."""

    version: str
    exemption_lines: dict[int, tuple[ExemptionLine, ...]]
    deduction_schedules: tuple[DeductionSchedule, ...]
    standard_overrides: dict[tuple[str, int], tuple[OverrideRow, ...]]
    ceiling_overrides: dict[tuple[str, int], tuple[OverrideRow, ...]]
    city_ceilings: dict[tuple[str, str], Series]
    prefecture_ceilings: dict[tuple[str, int, str], Series]
    grades: dict[tuple[str, str], int]
    municipalities: dict[str, Municipality]
    municipalities_by_name: dict[tuple[str, str], Municipality]
    parameters: dict[str, Series]
    parameter_dates: dict[str, tuple[tuple[date, date], ...]]
    default_settings: MunicipalitySettings
    municipality_settings: dict[str, MunicipalitySettings]
    #: 全国地方公共団体コード of each prefecture (the deciding body of its 町村, PD26).
    prefecture_codes: dict[str, str] = field(default_factory=dict)
    #: Memo of derived values; the tables never change after loading.
    _memo: dict[tuple[object, ...], Any] = field(default_factory=dict, repr=False, compare=False)

    # -- municipalities (PD14, PD25, PD26) ------------------------------------------------------

    def is_assessable(self, code: str) -> bool:
        """PD25: every municipality of municipalities.csv (a designated-city ward resolves to its city)."""
        return code in self.municipalities

    def municipality(self, code: str) -> Municipality | None:
        return self.municipalities.get(code)

    def municipality_by_name(self, prefecture: str, name: str) -> Municipality | None:
        return self.municipalities_by_name.get((prefecture, name))

    def grade_of(self, municipality: Municipality) -> int:
        """Main 級地 (PD14): the first number of the city's [級地, 枝番]; unlisted → 3級地."""
        city = self.municipalities[municipality.city_code]
        return self.grades.get((city.prefecture, city.name), DEFAULT_GRADE)

    def deciding_body(self, code: str) -> str:
        """PD26: who decides for a resident of ``code`` — itself when it has settings of its own, a
        designated city for its wards, the prefecture for a 町村 (no 福祉事務所 of its own), else itself."""
        if code in self.municipality_settings:
            return code
        municipality = self.municipalities.get(code)
        if municipality is None:
            return code
        if municipality.ward:
            return municipality.city_code
        if municipality.name.endswith(("町", "村")):
            return self.prefecture_codes[municipality.prefecture]
        return code

    def body_name(self, code: str) -> str:
        """The name of a municipality or prefecture code (for letterheads and screens)."""
        municipality = self.municipalities.get(code)
        if municipality is not None:
            return f"{municipality.name}{municipality.ward}"
        for prefecture, prefecture_code in self.prefecture_codes.items():
            if prefecture_code == code:
                return prefecture
        return code

    # -- B, C and the asset limit of the residence (R10, R11, R13; PD25, PD26) -------------------

    def _derived(self, grade: int, household_size: int, tax_year: int) -> DerivedStandardAmount:
        key = ("derived", grade, household_size, tax_year)
        found = self._memo.get(key)
        if found is None:
            switch = date(tax_year, 7, 1)
            lines = [line for line in self.exemption_lines.get(grade, ()) if line.valid_from <= switch]
            schedules = [s for s in self.deduction_schedules if s.valid_from <= switch]
            if not lines or not schedules:
                raise RateNotFound("resident_tax_exemption" if not lines else "employment_income_deduction",
                                   (grade, household_size), switch)
            found = derive_standard_amount(lines[-1], schedules[-1], household_size, tax_year)
            self._memo[key] = found
        return found

    def standard_amount_basis(self, code: str, household_size: int,
                              as_of: date) -> DerivedStandardAmount | OverrideRow:
        """How B is found: the municipality's own published row if one is in force, else derived."""
        municipality = self.municipalities[code]
        override = (_override_at(self.standard_overrides.get((code, household_size)), as_of)
                    or _override_at(self.standard_overrides.get((municipality.city_code, household_size)), as_of))
        if override is not None:
            return override
        return self._derived(self.grade_of(municipality), household_size, resident_tax_year(as_of))

    def _remember(self, key: tuple[object, ...], value: RateValue) -> RateValue:
        if len(self._memo) > _MEMO_LIMIT:  # a long-running server sees many dates: stay bounded
            self._memo.clear()
        self._memo[key] = value
        return value

    def standard_amount(self, code: str, household_size: int, as_of: date) -> RateValue:
        """基準額 B (R11, PD25) of the residence for the household size on the application date."""
        memo = self._memo.get(("B", code, household_size, as_of))
        if memo is not None:
            return memo  # type: ignore[no-any-return]
        return self._remember(("B", code, household_size, as_of), self._standard_amount(code, household_size, as_of))

    def _standard_amount(self, code: str, household_size: int, as_of: date) -> RateValue:
        basis = self.standard_amount_basis(code, household_size, as_of)
        if isinstance(basis, OverrideRow):
            return RateValue(basis.value, basis.valid_from, f"published override (PD25): {basis.source}",
                             basis.verified_on)
        return RateValue(basis.value, basis.valid_from, basis.source)

    def rent_ceiling(self, code: str, household_size: int, as_of: date) -> RateValue:
        """住宅扶助基準に基づく額 C of the residence (R10): its own published row, else PD14."""
        memo = self._memo.get(("C", code, household_size, as_of))
        if memo is not None:
            return memo  # type: ignore[no-any-return]
        return self._remember(("C", code, household_size, as_of), self._rent_ceiling(code, household_size, as_of))

    def _rent_ceiling(self, code: str, household_size: int, as_of: date) -> RateValue:
        municipality = self.municipalities[code]
        override = (_override_at(self.ceiling_overrides.get((code, household_size)), as_of)
                    or _override_at(self.ceiling_overrides.get((municipality.city_code, household_size)), as_of))
        if override is not None:
            return RateValue(override.value, override.valid_from, f"published override (R10): {override.source}",
                             override.verified_on)
        return self.nationwide_ceiling(municipality, household_size, as_of)

    def asset_limit(self, code: str, household_size: int, as_of: date) -> RateValue:
        """資産基準額 (R13): min(multiplier × B, cap), the parameters in force on the date."""
        memo = self._memo.get(("A", code, household_size, as_of))
        if memo is not None:
            return memo  # type: ignore[no-any-return]
        standard = self.standard_amount(code, household_size, as_of)
        multiplier = self.parameter("asset_limit_multiplier", as_of)
        cap = self.parameter("asset_limit_cap_yen", as_of)
        return self._remember(("A", code, household_size, as_of), RateValue(
            min(multiplier * standard.value, cap), standard.valid_from,
            f"R13: min({multiplier} × B {standard.value:,}, {cap:,})"))

    def nationwide_ceiling(self, municipality: Municipality, household_size: int, as_of: date) -> RateValue:
        """住宅扶助 ceiling anywhere in Japan (PD14): the city table if it lists the city, else the
        prefecture × main 級地 table."""
        city = self.municipalities[municipality.city_code]
        band = household_band(household_size)
        series = self.city_ceilings.get((city.name, band))
        table = "nationwide_ceiling_by_city"
        if series is None:
            grade = self.grade_of(city)
            series = self.prefecture_ceilings.get((city.prefecture, grade, band))
            table = "nationwide_ceiling_by_prefecture_grade"
        value = series.at(as_of) if series else None
        if value is None:
            raise RateNotFound(table, (city.display_name, band), as_of)
        return value

    # -- parameters and settings ---------------------------------------------------------------

    def parameter(self, name: str, as_of: date) -> int:
        memo_key = ("parameters", name, as_of)
        value = self._memo.get(memo_key)
        if value is None:
            series = self.parameters.get(name)
            value = series.at(as_of) if series else None
            if value is None:
                raise RateNotFound("parameters", name, as_of)
            self._memo[memo_key] = value
        return value.value

    def date_parameter(self, name: str, as_of: date) -> date:
        entries = self.parameter_dates.get(name, ())
        in_force = [value for start, value in entries if start <= as_of]
        if not in_force:
            raise RateNotFound("parameters", name, as_of)
        return in_force[-1]

    def settings(self, code: str) -> MunicipalitySettings:
        """The settings of the body deciding for a resident of ``code`` (PD26), else the defaults."""
        return self.municipality_settings.get(self.deciding_body(code), self.default_settings)


# ---------------------------------------------------------------------------------------------
# Loading and validation


def _parse_date(table: str, line: int, column: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RateTableError(table, f"line {line}: {column} {text!r} is not a date") from None


def _parse_optional_date(table: str, line: int, column: str, text: str) -> date | None:
    """``verified_on`` and ``valid_until`` may be blank: not seen yet / open-ended."""
    return _parse_date(table, line, column, text) if text.strip() else None


def _parse_int(table: str, line: int, column: str, text: str, low: int, high: int) -> int:
    if text.startswith("-") and low < 0 and text[1:].isdigit():
        value = -int(text[1:])
    elif not text.isdigit():
        raise RateTableError(table, f"line {line}: {column} {text!r} is not a whole number")
    else:
        value = int(text)
    if not low <= value <= high:
        raise RateTableError(table, f"line {line}: {column} {value} outside {low}..{high}")
    return value


#: Cells that may be blank: not seen yet (``verified_on``), open-ended (``valid_until``).
OPTIONAL_COLUMNS = frozenset({"verified_on", "valid_until"})


def _read_csv(directory: Path, name: str, header: list[str]) -> list[tuple[int, dict[str, str]]]:
    table = name.removesuffix(".csv")
    with (directory / name).open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        found = next(reader, None)
        if found != header:
            raise RateTableError(table, f"header {found} is not {header}")
        rows = []
        for line, cells in enumerate(reader, start=2):
            if len(cells) != len(header):
                raise RateTableError(table, f"line {line}: {len(cells)} cells, expected {len(header)}")
            row = dict(zip(header, cells, strict=True))
            blank = [column for column, value in row.items() if not value.strip() and column not in OPTIONAL_COLUMNS
                     and not (name == "municipalities.csv" and column == "ward")]
            if blank:
                raise RateTableError(table, f"line {line}: blank cell(s) {blank}")
            rows.append((line, row))
        return rows


def _build_series(table: str, entries: dict[Any, list[RateValue]]) -> dict[Any, Series]:
    result: dict[Any, Series] = {}
    for key, values in entries.items():
        values.sort(key=lambda item: item.valid_from)
        starts = tuple(item.valid_from for item in values)
        if len(set(starts)) != len(starts):
            raise RateTableError(table, f"overlap: {key} has two rows with the same valid_from")
        result[key] = Series(starts, tuple(values))
    return result


def _load_exemption_lines(directory: Path) -> dict[int, tuple[ExemptionLine, ...]]:
    """均等割 non-taxable line per tax 級地 (PD25); rows switch on 1 July like B (R11)."""
    table = "resident_tax_exemption"
    header = ["grade", "valid_from", "per_person_yen", "dependant_addition_yen", "fixed_addition_yen", "source",
              "verified_on"]
    lines: dict[int, list[ExemptionLine]] = {}
    for line, row in _read_csv(directory, "resident_tax_exemption.csv", header):
        valid_from = _parse_date(table, line, "valid_from", row["valid_from"])
        if (valid_from.month, valid_from.day) != (7, 1):
            raise RateTableError(table, f"line {line}: the 基準額 switches on 1 July (R11), not {valid_from}")
        grade = _parse_int(table, line, "grade", row["grade"], 1, 3)
        lines.setdefault(grade, []).append(ExemptionLine(
            grade=grade, valid_from=valid_from,
            per_person_yen=_parse_int(table, line, "per_person_yen", row["per_person_yen"], 10_000, 2_000_000),
            dependant_addition_yen=_parse_int(table, line, "dependant_addition_yen", row["dependant_addition_yen"],
                                              0, 2_000_000),
            fixed_addition_yen=_parse_int(table, line, "fixed_addition_yen", row["fixed_addition_yen"], 0, 2_000_000),
            source=row["source"], verified_on=_parse_optional_date(table, line, "verified_on", row["verified_on"])))
    result: dict[int, tuple[ExemptionLine, ...]] = {}
    for grade in (1, 2, 3):
        found = sorted(lines.get(grade, []), key=lambda item: item.valid_from)
        if not found:
            raise RateTableError(table, f"no row for {grade}級地")
        starts = [item.valid_from for item in found]
        if len(set(starts)) != len(starts):
            raise RateTableError(table, f"overlap: {grade}級地 has two rows with the same valid_from")
        result[grade] = tuple(found)
    return result


def _load_deduction_schedules(directory: Path) -> tuple[DeductionSchedule, ...]:
    """給与所得控除 per income year (所得税法 第28条第3項, 別表第五); it first counts for B on 1 July of
    the next year, when the 住民税 年度 levied on that income starts to apply (R11)."""
    table = "employment_income_deduction"
    header = ["income_year", "valid_from", "from_yen", "rate_percent", "addition_yen", "table_step_yen", "source",
              "verified_on"]
    grouped: dict[int, list[tuple[int, DeductionSegment, date, str, date | None]]] = {}
    for line, row in _read_csv(directory, "employment_income_deduction.csv", header):
        income_year = _parse_int(table, line, "income_year", row["income_year"], 2000, 2100)
        valid_from = _parse_date(table, line, "valid_from", row["valid_from"])
        if valid_from != date(income_year + 1, 7, 1):
            raise RateTableError(table, f"line {line}: income of {income_year} counts for B from "
                                        f"{date(income_year + 1, 7, 1)} (R11), not {valid_from}")
        segment = DeductionSegment(
            from_yen=_parse_int(table, line, "from_yen", row["from_yen"], 0, 100_000_000),
            rate_percent=_parse_int(table, line, "rate_percent", row["rate_percent"], 0, 100),
            addition_yen=_parse_int(table, line, "addition_yen", row["addition_yen"], -10_000_000, 10_000_000),
            table_step_yen=_parse_int(table, line, "table_step_yen", row["table_step_yen"], 1, 100_000))
        grouped.setdefault(income_year, []).append(
            (line, segment, valid_from, row["source"],
             _parse_optional_date(table, line, "verified_on", row["verified_on"])))
    schedules = []
    for income_year, rows in sorted(grouped.items()):
        segments = tuple(segment for _, segment, *_ in rows)
        froms = [segment.from_yen for segment in segments]
        if froms[0] != 0 or froms != sorted(set(froms)):
            raise RateTableError(table, f"{income_year}: segments must start at 0 and increase")
        for before, after in zip(segments, segments[1:], strict=False):
            # The deduction is continuous where the formula changes: a jump is a typo.
            at = after.from_yen
            if before.rate_percent * at + 100 * before.addition_yen != after.rate_percent * at + 100 * after.addition_yen:
                raise RateTableError(table, f"{income_year}: the deduction jumps at {at:,} yen")
        _, _, valid_from, source, verified_on = rows[0]
        schedules.append(DeductionSchedule(income_year=income_year, valid_from=valid_from, segments=segments,
                                           source=source, verified_on=verified_on))
    if not schedules:
        raise RateTableError(table, "no schedule")
    return tuple(schedules)


def _load_overrides(directory: Path, name: str, column: str, low: int, high: int,
                    municipalities: dict[str, Municipality]) -> dict[tuple[str, int], tuple[OverrideRow, ...]]:
    """A municipality's own published figures (PD25, R10): household sizes contiguous from 1 per
    period, no overlapping periods."""
    table = name.removesuffix(".csv")
    header = ["municipality_code", "household_size", "valid_from", "valid_until", column, "source", "verified_on"]
    entries: dict[tuple[str, int], list[OverrideRow]] = {}
    sizes: dict[tuple[str, date], list[int]] = {}
    for line, row in _read_csv(directory, name, header):
        code = row["municipality_code"]
        if code not in municipalities:
            raise RateTableError(table, f"line {line}: {code} is not a municipality of municipalities.csv")
        size = _parse_int(table, line, "household_size", row["household_size"], 1, 20)
        valid_from = _parse_date(table, line, "valid_from", row["valid_from"])
        valid_until = _parse_optional_date(table, line, "valid_until", row["valid_until"])
        if valid_until is not None and valid_until < valid_from:
            raise RateTableError(table, f"line {line}: valid_until before valid_from")
        if table == "standard_amount_override" and ((valid_from.month, valid_from.day) != (7, 1) or (
                valid_until is not None and (valid_until.month, valid_until.day) != (6, 30))):
            raise RateTableError(table, f"line {line}: 基準額 rows run from 1 July to 30 June (R11)")
        entries.setdefault((code, size), []).append(OverrideRow(
            _parse_int(table, line, column, row[column], low, high), valid_from, valid_until, row["source"],
            _parse_optional_date(table, line, "verified_on", row["verified_on"])))
        sizes.setdefault((code, valid_from), []).append(size)
    for (code, valid_from), found in sizes.items():
        ordered = tuple(sorted(found))
        if ordered != tuple(range(1, len(ordered) + 1)):
            raise RateTableError(table, f"{code} from {valid_from}: household sizes {ordered} not contiguous from 1")
    result: dict[tuple[str, int], tuple[OverrideRow, ...]] = {}
    for key, rows in entries.items():
        rows.sort(key=lambda item: item.valid_from)
        for before, after in zip(rows, rows[1:], strict=False):
            if before.valid_until is None or before.valid_until >= after.valid_from:
                raise RateTableError(table, f"overlap: {key} from {before.valid_from} and from {after.valid_from}")
        result[key] = tuple(rows)
    return result


def _load_municipalities(directory: Path) -> tuple[dict[str, Municipality], dict[tuple[str, str], Municipality]]:
    header = ["code", "prefecture", "municipality", "ward", "kana"]
    by_code: dict[str, Municipality] = {}
    rows = _read_csv(directory, "municipalities.csv", header)
    cities = {(r["prefecture"], r["municipality"]): r["code"] for _, r in rows if not r["ward"]}
    for line, row in rows:
        code = row["code"]
        if len(code) != 6 or not code.isdigit() or code in by_code:
            raise RateTableError("municipalities", f"line {line}: bad or duplicate code {code!r}")
        city_code = cities.get((row["prefecture"], row["municipality"]))
        if city_code is None:
            raise RateTableError("municipalities", f"line {line}: ward of an unlisted city")
        by_code[code] = Municipality(code, row["prefecture"], row["municipality"], row["ward"], city_code)
    by_name: dict[tuple[str, str], Municipality] = {}
    for item in by_code.values():
        by_name[(item.prefecture, f"{item.name}{item.ward}")] = item
    return by_code, by_name


def _load_nationwide(directory: Path, municipalities: dict[str, Municipality]) -> tuple[
        dict[tuple[str, str], Series], dict[tuple[str, int, str], Series], dict[tuple[str, str], int]]:
    city_entries: dict[tuple[str, str], list[RateValue]] = {}
    header = ["city", "household_band", "valid_from", "ceiling_yen", "source", "verified_on"]
    city_names = {m.name for m in municipalities.values() if not m.ward}
    for line, row in _read_csv(directory, "nationwide_ceiling_by_city.csv", header):
        table = "nationwide_ceiling_by_city"
        if row["city"] not in city_names:
            raise RateTableError(table, f"line {line}: unknown city {row['city']!r}")
        if row["household_band"] not in HOUSEHOLD_BANDS:
            raise RateTableError(table, f"line {line}: unknown band {row['household_band']!r}")
        value = _parse_int(table, line, "ceiling_yen", row["ceiling_yen"], 10_000, 200_000)
        city_entries.setdefault((row["city"], row["household_band"]), []).append(
            RateValue(value, _parse_date(table, line, "valid_from", row["valid_from"]), row["source"],
                      _parse_optional_date(table, line, "verified_on", row["verified_on"])))
    pref_entries: dict[tuple[str, int, str], list[RateValue]] = {}
    header = ["prefecture", "grade", "household_band", "valid_from", "ceiling_yen", "source", "verified_on"]
    for line, row in _read_csv(directory, "nationwide_ceiling_by_prefecture_grade.csv", header):
        table = "nationwide_ceiling_by_prefecture_grade"
        grade = _parse_int(table, line, "grade", row["grade"], 1, 3)
        if row["household_band"] not in HOUSEHOLD_BANDS:
            raise RateTableError(table, f"line {line}: unknown band {row['household_band']!r}")
        value = _parse_int(table, line, "ceiling_yen", row["ceiling_yen"], 10_000, 200_000)
        pref_entries.setdefault((row["prefecture"], grade, row["household_band"]), []).append(
            RateValue(value, _parse_date(table, line, "valid_from", row["valid_from"]), row["source"],
                      _parse_optional_date(table, line, "verified_on", row["verified_on"])))
    grades: dict[tuple[str, str], int] = {}
    header = ["prefecture", "municipality", "grade", "branch", "valid_from", "source", "verified_on"]
    known = {(m.prefecture, m.name) for m in municipalities.values() if not m.ward}
    for line, row in _read_csv(directory, "municipality_grade.csv", header):
        key = (row["prefecture"], row["municipality"])
        if key not in known:
            raise RateTableError("municipality_grade", f"line {line}: unknown municipality {key}")
        grades[key] = _parse_int("municipality_grade", line, "grade", row["grade"], 1, 3)
        _parse_int("municipality_grade", line, "branch", row["branch"], 1, 2)
        _parse_date("municipality_grade", line, "valid_from", row["valid_from"])
        _parse_optional_date("municipality_grade", line, "verified_on", row["verified_on"])
    city_series = _build_series("nationwide_ceiling_by_city", city_entries)
    pref_series = _build_series("nationwide_ceiling_by_prefecture_grade", pref_entries)
    for city in {name for name, _ in city_series}:
        missing = [b for b in HOUSEHOLD_BANDS if (city, b) not in city_series]
        if missing:
            raise RateTableError("nationwide_ceiling_by_city", f"{city}: bands {missing} missing")
    for prefecture in {m.prefecture for m in municipalities.values()}:
        for band in HOUSEHOLD_BANDS:
            if (prefecture, DEFAULT_GRADE, band) not in pref_series:
                raise RateTableError("nationwide_ceiling_by_prefecture_grade",
                                     f"{prefecture}: no 3級地 row for band {band}")
    for (prefecture, name), grade in grades.items():
        if name in {c for c, _ in city_series}:
            continue
        if (prefecture, grade, "1") not in pref_series:
            raise RateTableError("nationwide_ceiling_by_prefecture_grade", f"{prefecture}: no {grade}級地 row")
    return city_series, pref_series, grades


def _load_parameters(directory: Path) -> tuple[dict[str, Series], dict[str, tuple[tuple[date, date], ...]]]:
    with (directory / "parameters.toml").open("rb") as handle:
        raw = tomllib.load(handle)
    numbers: dict[str, list[RateValue]] = {}
    dates: dict[str, tuple[tuple[date, date], ...]] = {}
    for name, spec in raw.items():
        values = spec.get("values")
        if not values or "unit" not in spec:
            raise RateTableError("parameters", f"{name}: needs a unit and values")
        for entry in values:
            missing = {"valid_from", "value", "source", "verified_on"} - set(entry)
            if missing or not str(entry["source"]).strip():
                raise RateTableError("parameters", f"{name}: entry lacks {sorted(missing) or ['source']}")
            if not isinstance(entry["valid_from"], date):
                raise RateTableError("parameters", f"{name}: valid_from must be a date")
        if spec["unit"] == "date":
            dates[name] = tuple(sorted((e["valid_from"], e["value"]) for e in values))
            continue
        for entry in values:
            if not isinstance(entry["value"], int) or isinstance(entry["value"], bool):
                raise RateTableError("parameters", f"{name}: value must be an integer")
            numbers.setdefault(name, []).append(RateValue(entry["value"], entry["valid_from"], entry["source"]))
    return _build_series("parameters", numbers), dates


SETTING_KEYS = {
    "income_limit_comparison", "round_rent_amount_up_to_100", "counted_income_kinds", "exclude_student_income",
    "extension_deadline_rule", "stop_first_unpaid", "change_effective", "pay_day", "housing_report_within_days",
    "monthly_report_due_day",
}
INCOME_KINDS = frozenset({
    "wages", "self_employment", "pension", "unemployment_benefit", "child_allowance",
    "child_rearing_allowance", "scholarship", "loan", "retirement_lump_sum", "other_regular",
})
STOP_RULES = frozenset({"event_month", "month_after_event", "grant_first_month"})


def _settings_from(where: str, values: dict[str, Any]) -> MunicipalitySettings:
    unknown = set(values) - SETTING_KEYS
    if unknown:
        raise RateTableError("municipality_settings", f"{where}: unknown setting(s) {sorted(unknown)}")
    missing = SETTING_KEYS - set(values)
    if missing:
        raise RateTableError("municipality_settings", f"{where}: missing setting(s) {sorted(missing)}")
    checks = [
        (values["income_limit_comparison"] in ("le", "lt"), "income_limit_comparison must be le or lt"),
        (isinstance(values["round_rent_amount_up_to_100"], bool), "round_rent_amount_up_to_100 must be bool"),
        (set(values["counted_income_kinds"]) <= INCOME_KINDS, "counted_income_kinds has an unknown kind"),
        (isinstance(values["exclude_student_income"], bool), "exclude_student_income must be bool"),
        (values["extension_deadline_rule"] == "previous_open_day", "extension_deadline_rule unsupported"),
        (set(values["stop_first_unpaid"].values()) <= STOP_RULES, "stop_first_unpaid has an unknown rule"),
        (values["change_effective"] in ("month_after_acceptance", "acceptance_month"), "change_effective"),
        (isinstance(values["pay_day"], int) and 1 <= values["pay_day"] <= 31, "pay_day must be 1..31"),
        (type(values["housing_report_within_days"]) is int and 1 <= values["housing_report_within_days"] <= 90,
         "housing_report_within_days must be 1..90"),
        (type(values["monthly_report_due_day"]) is int and 1 <= values["monthly_report_due_day"] <= 28,
         "monthly_report_due_day must be 1..28"),
    ]
    for ok, message in checks:
        if not ok:
            raise RateTableError("municipality_settings", f"{where}: {message}")
    return MunicipalitySettings(
        income_limit_comparison=values["income_limit_comparison"],
        round_rent_amount_up_to_100=values["round_rent_amount_up_to_100"],
        counted_income_kinds=frozenset(values["counted_income_kinds"]),
        exclude_student_income=values["exclude_student_income"],
        extension_deadline_rule=values["extension_deadline_rule"],
        stop_first_unpaid=tuple(sorted(values["stop_first_unpaid"].items())),
        change_effective=values["change_effective"],
        pay_day=values["pay_day"],
        housing_report_within_days=values["housing_report_within_days"],
        monthly_report_due_day=values["monthly_report_due_day"],
    )


def _load_settings(directory: Path, known_codes: set[str]) -> tuple[MunicipalitySettings, dict[str, MunicipalitySettings]]:
    with (directory / "municipality_settings.toml").open("rb") as handle:
        raw = tomllib.load(handle)
    defaults_raw = raw.get("defaults", {})
    defaults = _settings_from("defaults", defaults_raw)
    per_code: dict[str, MunicipalitySettings] = {}
    for code, overrides in raw.get("municipality", {}).items():
        if code not in known_codes:
            raise RateTableError("municipality_settings", f"{code} is not a municipality or prefecture code")
        merged = {**defaults_raw, **overrides}
        if "stop_first_unpaid" in overrides:
            merged["stop_first_unpaid"] = {**defaults_raw["stop_first_unpaid"], **overrides["stop_first_unpaid"]}
        per_code[code] = _settings_from(code, merged)
    return defaults, per_code


def _version(directory: Path) -> str:
    digest = hashlib.sha256()
    for name in TABLE_FILES:
        digest.update(name.encode())
        digest.update((directory / name).read_bytes())
    return digest.hexdigest()[:16]


def _prefecture_codes(municipalities: dict[str, Municipality]) -> dict[str, str]:
    """A prefecture's code: its two-digit number, 000 and the check digit (東京都 → 130001)."""
    codes: dict[str, str] = {}
    for municipality in municipalities.values():
        five = municipality.code[:2] + "000"
        codes.setdefault(municipality.prefecture, five + municipality_check_digit(five))
    return codes


def load_rate_book_from(directory: Path) -> RateBook:
    """Load every table in ``directory`` and validate it (raises :class:`RateTableError`)."""
    for name in TABLE_FILES:
        if not (directory / name).is_file():
            raise RateTableError(name, "file missing")
    municipalities, by_name = _load_municipalities(directory)
    prefecture_codes = _prefecture_codes(municipalities)
    exemption_lines = _load_exemption_lines(directory)
    schedules = _load_deduction_schedules(directory)
    standard_overrides = _load_overrides(directory, "standard_amount_override.csv", "standard_amount_yen",
                                         10_000, 2_000_000, municipalities)
    ceiling_overrides = _load_overrides(directory, "rent_ceiling_override.csv", "ceiling_yen", 10_000, 300_000,
                                        municipalities)
    city_series, pref_series, grades = _load_nationwide(directory, municipalities)
    parameters, parameter_dates = _load_parameters(directory)
    defaults, per_code = _load_settings(directory, set(municipalities) | set(prefecture_codes.values()))
    return RateBook(
        version=_version(directory), exemption_lines=exemption_lines, deduction_schedules=schedules,
        standard_overrides=standard_overrides, ceiling_overrides=ceiling_overrides,
        city_ceilings=city_series, prefecture_ceilings=pref_series, grades=grades,
        municipalities=municipalities, municipalities_by_name=by_name, parameters=parameters,
        parameter_dates=parameter_dates, default_settings=defaults, municipality_settings=per_code,
        prefecture_codes=prefecture_codes,
    )


@lru_cache(maxsize=1)
def load_rate_book() -> RateBook:
    """The shipped tables, loaded once per process."""
    return load_rate_book_from(RATES_DIR)

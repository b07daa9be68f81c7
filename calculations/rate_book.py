"""Load and validate the dated rate tables in ``calculations/rates/`` (architecture.md §4.4).

Every table row has ``valid_from``, ``source`` and ``verified_on``. A row is in force from its
``valid_from`` until the next row for the same key. Validation at load time stops the program
with a :class:`RateTableError` naming the table: blank cells, duplicate (key, valid_from),
household sizes that are not contiguous from 1, 基準額 rows that do not start on 1 July (R11),
deciding municipalities missing from a table, unknown municipality names.
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

RATES_DIR = Path(__file__).with_name("rates")

TABLE_FILES = (
    "standard_amount.csv",
    "rent_ceiling.csv",
    "asset_limit.csv",
    "nationwide_ceiling_by_city.csv",
    "nationwide_ceiling_by_prefecture_grade.csv",
    "municipality_grade.csv",
    "municipalities.csv",
    "parameters.toml",
    "municipality_settings.toml",
)

HOUSEHOLD_BANDS = ("1", "2", "3-5", "6", "7+")
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
    standard_amounts: dict[tuple[str, int], Series]
    rent_ceilings: dict[tuple[str, int], Series]
    asset_limits: dict[tuple[str, int], Series]
    city_ceilings: dict[tuple[str, str], Series]
    prefecture_ceilings: dict[tuple[str, int, str], Series]
    grades: dict[tuple[str, str], int]
    municipalities: dict[str, Municipality]
    municipalities_by_name: dict[tuple[str, str], Municipality]
    parameters: dict[str, Series]
    parameter_dates: dict[str, tuple[tuple[date, date], ...]]
    default_settings: MunicipalitySettings
    municipality_settings: dict[str, MunicipalitySettings]
    deciding_sizes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    #: Memo of lookups by (table, key, as_of); the tables never change after loading.
    _memo: dict[tuple[object, ...], RateValue] = field(default_factory=dict, repr=False, compare=False)

    # -- deciding municipality tables (R10, R11, R13; PD15) --------------------------------------

    def is_deciding_municipality(self, code: str) -> bool:
        return code in self.deciding_sizes

    def max_household_size(self, code: str) -> int:
        return max(self.deciding_sizes[code])

    def _lookup(self, table: str, series: dict[tuple[str, int], Series], code: str, size: int,
                as_of: date) -> RateValue:
        memo_key = (table, code, size, as_of)
        memo = self._memo.get(memo_key)
        if memo is not None:
            return memo
        found = series.get((code, size))
        value = found.at(as_of) if found else None
        if value is None:
            raise RateNotFound(table, (code, size), as_of)
        self._memo[memo_key] = value
        return value

    def standard_amount(self, code: str, household_size: int, as_of: date) -> RateValue:
        """基準額 B (R11): the published table in force on the application date (PD15)."""
        return self._lookup("standard_amount", self.standard_amounts, code, household_size, as_of)

    def rent_ceiling(self, code: str, household_size: int, as_of: date) -> RateValue:
        """住宅扶助基準に基づく額 C of the deciding municipality (R10)."""
        return self._lookup("rent_ceiling", self.rent_ceilings, code, household_size, as_of)

    def asset_limit(self, code: str, household_size: int, as_of: date) -> RateValue:
        """資産基準額 as published (R13); tests check it equals min(6B, 1,000,000)."""
        return self._lookup("asset_limit", self.asset_limits, code, household_size, as_of)

    # -- nationwide (PD14) ----------------------------------------------------------------------

    def municipality(self, code: str) -> Municipality | None:
        return self.municipalities.get(code)

    def municipality_by_name(self, prefecture: str, name: str) -> Municipality | None:
        return self.municipalities_by_name.get((prefecture, name))

    def grade_of(self, municipality: Municipality) -> int:
        city = self.municipalities[municipality.city_code]
        return self.grades.get((city.prefecture, city.name), DEFAULT_GRADE)

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
        return self.municipality_settings.get(code, self.default_settings)


# ---------------------------------------------------------------------------------------------
# Loading and validation


def _parse_date(table: str, line: int, column: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RateTableError(table, f"line {line}: {column} {text!r} is not a date") from None


def _parse_int(table: str, line: int, column: str, text: str, low: int, high: int) -> int:
    if not text.isdigit():
        raise RateTableError(table, f"line {line}: {column} {text!r} is not a whole number")
    value = int(text)
    if not low <= value <= high:
        raise RateTableError(table, f"line {line}: {column} {value} outside {low}..{high}")
    return value


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
            blank = [column for column, value in row.items() if not value.strip()]
            if blank and not (name == "municipalities.csv" and blank == ["ward"]):
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


def _load_household_table(directory: Path, name: str, column: str, low: int, high: int
                          ) -> tuple[dict[tuple[str, int], Series], dict[str, tuple[int, ...]]]:
    table = name.removesuffix(".csv")
    header = ["municipality_code", "household_size", "valid_from", column, "source", "verified_on"]
    entries: dict[tuple[str, int], list[RateValue]] = {}
    sizes_by_version: dict[tuple[str, date], list[int]] = {}
    for line, row in _read_csv(directory, name, header):
        code = row["municipality_code"]
        size = _parse_int(table, line, "household_size", row["household_size"], 1, 20)
        valid_from = _parse_date(table, line, "valid_from", row["valid_from"])
        _parse_date(table, line, "verified_on", row["verified_on"])
        value = _parse_int(table, line, column, row[column], low, high)
        entries.setdefault((code, size), []).append(RateValue(value, valid_from, row["source"]))
        sizes_by_version.setdefault((code, valid_from), []).append(size)
        if table == "standard_amount" and (valid_from.month, valid_from.day) != (7, 1):
            raise RateTableError(table, f"line {line}: 基準額 tables switch on 1 July (R11), not {valid_from}")
    series = _build_series(table, entries)
    sizes: dict[str, tuple[int, ...]] = {}
    for (code, valid_from), found in sizes_by_version.items():
        ordered = tuple(sorted(found))
        if ordered != tuple(range(1, len(ordered) + 1)):
            raise RateTableError(table, f"{code} from {valid_from}: household sizes {ordered} not contiguous from 1")
        if code in sizes and sizes[code] != ordered:
            raise RateTableError(table, f"{code}: household sizes differ between versions")
        sizes[code] = ordered
    return series, sizes


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
        _parse_date(table, line, "verified_on", row["verified_on"])
        city_entries.setdefault((row["city"], row["household_band"]), []).append(
            RateValue(value, _parse_date(table, line, "valid_from", row["valid_from"]), row["source"]))
    pref_entries: dict[tuple[str, int, str], list[RateValue]] = {}
    header = ["prefecture", "grade", "household_band", "valid_from", "ceiling_yen", "source", "verified_on"]
    for line, row in _read_csv(directory, "nationwide_ceiling_by_prefecture_grade.csv", header):
        table = "nationwide_ceiling_by_prefecture_grade"
        grade = _parse_int(table, line, "grade", row["grade"], 1, 3)
        if row["household_band"] not in HOUSEHOLD_BANDS:
            raise RateTableError(table, f"line {line}: unknown band {row['household_band']!r}")
        value = _parse_int(table, line, "ceiling_yen", row["ceiling_yen"], 10_000, 200_000)
        _parse_date(table, line, "verified_on", row["verified_on"])
        pref_entries.setdefault((row["prefecture"], grade, row["household_band"]), []).append(
            RateValue(value, _parse_date(table, line, "valid_from", row["valid_from"]), row["source"]))
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
            raise RateTableError("municipality_settings", f"{code} is not a deciding municipality")
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


def load_rate_book_from(directory: Path) -> RateBook:
    """Load every table in ``directory`` and validate it (raises :class:`RateTableError`)."""
    for name in TABLE_FILES:
        if not (directory / name).is_file():
            raise RateTableError(name, "file missing")
    municipalities, by_name = _load_municipalities(directory)
    standard, sizes = _load_household_table(directory, "standard_amount.csv", "standard_amount_yen", 10_000, 2_000_000)
    ceilings, ceiling_sizes = _load_household_table(directory, "rent_ceiling.csv", "ceiling_yen", 10_000, 300_000)
    assets, asset_sizes = _load_household_table(directory, "asset_limit.csv", "asset_limit_yen", 10_000, 10_000_000)
    for table, other in (("rent_ceiling", ceiling_sizes), ("asset_limit", asset_sizes)):
        if other != sizes:
            raise RateTableError(table, "municipalities or household sizes differ from standard_amount")
    for code in sizes:
        if code not in municipalities or municipalities[code].ward:
            raise RateTableError("standard_amount", f"{code} is not a municipality of municipalities.csv")
    city_series, pref_series, grades = _load_nationwide(directory, municipalities)
    parameters, parameter_dates = _load_parameters(directory)
    defaults, per_code = _load_settings(directory, set(sizes))
    return RateBook(
        version=_version(directory), standard_amounts=standard, rent_ceilings=ceilings, asset_limits=assets,
        city_ceilings=city_series, prefecture_ceilings=pref_series, grades=grades,
        municipalities=municipalities, municipalities_by_name=by_name, parameters=parameters,
        parameter_dates=parameter_dates, default_settings=defaults, municipality_settings=per_code,
        deciding_sizes=sizes,
    )


@lru_cache(maxsize=1)
def load_rate_book() -> RateBook:
    """The shipped tables, loaded once per process."""
    return load_rate_book_from(RATES_DIR)

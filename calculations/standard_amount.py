"""基準額 B derived from the 住民税 均等割 non-taxable line (R11, decisions.md PD25).

B for N persons = the income below which 均等割 is not levied, expressed as employment income, for
the 住民税 year in force on the application date, divided by 12 and rounded **up** to ¥1,000. The
inputs are dated rows of the rate book:

* the 所得 line per tax 級地 (``resident_tax_exemption.csv``): per-person base × N + the fixed
  addition (10万円) + the dependants' addition when N ≥ 2 (地方税法施行令 第47条の3);
* the 給与所得控除 schedule of the income year (``employment_income_deduction.csv``, 所得税法 第28条
  第3項 and 別表第五), which turns a 所得 line into employment income.

Two employment-income figures come out of the line, and the difference matters:

* :func:`employment_income_line_yen` — the largest employment income whose 給与所得 by 別表第五 (its
  4,000-yen steps) stays within the line: what tax offices print (Osaka 令和8年度: 1,100,000 /
  1,660,000 / 2,059,999 / 2,559,999 / 3,059,999);
* :func:`employment_income_at_line_yen` — the employment income at which the 給与所得控除 formula
  reaches the line (the line plus the deduction, as municipal 要綱 describe it, rules.md §16.6).

B is one twelfth of the second, rounded up (:func:`monthly_standard_amount_yen`): it reproduces every
published 基準額 table, including 3級地 3 persons 140,000 before 令和8年度 (Hasuda, Okinawa City, Yame),
where the 別表第五 line (1,683,999) would give 141,000. The two agree everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: Upper bound of the employment-income search (yen a year); far above any non-taxable line.
_SEARCH_LIMIT_YEN = 10**10


@dataclass(frozen=True, slots=True)
class ExemptionLine:
    """均等割 non-taxable 所得 line parameters of one tax 級地 (地方税法施行令 第47条の3)."""

    grade: int
    valid_from: date
    per_person_yen: int
    dependant_addition_yen: int
    fixed_addition_yen: int
    source: str
    verified_on: date | None


@dataclass(frozen=True, slots=True)
class DeductionSegment:
    """From ``from_yen`` of employment income: 給与所得控除 = rate_percent % × income + addition_yen,
    and 別表第五 rounds the income down to a multiple of ``table_step_yen`` (1 = exact)."""

    from_yen: int
    rate_percent: int
    addition_yen: int
    table_step_yen: int


@dataclass(frozen=True, slots=True)
class DeductionSchedule:
    """The 給与所得控除 of one income year (所得税法 第28条第3項, 別表第五)."""

    income_year: int
    valid_from: date
    segments: tuple[DeductionSegment, ...]
    source: str
    verified_on: date | None

    def segment(self, income_yen: int) -> DeductionSegment:
        found = self.segments[0]
        for segment in self.segments:
            if income_yen < segment.from_yen:
                break
            found = segment
        return found


def resident_tax_year(as_of: date) -> int:
    """R11: the 住民税 年度 whose line applies on ``as_of`` — the 年度 containing the date, except that
    April, May and June still use the previous 年度 (tables switch on 1 July)."""
    return as_of.year if as_of.month >= 7 else as_of.year - 1


def non_taxable_income_line_yen(line: ExemptionLine, household_size: int) -> int:
    """PD25: 所得 at or below which 均等割 is not levied for a household of ``household_size``."""
    dependants = line.dependant_addition_yen if household_size >= 2 else 0
    return line.per_person_yen * household_size + line.fixed_addition_yen + dependants


def _employment_income_times_100(schedule: DeductionSchedule, income_yen: int) -> int:
    """100 × 給与所得 by the deduction formula (exact integer arithmetic; never below 0)."""
    segment = schedule.segment(income_yen)
    deduction_x100 = segment.rate_percent * income_yen + 100 * segment.addition_yen
    return max(0, 100 * income_yen - deduction_x100)


def table_employment_income_yen(schedule: DeductionSchedule, income_yen: int) -> int:
    """給与所得 as 別表第五 gives it: the income rounded down to the table's step, then the formula."""
    step = schedule.segment(income_yen).table_step_yen
    stepped = income_yen - income_yen % step
    return _employment_income_times_100(schedule, stepped) // 100


def employment_income_line_yen(schedule: DeductionSchedule, income_line_yen: int) -> int:
    """The largest employment income whose 給与所得 (別表第五) is within ``income_line_yen``."""
    low, high = 0, _SEARCH_LIMIT_YEN
    while low < high:
        middle = (low + high + 1) // 2
        if table_employment_income_yen(schedule, middle) <= income_line_yen:
            low = middle
        else:
            high = middle - 1
    return low


def employment_income_at_line_yen(schedule: DeductionSchedule, income_line_yen: int) -> int:
    """The smallest whole-yen employment income whose 給与所得 by the deduction formula reaches the
    line (the line plus the 給与所得控除 at that income; rules.md §16.6)."""
    target = 100 * income_line_yen
    low, high = 0, _SEARCH_LIMIT_YEN
    while low < high:
        middle = (low + high) // 2
        if _employment_income_times_100(schedule, middle) >= target:
            high = middle
        else:
            low = middle + 1
    return low


def monthly_standard_amount_yen(annual_income_yen: int) -> int:
    """R11 (rules.md §16.6, PD25): one twelfth of the annual amount, rounded **up** to ¥1,000.

    Rounding the exact twelfth up equals rounding the whole-yen annual amount / 12,000 up, so this
    stays in integers: the smallest multiple of 1,000 not below annual / 12.
    """
    return -(-annual_income_yen // 12_000) * 1_000


@dataclass(frozen=True, slots=True)
class DerivedStandardAmount:
    """B with every intermediate value of its derivation (printed by ``rates explain``)."""

    value: int
    household_size: int
    grade: int
    tax_year: int
    income_line_yen: int
    employment_income_yen: int
    employment_income_line_yen: int
    line: ExemptionLine
    schedule: DeductionSchedule

    @property
    def valid_from(self) -> date:
        return date(self.tax_year, 7, 1)

    @property
    def source(self) -> str:
        era = self.tax_year - 2018
        return (f"derived by R11 (PD25) from the 令和{era}年度 均等割 non-taxable line of {self.grade}級地 "
                f"({self.income_line_yen:,} yen of 所得 for {self.household_size}) and the 給与所得控除 of "
                f"{self.schedule.income_year}: employment income {self.employment_income_yen:,} / 12 rounded up "
                f"to 1,000 yen (tax-office line {self.employment_income_line_yen:,})")


def derive_standard_amount(line: ExemptionLine, schedule: DeductionSchedule, household_size: int,
                           tax_year: int) -> DerivedStandardAmount:
    """B for ``household_size`` persons of one 級地 and 住民税 year (R11, PD25)."""
    income_line = non_taxable_income_line_yen(line, household_size)
    at_line = employment_income_at_line_yen(schedule, income_line)
    return DerivedStandardAmount(
        value=monthly_standard_amount_yen(at_line), household_size=household_size, grade=line.grade,
        tax_year=tax_year, income_line_yen=income_line, employment_income_yen=at_line,
        employment_income_line_yen=employment_income_line_yen(schedule, income_line), line=line,
        schedule=schedule)

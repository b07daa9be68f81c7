"""Frozen input facts of an assessment (contracts.md §1). Built by :mod:`calculations.contract`
from the JSON input, by the service from stored applications, and by test factories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True, kw_only=True)
class Income:
    """One income item of a member for the application month (R26–R31, PD3)."""

    kind: str
    amount_yen: int
    commuting_allowance_yen: int = 0
    expenses_yen: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    """A member of the household (R7, PD20); the applicant is the first member."""

    relationship: str
    birth_date: date
    student: bool
    incomes: tuple[Income, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Declarations:
    """Declarations signed at application (R22–R24)."""

    hello_work_registered: bool
    similar_benefit: bool
    gang_member_in_household: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Trigger:
    """The event behind the hardship (R17–R19)."""

    kind: str  # job_loss | business_closure | reduced_work
    date: date | None
    cause: str  # dismissal | employer_reasons | voluntary | other
    main_earner: bool
    job_search_blocked_days: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class PreviousReceipt:
    """An earlier receipt of the rent subsidy (R65, R66, PD12)."""

    last_paid_month: str
    last_application_date: date


@dataclass(frozen=True, slots=True, kw_only=True)
class CommonFacts:
    municipality_code: str
    application_date: date
    household: tuple[Member, ...]
    assets_yen: int
    declarations: Declarations


@dataclass(frozen=True, slots=True, kw_only=True)
class RentFacts:
    """家賃補助 application (R17–R43)."""

    common: CommonFacts
    applicant_type: str  # at_risk | homeless
    rent_yen: int
    common_charges_yen: int
    lease_initial_costs_paid_on: date | None
    trigger: Trigger
    previous_receipt: PreviousReceipt | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Cost:
    category: str
    amount_yen: int


@dataclass(frozen=True, slots=True, kw_only=True)
class IncomeDrop:
    month: str
    cause: str  # death | job_loss | reduced_work
    main_earner: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class MovingFacts:
    """転居費用補助 application (R74–R80, PD13, PD14, PD22, PD23)."""

    common: CommonFacts
    current_rent_yen: int
    destination_code: str
    income_drop: IncomeDrop
    move_needed: bool
    cannot_fund: bool
    costs: tuple[Cost, ...]
    approved_cap_yen: int | None = None

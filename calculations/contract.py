"""The ``assess`` contract (contracts.md §1): JSON input → facts → result → JSON output.

Shared by ``housing-benefit assess`` and ``POST /api/v1/assessments``. Input that cannot be
assessed raises :class:`InvalidInput` naming the field by its contract path; an ineligible case
is a normal result with every unmet requirement in ``reasons``.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any

from calculations.calendar import OfficeCalendar
from calculations.errors import InvalidInput, RateNotFound
from calculations.facts import (
    CommonFacts,
    Cost,
    Declarations,
    Income,
    IncomeDrop,
    Member,
    MovingFacts,
    PreviousReceipt,
    RentFacts,
    Trigger,
)
from calculations.moving import ELIGIBLE_CATEGORIES, EXCLUDED_CATEGORIES, assess_moving
from calculations.periods import month_of, months_between
from calculations.rate_book import RateBook
from calculations.rent import assess_rent

RELATIONSHIPS = ("applicant", "spouse", "partner", "child", "parent", "sibling", "grandparent", "grandchild", "other")
INCOME_KINDS = ("wages", "self_employment", "pension", "unemployment_benefit", "child_allowance",
                "child_rearing_allowance", "scholarship", "loan", "retirement_lump_sum", "other_regular")
TRIGGER_KINDS = ("job_loss", "business_closure", "reduced_work")
TRIGGER_CAUSES = ("dismissal", "employer_reasons", "voluntary", "other")
DROP_CAUSES = ("death", "job_loss", "reduced_work")
MAX_YEN = 10**12  # far above any real amount; keeps arithmetic and storage sane
_MISSING = object()
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")  # ASCII digits: \d would also take ０-９
_MONTH = re.compile(r"^[0-9]{4}-[0-9]{2}$")


class _Reader:
    """Reads one JSON object, raising InvalidInput with the field's contract path."""

    __slots__ = ("data", "_parent", "_key")

    def __init__(self, data: Any, parent: _Reader | None = None, key: str = "") -> None:
        self._parent = parent
        self._key = key
        if not isinstance(data, dict):
            path = self.path
            raise InvalidInput("not_an_object", f"{path or 'the input'} must be a JSON object", path or "body")
        self.data = data

    @property
    def path(self) -> str:
        """The contract path, built only when an error needs it."""
        return self._parent.at(self._key) if self._parent is not None else self._key

    def at(self, key: str) -> str:
        path = self.path
        return f"{path}.{key}" if path else key

    def raw(self, key: str, *, nullable: bool = False) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            raise InvalidInput("missing_field", f"{self.at(key)} is required", self.at(key))
        if value is None and not nullable:
            raise InvalidInput("missing_field", f"{self.at(key)} must not be null", self.at(key))
        return value

    def optional(self, key: str) -> Any:
        return self.data.get(key)

    def yen(self, key: str, *, required: bool = True) -> int:
        value = self.raw(key) if required else self.data.get(key, 0)
        if type(value) is int and 0 <= value <= MAX_YEN:
            return value
        return as_yen(value, self.at(key))

    def boolean(self, key: str) -> bool:
        value = self.raw(key)
        if not isinstance(value, bool):
            raise InvalidInput("not_a_boolean", f"{self.at(key)} must be true or false", self.at(key))
        return value

    def choice(self, key: str, options: tuple[str, ...]) -> str:
        value = self.raw(key)
        if value not in options:
            raise InvalidInput("invalid_value", f"{self.at(key)} must be one of {', '.join(options)}", self.at(key))
        return str(value)

    def date(self, key: str, *, nullable: bool = False) -> date | None:
        value = self.raw(key, nullable=nullable)
        return None if value is None else as_date(value, self.at(key))

    def month(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or not _MONTH.match(value) or not 1 <= int(value[5:]) <= 12:
            raise InvalidInput("invalid_month", f"{self.at(key)} must be a month YYYY-MM", self.at(key))
        return value

    def text(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput("invalid_value", f"{self.at(key)} must be a non-empty string", self.at(key))
        return value

    def obj(self, key: str, *, nullable: bool = False) -> _Reader | None:
        value = self.raw(key, nullable=nullable)
        return None if value is None else _Reader(value, self, key)

    def items(self, key: str) -> list[_Reader]:
        value = self.raw(key)
        if not isinstance(value, list):
            raise InvalidInput("not_a_list", f"{self.at(key)} must be a list", self.at(key))
        return [_Reader(item, self, f"{key}[{i}]") for i, item in enumerate(value)]


def as_yen(value: Any, field: str) -> int:
    """Money is a JSON integer ≥ 0 (PD24): ``50000.0``, strings, booleans and negatives are refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("not_integer_yen", f"{field} must be a whole number of yen (JSON integer)", field)
    if value < 0:
        raise InvalidInput("negative_yen", f"{field} must not be negative", field)
    if value > MAX_YEN:
        raise InvalidInput("implausible_yen", f"{field} is implausibly large", field)
    return value


@lru_cache(maxsize=8192)
def _iso_date(text: str) -> date | None:
    """A strict ``YYYY-MM-DD`` date, or None when the text is not one or the day does not exist."""
    if not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def as_date(value: Any, field: str) -> date:
    parsed = _iso_date(value) if isinstance(value, str) else None
    if parsed is None:
        raise InvalidInput("invalid_date", f"{field} must be an existing date YYYY-MM-DD", field)
    return parsed


def _income(reader: _Reader) -> Income:
    kind = reader.choice("kind", INCOME_KINDS)
    amount = reader.yen("amount_yen")
    commuting = reader.yen("commuting_allowance_yen", required=False)
    expenses = reader.yen("expenses_yen", required=False)
    if commuting and kind != "wages":
        raise InvalidInput("not_applicable", "commuting_allowance_yen applies only to wages",
                           reader.at("commuting_allowance_yen"))
    if commuting > amount:
        raise InvalidInput("commuting_above_wages", "the commuting allowance is larger than its wages (PD24)",
                           reader.at("commuting_allowance_yen"))
    if expenses and kind != "self_employment":
        raise InvalidInput("not_applicable", "expenses_yen applies only to self_employment",
                           reader.at("expenses_yen"))
    return Income(kind=kind, amount_yen=amount, commuting_allowance_yen=commuting, expenses_yen=expenses)


def _member(reader: _Reader, index: int, application_date: date) -> Member:
    relationship = reader.choice("relationship", RELATIONSHIPS)
    if (index == 0) != (relationship == "applicant"):
        raise InvalidInput("applicant_first", "the applicant is the first member, and only the first",
                           reader.at("relationship"))
    birth_date = reader.date("birth_date")
    assert birth_date is not None
    if birth_date > application_date:
        raise InvalidInput("born_after_application", "birth_date is after the application date",
                           reader.at("birth_date"))
    student = reader.boolean("student")
    incomes = tuple(_income(item) for item in reader.items("incomes")) if reader.data.get("incomes") is not None \
        else ()
    return Member(relationship=relationship, birth_date=birth_date, student=student, incomes=incomes)


def _common(root: _Reader, rates: RateBook) -> CommonFacts:
    code = root.raw("municipality_code")
    if not isinstance(code, str) or not rates.is_assessable(code):
        raise InvalidInput("unknown_municipality",
                           f"{code!r} is not a municipality of the national list (municipalities.csv; PD14, PD25)",
                           "municipality_code")
    application_date = root.date("application_date")
    assert application_date is not None
    members = root.items("household")
    if not members:
        raise InvalidInput("empty_household", "household needs at least the applicant", "household")
    household = tuple(_member(m, i, application_date) for i, m in enumerate(members))
    declarations = root.obj("declarations")
    assert declarations is not None
    return CommonFacts(
        municipality_code=code, application_date=application_date, household=household,
        assets_yen=root.yen("assets_yen"),
        declarations=Declarations(
            hello_work_registered=declarations.boolean("hello_work_registered"),
            similar_benefit=declarations.boolean("similar_benefit"),
            gang_member_in_household=declarations.boolean("gang_member_in_household")),
    )


def _trigger(reader: _Reader, application_date: date) -> Trigger:
    kind = reader.choice("kind", TRIGGER_KINDS)
    trigger_date = reader.date("date", nullable=True)
    if trigger_date is None and kind != "reduced_work":
        raise InvalidInput("missing_field", "trigger.date is required for job_loss and business_closure",
                           reader.at("date"))
    if trigger_date is not None and trigger_date > application_date:
        raise InvalidInput("date_after_application", "trigger.date is after the application date",
                           reader.at("date"))
    blocked = reader.data.get("job_search_blocked_days", 0)
    if isinstance(blocked, bool) or not isinstance(blocked, int) or blocked < 0 or 0 < blocked < 30:
        raise InvalidInput("invalid_blocked_days",
                           "job_search_blocked_days is 0 or the days of periods of 30 or more days (PD11)",
                           reader.at("job_search_blocked_days"))
    return Trigger(kind=kind, date=trigger_date if kind != "reduced_work" else None,
                   cause=reader.choice("cause", TRIGGER_CAUSES),
                   main_earner=reader.boolean("main_earner"), job_search_blocked_days=blocked)


def parse_rent(payload: dict[str, Any], rates: RateBook) -> RentFacts:
    root = _Reader(payload)
    common = _common(root, rates)
    applicant_type = root.choice("applicant_type", ("at_risk", "homeless"))
    paid_on = root.date("lease_initial_costs_paid_on", nullable=True) if "lease_initial_costs_paid_on" in payload \
        else None
    if applicant_type == "homeless" and paid_on is None:
        raise InvalidInput("missing_field", "lease_initial_costs_paid_on is required for a homeless applicant (PD5)",
                           "lease_initial_costs_paid_on")
    if applicant_type == "at_risk" and paid_on is not None:
        raise InvalidInput("not_applicable", "lease_initial_costs_paid_on must be null for an at_risk applicant",
                           "lease_initial_costs_paid_on")
    trigger = root.obj("trigger")
    assert trigger is not None
    previous = root.obj("previous_receipt", nullable=True) if "previous_receipt" in payload else None
    previous_receipt = None
    if previous is not None:
        last_application = previous.date("last_application_date")
        assert last_application is not None
        previous_receipt = PreviousReceipt(last_paid_month=previous.month("last_paid_month"),
                                           last_application_date=last_application)
    return RentFacts(
        common=common, applicant_type=applicant_type, rent_yen=root.yen("rent_yen"),
        common_charges_yen=root.yen("common_charges_yen", required=False), lease_initial_costs_paid_on=paid_on,
        trigger=_trigger(trigger, common.application_date), previous_receipt=previous_receipt,
    )


def _destination(reader: _Reader, rates: RateBook) -> str:
    """Any municipality of municipalities.csv, by code or by prefecture and name (PD14)."""
    code = reader.optional("municipality_code")
    found = None
    if code is not None:
        found = rates.municipality(code) if isinstance(code, str) else None
    else:
        prefecture, name = reader.optional("prefecture"), reader.optional("municipality")
        if isinstance(prefecture, str) and isinstance(name, str):
            found = rates.municipality_by_name(prefecture, name + (reader.optional("ward") or ""))
    if found is None:
        raise InvalidInput("unknown_destination", "destination is not a municipality of the national list (PD14)",
                           "destination")
    return found.city_code


def parse_moving(payload: dict[str, Any], rates: RateBook) -> MovingFacts:
    root = _Reader(payload)
    common = _common(root, rates)
    drop = root.obj("income_drop")
    review = root.obj("household_finance_review")
    destination = root.obj("destination")
    assert drop is not None and review is not None and destination is not None
    drop_month = drop.month("month")
    if months_between(drop_month, month_of(common.application_date)) < 0:
        raise InvalidInput("month_after_application", "income_drop.month is after the application month",
                           drop.at("month"))
    costs = []
    for item in root.items("costs"):
        category = item.choice("category", ELIGIBLE_CATEGORIES + EXCLUDED_CATEGORIES)
        costs.append(Cost(category=category, amount_yen=item.yen("amount_yen")))
    approved = root.optional("approved_cap_yen")
    return MovingFacts(
        common=common, current_rent_yen=root.yen("current_rent_yen"),
        destination_code=_destination(destination, rates),
        income_drop=IncomeDrop(month=drop_month, cause=drop.choice("cause", DROP_CAUSES),
                               main_earner=drop.boolean("main_earner")),
        move_needed=review.boolean("move_needed"), cannot_fund=review.boolean("cannot_fund"),
        costs=tuple(costs),
        approved_cap_yen=None if approved is None else as_yen(approved, "approved_cap_yen"),
    )


def _require_tables(rates: RateBook, payload: dict[str, Any], as_of: date, benefit: str) -> None:
    if benefit == "moving" and as_of < date(2025, 4, 1):
        raise InvalidInput("not_in_force", "the moving-cost subsidy exists from 2025-04-01 (R1)", "application_date")


def assess_payload(payload: Any, rates: RateBook, office_calendar: OfficeCalendar, *,
                   purpose: str = "initial") -> dict[str, Any]:
    """Assess one contract input and return the contract output (contracts.md §1)."""
    root = _Reader(payload)
    benefit = root.choice("benefit", ("rent", "moving"))
    try:
        if benefit == "rent":
            return _rent_output(assess_rent(parse_rent(payload, rates), rates, office_calendar, purpose=purpose))
        facts = parse_moving(payload, rates)
        _require_tables(rates, payload, facts.common.application_date, benefit)
        return _moving_output(assess_moving(facts, rates))
    except RateNotFound as missing:
        raise InvalidInput("no_rate_table", f"no table in force on the application date: {missing}",
                           "application_date") from None


def _common_output(result: Any) -> dict[str, Any]:
    return {
        "eligible": result.eligible,
        "amount_yen": result.amount_yen,
        "household_size": result.household_size,
        "counted_income_yen": result.counted_income_yen,
        "standard_amount_yen": result.standard_amount_yen,
        "rent_ceiling_yen": result.rent_ceiling_yen,
        "income_limit_yen": result.income_limit_yen,
        "asset_limit_yen": result.asset_limit_yen,
        "reasons": [reason.as_dict() for reason in result.reasons],
        "trace": list(result.trace),
    }


def _rent_output(result: Any) -> dict[str, Any]:
    return {
        **_common_output(result),
        "first_benefit_month": result.first_benefit_month,
        "initial_period": {"first_month": result.initial_period[0], "last_month": result.initial_period[1]},
        "extension_deadline": result.extension_deadline.isoformat(),
    }


def _moving_output(result: Any) -> dict[str, Any]:
    return {
        **_common_output(result),
        "cost_cap_yen": result.cost_cap_yen,
        "eligible_costs_yen": result.eligible_costs_yen,
        "allocation": {"agent_yen": result.allocation_agent_yen, "other_yen": result.allocation_other_yen},
    }

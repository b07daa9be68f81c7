"""Pure monthly payment planning (architecture.md §4.8).

From the entitlements (what decisions grant: one amount per grant, benefit month and payee) and
the ledger so far (what is already paid or in an open batch), compute what the monthly run pays.
Planning is idempotent: once the planned instalments are in a batch, planning again over the
same inputs yields nothing new. Per-case problems (a payee that cannot be paid) leave the case
out and list it in ``excluded``; data errors (negative amounts, duplicate entitlements) raise
(architecture.md §4.9).

The benefit is paid to the agent/landlord (代理受領, R45), one transfer per payee per batch
summing several tenants (:func:`group_by_payee`); the moving subsidy is split between the agent
and the removal company per PD13 (:func:`split_moving_payment`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from calculations.moving import AGENT_CATEGORIES, ELIGIBLE_CATEGORIES, EXCLUDED_CATEGORIES, OTHER_CATEGORIES
from payments.bank_calendar import parse_benefit_month
from payments.payees import PayeeProblem

__all__ = [
    "Entitlement",
    "Exclusion",
    "Instalment",
    "MonthPlan",
    "MovingPaymentPart",
    "PayeeTransfer",
    "RemittanceLine",
    "ReturnedInstalment",
    "ScheduleError",
    "SettledKey",
    "group_by_payee",
    "plan_month",
    "split_moving_payment",
]

Subsidy = Literal["rent", "moving"]
SettledKey = tuple[int, str, str]
"""(grant_id, benefit_month, payee_id): the identity of one instalment in the ledger."""


class ScheduleError(ValueError):
    """Broken input data: stops the run loudly (architecture.md §4.9)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Entitlement:
    """What a decision grants for one benefit month to one payee."""

    grant_id: int
    case_id: int
    benefit_month: str
    """``YYYY-MM``."""
    amount_yen: int
    payee_id: str
    subsidy: Subsidy
    """``rent`` (家賃補助) or ``moving`` (転居費用補助)."""
    kind: str
    """Free label for the statement, e.g. ``monthly_rent``, ``moving_initial_costs``, ``moving_removal``."""
    case_reference: str = ""
    """Human-readable case number for the 支払明細; defaults to ``str(case_id)``."""

    @property
    def key(self) -> SettledKey:
        return (self.grant_id, self.benefit_month, self.payee_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnedInstalment:
    """A transfer that came back (振込不能・組戻し) and is not settled any more."""

    grant_id: int
    benefit_month: str
    payee_id: str
    payable_again: bool
    """True once staff have fixed the cause (e.g. corrected the account): plan it again."""
    reason: str = ""

    @property
    def key(self) -> SettledKey:
        return (self.grant_id, self.benefit_month, self.payee_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class Instalment:
    """One amount to pay in this run."""

    grant_id: int
    case_id: int
    case_reference: str
    benefit_month: str
    amount_yen: int
    payee_id: str
    subsidy: Subsidy
    kind: str
    reissue: bool = False
    """True if this re-pays a returned transfer."""

    @property
    def key(self) -> SettledKey:
        return (self.grant_id, self.benefit_month, self.payee_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class Exclusion:
    """An entitlement left out of this run, with the reason for staff."""

    case_id: int
    grant_id: int
    benefit_month: str
    payee_id: str
    amount_yen: int
    reason_code: str
    """``payee_problem``, ``payee_unchecked``, ``returned_not_payable`` or ``zero_amount``."""
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthPlan:
    instalments: tuple[Instalment, ...]
    excluded: tuple[Exclusion, ...]

    @property
    def total_yen(self) -> int:
        return sum(i.amount_yen for i in self.instalments)


def plan_month(
    entitlements: Iterable[Entitlement],
    already_settled_keys: Collection[SettledKey],
    payee_problems: Mapping[str, Sequence[PayeeProblem]],
    *,
    returned: Iterable[ReturnedInstalment] = (),
    up_to_month: str | None = None,
) -> MonthPlan:
    """Plan the instalments of a monthly run (architecture.md §4.8; R45 代理受領, PD18, PD19).

    * ``already_settled_keys``: keys paid or in an open batch and **not** returned. A returned
      transfer is not settled: it is re-planned if its :class:`ReturnedInstalment` says
      ``payable_again``, otherwise excluded with ``returned_not_payable``.
    * ``payee_problems``: the result of :func:`payments.payees.check_payee` for every payee; a
      payee missing from the mapping is treated as unchecked and excluded (never paid blind).
    * ``up_to_month``: if given, entitlements of later benefit months are not yet due and are
      ignored (not excluded); earlier unsettled months (arrears from an excluded payee) are paid.

    Idempotent: with the planned keys added to ``already_settled_keys``, a second call plans
    nothing. Output order is deterministic (payee, case, month, grant).
    """
    if up_to_month is not None:
        parse_benefit_month(up_to_month)
    settled = frozenset(already_settled_keys)
    returned_by_key: dict[SettledKey, ReturnedInstalment] = {}
    for item in returned:
        returned_by_key[item.key] = item
    seen: set[SettledKey] = set()
    instalments: list[Instalment] = []
    excluded: list[Exclusion] = []
    for entitlement in entitlements:
        _check_entitlement(entitlement)
        key = entitlement.key
        if key in seen:
            raise ScheduleError(f"entitlement {key} is given twice")
        seen.add(key)
        if up_to_month is not None and entitlement.benefit_month > up_to_month:
            continue
        if key in settled:
            continue

        def exclude(code: str, reason: str, e: Entitlement = entitlement) -> None:
            excluded.append(
                Exclusion(
                    case_id=e.case_id,
                    grant_id=e.grant_id,
                    benefit_month=e.benefit_month,
                    payee_id=e.payee_id,
                    amount_yen=e.amount_yen,
                    reason_code=code,
                    reason=reason,
                )
            )

        if entitlement.amount_yen == 0:
            exclude("zero_amount", "nothing to pay (amount 0)")
            continue
        returned_item = returned_by_key.get(key)
        if returned_item is not None and not returned_item.payable_again:
            exclude(
                "returned_not_payable",
                "transfer returned (振込不能・組戻し), not yet payable again"
                + (f": {returned_item.reason}" if returned_item.reason else ""),
            )
            continue
        if entitlement.payee_id not in payee_problems:
            exclude("payee_unchecked", f"payee {entitlement.payee_id!r} has not been checked")
            continue
        problems = payee_problems[entitlement.payee_id]
        if problems:
            details = "; ".join(f"{p.field}: {p.message}" for p in problems)
            exclude("payee_problem", f"payee {entitlement.payee_id!r}: {details}")
            continue
        instalments.append(
            Instalment(
                grant_id=entitlement.grant_id,
                case_id=entitlement.case_id,
                case_reference=entitlement.case_reference or str(entitlement.case_id),
                benefit_month=entitlement.benefit_month,
                amount_yen=entitlement.amount_yen,
                payee_id=entitlement.payee_id,
                subsidy=entitlement.subsidy,
                kind=entitlement.kind,
                reissue=returned_item is not None,
            )
        )
    instalments.sort(key=lambda i: (i.payee_id, i.case_id, i.benefit_month, i.grant_id))
    excluded.sort(key=lambda x: (x.case_id, x.benefit_month, x.grant_id, x.payee_id))
    return MonthPlan(instalments=tuple(instalments), excluded=tuple(excluded))


def _check_entitlement(entitlement: Entitlement) -> None:
    try:
        parse_benefit_month(entitlement.benefit_month)
    except ValueError as error:
        raise ScheduleError(f"entitlement {entitlement.key}: {error}") from error
    amount = entitlement.amount_yen
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ScheduleError(f"entitlement {entitlement.key}: amount_yen {amount!r} must be an int >= 0")
    if entitlement.subsidy not in ("rent", "moving"):
        raise ScheduleError(f"entitlement {entitlement.key}: subsidy {entitlement.subsidy!r}")


# --------------------------------------------------------------------------------------------
# Grouping per payee (one transfer per payee per batch)


@dataclass(frozen=True, slots=True, kw_only=True)
class RemittanceLine:
    """One line of the 支払明細 (remittance statement) sent to the payee."""

    case_id: int
    case_reference: str
    grant_id: int
    benefit_month: str
    amount_yen: int
    subsidy: Subsidy
    kind: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PayeeTransfer:
    """The single transfer to one payee in a batch, with its breakdown."""

    payee_id: str
    amount_yen: int
    lines: tuple[RemittanceLine, ...]


def group_by_payee(instalments: Iterable[Instalment]) -> list[PayeeTransfer]:
    """One transfer per payee summing all its tenants' instalments (R45 代理受領).

    Sorted by ``payee_id``; lines sorted by (case reference, benefit month, grant). The amount is
    the sum of the lines, so the 支払明細 always adds up to the transfer.
    """
    by_payee: dict[str, list[RemittanceLine]] = {}
    for instalment in instalments:
        if instalment.amount_yen <= 0:
            raise ScheduleError(f"instalment {instalment.key}: amount_yen must be positive")
        by_payee.setdefault(instalment.payee_id, []).append(
            RemittanceLine(
                case_id=instalment.case_id,
                case_reference=instalment.case_reference,
                grant_id=instalment.grant_id,
                benefit_month=instalment.benefit_month,
                amount_yen=instalment.amount_yen,
                subsidy=instalment.subsidy,
                kind=instalment.kind,
            )
        )
    transfers = []
    for payee_id in sorted(by_payee):
        lines = by_payee[payee_id]
        if len(lines) > 1:  # one tenant per payee is the common case (issue 15)
            lines.sort(key=lambda x: (x.case_reference, x.benefit_month, x.grant_id))
        transfers.append(
            PayeeTransfer(payee_id=payee_id, amount_yen=sum(x.amount_yen for x in lines), lines=tuple(lines))
        )
    return transfers


# --------------------------------------------------------------------------------------------
# Moving subsidy (転居費用補助) split, PD13


# The PD13 cost categories are defined once, in calculations.moving: the agent's initial costs
# (AGENT_CATEGORIES, in allocation order), the other eligible costs (OTHER_CATEGORIES) and the ones
# never paid (EXCLUDED_CATEGORIES, R77).


@dataclass(frozen=True, slots=True, kw_only=True)
class MovingPaymentPart:
    """The share of the moving subsidy paid to one payee."""

    payee_id: str
    amount_yen: int
    categories: tuple[str, ...]
    """Categories (in allocation order) that received money in this part."""
    category_amounts_yen: tuple[tuple[str, int], ...]
    """(category, yen paid) for each of ``categories``."""


def split_moving_payment(
    eligible_costs_yen: Mapping[str, int],
    cap_yen: int,
    agent_payee_id: str,
    other_payee_id: str,
) -> list[MovingPaymentPart]:
    """Split the moving subsidy between the agent and the other payee (PD13, R78, R79, E19).

    The payable amount is min(sum of eligible costs, ``cap_yen``). The cap goes first to the
    initial costs paid to the agent (key_money, agency_fee, rent_guarantee_fee, home_insurance,
    in that order), then to removal, cleaning and key_replacement, paid to ``other_payee_id``
    (which may equal the agent, R79: some municipalities pay only the agent). Ineligible
    categories (deposit, advance_rent, furniture, other — R77) are accepted and not paid; an
    unknown category or a negative amount raises :class:`ScheduleError`. Parts with 0 yen are
    omitted; if both payees are the same, one part is returned.

    E19: eligible 185,000, cap 161,100 → agent 145,000, removal 16,100.
    """
    if isinstance(cap_yen, bool) or not isinstance(cap_yen, int) or cap_yen < 0:
        raise ScheduleError(f"cap_yen {cap_yen!r} must be an int >= 0")
    known = set(ELIGIBLE_CATEGORIES) | set(EXCLUDED_CATEGORIES)
    for category, amount in eligible_costs_yen.items():
        if category not in known:
            raise ScheduleError(f"unknown moving-cost category {category!r}")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise ScheduleError(f"moving cost {category}: {amount!r} must be an int >= 0")
    remaining = cap_yen
    allocations: list[tuple[str, str, int]] = []  # (payee, category, yen)
    for payee_id, categories in (
        (agent_payee_id, AGENT_CATEGORIES),
        (other_payee_id, OTHER_CATEGORIES),
    ):
        for category in categories:
            paid = min(eligible_costs_yen.get(category, 0), remaining)
            remaining -= paid
            if paid > 0:
                allocations.append((payee_id, category, paid))
    parts: list[MovingPaymentPart] = []
    for payee_id in dict.fromkeys((agent_payee_id, other_payee_id)):
        mine = [(category, paid) for p, category, paid in allocations if p == payee_id]
        if mine:
            parts.append(
                MovingPaymentPart(
                    payee_id=payee_id,
                    amount_yen=sum(paid for _, paid in mine),
                    categories=tuple(category for category, _ in mine),
                    category_amounts_yen=tuple(mine),
                )
            )
    return parts

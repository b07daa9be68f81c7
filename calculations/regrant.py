"""再支給 (re-grant) restriction: 施行規則 第16条 (R65) and its transitional rule (R66), PD12."""

from __future__ import annotations

from calculations.facts import RentFacts
from calculations.periods import add_months, first_day
from calculations.rate_book import RateBook
from calculations.results import Reason


def is_regrant_ground(kind: str, cause: str) -> bool:
    """PD12: dismissal or employer reasons; a closure not voluntary; any 休業等."""
    if kind == "job_loss":
        return cause in ("dismissal", "employer_reasons")
    if kind == "business_closure":
        return cause != "voluntary"
    return kind == "reduced_work"


def regrant_reasons(facts: RentFacts, rates: RateBook) -> list[Reason]:
    """Reasons a re-grant is not possible yet or at all (R65, R66, PD12)."""
    previous = facts.previous_receipt
    if previous is None:
        return []
    trigger = facts.trigger
    if not is_regrant_ground(trigger.kind, trigger.cause):
        return [Reason("R65", "regrant_no_ground",
                       "再支給は解雇等・本人の責めによらない廃業・休業等の場合に限られます（自己都合は対象外）。")]
    as_of = facts.common.application_date
    transitional = rates.date_parameter("regrant_transitional_last_application", as_of)
    if (trigger.kind == "job_loss" and trigger.cause in ("dismissal", "employer_reasons")
            and previous.last_application_date <= transitional):
        return []  # R66: the wait is waived
    wait_months = rates.parameter("regrant_wait_months", as_of)
    possible_from = first_day(add_months(previous.last_paid_month, wait_months + 1))
    if as_of >= possible_from:
        return []
    return [Reason("R65", "regrant_waiting_period",
                   f"前回の支給終了月の翌月から1年を経過していません（{possible_from.isoformat()} から申請できます）。")]

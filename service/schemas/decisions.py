from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictInt, StrictStr

from service.schemas.common import MAX_COSTS, MAX_ITEMS, Code, DateStr, Note, RateMonth, Strict, Yen

DecisionKind = Literal[
    "eligibility_certificate",
    "grant",
    "regrant",
    "refusal",
    "extension",
    "extension_refusal",
    "change",
    "interruption",
    "resumption",
    "stop",
    "repayment",
    "moving_grant",
    "moving_confirmation",
]


class EvidenceIn(Strict):
    kind: Code
    document_id: StrictInt | None = None
    note: Note | None = None


class FactsUpdateIn(Strict):
    """What the 住居確保報告書 settles for a homeless applicant (R44, PD5)."""

    lease_initial_costs_paid_on: DateStr | None = None
    #: R44 [M]: the day the applicant moved in; checks the 住居確保報告書 came within the municipal days.
    moved_in_on: DateStr | None = None
    rent_yen: Yen | None = None
    common_charges_yen: Yen | None = None


class CostIn(Strict):
    category: Code
    amount_yen: Yen


class DecisionDraft(Strict):
    kind: DecisionKind
    #: the case version the clerk saw; a stale version is refused with 409.
    case_version: StrictInt | None = None
    application_id: StrictInt | None = None
    grant_id: StrictInt | None = None
    supersedes_decision_id: StrictInt | None = None
    note: StrictStr | None = Field(default=None, max_length=2000)
    facts_update: FactsUpdateIn | None = None
    effective_month: RateMonth | None = None
    resume_month: RateMonth | None = None
    cause: Code | None = None
    event_date: DateStr | None = None
    evidence: list[EvidenceIn] | None = Field(default=None, max_length=MAX_ITEMS)
    proposal_id: StrictInt | None = None
    repayment_cause: Literal["recipient_error", "fraud", "administrative_error"] | None = None
    actual_costs: list[CostIn] | None = Field(default=None, max_length=MAX_COSTS)


class DecisionReviewIn(Strict):
    case_version: StrictInt | None = None
    note: StrictStr | None = Field(default=None, max_length=2000)

"""Response models of the case, application, decision, grant, work-queue, letter and assessment
operations: the OpenAPI document describes every answer (issue 12).

The models document the JSON the workflows already build; they do not reshape it. Field order is the
order of the workflows' dictionaries, so the serialised JSON is the same byte for byte. ``extra`` is
allowed: a key a workflow adds later reaches the client instead of being dropped silently (add it here
too, so that the document names it). Timestamps are the ISO 8601 strings the workflows write; a
``datetime`` value is serialised by pydantic exactly as FastAPI's encoder wrote it before (UTC as ``Z``).
Free-form stored JSON (an application's ``facts`` and ``intake``, a decision's ``params`` and
``result``, reasons and evidence) stays an object whose shape the request schemas and contracts.md
define.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

#: A stored JSON object (see the request schemas or contracts.md for its shape).
JsonObject = dict[str, Any]


class Out(BaseModel):
    """A response object: documents the keys; a key not declared here is passed through, never dropped."""

    model_config = ConfigDict(extra="allow")


# --- applications and documents ----------------------------------------------------------------


class DocumentOut(Out):
    id: int
    kind: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    application_id: int | None
    uploaded_at: str = Field(description="ISO 8601 timestamp")


class DocumentsOut(Out):
    """The documents one upload request stored (``files``), in the order sent."""

    documents: list[DocumentOut]


class ApplicationOut(Out):
    id: int
    case_id: int
    kind: str = Field(description="initial | extension | … (the request's kind)")
    benefit: str = Field(description="rent | moving")
    status: str = Field(description="draft | submitted | returned | decided | …")
    facts: JsonObject = Field(description="contracts.md §1 input")
    intake: JsonObject
    submitted_at: str | None
    returned_reason: str | None
    documents: list[DocumentOut]


class MissingItemOut(Out):
    field: str
    message: str


class ApplicationDetailOut(ApplicationOut):
    missing_items: list[MissingItemOut] = Field(description="what keeps a draft from being submitted")


# --- decisions -----------------------------------------------------------------------------------


class DecisionOut(Out):
    id: int
    case_id: int
    sequence: int
    kind: str
    status: str = Field(description="draft | approved | returned")
    application_id: int | None
    grant_id: int | None
    supersedes_decision_id: int | None
    params: JsonObject
    facts: JsonObject | None
    result: JsonObject = Field(description="the assessment (contracts.md §1 output) or the kind's result")
    rates_version: str
    code_version: str
    drafted_by: int
    drafted_at: str
    reviewed_by: int | None
    reviewed_at: str | None


class LetterPlanStatusOut(Out):
    """A planned letter and its state (pending until the worker renders it, issued, or failed)."""

    plan_id: int
    case_id: int
    decision_id: int
    letter_type: str
    addressee_kind: str
    document_number: str
    status: str = Field(description="pending | issued | failed")
    letter_id: int | None
    attempts: int
    error: str | None
    error_code: str | None = Field(description="why the last render failed: missing_glyph | letter_input | …")


class ApprovedDecisionOut(DecisionOut):
    letters: list[LetterPlanStatusOut] = Field(description="the letters planned in this approval")


# --- grants and the case ---------------------------------------------------------------------------


class GrantMonthOut(Out):
    month: str
    amount_yen: int
    status: str
    decision_id: int | None


class GrantClockOut(Out):
    grant_id: int
    case_id: int
    benefit: str
    status: str
    amount_yen: int
    first_month: str | None
    period_last_month: str | None
    extension_deadline: str | None
    extensions_used: int
    extension_possible: bool
    months_used: int
    months_left_of_9: int | None = Field(description="rent only; null for moving")
    interrupted_from: str | None
    stop_cause: str | None
    stop_first_unpaid_month: str | None
    coordination_report_due: bool
    months: list[GrantMonthOut]


class RepaymentClaimSummaryOut(Out):
    id: int
    grant_id: int
    decision_id: int
    cause: str
    debtor: str
    months: list[Any]
    amount_yen: int


class StopProposalOut(Out):
    id: int
    case_id: int
    grant_id: int
    month: str
    source: str
    cause: str
    reasons: list[JsonObject]
    evidence: JsonObject
    status: str
    decision_id: int | None


class MonthlyReportSummaryOut(Out):
    id: int
    grant_id: int
    month: str
    interviews: int
    hello_work_consultations: int
    employer_applications: int
    reasons: list[JsonObject]
    evidence: list[Any]


class CoordinationReportOut(Out):
    id: int
    case_id: int
    grant_id: int
    meeting_date: str
    note: str | None
    recorded_by: int
    recorded_at: str


class HouseholdMatchOut(Out):
    case_id: int
    grant_id: int
    benefit: str
    status: str
    first_month: str | None
    period_last_month: str | None


class CaseOut(Out):
    id: int
    agency_id: int
    benefit: str
    status: str
    version: int = Field(description="send it back as case_version to guard against concurrent changes")
    applications: list[ApplicationOut]
    decisions: list[DecisionOut]
    grants: list[GrantClockOut]
    documents: list[DocumentOut]
    repayment_claims: list[RepaymentClaimSummaryOut]
    stop_proposals: list[StopProposalOut]
    monthly_reports: list[MonthlyReportSummaryOut]
    coordination_reports: list[CoordinationReportOut]
    household_matches: list[HouseholdMatchOut]


class CaseRowOut(Out):
    id: int
    agency_id: int
    agency_name: str | None
    benefit: str
    status: str
    version: int
    applicant_name: str | None
    applicant_kana: str | None
    updated_at: datetime
    application_id: int | None
    application_kind: str | None
    application_status: str | None
    grant_status: str | None
    period_last_month: str | None
    amount_yen: int | None


class MonthlyReportOut(Out):
    id: int
    grant_id: int
    month: str
    reasons: list[JsonObject]
    compliant: bool
    stop_proposal: StopProposalOut | None


class WorkQueueOut(Out):
    """Every section's rows (or only ``section``'s page); ``totals`` counts all rows of every section."""

    month: str
    limit: int
    offset: int
    totals: dict[str, int]
    extension_due: list[JsonObject] | None = None
    monthly_report_missing: list[JsonObject] | None = None
    last_month: list[JsonObject] | None = None
    proposed_stops: list[JsonObject] | None = None
    awaiting_approval: list[JsonObject] | None = None
    applications_waiting: list[JsonObject] | None = None
    housing_report_waiting: list[JsonObject] | None = None
    coordination_report_due: list[JsonObject] | None = None
    repayment_claims_to_correct: list[JsonObject] | None = None
    letters_failed: list[JsonObject] | None = None


# --- letters -------------------------------------------------------------------------------------


class LetterOut(Out):
    id: int
    case_id: int
    decision_id: int
    letter_type: str
    addressee_kind: str
    addressee_name: str
    title: str
    document_number: str
    template_version: str
    size_bytes: int
    sha256: str
    issued_on: str
    issued_at: str
    issued_by: int | None


# --- the assessment (contracts.md §1; documented only, the endpoint writes its own JSON) ---------


class AssessmentReasonOut(Out):
    rule: str
    code: str
    message: str


class AssessmentPeriodOut(Out):
    first_month: str
    last_month: str


class AssessmentOut(Out):
    """contracts.md §1 output. The rent-only fields are present for ``rent``, the moving-only ones for
    ``moving``."""

    eligible: bool
    amount_yen: int
    household_size: int
    counted_income_yen: int
    standard_amount_yen: int
    rent_ceiling_yen: int
    income_limit_yen: int
    asset_limit_yen: int
    reasons: list[AssessmentReasonOut]
    trace: list[JsonObject]
    first_benefit_month: str | None = Field(default=None, description="rent only")
    initial_period: AssessmentPeriodOut | None = Field(default=None, description="rent only")
    extension_deadline: str | None = Field(default=None, description="rent only")
    cost_cap_yen: int | None = Field(default=None, description="moving only")
    eligible_costs_yen: int | None = Field(default=None, description="moving only")

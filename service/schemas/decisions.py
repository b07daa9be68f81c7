from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictInt, StrictStr, model_validator

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
    """Every field of every kind: the screens' form. The API takes ``DecisionCommand`` (one model per kind)."""

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


# --- one command per decision kind (the API's discriminated union on ``kind``) ---------------------


class _Command(Strict):
    """What every draft carries. A field of another kind sent as ``null`` is ignored (the screens' form
    sends every field); a value for it is refused naming the field."""

    case_version: StrictInt | None = None
    supersedes_decision_id: StrictInt | None = None
    note: StrictStr | None = Field(default=None, max_length=2000)

    @model_validator(mode="before")
    @classmethod
    def _drop_null_foreign_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None or k in cls.model_fields}
        return data


class _OnApplication(_Command):
    application_id: StrictInt | None = None


class _OnGrant(_Command):
    grant_id: StrictInt | None = None


class GrantCommand(_OnApplication):
    """支給決定 (R32–R44); a homeless applicant's grant carries what the 住居確保報告書 settles."""

    kind: Literal["grant"]
    facts_update: FactsUpdateIn | None = None


class RegrantCommand(_OnApplication):
    """再支給 (R65, R66, PD12)."""

    kind: Literal["regrant"]
    facts_update: FactsUpdateIn | None = None


class EligibilityCertificateCommand(_OnApplication):
    """支給対象者証明書 for a homeless applicant (R44)."""

    kind: Literal["eligibility_certificate"]


class RefusalCommand(_OnApplication):
    """不支給決定."""

    kind: Literal["refusal"]


class MovingGrantCommand(_OnApplication):
    """転居費用補助の支給決定 (R74–R83)."""

    kind: Literal["moving_grant"]


class ExtensionCommand(_OnApplication, _OnGrant):
    """延長 (R38–R40, PD6, PD30)."""

    kind: Literal["extension"]


class ExtensionRefusalCommand(_OnApplication, _OnGrant):
    """延長の不承認."""

    kind: Literal["extension_refusal"]


class ChangeCommand(_OnApplication, _OnGrant):
    """支給額の変更 (R54–R56, PD10)."""

    kind: Literal["change"]


class InterruptionCommand(_OnGrant):
    """中断 (R42)."""

    kind: Literal["interruption"]
    effective_month: RateMonth | None = None


class ResumptionCommand(_OnGrant):
    """再開 (R42)."""

    kind: Literal["resumption"]
    resume_month: RateMonth | None = None


class StopCommand(_OnGrant):
    """中止 (R58–R61, PD8, PD16): evidence is documents on the case or a written record."""

    kind: Literal["stop"]
    cause: Code | None = None
    event_date: DateStr | None = None
    evidence: list[EvidenceIn] | None = Field(default=None, max_length=MAX_ITEMS)
    proposal_id: StrictInt | None = None


class RepaymentCommand(_OnGrant):
    """返還請求 (R62–R64, PD9)."""

    kind: Literal["repayment"]
    repayment_cause: Literal["recipient_error", "fraud", "administrative_error"] | None = None


class MovingConfirmationCommand(_OnGrant):
    """転居費用補助の支給額確定 (R81)."""

    kind: Literal["moving_confirmation"]
    actual_costs: list[CostIn] | None = Field(default=None, max_length=MAX_COSTS)


DecisionCommand = Annotated[
    GrantCommand | RegrantCommand | EligibilityCertificateCommand | RefusalCommand | MovingGrantCommand
    | ExtensionCommand | ExtensionRefusalCommand | ChangeCommand | InterruptionCommand | ResumptionCommand
    | StopCommand | RepaymentCommand | MovingConfirmationCommand,
    Field(discriminator="kind"),
]


class DecisionReviewIn(Strict):
    case_version: StrictInt | None = None
    note: StrictStr | None = Field(default=None, max_length=2000)

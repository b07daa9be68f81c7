"""Request bodies of the finance endpoints (boundary validation only)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from service.schemas.common import DateStr, Month, Strict, Yen

PayeeKind = Literal["landlord", "agent", "removal_company", "recipient"]
AccountType = Literal["ordinary", "current", "savings", "1", "2", "4", "9"]


class PayeeCreate(Strict):
    kind: PayeeKind
    name: StrictStr = Field(min_length=1, max_length=200)
    corporate_number: StrictStr | None = Field(default=None, pattern=r"^[0-9]{13}$")
    holder_name: StrictStr = Field(min_length=1, max_length=100)
    bank_code: StrictStr = Field(pattern=r"^[0-9]{4}$")
    branch_code: StrictStr = Field(pattern=r"^[0-9]{3}$")
    account_type: AccountType
    account_number: StrictStr = Field(pattern=r"^[0-9]{1,7}$")


class PayeeUpdate(Strict):
    kind: PayeeKind | None = None
    name: StrictStr | None = Field(default=None, min_length=1, max_length=200)
    corporate_number: StrictStr | None = Field(default=None, pattern=r"^[0-9]{13}$")
    holder_name: StrictStr | None = Field(default=None, min_length=1, max_length=100)
    bank_code: StrictStr | None = Field(default=None, pattern=r"^[0-9]{4}$")
    branch_code: StrictStr | None = Field(default=None, pattern=r"^[0-9]{3}$")
    account_type: AccountType | None = None
    account_number: StrictStr | None = Field(default=None, pattern=r"^[0-9]{1,7}$")


class GrantPayeeIn(Strict):
    payee_id: StrictInt


class PaymentRunIn(Strict):
    benefit_month: Month


class ExportIn(Strict):
    #: 振込指定日 chosen by finance (a bank business day, not in the past); default the run's PD18 date.
    pay_date: DateStr | None = None


class CancelIn(Strict):
    reason: StrictStr = Field(default="", max_length=500)


class PlanInstalment(Strict):
    due_date: DateStr
    amount_yen: Yen


class RepaymentPlanIn(Strict):
    instalments: list[PlanInstalment] = Field(min_length=1, max_length=120)


class RepaymentReceiptIn(Strict):
    amount_yen: StrictInt
    received_on: DateStr
    note: StrictStr | None = Field(default=None, max_length=500)


# --- responses ------------------------------------------------------------------------------------
# What each finance endpoint answers (the OpenAPI document describes every response). ``extra="forbid"``:
# a field the workflow adds without adding it here fails the API tests instead of vanishing silently.


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PayeeProblemOut(Out):
    field: str
    code: str
    message: str


class PayeeOut(Out):
    """A payee with what keeps it out of batches (``problems``, empty when it can be paid)."""

    id: int
    kind: str
    name: str
    corporate_number: str | None
    holder_name: str
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    account_version: int
    problems: list[PayeeProblemOut]


class GrantPayeeOut(Out):
    grant_id: int
    part: str
    payee_id: int


class GrantWithoutPayeeOut(Out):
    """A payable grant whose intake payee cannot be registered, with what the agency wrote (R45)."""

    grant_id: int
    case_id: int
    case_reference: str
    benefit: str
    status: str
    part: str
    intake_payee_name: str
    intake_account: str


class LedgerRowOut(Out):
    """One payment (positive) or reversal (negative) of a grant."""

    id: int
    kind: str
    batch_id: int
    payee_id: int
    benefit_month: str
    part: str
    amount_yen: int
    reverses_payment_id: int | None
    replaces_reversal_id: int | None
    reason_code: str | None
    reason: str | None


class ExclusionOut(Out):
    """An instalment (or refund order) the run left out, with the reason (never silent)."""

    case_id: int
    case_reference: str
    grant_id: int | None
    benefit_month: str
    payee_id: int | None
    amount_yen: int
    reason_code: str
    reason: str
    refund_order_id: int | None = None


class RunReportOut(Out):
    """The monthly run: the draft batch (``batch_id`` null when nothing new is due) and what was left out."""

    benefit_month: str
    pay_date: str
    batch_id: int | None
    payment_count: int
    transfer_count: int
    total_yen: int
    excluded: list[ExclusionOut]


class BatchEventOut(Out):
    event: str
    user_id: int | None
    at: str
    detail: dict[str, Any]
    user_name: str | None = None


class BatchFileOut(Out):
    filename: str
    sha256: str
    record_count: int
    total_yen: int


class BatchOut(Out):
    """A payment batch: its status (draft, approved, exported, settled, cancelled), totals, events, file."""

    id: int
    benefit_month: str
    run_number: int
    pay_date: str
    scheduled_pay_date: str
    status: str
    payment_count: int
    transfer_count: int
    total_yen: int
    prepared_by: int | None
    excluded: list[ExclusionOut]
    events: list[BatchEventOut]
    file: BatchFileOut | None
    prepared_by_name: str | None = None


class ExportOut(Out):
    """The 全銀 file written (download it from ``/file``). The 支払明細書 are rendered after the export by
    the letter worker: ``statements`` stored now (0), ``statements_due`` being prepared."""

    batch_id: int
    filename: str
    sha256: str
    record_count: int
    total_yen: int
    statements: int
    statements_due: int
    statements_message: str


class StatementFailureOut(Out):
    code: str | None
    message: str | None
    at: str


class StatementProgressOut(Out):
    """支払明細書 of a batch stored so far, of how many; the last rendering failure while incomplete."""

    batch_id: int
    expected: int
    stored: int
    complete: bool
    failure: StatementFailureOut | None


class StatementPayeeOut(Out):
    id: int
    name: str
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    holder_name: str
    customer_code: int


class StatementLineOut(Out):
    case_reference: str
    recipient_name: str
    benefit_month: str
    amount_yen: int
    subsidy: str
    kind: str


class RemittanceStatementOut(Out):
    """支払明細 of one payee of a batch (R45)."""

    batch_id: int
    pay_date: str
    payee: StatementPayeeOut
    lines: list[StatementLineOut]
    total_yen: int


class TransferLineOut(Out):
    case_id: int
    case_reference: str
    recipient_name: str
    grant_id: int
    benefit_month: str
    subsidy: str
    subsidy_label: str
    part: str
    part_label: str
    amount_yen: int
    refund_order_id: int | None = None


class TransferOut(Out):
    customer_code: int
    payee_id: int
    payee_name: str
    bank_code: str
    bank_name: str
    branch_code: str
    branch_name: str
    account_type: str
    account_type_label: str
    account_number_masked: str
    holder_name: str
    new_code: str
    amount_yen: int
    line_count: int
    lines: list[TransferLineOut]


class SubsidyTotalOut(Out):
    payment_count: int
    amount_yen: int


class BatchTransfersOut(Out):
    """One page of a batch's transfers with the batch's totals: what the second finance user approves."""

    batch: BatchOut
    limit: int
    offset: int
    transfer_count: int
    payment_count: int
    total_yen: int
    by_subsidy: dict[str, SubsidyTotalOut]
    totals_agree: bool
    transfers: list[TransferOut]


class StatementFileOut(Out):
    number: int
    payee_id: int | None
    payee_name: str
    total_yen: int
    sha256: str


class ReturnsReportOut(Out):
    imported: int
    already_imported: int
    reversed_payments: int
    reversed_yen: int


class ReceivableOut(Out):
    """A repayment claim (返還金, PD9) with what was received, what is due and any refund."""

    claim_id: int
    case_id: int
    case_reference: str
    grant_id: int
    debtor: str
    cause: str
    claimed_yen: int
    received_yen: int
    balance_yen: int
    refund_due_yen: int
    withdrawn: bool
    due_to_date_yen: int
    overdue_yen: int
    next_due_date: str | None
    plan: list[dict[str, Any]]
    payment_due_on: str | None
    refund_ordered_yen: int
    refunded_yen: int
    refund_in_progress_yen: int


class PlanInstalmentOut(Out):
    due_date: str
    amount_yen: int

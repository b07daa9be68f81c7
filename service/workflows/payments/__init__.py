"""Payments (issue 4, issue 15): one module per concern.

* :mod:`.payees` — payees (one account, one payee), grant assignments, intake payees;
* :mod:`.run` — the monthly run (:func:`prepare_month`);
* :mod:`.batches` — the batch state machine, the 全銀 export and download;
* :mod:`.returns` — returned transfers (振込不能・組戻し);
* :mod:`.statements` — 支払明細 as data, due at export, rendered by the letter worker and archived;
* :mod:`.refunds` — refund orders (還付) paid by transfer in the next run;
* :mod:`.ledger` — the set-based ledger steps they share.

The pure core (``payments``) decides; these modules read and write the database around it, in the
caller's transaction (workflows never commit). This package re-exports the public functions of its
modules for the API, the screens and the CLI.
"""

from __future__ import annotations

from service.workflows.payments.batches import (
    BATCH_LOCK_NAMESPACE,
    TRANSITIONS,
    ExportedFile,
    approve_batch,
    batch_dict,
    batch_payment_rows,
    batch_status,
    batch_statuses,
    cancel_batch,
    check_pay_date,
    download_file,
    effective_pay_date,
    export_batch,
    get_batch,
    ledger_month_statuses,
    list_batches,
    load_batch,
    settle_batch,
    suggested_pay_date,
)
from service.workflows.payments.ledger import (
    CANCELLED_REASON,
    FINANCE,
    REVERSAL_COLUMNS,
    any_id,
    audit_reversals,
    bulk_insert,
    case_reference,
    grant_payments,
    live_payment_filter,
    mark_months_paid,
    release_months,
    reversal_select,
)
from service.workflows.payments.payees import (
    ACCOUNT_FIELDS,
    ACCOUNT_KEY_FIELDS,
    ACCOUNT_TYPES,
    PAYEE_FIELD_MAX,
    PAYEE_KINDS,
    assign_grant_payee,
    create_payee,
    duplicate_accounts,
    ensure_intake_payees,
    grants_missing_payees,
    list_payees,
    load_payee,
    payee_data,
    payee_dict,
    payee_problems,
    register_payee,
    update_payee,
)
from service.workflows.payments.returns import (
    ReturnsReport,
    import_returns,
)
from service.workflows.payments.run import (
    FIRST_RUN_YEAR,
    LAST_RUN_YEAR,
    RUN_LOCK_KEY,
    RunReport,
    latest_payable_month,
    municipality_pay_date,
    prepare_month,
)
from service.workflows.payments.statements import (
    RemittanceStatement,
    StatementLine,
    StoredStatement,
    archive_statements,
    mark_due,
    remittance_statements,
    statement_files,
)

__all__ = [
    "ACCOUNT_FIELDS",
    "ACCOUNT_KEY_FIELDS",
    "ACCOUNT_TYPES",
    "BATCH_LOCK_NAMESPACE",
    "CANCELLED_REASON",
    "ExportedFile",
    "FINANCE",
    "FIRST_RUN_YEAR",
    "LAST_RUN_YEAR",
    "PAYEE_FIELD_MAX",
    "PAYEE_KINDS",
    "REVERSAL_COLUMNS",
    "RUN_LOCK_KEY",
    "RemittanceStatement",
    "ReturnsReport",
    "RunReport",
    "StatementLine",
    "StoredStatement",
    "TRANSITIONS",
    "any_id",
    "approve_batch",
    "mark_due",
    "archive_statements",
    "assign_grant_payee",
    "audit_reversals",
    "batch_dict",
    "batch_payment_rows",
    "batch_status",
    "batch_statuses",
    "bulk_insert",
    "cancel_batch",
    "case_reference",
    "check_pay_date",
    "create_payee",
    "download_file",
    "duplicate_accounts",
    "effective_pay_date",
    "ensure_intake_payees",
    "export_batch",
    "get_batch",
    "grant_payments",
    "grants_missing_payees",
    "import_returns",
    "latest_payable_month",
    "ledger_month_statuses",
    "list_batches",
    "list_payees",
    "live_payment_filter",
    "load_batch",
    "load_payee",
    "mark_months_paid",
    "municipality_pay_date",
    "payee_data",
    "payee_dict",
    "payee_problems",
    "prepare_month",
    "register_payee",
    "release_months",
    "remittance_statements",
    "reversal_select",
    "settle_batch",
    "statement_files",
    "suggested_pay_date",
    "update_payee",
]

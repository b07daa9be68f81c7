"""Payment tables (issue 4; architecture.md §4.6): payees, the payment ledger, batches and receivables.

Append-only (the database refuses UPDATE and DELETE, migration ``0002``): ``payee_account``,
``payment_batch``, ``payment_batch_event``, ``payment_transfer``, ``payment_file``, ``payment``,
``payment_return``, ``repayment_plan``, ``repayment_receipt``. ``payee`` (the current account of a
landlord/agent, every version kept in ``payee_account``) and ``grant_payee`` (who is paid for a grant)
are master data kept up to date by the payment workflows, every change audited.

Never paying twice is a database guarantee: ``payment`` rows form, per (grant, benefit month, part),
a chain payment → reversal → re-payment → …; a partial unique index allows one first payment per key,
``replaces_reversal_id`` and ``reverses_payment_id`` are unique, and composite foreign keys keep a
chain on one key. So at most one payment per key is not reversed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from service.db.models import Base, JsonType, Money, utcnow

#: Payment tables the database keeps append-only (migration 0002).
PAYMENT_APPEND_ONLY_TABLES = (
    "payee_account",
    "payment_batch",
    "payment_batch_event",
    "payment_transfer",
    "payment_file",
    "payment",
    "payment_return",
    "repayment_plan",
    "repayment_receipt",
)

#: What a ledger row pays: a rent month, or one payee's share of the moving subsidy (PD13).
PAYMENT_PARTS = ("rent", "moving_initial", "moving_other")
#: Batch life cycle; the status is the latest event (architecture.md §4.6).
BATCH_EVENTS = ("created", "approved", "exported", "settled", "cancelled")


class Payee(Base):
    """A landlord, agent, removal company or recipient account (代理受領, R45, R79).

    The current account; ``account_version`` goes up on every account change (新規コード 2), and each
    version is kept in ``payee_account``.
    """

    __tablename__ = "payee"
    __table_args__ = (
        CheckConstraint("kind IN ('landlord','agent','removal_company','recipient')", name="kind"),
        Index("ix_payee_account", "bank_code", "branch_code", "account_type", "account_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    corporate_number: Mapped[str | None] = mapped_column(String(13))
    holder_name: Mapped[str] = mapped_column(String(100))
    bank_code: Mapped[str] = mapped_column(String(4))
    branch_code: Mapped[str] = mapped_column(String(3))
    account_type: Mapped[str] = mapped_column(String(1))
    account_number: Mapped[str] = mapped_column(String(7))
    account_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PayeeAccount(Base):
    """Every version of a payee's account, as recorded (append-only)."""

    __tablename__ = "payee_account"
    __table_args__ = (UniqueConstraint("payee_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payee_id: Mapped[int] = mapped_column(ForeignKey("payee.id"))
    version: Mapped[int] = mapped_column(Integer)
    holder_name: Mapped[str] = mapped_column(String(100))
    bank_code: Mapped[str] = mapped_column(String(4))
    branch_code: Mapped[str] = mapped_column(String(3))
    account_type: Mapped[str] = mapped_column(String(1))
    account_number: Mapped[str] = mapped_column(String(7))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GrantPayee(Base):
    """Who is paid for a grant: ``rent`` (the landlord/agent), ``moving_initial`` (the agent),
    ``moving_other`` (the removal company or the recipient; the agent when absent, R79)."""

    __tablename__ = "grant_payee"
    __table_args__ = (CheckConstraint("part IN ('rent','moving_initial','moving_other')", name="part"),
                      Index("ix_grant_payee_payee_id", "payee_id"))

    grant_id: Mapped[int] = mapped_column(ForeignKey("benefit_grant.id"), primary_key=True)
    part: Mapped[str] = mapped_column(String(20), primary_key=True)
    payee_id: Mapped[int] = mapped_column(ForeignKey("payee.id"))
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PaymentBatch(Base):
    """One monthly run's batch (one 総合振込 file). Immutable; its status is its latest event."""

    __tablename__ = "payment_batch"
    __table_args__ = (
        UniqueConstraint("benefit_month", "run_number"),
        CheckConstraint("total_yen > 0 AND transfer_count > 0 AND payment_count > 0", name="totals_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    benefit_month: Mapped[str] = mapped_column(String(7))
    #: 1 for the month's first batch; the unique (month, run) makes two simultaneous runs collide.
    run_number: Mapped[int] = mapped_column(Integer)
    pay_date: Mapped[date] = mapped_column(Date)
    payment_count: Mapped[int] = mapped_column(Integer)
    transfer_count: Mapped[int] = mapped_column(Integer)
    total_yen: Mapped[int] = mapped_column(Money)
    #: The run report: instalments left out and why (for staff).
    report: Mapped[dict[str, Any]] = mapped_column(JsonType)
    prepared_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PaymentBatchEvent(Base):
    """created → approved → exported → settled (or cancelled before export). Each at most once.

    A transition names the event it follows (``previous_event_id``, unique): only one transition can
    follow a given state, so two fired at once never both succeed (PD31, migration 0005).
    """

    __tablename__ = "payment_batch_event"
    __table_args__ = (
        UniqueConstraint("batch_id", "event"),
        CheckConstraint("event IN ('created','approved','exported','settled','cancelled')", name="event"),
        Index("uq_payment_batch_event_previous_event_id", "previous_event_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batch.id"))
    event: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    detail: Mapped[dict[str, Any]] = mapped_column(JsonType)
    #: The batch's latest event when this one was added (None for ``created`` and rows before 0005).
    previous_event_id: Mapped[int | None] = mapped_column(Integer)


class PaymentTransfer(Base):
    """One data record of the file: the transfer to one payee in one batch, with the account snapshot
    checked at the run. ``customer_code`` (顧客コード1) is its number within the batch."""

    __tablename__ = "payment_transfer"
    __table_args__ = (
        UniqueConstraint("batch_id", "payee_id"),
        UniqueConstraint("batch_id", "customer_code"),
        CheckConstraint("amount_yen > 0", name="amount_positive"),
        CheckConstraint("new_code IN ('0','1','2')", name="new_code"),
        Index("ix_payment_transfer_payee_id", "payee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batch.id"))
    payee_id: Mapped[int] = mapped_column(ForeignKey("payee.id"))
    customer_code: Mapped[int] = mapped_column(Integer)
    amount_yen: Mapped[int] = mapped_column(Money)
    line_count: Mapped[int] = mapped_column(Integer)
    new_code: Mapped[str] = mapped_column(String(1))
    account_version: Mapped[int] = mapped_column(Integer)
    payee_name: Mapped[str] = mapped_column(String(200))
    holder_name: Mapped[str] = mapped_column(String(100))
    bank_code: Mapped[str] = mapped_column(String(4))
    branch_code: Mapped[str] = mapped_column(String(3))
    account_type: Mapped[str] = mapped_column(String(1))
    account_number: Mapped[str] = mapped_column(String(7))


class PaymentFile(Base):
    """The exported 総合振込 file of a batch, byte for byte (downloads return exactly these bytes)."""

    __tablename__ = "payment_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batch.id"), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    record_count: Mapped[int] = mapped_column(Integer)
    total_yen: Mapped[int] = mapped_column(Money)
    exported_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    exported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Payment(Base):
    """The payment ledger (append-only). ``kind='payment'`` pays a positive amount for
    (grant, benefit month, part); ``kind='reversal'`` (negative) undoes one payment — a returned
    transfer (振込不能・組戻し) or a cancelled draft batch; a re-payment names the reversal it replaces."""

    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'payment' AND amount_yen > 0 AND reverses_payment_id IS NULL) OR "
            "(kind = 'reversal' AND amount_yen < 0 AND reverses_payment_id IS NOT NULL "
            "AND replaces_reversal_id IS NULL)",
            name="kind_amount",
        ),
        CheckConstraint("part IN ('rent','moving_initial','moving_other')", name="part"),
        UniqueConstraint("reverses_payment_id"),
        UniqueConstraint("replaces_reversal_id"),
        UniqueConstraint("id", "grant_id", "benefit_month", "part", name="uq_payment_chain_key"),
        ForeignKeyConstraint(
            ["reverses_payment_id", "grant_id", "benefit_month", "part"],
            ["payment.id", "payment.grant_id", "payment.benefit_month", "payment.part"],
            name="fk_payment_reverses_same_key",
        ),
        ForeignKeyConstraint(
            ["replaces_reversal_id", "grant_id", "benefit_month", "part"],
            ["payment.id", "payment.grant_id", "payment.benefit_month", "payment.part"],
            name="fk_payment_replaces_same_key",
        ),
        ForeignKeyConstraint(
            ["batch_id", "payee_id"], ["payment_transfer.batch_id", "payment_transfer.payee_id"],
            name="fk_payment_transfer",
        ),
        # Never pay twice: one first payment per key; later ones must replace a reversal (above).
        Index(
            "uq_payment_first_per_key", "grant_id", "benefit_month", "part", unique=True,
            postgresql_where=text("kind = 'payment' AND replaces_reversal_id IS NULL"),
            sqlite_where=text("kind = 'payment' AND replaces_reversal_id IS NULL"),
        ),
        Index("ix_payment_batch_payee", "batch_id", "payee_id"),  # returns join on both (issue 15)
        Index("ix_payment_case_id", "case_id"),
        Index("ix_payment_grant_month", "grant_id", "benefit_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batch.id"))
    payee_id: Mapped[int] = mapped_column(ForeignKey("payee.id"))
    grant_id: Mapped[int] = mapped_column(ForeignKey("benefit_grant.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("benefit_case.id"))
    benefit_month: Mapped[str] = mapped_column(String(7))
    part: Mapped[str] = mapped_column(String(20))
    subsidy: Mapped[str] = mapped_column(String(10))
    amount_yen: Mapped[int] = mapped_column(Money)
    reverses_payment_id: Mapped[int | None] = mapped_column(Integer)
    replaces_reversal_id: Mapped[int | None] = mapped_column(Integer)
    reason_code: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PaymentReturn(Base):
    """A returned transfer (振込不能・組戻し) as imported; once per (batch, 顧客コード)."""

    __tablename__ = "payment_return"
    __table_args__ = (UniqueConstraint("batch_id", "customer_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batch.id"))
    customer_code: Mapped[int] = mapped_column(Integer)
    payee_id: Mapped[int] = mapped_column(ForeignKey("payee.id"))
    amount_yen: Mapped[int] = mapped_column(Money)
    reason_code: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RepaymentPlan(Base):
    """An instalment plan for a 返還金 claim; a new version replaces the previous one (append-only)."""

    __tablename__ = "repayment_plan"
    __table_args__ = (UniqueConstraint("claim_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("repayment_claim.id"))
    version: Mapped[int] = mapped_column(Integer)
    #: ``[{"due_date": "YYYY-MM-DD", "amount_yen": n}, ...]`` summing to the claim.
    instalments: Mapped[list[Any]] = mapped_column(JsonType)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RepaymentReceipt(Base):
    """Money received against a 返還金 claim (append-only; a correction is a negative receipt)."""

    __tablename__ = "repayment_receipt"
    __table_args__ = (CheckConstraint("amount_yen <> 0", name="amount_nonzero"),
                      Index("ix_repayment_receipt_claim_id", "claim_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("repayment_claim.id"))
    amount_yen: Mapped[int] = mapped_column(Money)
    received_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

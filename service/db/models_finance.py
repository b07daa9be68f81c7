"""Finance tables added by issue 15 (items 4 and 5): the archived 支払明細書 of each batch, refunds.

Append-only (migration ``0011``): ``payment_statement`` — each statement PDF rendered once at export,
stored byte for byte with its SHA-256; downloads return exactly these bytes. ``refund_order`` and
``refund_order_event`` — refunds (還付) of money paid back beyond a corrected claim, and their life.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from service.db.models import Base, Money, utcnow

#: Finance tables the database keeps append-only (migration 0011).
FINANCE_APPEND_ONLY_TABLES = ("payment_statement", "refund_order", "refund_order_event",
                              "payment_statement_event")


class PaymentStatement(Base):
    """One 支払明細書 (remittance statement) of an exported batch: the PDF for one payee, rendered once
    (issue 15 item 4) and archived with its hash; ``number`` is its place in the batch (1, 2, …)."""

    __tablename__ = "payment_statement"
    __table_args__ = (
        UniqueConstraint("batch_id", "number"),
        CheckConstraint("number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batch.id"))
    number: Mapped[int] = mapped_column(Integer)
    payee_id: Mapped[int | None] = mapped_column(ForeignKey("payee.id"))
    payee_name: Mapped[str] = mapped_column(String(200))
    total_yen: Mapped[int] = mapped_column(Money)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PaymentStatementEvent(Base):
    """The life of a batch's 支払明細書 (migration 0019): ``due`` (at export: ``expected`` statements are to
    be rendered by the letter worker, after the export's commit) and ``failed`` (a rendering failure,
    shown on the batch until the statements are complete). Append-only."""

    __tablename__ = "payment_statement_event"
    __table_args__ = (
        CheckConstraint("event IN ('due','failed')", name="event"),
        Index("ix_payment_statement_event_batch_id", "batch_id"),
        Index("uq_payment_statement_event_due", "batch_id", unique=True,
              postgresql_where=text("event = 'due'"), sqlite_where=text("event = 'due'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batch.id"))
    event: Mapped[str] = mapped_column(String(20))
    expected: Mapped[int | None] = mapped_column(Integer)
    error_code: Mapped[str | None] = mapped_column(String(60))
    error_message: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RefundOrder(Base):
    """A refund (還付) of money a recipient paid back beyond a corrected or withdrawn claim (PD9,
    issue 15 item 5): drafted by one finance user for the claim's whole refund due, to the recipient's
    account (a payee), paid by a 全銀 transfer in the next monthly run once another user approves it."""

    __tablename__ = "refund_order"
    __table_args__ = (CheckConstraint("amount_yen > 0", name="amount_positive"),
                      Index("ix_refund_order_grant_id", "grant_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("repayment_claim.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("benefit_case.id"))
    grant_id: Mapped[int] = mapped_column(ForeignKey("benefit_grant.id"))
    payee_id: Mapped[int] = mapped_column(ForeignKey("payee.id"))
    amount_yen: Mapped[int] = mapped_column(Money)
    note: Mapped[str | None] = mapped_column(Text)
    drafted_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    drafted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RefundOrderEvent(Base):
    """``approved`` (once, by a second finance user, PD17), ``batched`` (the transfer of a batch; again
    after that batch is cancelled or the transfer comes back), ``cancelled`` (before it is paid)."""

    __tablename__ = "refund_order_event"
    __table_args__ = (
        CheckConstraint("event IN ('approved','batched','cancelled')", name="event"),
        CheckConstraint("(event = 'batched') = (batch_id IS NOT NULL)", name="batch_when_batched"),
        UniqueConstraint("order_id", "batch_id"),
        Index("uq_refund_order_event_once", "order_id", "event", unique=True,
              postgresql_where=text("event <> 'batched'"), sqlite_where=text("event <> 'batched'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("refund_order.id"))
    event: Mapped[str] = mapped_column(String(20))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payment_batch.id"))
    customer_code: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

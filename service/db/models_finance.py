"""Finance tables added by issue 15 (items 4 and 5): the archived 支払明細書 of each batch.

Append-only (migration ``0011``): ``payment_statement`` — each statement PDF rendered once at export,
stored byte for byte with its SHA-256; downloads return exactly these bytes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db.models import Base, Money, utcnow

#: Finance tables the database keeps append-only (migration 0011).
FINANCE_APPEND_ONLY_TABLES = ("payment_statement",)


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

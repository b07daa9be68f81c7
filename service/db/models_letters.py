"""Letter tables (issue 5; architecture.md §4.6): the archive of issued letters and the 文書番号 series.

``letter`` is append-only (the database refuses UPDATE and DELETE, migration ``0003``): a letter is never
edited; a correction is a new decision and a new letter. A reprint returns the stored bytes.
``letter_series`` is the counter of each municipality's 文書番号 per 年度, taken with a row lock.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from service.db.models import Base, utcnow

#: Who a letter is addressed to.
ADDRESSEE_KINDS = ("recipient", "landlord", "council", "payee")


class Letter(Base):
    """One issued letter or notice with its PDF. Append-only."""

    __tablename__ = "letter"
    __table_args__ = (
        UniqueConstraint("decision_id", "letter_type", "addressee_kind"),
        UniqueConstraint("municipality_code", "fiscal_year", "serial"),
        CheckConstraint("addressee_kind IN ('recipient','landlord','council','payee')", name="addressee_kind"),
        CheckConstraint("serial > 0", name="serial_positive"),
        Index("ix_letter_issued_on", "issued_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("benefit_case.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), index=True)
    #: ``letters.LetterType`` value (decision, refusal, proxy_payment_notice, council_notice …).
    letter_type: Mapped[str] = mapped_column(String(40))
    addressee_kind: Mapped[str] = mapped_column(String(20))
    addressee_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    municipality_code: Mapped[str] = mapped_column(String(6))
    #: 年度 (April–March) of ``issued_on``; the series restarts every 年度.
    fiscal_year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    document_number: Mapped[str] = mapped_column(String(60))
    #: Wording/layout version: the service's template version and the letterhead settings' version.
    template_version: Mapped[str] = mapped_column(String(60))
    content_type: Mapped[str] = mapped_column(String(100), default="application/pdf")
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    #: The date printed on the letter (the approval day in Japan).
    issued_on: Mapped[date] = mapped_column(Date)
    #: The approval timestamp (the PDF's creation date, so a re-render is byte-identical).
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class LetterSeries(Base):
    """The last 文書番号 serial handed out per municipality and 年度 (a counter, not a ledger)."""

    __tablename__ = "letter_series"

    municipality_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_serial: Mapped[int] = mapped_column(Integer, default=0)

"""Letter tables (issue 5; architecture.md §4.6): the archive of issued letters and the 文書番号 series.

``letter`` is append-only (the database refuses UPDATE and DELETE, migration ``0003``): a letter is never
edited; a correction is a new decision and a new letter. A reprint returns the stored bytes.
``letter_series`` is the counter of each municipality's 文書番号 per 年度, taken with a row lock.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

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

from service.db.models import Base, JsonType, utcnow

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


#: Outbox statuses of a planned letter (issue 13), derived from its events and the archive.
LETTER_STATUSES = ("pending", "issued", "failed")
#: Event kinds of a planned letter: a render failed, or a clerk asked for another try.
LETTER_EVENTS = ("failed", "retry")


class LetterPlan(Base):
    """A letter planned in the approval transaction (issue 13, the outbox). Append-only.

    It holds the letter's 文書番号 (taken in the approval transaction, so numbers follow approval
    order) and the typed snapshot of its input (``letters.snapshot``): the worker renders the letter
    from it after commit, byte-identical every time. Its status is derived: ``issued`` once the
    ``letter`` archive holds it, ``failed`` after ``MAX_ATTEMPTS`` failed renders since the last retry,
    ``pending`` otherwise.
    """

    __tablename__ = "letter_plan"
    __table_args__ = (
        UniqueConstraint("decision_id", "letter_type", "addressee_kind"),
        UniqueConstraint("municipality_code", "fiscal_year", "serial"),
        CheckConstraint("addressee_kind IN ('recipient','landlord','council','payee')",
                        name="plan_addressee_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("benefit_case.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), index=True)
    letter_type: Mapped[str] = mapped_column(String(40))
    addressee_kind: Mapped[str] = mapped_column(String(20))
    municipality_code: Mapped[str] = mapped_column(String(6))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    document_number: Mapped[str] = mapped_column(String(60))
    #: ``letters.snapshot.to_snapshot`` of the letter's input.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JsonType)
    #: The approval timestamp: the PDF's creation date.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    planned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    planned_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class LetterEvent(Base):
    """What happened to a planned letter besides being issued: a failed render (with the error) or a
    clerk's retry. Append-only; a plan's status is computed from these and the archive."""

    __tablename__ = "letter_event"
    __table_args__ = (CheckConstraint("event IN ('failed','retry')", name="event_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("letter_plan.id"), index=True)
    event: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(60))
    error_message: Mapped[str | None] = mapped_column(String(1000))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    by_user: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

"""SQLAlchemy 2 models (architecture 4.3, 4.6).

Append-only tables (the database refuses UPDATE and DELETE, see the first migration):
``decision``, ``decision_review``, ``audit_event``, ``repayment_claim``, ``document``, ``monthly_report``.
``benefit_grant``, ``benefit_month``, ``stop_proposal``, ``application`` and ``benefit_case`` are
projections kept up to date by the workflows; the decisions are their source of truth.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonType = JSON().with_variant(JSONB(), "postgresql")
Money = BigInteger().with_variant(Integer(), "sqlite")

#: Tables the database keeps append-only.
APPEND_ONLY_TABLES = (
    "decision",
    "decision_review",
    "audit_event",
    "repayment_claim",
    "document",
    "monthly_report",
    "coordination_report",
)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JsonType, list[Any]: JsonType}


class Agency(Base):
    """A 自立相談支援機関 (support agency)."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AppUser(Base):
    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint("role IN ('agency','clerk','approver','finance','admin')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    #: argon2 hash, for the screens; null for API-only users.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    #: sha256 hex of the API token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Logging out ends every screen session of the user signed in before this moment (a copied cookie
    #: stops working too); the signed cookie alone could not be taken back.
    sessions_revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiToken(Base):
    """An API token of a user (issue 12): stored as sha256 only, with an expiry, revocable.

    The token itself is shown once, when it is issued. ``expires_at`` null: no expiry (tokens of
    before migration 0006 and the fixtures'); the administrator's screen and API always set one.
    """

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class BenefitCase(Base):
    """One household's file at the municipality. ``version`` is the optimistic-lock counter."""

    __tablename__ = "benefit_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    benefit: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="open")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: the applicant as the latest application names them (lists show people, not numbers; issue 14)
    applicant_name: Mapped[str | None] = mapped_column(String(200))
    applicant_kana: Mapped[str | None] = mapped_column(String(200))
    #: name, kana, phone and payee normalised by ``service.workflows.case_search.normalise`` (NFKC,
    #: hiragana as katakana, no spaces); a trigram index on PostgreSQL answers ``LIKE '%…%'``.
    search_key: Mapped[str] = mapped_column(Text, default="", server_default="")

    __table_args__ = (
        Index("ix_benefit_case_search_key", "search_key", postgresql_using="gin",
              postgresql_ops={"search_key": "gin_trgm_ops"}),
    )


class Application(Base):
    """An application (initial, extension or change). ``facts`` is the contracts.md §1 input shape."""

    __tablename__ = "application"
    __table_args__ = (UniqueConstraint("agency_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("benefit_case.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    kind: Mapped[str] = mapped_column(String(20))
    benefit: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    facts: Mapped[dict[str, Any]] = mapped_column(JsonType)
    intake: Mapped[dict[str, Any]] = mapped_column(JsonType)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: PD27: digest of the applicant's normalised name and birth date (service.workflows.households).
    household_key: Mapped[str | None] = mapped_column(String(64), index=True)
    #: Why the office returned the application to its agency (edited and resubmitted after).
    returned_reason: Mapped[str | None] = mapped_column(Text)


class Document(Base):
    """An uploaded document (R85 checklist, reports, evidence). Append-only."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("benefit_case.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    kind: Mapped[str] = mapped_column(String(50))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Decision(Base):
    """An administrative decision, drafted by a clerk. Immutable; a correction supersedes it."""

    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("case_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("benefit_case.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    #: The grant the decision acts on (no FK: ``benefit_grant`` refers to ``decision`` already).
    grant_id: Mapped[int | None] = mapped_column(Integer, index=True)
    supersedes_decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"))
    params: Mapped[dict[str, Any]] = mapped_column(JsonType)
    facts: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    result: Mapped[dict[str, Any]] = mapped_column(JsonType)
    rates_version: Mapped[str] = mapped_column(String(100))
    code_version: Mapped[str] = mapped_column(String(100))
    drafted_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    drafted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DecisionReview(Base):
    """The approver's 決裁 (approved) or return (returned) of a draft. One per decision; append-only."""

    __tablename__ = "decision_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(20))
    reviewed_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reviewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)


_COORDINATION_WAITING = "coordination_report_due IS true AND status IN ('active', 'interrupted')"


class BenefitGrant(Base):
    """A grant (rent: up to 3+3+3 months; moving: one sum). Projection of its approved decisions."""

    __tablename__ = "benefit_grant"
    __table_args__ = (
        Index("ix_benefit_grant_status_last", "status", "period_last_month"),
        Index("ix_benefit_grant_coordination_due", "coordination_report_due"),
        # The work queue joins the months waiting for a report with the active grants (an index-only merge).
        Index("ix_benefit_grant_active", "id", postgresql_where=text("status = 'active'"),
              sqlite_where=text("status = 'active'")),
        # The queue's extensions due and last months (index-only: the active grants ending in a month).
        Index("ix_benefit_grant_active_ending", "period_last_month", "extensions_used",
              postgresql_include=["id", "case_id"], postgresql_where=text("status = 'active'"),
              sqlite_where=text("status = 'active'")),
        # Its total subtracts the waiting months of grants no longer active (few in any one month).
        Index("ix_benefit_grant_not_active", "id", postgresql_where=text("status <> 'active'"),
              sqlite_where=text("status <> 'active'")),
        # The emergency grants still to report to the 支援調整会議 (R88), as coordination.unreported_stmt reads them.
        Index("ix_benefit_grant_coordination_waiting", "id", postgresql_where=text(_COORDINATION_WAITING),
              sqlite_where=text(_COORDINATION_WAITING)),
        CheckConstraint("amount_yen >= 0", name="amount_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("benefit_case.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"))
    benefit: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(30))
    amount_yen: Mapped[int] = mapped_column(Money)
    first_month: Mapped[str | None] = mapped_column(String(7))
    period_last_month: Mapped[str | None] = mapped_column(String(7))
    extension_deadline: Mapped[date | None] = mapped_column(Date)
    extensions_used: Mapped[int] = mapped_column(Integer, default=0)
    interrupted_from: Mapped[str | None] = mapped_column(String(7))
    stop_cause: Mapped[str | None] = mapped_column(String(40))
    stop_first_unpaid_month: Mapped[str | None] = mapped_column(String(7))
    #: R88: decided in the emergency path before the plan went through the 支援調整会議, so it must be
    #: reported to the meeting afterwards (settled by a CoordinationReport on the case).
    coordination_report_due: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


_REPORT_WAITING = "NOT report_received AND status IN ('scheduled', 'paid')"


class BenefitMonth(Base):
    """One benefit month of a rent grant: scheduled, paid, cancelled or interrupted."""

    __tablename__ = "benefit_month"
    __table_args__ = (
        Index("ix_benefit_month_month_status", "month", "status"),
        # The work queue's missing reports (R51): only the months still waiting for their report.
        Index("ix_benefit_month_report_waiting", "month", "grant_id",
              postgresql_where=text(_REPORT_WAITING), sqlite_where=text(_REPORT_WAITING)),
        CheckConstraint("amount_yen >= 0", name="amount_nonnegative"),
    )

    grant_id: Mapped[int] = mapped_column(ForeignKey("benefit_grant.id"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    amount_yen: Mapped[int] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(20))
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"))
    #: R51: a monthly report for this grant and month has been stored. Kept by the database (migration 0018:
    #: a trigger on ``monthly_report`` inserts and one on ``benefit_month`` inserts), never written here.
    report_received: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class MonthlyReport(Base):
    """The agency's monthly job-search report (R48–R52). Append-only; the latest per month counts."""

    __tablename__ = "monthly_report"
    __table_args__ = (Index("ix_monthly_report_grant_month", "grant_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("benefit_case.id"), index=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("benefit_grant.id"))
    month: Mapped[str] = mapped_column(String(7))
    interviews: Mapped[int] = mapped_column(Integer)
    hello_work_consultations: Mapped[int] = mapped_column(Integer)
    employer_applications: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[list[Any]] = mapped_column(JsonType)
    reasons: Mapped[list[Any]] = mapped_column(JsonType)
    submitted_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CoordinationReport(Base):
    """An emergency grant reported to the 支援調整会議 after the decision (R88). Append-only."""

    __tablename__ = "coordination_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("benefit_case.id"), index=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("benefit_grant.id"), index=True)
    meeting_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(1000))
    recorded_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StopProposal(Base):
    """A stop the system proposes for a clerk (PD16): never a stop by itself."""

    __tablename__ = "stop_proposal"
    __table_args__ = (UniqueConstraint("grant_id", "month"), Index("ix_stop_proposal_status", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("benefit_case.id"), index=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("benefit_grant.id"))
    month: Mapped[str] = mapped_column(String(7))
    source: Mapped[str] = mapped_column(String(30))
    cause: Mapped[str] = mapped_column(String(40))
    reasons: Mapped[list[Any]] = mapped_column(JsonType)
    evidence: Mapped[dict[str, Any]] = mapped_column(JsonType)
    status: Mapped[str] = mapped_column(String(20), default="open")
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RepaymentClaim(Base):
    """A 返還金 claim against the recipient (PD9). Ledger: append-only."""

    __tablename__ = "repayment_claim"
    __table_args__ = (CheckConstraint("amount_yen > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("benefit_case.id"), index=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("benefit_grant.id"))
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), unique=True)
    cause: Mapped[str] = mapped_column(String(30))
    debtor: Mapped[str] = mapped_column(String(20))
    months: Mapped[list[Any]] = mapped_column(JsonType)
    amount_yen: Mapped[int] = mapped_column(Money)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEvent(Base):
    """Who did or read what, when, from where. Append-only."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    username: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(60))
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    target: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonType)
    client_ip: Mapped[str | None] = mapped_column(String(64))


# The payment tables (issue 4) and the letter archive (issue 5) share this metadata; imported last so
# that ``Base`` is complete.
from service.db import models_finance as models_finance  # noqa: E402,F401
from service.db import models_letters as models_letters  # noqa: E402,F401
from service.db import models_payments as models_payments  # noqa: E402,F401

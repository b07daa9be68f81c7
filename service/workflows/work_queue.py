"""The clerk's work queue for a month: sections of work still to do, each with its total and paging.

An item appears under one heading only and never once it is decided: an application with a draft
decision waits for approval (not for a decision), a proposed stop whose grant has stopped is gone, a
grant whose extension application waits is listed with the application, not as an extension due.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from service import rules
from service.calendar import office_date
from service.db.models import Application, BenefitGrant, BenefitMonth, Decision, DecisionReview, StopProposal
from service.errors import InvalidRequest
from service.workflows.common import Actor, require_role
from service.workflows.compliance import missing_reports_stmt, report_waiting
from service.workflows.coordination import unreported_stmt
from service.workflows.letters import failed_letters
from service.workflows.receivables import claims_to_correct

LIVE = ("active", "interrupted")


@dataclass(frozen=True, slots=True, eq=False)  # hashed by identity: cached statements
class Section:
    """One heading: its rows (a SELECT of the columns a row shows, ordered by a unique key) and how a row
    reads. Columns, not entities: a page of 200 rows of eight headings is read on every queue view."""

    stmt: Any
    row: Callable[[Any], dict[str, Any]]
    #: A scalar expression for the heading's total when counting ``stmt`` itself would be slow.
    total: Any = None


def _unreviewed() -> Any:
    return ~exists().where(DecisionReview.decision_id == Decision.id)


def _missing_reports_total(month: str) -> Any:
    """The months waiting for their report less those of grants no longer active: two index-only scans
    (~4 ms at 100,000 grants) where joining the waiting months with the active grants reads every active
    grant (~20 ms). Every month has its grant (a foreign key), so the difference is the join's count."""
    waiting = select(func.count()).select_from(BenefitMonth).where(*report_waiting(month))
    not_active = (select(func.count()).select_from(BenefitMonth)
                  .join(BenefitGrant, BenefitGrant.id == BenefitMonth.grant_id)
                  .where(*report_waiting(month), BenefitGrant.status != "active"))
    return waiting.scalar_subquery() - not_active.scalar_subquery()


def _open_proposals_total() -> Any:
    """Open proposed stops less those whose grant is no longer live: the grants not active are few, so
    this reads the open proposals' index and the partial index of grants not active (not a probe of each
    proposal's grant)."""
    open_ones = select(func.count()).select_from(StopProposal).where(StopProposal.status == "open")
    ended = (select(func.count()).select_from(StopProposal)
             .join(BenefitGrant, BenefitGrant.id == StopProposal.grant_id)
             .where(StopProposal.status == "open", BenefitGrant.status != "active",  # the partial index
                    BenefitGrant.status.not_in(LIVE)))
    return open_ones.scalar_subquery() - ended.scalar_subquery()


def _sections(month: str) -> dict[str, Section]:
    return _sections_for(month, rules.period_rules(month).max_extensions)  # R38, PD7: in force in the month


@lru_cache(maxsize=32)
def _sections_for(month: str, max_extensions: int) -> dict[str, Section]:
    """The headings' statements for a month, built once (statements are immutable): building them and their
    cache keys took ~5 ms of CPU a view. Callers must not change the dict."""
    ending = select(BenefitGrant.id, BenefitGrant.case_id, BenefitGrant.period_last_month,
                    BenefitGrant.extension_deadline, BenefitGrant.extensions_used).where(
        BenefitGrant.status == "active", BenefitGrant.period_last_month == month)
    extension_waiting = exists().where(Application.case_id == BenefitGrant.case_id,
                                       Application.kind == "extension", Application.status == "submitted")
    previous = rules.add_months(month, -1)
    approved_on_app = exists().where(Decision.application_id == Application.id, exists().where(
        DecisionReview.decision_id == Decision.id, DecisionReview.outcome == "approved"))
    drafted_on_app = exists().where(Decision.application_id == Application.id, _unreviewed())
    # A scalar subquery per open proposal (an index probe each): as EXISTS, PostgreSQL hashes every grant
    # (100,000 rows) to check a few thousand proposals.
    grant_live = (select(BenefitGrant.status).where(BenefitGrant.id == StopProposal.grant_id)
                  .scalar_subquery().in_(LIVE))
    return {
        "extension_due": Section(
            ending.where(BenefitGrant.extensions_used < max_extensions, ~extension_waiting)
            .order_by(BenefitGrant.id),
            lambda g: {"grant_id": g.id, "case_id": g.case_id, "period_last_month": g.period_last_month,
                       "extension_deadline": g.extension_deadline.isoformat() if g.extension_deadline else None,
                       "extensions_used": g.extensions_used}),
        "monthly_report_missing": Section(
            missing_reports_stmt(previous),
            lambda r: {"grant_id": r[0], "case_id": r[1], "month": previous},
            _missing_reports_total(previous)),
        "last_month": Section(
            ending.where(BenefitGrant.extensions_used >= max_extensions).order_by(BenefitGrant.id),
            lambda g: {"grant_id": g.id, "case_id": g.case_id, "period_last_month": g.period_last_month}),
        "proposed_stops": Section(
            select(StopProposal.id, StopProposal.grant_id, StopProposal.case_id, StopProposal.month,
                   StopProposal.source, StopProposal.cause, StopProposal.reasons, StopProposal.evidence)
            .where(StopProposal.status == "open", grant_live).order_by(StopProposal.id),
            lambda p: {"proposal_id": p.id, "grant_id": p.grant_id, "case_id": p.case_id, "month": p.month,
                       "source": p.source, "cause": p.cause, "reasons": p.reasons, "evidence": p.evidence},
            _open_proposals_total()),
        "awaiting_approval": Section(
            select(Decision.id, Decision.case_id, Decision.kind, Decision.drafted_by).where(_unreviewed())
            .order_by(Decision.id),
            lambda d: {"decision_id": d.id, "case_id": d.case_id, "kind": d.kind, "drafted_by": d.drafted_by}),
        "applications_waiting": Section(
            select(Application.id, Application.case_id, Application.kind, Application.benefit)
            .where(Application.status == "submitted", ~approved_on_app, ~drafted_on_app).order_by(Application.id),
            lambda a: {"application_id": a.id, "case_id": a.case_id, "kind": a.kind, "benefit": a.benefit}),
        "housing_report_waiting": Section(
            select(BenefitGrant.id, BenefitGrant.case_id, BenefitGrant.created_at)
            .where(BenefitGrant.status == "certified").order_by(BenefitGrant.id),
            lambda g: {"grant_id": g.id, "case_id": g.case_id,
                       "certified_on": office_date(g.created_at).isoformat()}),
        "coordination_report_due": Section(
            unreported_stmt().with_only_columns(BenefitGrant.id, BenefitGrant.case_id, BenefitGrant.first_month,
                                                BenefitGrant.created_at).order_by(BenefitGrant.id),
            lambda g: {"grant_id": g.id, "case_id": g.case_id, "first_month": g.first_month,
                       "granted_on": office_date(g.created_at).isoformat()}),
    }


def _totals_stmt(sections: dict[str, Section]) -> Any:
    """Every heading's total in one SELECT (one round trip instead of one a heading)."""
    return _totals_for(tuple(sections.items()))


@lru_cache(maxsize=32)
def _totals_for(items: tuple[tuple[str, Section], ...]) -> Any:
    sections = dict(items)
    return select(*((spec.total if spec.total is not None else
                      select(func.count()).select_from(spec.stmt.order_by(None).subquery()).scalar_subquery())
                     .label(name) for name, spec in sections.items()))


@lru_cache(maxsize=256)
def _page(spec: Section, limit: int, offset: int) -> Any:
    return spec.stmt.limit(limit).offset(offset)


SECTIONS = (*_sections("2025-01"), "repayment_claims_to_correct", "letters_failed")


def work_queue(session: Session, actor: Actor, month: str, *, limit: int = 200, offset: int = 0,
               section: str | None = None) -> dict[str, Any]:
    """Extensions due this month, missing monthly reports (last month's), grants in their last month,
    proposed stops, drafts waiting for approval, submitted applications waiting for a decision, homeless
    applicants holding a certificate without a 住居確保報告書 yet (R44), emergency grants not yet
    reported to the 支援調整会議 (R88), and repayment claims a returned transfer has made too high (PD9).

    Each section lists at most ``limit`` rows; ``totals`` counts them all. With ``section`` only that
    section is listed, from ``offset`` (its next page)."""
    require_role(actor, "clerk", "approver")
    if section is not None and section not in SECTIONS:
        raise InvalidRequest(f"unknown section {section!r}; one of {', '.join(SECTIONS)}", field="section")
    out: dict[str, Any] = {"month": month, "limit": limit, "offset": offset if section else 0, "totals": {}}
    sections = _sections(month)
    out["totals"].update({name: int(total) for name, total in session.execute(_totals_stmt(sections))
                          .one()._mapping.items()})
    for name, spec in sections.items():
        if section is not None and name != section:
            continue
        rows = session.execute(_page(spec, limit, offset if section else 0)).all()
        out[name] = [spec.row(r) for r in rows]
    if section is None or section == "repayment_claims_to_correct":
        start = offset if section else 0
        claims = claims_to_correct(session, limit=1_000_000)  # few: only claims a reversal touched
        out["repayment_claims_to_correct"] = claims[start:start + limit]
        out["totals"]["repayment_claims_to_correct"] = len(claims)
    if section is None or section == "letters_failed":  # issue 13: renders that failed, for a retry
        start = offset if section else 0
        failed = failed_letters(session, limit=1_000_000)  # few: a failure is the exception
        out["letters_failed"] = failed[start:start + limit]
        out["totals"]["letters_failed"] = len(failed)
    return out


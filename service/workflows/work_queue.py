"""The clerk's work queue for a month."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from service import rules
from service.calendar import office_date
from service.db.models import Application, BenefitGrant, Decision, DecisionReview, StopProposal
from service.workflows.common import Actor, require_role
from service.workflows.compliance import missing_reports_stmt
from service.workflows.coordination import unreported_stmt
from service.workflows.letters import failed_letters
from service.workflows.receivables import claims_to_correct


def work_queue(session: Session, actor: Actor, month: str, *, limit: int = 200) -> dict[str, Any]:
    """Extensions due this month, missing monthly reports (last month's), grants in their last month,
    proposed stops, drafts waiting for approval, submitted applications waiting for a decision, homeless
    applicants holding a certificate without a 住居確保報告書 yet (R44), emergency grants not yet
    reported to the 支援調整会議 (R88), and repayment claims a returned transfer has made too high (PD9)."""
    require_role(actor, "clerk", "approver")
    max_extensions = rules.period_rules(month).max_extensions  # R38, PD7: in force in the queue's month
    in_final_period = BenefitGrant.extensions_used >= max_extensions
    ending = select(BenefitGrant).where(BenefitGrant.status == "active",
                                        BenefitGrant.period_last_month == month)
    extension_due = [
        {"grant_id": g.id, "case_id": g.case_id, "period_last_month": g.period_last_month,
         "extension_deadline": g.extension_deadline.isoformat() if g.extension_deadline else None,
         "extensions_used": g.extensions_used}
        for g in session.scalars(ending.where(BenefitGrant.extensions_used < max_extensions)
                                 .order_by(BenefitGrant.id).limit(limit))
    ]
    last_month = [
        {"grant_id": g.id, "case_id": g.case_id, "period_last_month": g.period_last_month}
        for g in session.scalars(ending.where(in_final_period).order_by(BenefitGrant.id).limit(limit))
    ]
    previous = rules.add_months(month, -1)
    missing = [{"grant_id": gid, "case_id": cid, "month": previous}
               for gid, cid in session.execute(missing_reports_stmt(previous).order_by(BenefitGrant.id)
                                               .limit(limit)).all()]
    proposals = [
        {"proposal_id": p.id, "grant_id": p.grant_id, "case_id": p.case_id, "month": p.month,
         "source": p.source, "cause": p.cause, "reasons": p.reasons, "evidence": p.evidence}
        for p in session.scalars(select(StopProposal).where(StopProposal.status == "open")
                                 .order_by(StopProposal.id).limit(limit))
    ]
    drafts = [
        {"decision_id": d.id, "case_id": d.case_id, "kind": d.kind, "drafted_by": d.drafted_by}
        for d in session.scalars(
            select(Decision).outerjoin(DecisionReview, DecisionReview.decision_id == Decision.id)
            .where(DecisionReview.id.is_(None)).order_by(Decision.id).limit(limit))
    ]
    decided = select(func.count()).select_from(Decision).join(
        DecisionReview, and_(DecisionReview.decision_id == Decision.id, DecisionReview.outcome == "approved")
    ).where(Decision.application_id == Application.id).scalar_subquery()
    waiting = [
        {"application_id": a.id, "case_id": a.case_id, "kind": a.kind, "benefit": a.benefit}
        for a in session.scalars(select(Application).where(Application.status == "submitted", decided == 0)
                                 .order_by(Application.id).limit(limit))
    ]
    housing_report_waiting = [
        {"grant_id": g.id, "case_id": g.case_id, "certified_on": office_date(g.created_at).isoformat()}
        for g in session.scalars(select(BenefitGrant).where(BenefitGrant.status == "certified")
                                 .order_by(BenefitGrant.id).limit(limit))
    ]
    coordination_due = [
        {"grant_id": g.id, "case_id": g.case_id, "first_month": g.first_month,
         "granted_on": office_date(g.created_at).isoformat()}
        for g in session.scalars(unreported_stmt().order_by(BenefitGrant.id).limit(limit))
    ]
    return {
        "month": month,
        "extension_due": extension_due,
        "monthly_report_missing": missing,
        "last_month": last_month,
        "proposed_stops": proposals,
        "awaiting_approval": drafts,
        "applications_waiting": waiting,
        "housing_report_waiting": housing_report_waiting,
        "coordination_report_due": coordination_due,
        "repayment_claims_to_correct": claims_to_correct(session, limit=limit),
        "letters_failed": failed_letters(session, limit=limit),  # issue 13: renders that failed
    }

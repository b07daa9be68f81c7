"""Grant clock (benefit months, extension deadline, months left of 9) and the case view."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import rules
from service.db.models import (
    Application,
    BenefitCase,
    BenefitGrant,
    Decision,
    DecisionReview,
    Document,
    MonthlyReport,
    RepaymentClaim,
    StopProposal,
)
from service.errors import NotFound
from service.workflows.common import Actor, audit, load_case, require_role
from service.workflows.coordination import coordination_reports_of, report_due, report_out
from service.workflows.decisions import COUNTED, months_of


def grant_clock(session: Session, actor: Actor, grant_id: int, *, today: date | None = None,
                record_read: bool = True) -> dict[str, Any]:
    require_role(actor, "agency", "clerk", "approver", "finance")
    grant = session.get(BenefitGrant, grant_id)
    missing = NotFound(f"grant {grant_id} not found", field="grant_id")
    if grant is None:
        raise missing
    try:
        load_case(session, actor, grant.case_id)
    except NotFound:
        raise missing from None  # another agency's grant: the same answer as a missing one (issue 12)
    if record_read:
        audit(session, actor, "grant.read", case_id=grant.case_id, target=f"grant:{grant.id}")
    return clock_dict(session, grant, today=today or actor.clock.today())


def clock_dict(session: Session, grant: BenefitGrant, *, today: date) -> dict[str, Any]:
    """The grant as the clerk reads it on ``today`` (the office day: an active grant whose period is over
    shows as ended)."""
    from service.workflows.payments import ledger_month_statuses

    months = months_of(session, grant.id)
    ledger = ledger_month_statuses(session, grant.id)  # PD31: in_batch / settled from the payment ledger
    used = sum(1 for m in months if m.status in COUNTED)
    status = grant.status
    this_month = today.strftime("%Y-%m")
    if status == "active" and grant.period_last_month and grant.period_last_month < this_month:
        status = "ended"
    clock = rules.period_rules(grant.first_month or this_month)
    can_extend = (status == "active" and grant.extensions_used < clock.max_extensions
                  and used + clock.period_months <= clock.max_months)
    return {
        "grant_id": grant.id,
        "case_id": grant.case_id,
        "benefit": grant.benefit,
        "status": status,
        "amount_yen": grant.amount_yen,
        "first_month": grant.first_month,
        "period_last_month": grant.period_last_month,
        "extension_deadline": grant.extension_deadline.isoformat() if grant.extension_deadline else None,
        "extensions_used": grant.extensions_used,
        "extension_possible": can_extend,
        "months_used": used,
        "months_left_of_9": clock.max_months - used if grant.benefit == "rent" else None,
        "interrupted_from": grant.interrupted_from,
        "stop_cause": grant.stop_cause,
        "stop_first_unpaid_month": grant.stop_first_unpaid_month,
        "coordination_report_due": report_due(session, grant),
        "months": [{"month": m.month, "amount_yen": m.amount_yen, "status": ledger.get(m.month, m.status),
                    "decision_id": m.decision_id} for m in months],
    }


def decision_dict(session: Session, decision: Decision, *, drafted_now: bool = False) -> dict[str, Any]:
    """The decision as the API answers it; ``drafted_now``: drafted in this transaction, so it has no
    review yet (its answer needs no look-up)."""
    from service.workflows.decisions import status_after_review

    review = None if drafted_now else session.scalar(
        select(DecisionReview).where(DecisionReview.decision_id == decision.id))
    return {
        "id": decision.id,
        "case_id": decision.case_id,
        "sequence": decision.sequence,
        "kind": decision.kind,
        "status": status_after_review(session, decision, review.outcome if review else None),
        "application_id": decision.application_id,
        "grant_id": decision.grant_id,
        "supersedes_decision_id": decision.supersedes_decision_id,
        "params": decision.params,
        "facts": decision.facts,
        "result": decision.result,
        "rates_version": decision.rates_version,
        "code_version": decision.code_version,
        "drafted_by": decision.drafted_by,
        "drafted_at": decision.drafted_at.isoformat(),
        "reviewed_by": review.reviewed_by if review else None,
        "reviewed_at": review.reviewed_at.isoformat() if review else None,
    }


def read_decision(session: Session, actor: Actor, decision_id: int) -> dict[str, Any]:
    require_role(actor, "clerk", "approver")
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise NotFound(f"decision {decision_id} not found", field="decision_id")
    load_case(session, actor, decision.case_id)
    audit(session, actor, "decision.read", case_id=decision.case_id, target=f"decision:{decision.id}")
    return decision_dict(session, decision)


def application_dict(session: Session, app: Application, *, created_now: bool = False) -> dict[str, Any]:
    """The application as the API answers it; ``created_now``: inserted in this transaction, so no
    document names it yet (its answer needs no look-up)."""
    docs: list[Document] = [] if created_now else list(session.scalars(
        select(Document).where(Document.application_id == app.id).order_by(Document.id)))
    return {
        "id": app.id,
        "case_id": app.case_id,
        "kind": app.kind,
        "benefit": app.benefit,
        "status": app.status,
        "facts": app.facts,
        "intake": app.intake,
        "submitted_at": app.submitted_at.isoformat() if app.submitted_at else None,
        "returned_reason": app.returned_reason,
        "documents": [document_dict(d) for d in docs],
    }


def document_dict(doc: Document) -> dict[str, Any]:
    return {"id": doc.id, "kind": doc.kind, "filename": doc.filename, "content_type": doc.content_type,
            "size_bytes": doc.size_bytes, "sha256": doc.sha256, "application_id": doc.application_id,
            "uploaded_at": doc.uploaded_at.isoformat()}


def case_view(session: Session, actor: Actor, case_id: int) -> dict[str, Any]:
    """Everything on a case (personal data: the read is audited)."""
    require_role(actor, "agency", "clerk", "approver")
    case = load_case(session, actor, case_id)
    audit(session, actor, "case.read", case_id=case.id, target=f"case:{case.id}")
    apps = session.scalars(select(Application).where(Application.case_id == case.id).order_by(Application.id))
    decisions = session.scalars(select(Decision).where(Decision.case_id == case.id)
                                .order_by(Decision.sequence))
    grants = session.scalars(select(BenefitGrant).where(BenefitGrant.case_id == case.id)
                             .order_by(BenefitGrant.id))
    docs = session.scalars(select(Document).where(Document.case_id == case.id).order_by(Document.id))
    claims = session.scalars(select(RepaymentClaim).where(RepaymentClaim.case_id == case.id))
    proposals = session.scalars(select(StopProposal).where(StopProposal.case_id == case.id))
    reports = session.scalars(select(MonthlyReport).where(MonthlyReport.case_id == case.id)
                              .order_by(MonthlyReport.id))
    return {
        "id": case.id,
        "agency_id": case.agency_id,
        "benefit": case.benefit,
        "status": case.status,
        "version": case.version,
        "applications": [application_dict(session, a) for a in apps],
        "decisions": [decision_dict(session, d) for d in decisions],
        "grants": [clock_dict(session, g, today=actor.clock.today()) for g in grants],
        "documents": [document_dict(d) for d in docs],
        "repayment_claims": [{"id": c.id, "grant_id": c.grant_id, "decision_id": c.decision_id,
                              "cause": c.cause, "debtor": c.debtor, "months": c.months,
                              "amount_yen": c.amount_yen}
                             for c in claims],
        "stop_proposals": [proposal_dict(p) for p in proposals],
        "monthly_reports": [{"id": r.id, "grant_id": r.grant_id, "month": r.month, "interviews": r.interviews,
                             "hello_work_consultations": r.hello_work_consultations,
                             "employer_applications": r.employer_applications, "reasons": r.reasons,
                             "evidence": r.evidence} for r in reports],
        "coordination_reports": [report_out(r) for r in coordination_reports_of(session, case.id)],
        "household_matches": _household_matches(session, case.id),
    }


def _household_matches(session: Session, case_id: int) -> list[dict[str, Any]]:
    """PD27: the same household's grants on other cases, shown to the clerk before drafting."""
    from service.workflows.households import household_matches, key_of

    initial = session.scalar(select(Application).where(Application.case_id == case_id, Application.kind == "initial")
                             .order_by(Application.id.desc()))
    return household_matches(session, key_of(session, initial), case_id) if initial is not None else []


def proposal_dict(p: StopProposal) -> dict[str, Any]:
    return {"id": p.id, "case_id": p.case_id, "grant_id": p.grant_id, "month": p.month, "source": p.source,
            "cause": p.cause, "reasons": p.reasons, "evidence": p.evidence, "status": p.status,
            "decision_id": p.decision_id}


def list_cases(session: Session, actor: Actor, *, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    require_role(actor, "agency", "clerk", "approver")
    stmt = select(BenefitCase).order_by(BenefitCase.id).limit(limit).offset(offset)
    if actor.role == "agency":
        stmt = stmt.where(BenefitCase.agency_id == actor.agency_id)
    return [{"id": c.id, "agency_id": c.agency_id, "benefit": c.benefit, "status": c.status,
             "version": c.version} for c in session.scalars(stmt)]

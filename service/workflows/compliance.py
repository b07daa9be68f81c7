"""Monthly job-search reports (R48–R52) and the stops they propose — never a stop by itself (PD16)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import rules
from service.db.models import Application, BenefitGrant, BenefitMonth, Document, MonthlyReport, StopProposal
from service.errors import InvalidRequest, NotFound
from service.workflows.common import Actor, audit, load_case, require_role

JOB_SEARCH_FAILURE = "job_search_failure"


def _propose(session: Session, grant: BenefitGrant, month: str, source: str, reasons: list[dict[str, Any]],
             evidence: dict[str, Any], now: Any) -> StopProposal:
    proposal = session.scalar(select(StopProposal).where(StopProposal.grant_id == grant.id,
                                                         StopProposal.month == month))
    if proposal is None:
        proposal = StopProposal(case_id=grant.case_id, grant_id=grant.id, month=month, source=source,
                                cause=JOB_SEARCH_FAILURE, reasons=reasons, evidence=evidence, status="open",
                                created_at=now)
        session.add(proposal)
    elif proposal.status == "open":
        proposal.source = source
        proposal.reasons = reasons
        proposal.evidence = evidence
    session.flush()
    return proposal


def _evidence_list(report_id: int | None, document_ids: list[int]) -> dict[str, Any]:
    return {
        "required_kinds": rules.stop_evidence(JOB_SEARCH_FAILURE),
        "monthly_report_id": report_id,
        "document_ids": document_ids,
    }


def record_monthly_report(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    month: str,
    interviews: int,
    hello_work_consultations: int,
    employer_applications: int,
    evidence_document_ids: list[int],
    grant_id: int | None = None,
) -> tuple[MonthlyReport, StopProposal | None]:
    require_role(actor, "agency")
    case = load_case(session, actor, case_id)
    stmt = select(BenefitGrant).where(BenefitGrant.case_id == case.id, BenefitGrant.benefit == "rent")
    if grant_id is not None:
        stmt = stmt.where(BenefitGrant.id == grant_id)
    grant = session.scalars(stmt.order_by(BenefitGrant.id.desc())).first()
    if grant is None:
        raise NotFound("no rent grant on this case", field="grant_id")
    if session.get(BenefitMonth, (grant.id, month)) is None:
        raise InvalidRequest(f"{month} is not a benefit month of grant {grant.id}", field="month")
    for doc_id in evidence_document_ids:
        doc = session.get(Document, doc_id)
        if doc is None or doc.case_id != case.id:
            raise InvalidRequest(f"document {doc_id} not found on the case", field="evidence_document_ids")
    reasons = rules.check_month(month=month, interviews=interviews,
                                hello_work_consultations=hello_work_consultations,
                                employer_applications=employer_applications)
    report = MonthlyReport(case_id=case.id, grant_id=grant.id, month=month, interviews=interviews,
                           hello_work_consultations=hello_work_consultations,
                           employer_applications=employer_applications, evidence=list(evidence_document_ids),
                           reasons=reasons, submitted_by=actor.user_id, submitted_at=actor.clock.now())
    session.add(report)
    session.flush()
    proposal = None
    if reasons:
        proposal = _propose(session, grant, month, "short_report", reasons,
                            _evidence_list(report.id, list(evidence_document_ids)), actor.clock.now())
    else:
        open_one = session.scalar(select(StopProposal).where(StopProposal.grant_id == grant.id,
                                                             StopProposal.month == month,
                                                             StopProposal.status == "open"))
        if open_one is not None:
            open_one.status = "withdrawn"
    audit(session, actor, "monthly_report.record", case_id=case.id, target=f"monthly_report:{report.id}",
          detail={"month": month, "compliant": not reasons})
    return report, proposal


def report_waiting(month: str) -> tuple[Any, ...]:
    """R51: the benefit months ``month`` (scheduled or paid) still without their monthly report, read from
    the partial index ``ix_benefit_month_report_waiting`` (``report_received`` is kept by the database's
    triggers, migration 0018, so no anti-join of every month with every report)."""
    return (BenefitMonth.month == month, ~BenefitMonth.report_received,
            BenefitMonth.status.in_(("scheduled", "paid")))


def missing_reports_stmt(month: str) -> Any:
    """R51: active grants whose benefit month ``month`` (scheduled or paid) has no monthly report, in
    grant order (the work queue lists them; 中止の提案 proposes from them)."""
    return (select(BenefitMonth.grant_id, BenefitGrant.case_id)
            .join(BenefitGrant, BenefitGrant.id == BenefitMonth.grant_id)
            .where(*report_waiting(month), BenefitGrant.status == "active")
            .order_by(BenefitMonth.grant_id))


def propose_stops_for_missing_reports(session: Session, actor: Actor, month: str) -> list[StopProposal]:
    """A clerk asks the system to propose stops for the month's missing reports (idempotent). Only
    reports past their due day (PD29, setting ``monthly_report_due_day``) by the office clock; never for
    the current month or a grant's first month."""
    require_role(actor, "clerk")
    today = actor.clock.today()
    proposals = []
    rows = session.execute(missing_reports_stmt(month).add_columns(BenefitGrant, Application.facts)
                           .join(Application, Application.id == BenefitGrant.application_id)).all()
    for _grant_id, _case_id, grant, facts in rows:
        code = (facts or {}).get("municipality_code")
        if not rules.report_overdue(str(code) if code else None, month, str(grant.first_month or month), today):
            continue
        reasons = [{"rule": "R51", "code": "monthly_report_missing",
                    "message": f"no monthly report for {month}"}]
        proposals.append(_propose(session, grant, month, "missing_report", reasons, _evidence_list(None, []),
                                  actor.clock.now()))
    audit(session, actor, "stop_proposal.generate", detail={"month": month, "count": len(proposals)})
    return proposals

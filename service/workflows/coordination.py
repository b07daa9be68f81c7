"""Emergency grants reported to the 支援調整会議 afterwards (R87, R88).

Normally the plan goes through the 支援調整会議 before the benefit is decided (R87). In the emergency
path the municipality decides first (R88) and must then report the grant to the meeting: until that
report is recorded, the grant stays on the clerk's work queue.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from service.calendar import office_date
from service.db.models import BenefitGrant, CoordinationReport
from service.errors import InvalidRequest, RuleViolation
from service.workflows.common import Actor, audit, load_case, require_role

LIVE = ("active", "interrupted")


def unreported_stmt() -> Any:
    """Live grants decided in the emergency path that the 支援調整会議 has not yet heard of."""
    return select(BenefitGrant).where(
        BenefitGrant.coordination_report_due.is_(True), BenefitGrant.status.in_(LIVE),
        ~exists().where(CoordinationReport.grant_id == BenefitGrant.id))


def report_due(session: Session, grant: BenefitGrant) -> bool:
    """R88: the grant still waits for its report to the 支援調整会議."""
    return grant.coordination_report_due and grant.status in LIVE and session.scalar(
        select(CoordinationReport.id).where(CoordinationReport.grant_id == grant.id).limit(1)) is None


def record_coordination_report(session: Session, actor: Actor, case_id: int, *, meeting_date: date,
                               note: str | None = None) -> CoordinationReport:
    """The agency or a clerk records the meeting at which the emergency grant was reported (R88)."""
    require_role(actor, "agency", "clerk")
    case = load_case(session, actor, case_id)
    grant = session.scalar(unreported_stmt().where(BenefitGrant.case_id == case.id)
                           .order_by(BenefitGrant.id.desc()))
    if grant is None:
        raise RuleViolation(f"case {case.id} has no emergency grant waiting to be reported to the 支援調整会議 "
                            "(R88)", code="no_report_due", field="case_id")
    today = actor.clock.today()
    if meeting_date > today:
        raise InvalidRequest(f"the meeting date {meeting_date} is after today ({today})", field="meeting_date")
    granted_on = office_date(grant.created_at)
    if meeting_date < granted_on:
        raise InvalidRequest(f"the meeting date {meeting_date} is before the grant was decided ({granted_on}); "
                             "a meeting before the decision belongs in the application's plan (R87)",
                             field="meeting_date")
    report = CoordinationReport(case_id=case.id, grant_id=grant.id, meeting_date=meeting_date,
                                note=note, recorded_by=actor.user_id, recorded_at=actor.clock.now())
    session.add(report)
    session.flush()
    audit(session, actor, "coordination_report.record", case_id=case.id,
          target=f"coordination_report:{report.id}", detail={"grant_id": grant.id,
                                                             "meeting_date": meeting_date.isoformat()})
    return report


def coordination_reports_of(session: Session, case_id: int) -> list[CoordinationReport]:
    return list(session.scalars(select(CoordinationReport).where(CoordinationReport.case_id == case_id)
                                .order_by(CoordinationReport.id)))


def report_out(report: CoordinationReport) -> dict[str, Any]:
    return {"id": report.id, "case_id": report.case_id, "grant_id": report.grant_id,
            "meeting_date": report.meeting_date.isoformat(), "note": report.note,
            "recorded_by": report.recorded_by, "recorded_at": report.recorded_at.isoformat()}

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response

from service.deps import ActorDep, SessionDep
from service.errors import parse_date
from service.schemas.common import RateMonth
from service.schemas.decisions import DecisionCommand, DecisionReviewIn
from service.schemas.misc import CoordinationReportIn, MonthlyReportIn
from service.schemas.responses import (
    ApprovedDecisionOut,
    CaseOut,
    CaseRowOut,
    CoordinationReportOut,
    DecisionOut,
    GrantClockOut,
    MonthlyReportOut,
    StopProposalOut,
    WorkQueueOut,
)
from service.workflows import case_search, compliance, coordination, decisions, grants
from service.workflows.work_queue import work_queue

router = APIRouter(tags=["cases"])


@router.get("/cases", response_model=list[CaseRowOut])
def list_cases(actor: ActorDep, session: SessionDep, response: Response,
               limit: int = Query(default=100, ge=1, le=1000), offset: int = Query(default=0, ge=0),
               q: str = Query(default="", max_length=100,
                              description="name (kanji or kana, any width), case number, payee or phone"),
               status: str | None = Query(default=None, max_length=40,
                                           description="|".join(case_search.STATUS_FILTERS)),
               agency_id: int | None = None, month: RateMonth | None = None,
               sort: str = Query(default="old", max_length=40, description="|".join(case_search.SORTS))) -> list[dict[str, Any]]:
    """The cases the actor may see (an agency: its own), filtered; ``X-Total-Count`` is the number of all
    matches, for paging with ``limit`` and ``offset``."""
    rows, total = case_search.search_cases(
        session, actor, case_search.CaseFilter(q=q, status=status or None, agency_id=agency_id, month=month,
                                               sort=sort), limit=limit, offset=offset)
    response.headers["X-Total-Count"] = str(total)
    return rows


@router.get("/cases/{case_id}", response_model=CaseOut)
def get_case(case_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    return grants.case_view(session, actor, case_id)


@router.post("/cases/{case_id}/decisions", status_code=201, response_model=DecisionOut)
def draft_decision(case_id: int, body: Annotated[DecisionCommand, Body()], actor: ActorDep,
                   session: SessionDep) -> dict[str, Any]:
    """A clerk drafts a decision: one body per ``kind`` (the command of that kind); the body's
    ``case_version`` guards against concurrent changes."""
    decision = decisions.draft_decision(session, actor, case_id, body.model_dump(mode="json"))
    return grants.decision_dict(session, decision, drafted_now=True)


@router.get("/decisions/{decision_id}", response_model=DecisionOut)
def get_decision(decision_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    return grants.read_decision(session, actor, decision_id)


@router.post("/decisions/{decision_id}/approve", response_model=ApprovedDecisionOut)
def approve_decision(decision_id: int, request: Request, actor: ActorDep, session: SessionDep,
                     body: DecisionReviewIn | None = None) -> dict[str, Any]:
    body = body or DecisionReviewIn()
    decision = decisions.approve_decision(session, actor, decision_id, note=body.note,
                                          case_version=body.case_version,
                                          issue_letters=request.app.state.settings.issue_letters_on_approval)
    from service.workflows.letters import decision_letter_statuses

    # issue 13: the letters planned in this approval with their status (pending until the worker renders)
    return {**grants.decision_dict(session, decision), "letters": decision_letter_statuses(session, decision.id)}


@router.post("/decisions/{decision_id}/return", response_model=DecisionOut)
def return_decision(decision_id: int, actor: ActorDep, session: SessionDep,
                    body: DecisionReviewIn | None = None) -> dict[str, Any]:
    body = body or DecisionReviewIn()
    decision = decisions.return_decision(session, actor, decision_id, note=body.note,
                                         case_version=body.case_version)
    return grants.decision_dict(session, decision)


@router.get("/grants/{grant_id}", response_model=GrantClockOut)
def grant_clock(grant_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    return grants.grant_clock(session, actor, grant_id)


@router.post("/cases/{case_id}/monthly-reports", status_code=201, response_model=MonthlyReportOut)
def monthly_report(case_id: int, body: MonthlyReportIn, actor: ActorDep,
                   session: SessionDep) -> dict[str, Any]:
    report, proposal = compliance.record_monthly_report(
        session, actor, case_id, month=body.month, interviews=body.interviews,
        hello_work_consultations=body.hello_work_consultations,
        employer_applications=body.employer_applications,
        evidence_document_ids=body.evidence_document_ids, grant_id=body.grant_id)
    return {"id": report.id, "grant_id": report.grant_id, "month": report.month, "reasons": report.reasons,
            "compliant": not report.reasons,
            "stop_proposal": grants.proposal_dict(proposal) if proposal is not None else None}


@router.post("/cases/{case_id}/coordination-reports", status_code=201, response_model=CoordinationReportOut)
def coordination_report(case_id: int, body: CoordinationReportIn, actor: ActorDep,
                        session: SessionDep) -> dict[str, Any]:
    """R88: the emergency grant of the case was reported to the 支援調整会議 on ``meeting_date``."""
    report = coordination.record_coordination_report(
        session, actor, case_id, meeting_date=parse_date(body.meeting_date, "meeting_date"), note=body.note)
    return coordination.report_out(report)


@router.get("/work-queue", response_model=WorkQueueOut, response_model_exclude_unset=True)
def get_work_queue(actor: ActorDep, session: SessionDep, month: RateMonth | None = None,
                   limit: int = Query(default=200, ge=1, le=1000), offset: int = Query(default=0, ge=0),
                   section: str | None = Query(default=None, max_length=40)) -> dict[str, Any]:
    """Every section with its ``totals``; ``section`` and ``offset`` page through one section."""
    return work_queue(session, actor, month or actor.clock.today().strftime("%Y-%m"), limit=limit,
                      offset=offset, section=section)


@router.post("/stop-proposals/generate", response_model=list[StopProposalOut])
def generate_stop_proposals(actor: ActorDep, session: SessionDep, month: RateMonth) -> list[dict[str, Any]]:
    """Propose stops for the month's missing monthly reports (a clerk decides; idempotent)."""
    proposals = compliance.propose_stops_for_missing_reports(session, actor, month)
    return [grants.proposal_dict(p) for p in proposals]

"""Decisions: a clerk drafts, another person approves (PD17). Approved decisions drive the grants.

A draft takes the case (its version goes up); approving a draft needs the case unchanged since the
draft, so a stale draft can never be approved over a newer action.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from service import rules
from service.calendar import office_date
from service.db.models import (
    Application,
    BenefitCase,
    BenefitGrant,
    BenefitMonth,
    Decision,
    DecisionReview,
    Document,
    RepaymentClaim,
    StopProposal,
    utcnow,
)
from service.errors import Conflict, Forbidden, InvalidRequest, NotFound, RuleViolation, parse_date
from service.workflows.applications import assessable_facts, contract_facts, load_application
from service.workflows.common import Actor, audit, bump_case_version, hold, load_case, require_role

COUNTED = ("scheduled", "paid")

GRANT_KINDS = ("grant", "regrant", "eligibility_certificate", "moving_grant", "refusal")


@dataclass
class Prepared:
    application: Application | None = None
    grant: BenefitGrant | None = None
    facts: dict[str, Any] | None = None
    result: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)


def _need(value: Any, name: str, kind: str) -> Any:
    if value is None:
        raise InvalidRequest(f"a {kind} decision needs {name}", code="missing_field", field=name)
    return value


def decision_status(session: Session, decision: Decision) -> str:
    outcome = session.scalar(select(DecisionReview.outcome).where(DecisionReview.decision_id == decision.id))
    if outcome is None:
        return "draft"
    if outcome != "approved":
        return outcome
    superseded = session.scalar(
        select(func.count()).select_from(Decision)
        .join(DecisionReview, DecisionReview.decision_id == Decision.id)
        .where(Decision.supersedes_decision_id == decision.id, DecisionReview.outcome == "approved")
    )
    return "superseded" if superseded else "approved"


def months_of(session: Session, grant_id: int) -> list[BenefitMonth]:
    return list(session.scalars(
        select(BenefitMonth).where(BenefitMonth.grant_id == grant_id).order_by(BenefitMonth.month)
    ))


def months_used(session: Session, grant_id: int) -> int:
    return int(session.scalar(
        select(func.count()).select_from(BenefitMonth)
        .where(BenefitMonth.grant_id == grant_id, BenefitMonth.status.in_(COUNTED))
    ) or 0)


def _grant_on_case(session: Session, case: BenefitCase, grant_id: int | None, kind: str) -> BenefitGrant:
    grant = session.get(BenefitGrant, _need(grant_id, "grant_id", kind))
    if grant is None or grant.case_id != case.id:
        raise NotFound(f"grant {grant_id} not found on case {case.id}", field="grant_id")
    return grant


def _application_on_case(session: Session, actor: Actor, case: BenefitCase, application_id: int | None,
                         kind: str, app_kinds: tuple[str, ...]) -> Application:
    app = load_application(session, actor, _need(application_id, "application_id", kind))
    if app.case_id != case.id:
        raise NotFound(f"application {app.id} not found on case {case.id}", field="application_id")
    if app.kind not in app_kinds:
        raise InvalidRequest(f"a {kind} decision needs a {' or '.join(app_kinds)} application, "
                             f"not {app.kind}", field="application_id")
    if app.status == "draft":
        raise RuleViolation(f"application {app.id} has not been submitted", code="not_submitted",
                            field="application_id")
    return app


def _has_open_decision_on(session: Session, application_id: int) -> bool:
    stmt = (
        select(func.count()).select_from(Decision)
        .join(DecisionReview, DecisionReview.decision_id == Decision.id)
        .where(Decision.application_id == application_id, DecisionReview.outcome == "approved",
               Decision.kind != "eligibility_certificate")
    )
    return bool(session.scalar(stmt))


def _grant_for_application(session: Session, application_id: int) -> BenefitGrant | None:
    return session.scalar(select(BenefitGrant).where(BenefitGrant.application_id == application_id))


def _live_grant(session: Session, case_id: int) -> BenefitGrant | None:
    return session.scalar(
        select(BenefitGrant).where(
            BenefitGrant.case_id == case_id,
            BenefitGrant.status.in_(("active", "interrupted", "certified")),
            BenefitGrant.benefit == "rent",
        )
    )


def _documents(session: Session, case_id: int, kinds: set[str], since: Any = None) -> dict[str, Document]:
    stmt = select(Document).where(Document.case_id == case_id, Document.kind.in_(kinds))
    if since is not None:
        stmt = stmt.where(Document.uploaded_at >= since)
    return {doc.kind: doc for doc in session.scalars(stmt)}


# --- preparing each kind of decision ---------------------------------------------------------------


def _prepare_grant_like(session: Session, actor: Actor, case: BenefitCase, draft: dict[str, Any]) -> Prepared:
    kind = draft["kind"]
    app = _application_on_case(session, actor, case, draft.get("application_id"), kind, ("initial",))
    if _has_open_decision_on(session, app.id) and draft.get("supersedes_decision_id") is None:
        raise RuleViolation(f"application {app.id} is already decided; a correction supersedes the decision",
                            code="already_decided", field="application_id")
    facts = contract_facts(app.facts)
    if kind == "refusal":
        result = rules.assess(assessable_facts(facts))
        return Prepared(application=app, facts=facts, result=result)
    expected_benefit = "moving" if kind == "moving_grant" else "rent"
    if app.benefit != expected_benefit:
        raise InvalidRequest(f"a {kind} decision is for a {expected_benefit} application", field="kind")
    if kind != "moving_grant" and draft.get("supersedes_decision_id") is None:
        live = _live_grant(session, case.id)
        certified_here = live is not None and live.status == "certified" and live.application_id == app.id
        if live is not None and not (kind == "grant" and certified_here):
            raise RuleViolation(f"case {case.id} already has a running grant {live.id}", code="grant_running",
                                field="application_id")
    homeless = facts.get("applicant_type") == "homeless"
    if kind == "regrant" and not facts.get("previous_receipt"):
        raise RuleViolation("a re-grant needs previous_receipt in the application (R65, PD12)",
                            code="not_a_regrant", field="application_id")
    if kind == "grant" and facts.get("previous_receipt"):
        raise RuleViolation("the applicant received the benefit before: decide a regrant (R65)",
                            code="use_regrant", field="kind")
    if kind == "eligibility_certificate" and not homeless:
        raise RuleViolation("an eligibility certificate alone is for homeless applicants (R44)",
                            code="not_homeless", field="kind")
    params: dict[str, Any] = {}
    if kind in ("grant", "regrant") and homeless:
        certificate = _grant_for_application(session, app.id)
        if certificate is None or certificate.status != "certified":
            raise RuleViolation("a homeless applicant gets the eligibility certificate first (R44)",
                                code="certificate_first", field="kind")
        report = _documents(session, case.id, {"housing_report"})
        if not report:
            raise RuleViolation("the 住居確保報告書 (document kind housing_report) is missing (R44)",
                                code="housing_report_missing", field="documents.housing_report")
        update_facts = {k: v for k, v in (draft.get("facts_update") or {}).items() if v is not None}
        moved_in_on = update_facts.pop("moved_in_on", None)
        facts = {**facts, **update_facts}
        if facts.get("lease_initial_costs_paid_on") is None:
            raise InvalidRequest("the date the lease's initial costs were paid is needed (PD5)",
                                 field="facts_update.lease_initial_costs_paid_on")
        params["certificate_grant_id"] = certificate.id
        params["housing_report_document_id"] = report["housing_report"].id
        if moved_in_on is not None:
            params["housing_report"], params["warnings"] = _housing_report_timing(
                facts, report["housing_report"], moved_in_on)
    if kind in ("grant", "regrant"):
        intake = app.intake
        plan = intake.get("plan") or {}
        if not intake.get("emergency") and not plan.get("coordination_meeting_date"):
            raise RuleViolation("the plan has not been through the 支援調整会議 (R87); set the date or the "
                                "emergency flag (R88)", code="plan_not_coordinated",
                                field="intake.plan.coordination_meeting_date")
    assessed = assessable_facts(facts) if kind == "eligibility_certificate" else facts
    result = rules.assess(assessed)
    if not result.get("eligible"):
        raise RuleViolation("the assessment finds the application not eligible; draft a refusal",
                            code="not_eligible", field="application_id")
    return Prepared(application=app, facts=facts, result=result, params=params)


def _housing_report_timing(facts: dict[str, Any], report: Document,
                           moved_in_on: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """R44 [M]: when the 住居確保報告書 came, against the municipality's days after moving in. A late
    report is not a reason to refuse; the approver sees a warning with the days."""
    moved = parse_date(moved_in_on, "facts_update.moved_in_on")
    received = office_date(report.uploaded_at)
    within, due, late = rules.housing_report_timing(str(facts.get("municipality_code")), moved, received)
    timing = {"moved_in_on": moved.isoformat(), "received_on": received.isoformat(), "due_on": due.isoformat(),
              "within_days": within}
    warnings = [{"code": "housing_report_late", "rule": "R44",
                 "message": f"住居確保報告書は入居日 {moved} から {within} 日以内（{due} まで）のところ、"
                            f"{received} に受理（{late} 日超過）"}] if late else []
    return timing, warnings


def _prepare_extension(session: Session, actor: Actor, case: BenefitCase, draft: dict[str, Any]) -> Prepared:
    kind = draft["kind"]
    app = _application_on_case(session, actor, case, draft.get("application_id"), kind, ("extension",))
    grant = _grant_on_case(session, case, draft.get("grant_id"), kind)
    if _has_open_decision_on(session, app.id):
        raise RuleViolation(f"application {app.id} is already decided", code="already_decided",
                            field="application_id")
    facts = contract_facts(app.facts)
    problems: list[dict[str, Any]] = []
    applied_on = date.fromisoformat(str(facts.get("application_date")))
    if grant.status not in ("active",):
        problems.append({"code": "grant_not_active", "rule": "R38",
                         "message": f"the grant is {grant.status}"})
    if grant.extension_deadline is not None and applied_on > grant.extension_deadline:
        problems.append({"code": "extension_late", "rule": "R40",
                         "message": f"applied on {applied_on}, after the deadline {grant.extension_deadline} "
                                    "(PD6): no gap is bridged"})
    used = months_used(session, grant.id)
    clock = rules.period_rules(grant.first_month or str(facts.get("application_date"))[:7])
    if grant.extensions_used >= clock.max_extensions or used + clock.period_months > clock.max_months:
        problems.append({"code": "nine_month_cap", "rule": "R38",
                         "message": f"{used} months used, {grant.extensions_used} extension(s): "
                                    f"never more than {clock.max_months} months (PD7)"})
    result = rules.assess(facts, purpose="extension")
    if not result.get("eligible"):
        problems.append({"code": "not_eligible", "rule": "R39", "message": "requirements not met",
                         "reasons": result.get("reasons", [])})
    result = {**result, "extension_problems": problems, "months_used": used,
              "deadline": grant.extension_deadline.isoformat() if grant.extension_deadline else None}
    if kind == "extension" and problems:
        raise RuleViolation(
            "the extension cannot be granted: " + "; ".join(p["message"] for p in problems)
            + " — draft an extension_refusal", code=problems[0]["code"], field="application_id")
    return Prepared(application=app, grant=grant, facts=facts, result=result)


def _prepare_change(session: Session, actor: Actor, case: BenefitCase, draft: dict[str, Any]) -> Prepared:
    app = _application_on_case(session, actor, case, draft.get("application_id"), "change", ("change",))
    grant = _grant_on_case(session, case, draft.get("grant_id"), "change")
    if grant.status not in ("active", "interrupted") or grant.benefit != "rent":
        raise RuleViolation(f"the grant is {grant.status}", code="grant_not_active", field="grant_id")
    facts = contract_facts(app.facts)
    result = rules.assess(facts, purpose="extension")
    if not result.get("eligible"):
        raise RuleViolation("after the change the household is not eligible; consider a stop",
                            code="not_eligible", field="application_id")
    accepted = date.fromisoformat(str(facts["application_date"]))
    effective = rules.change_effective_month(str(facts["municipality_code"]), accepted)
    result = {**result, "effective_month": effective, "previous_amount_yen": grant.amount_yen}
    return Prepared(application=app, grant=grant, facts=facts, result=result,
                    params={"effective_month": effective})


def _prepare_interruption(session: Session, case: BenefitCase, draft: dict[str, Any]) -> Prepared:
    grant = _grant_on_case(session, case, draft.get("grant_id"), "interruption")
    month = _need(draft.get("effective_month"), "effective_month", "interruption")
    if grant.status != "active":
        raise RuleViolation(f"the grant is {grant.status}", code="grant_not_active", field="grant_id")
    to_pause = [m.month for m in months_of(session, grant.id) if m.status == "scheduled" and m.month >= month]
    if not to_pause:
        raise RuleViolation(f"no scheduled month from {month} to interrupt", code="nothing_to_interrupt",
                            field="effective_month")
    return Prepared(grant=grant, params={"effective_month": month},
                    result={"interrupted_months": to_pause, "rule": "R42"})


def _prepare_resumption(session: Session, case: BenefitCase, draft: dict[str, Any]) -> Prepared:
    grant = _grant_on_case(session, case, draft.get("grant_id"), "resumption")
    month = _need(draft.get("resume_month"), "resume_month", "resumption")
    if grant.status != "interrupted" or grant.interrupted_from is None:
        raise RuleViolation("only an interrupted grant resumes", code="not_interrupted", field="grant_id")
    if month < grant.interrupted_from:
        raise InvalidRequest("resumption before the interruption", field="resume_month")
    if month > rules.add_months(grant.interrupted_from, 24):
        raise RuleViolation("resumption is possible within 2 years of the interruption (R42, PD7)",
                            code="resumption_too_late", field="resume_month")
    paused = [m.month for m in months_of(session, grant.id) if m.status == "interrupted"]
    new_months = [rules.add_months(month, i) for i in range(len(paused))]
    return Prepared(grant=grant, params={"resume_month": month},
                    result={"paused_months": paused, "resumed_months": new_months, "rule": "R42"})


def _prepare_stop(session: Session, case: BenefitCase, draft: dict[str, Any]) -> Prepared:
    grant = _grant_on_case(session, case, draft.get("grant_id"), "stop")
    cause = _need(draft.get("cause"), "cause", "stop")
    event_on = parse_date(_need(draft.get("event_date"), "event_date", "stop"), "event_date")
    if grant.status not in ("active", "interrupted") or grant.first_month is None:
        raise RuleViolation(f"the grant is {grant.status}", code="grant_not_active", field="grant_id")
    needed = rules.stop_evidence(cause)
    evidence = list(draft.get("evidence") or [])
    for item in evidence:
        doc_id = item.get("document_id")
        if doc_id is not None:
            doc = session.get(Document, doc_id)
            if doc is None or doc.case_id != case.id:
                raise InvalidRequest(f"document {doc_id} not found on the case", field="evidence")
    given = {item["kind"] for item in evidence}
    missing = [kind for kind in needed if kind not in given]
    if missing:
        raise RuleViolation(
            f"a stop for {cause} needs its evidence (PD16); missing: {', '.join(missing)}",
            code="evidence_missing", field="evidence",
            details=[{"field": f"evidence.{kind}", "message": "required evidence"} for kind in missing],
        )
    app = session.get(Application, grant.application_id)
    municipality = str(app.facts.get("municipality_code")) if app is not None else None
    first_unpaid = rules.first_unpaid_month(cause, event_on, grant.first_month, municipality)
    proposal_id = draft.get("proposal_id")
    if proposal_id is not None:
        proposal = session.get(StopProposal, proposal_id)
        if proposal is None or proposal.grant_id != grant.id:
            raise InvalidRequest(f"stop proposal {proposal_id} not found on the grant", field="proposal_id")
    months = months_of(session, grant.id)
    result = {
        "cause": cause,
        "event_date": event_on.isoformat(),
        "first_unpaid_month": first_unpaid,
        "cancelled_months": [m.month for m in months if m.month >= first_unpaid and m.status != "paid"
                             and m.status != "cancelled"],
        "paid_months_after_stop": [m.month for m in months if m.month >= first_unpaid and m.status == "paid"],
        "evidence_required": needed,
        "rule": "R58, R60, PD8, PD16",
    }
    return Prepared(grant=grant, result=result,
                    params={"cause": cause, "event_date": event_on.isoformat(), "evidence": evidence,
                            "proposal_id": proposal_id})


def _prepare_repayment(session: Session, case: BenefitCase, draft: dict[str, Any]) -> Prepared:
    grant = _grant_on_case(session, case, draft.get("grant_id"), "repayment")
    cause = _need(draft.get("repayment_cause"), "repayment_cause", "repayment")
    if grant.status != "stopped" or grant.stop_first_unpaid_month is None:
        raise RuleViolation("a repayment claim follows a stop (PD9)", code="not_stopped", field="grant_id")
    already = session.scalar(select(RepaymentClaim).where(RepaymentClaim.grant_id == grant.id))
    if already is not None and draft.get("supersedes_decision_id") is None:
        raise RuleViolation("the grant already has a repayment claim; a correction supersedes it",
                            code="already_claimed", field="grant_id")
    paid = {m.month: m.amount_yen for m in months_of(session, grant.id) if m.status == "paid"}
    months, total = rules.repayment_for_stop(paid, grant.stop_first_unpaid_month)
    if not months and draft.get("supersedes_decision_id") is None:
        raise RuleViolation("no paid month after the stop: nothing to repay", code="nothing_to_repay",
                            field="grant_id")
    # A correction with nothing left to repay (every claimed transfer came back): the claim is withdrawn.
    result = {
        "cause": cause,
        "debtor": "recipient",
        "months": [{"month": m, "amount_yen": paid[m]} for m in months],
        "amount_yen": total,
        "legal_basis": "法第18条" if cause == "fraud" else None,
        "rule": "R62-R64, PD9",
    }
    return Prepared(grant=grant, result=result, params={"repayment_cause": cause})


def _prepare_moving_confirmation(session: Session, case: BenefitCase, draft: dict[str, Any]) -> Prepared:
    grant = _grant_on_case(session, case, draft.get("grant_id"), "moving_confirmation")
    if grant.benefit != "moving" or grant.status != "awaiting_move_report":
        raise RuleViolation("the moving grant is not waiting for the move report", code="not_awaiting_report",
                            field="grant_id")
    docs = _documents(session, case.id, {"housing_report", "expense_evidence"}, since=grant.created_at)
    missing = [k for k in ("housing_report", "expense_evidence") if k not in docs]
    if missing:
        raise RuleViolation(
            "after the move the 住居確保報告書 and the 支出額確認書類 are needed (R81); missing: "
            + ", ".join(missing), code="move_documents_missing", field=f"documents.{missing[0]}",
            details=[{"field": f"documents.{k}", "message": "document not uploaded"} for k in missing])
    app = session.get(Application, grant.application_id)
    assert app is not None
    facts = contract_facts(app.facts)
    actual = draft.get("actual_costs")
    if actual is not None:
        facts = {**facts, "costs": actual}
    result = rules.assess(facts)
    amount = min(int(result.get("amount_yen", 0)), grant.amount_yen) if result.get("eligible") else 0
    result = {**result, "confirmed_amount_yen": amount, "decided_amount_yen": grant.amount_yen,
              "documents": {k: v.id for k, v in docs.items()}}
    return Prepared(grant=grant, application=app, facts=facts, result=result)


# --- draft / approve / return ----------------------------------------------------------------------


def draft_decision(session: Session, actor: Actor, case_id: int, draft: dict[str, Any]) -> Decision:
    """A clerk's draft. Checks what the rules need now; nothing changes until approval."""
    require_role(actor, "clerk")
    case = load_case(session, actor, case_id)
    bump_case_version(session, case, draft.get("case_version"))
    kind = draft["kind"]
    supersedes = draft.get("supersedes_decision_id")
    if supersedes is not None:
        old = session.get(Decision, supersedes)
        if old is None or old.case_id != case.id:
            raise NotFound(f"decision {supersedes} not found on the case", field="supersedes_decision_id")
        if decision_status(session, old) != "approved":
            raise Conflict(f"decision {supersedes} is not in force; only an approved decision is superseded",
                           code="not_supersedable", field="supersedes_decision_id")
        if kind not in ("grant", "regrant", "refusal", "repayment") or (
            old.kind not in GRANT_KINDS and old.kind != kind
        ):
            raise InvalidRequest(f"a {kind} decision cannot supersede a {old.kind} decision",
                                 field="supersedes_decision_id")
    if kind in GRANT_KINDS:
        prepared = _prepare_grant_like(session, actor, case, draft)
    elif kind in ("extension", "extension_refusal"):
        prepared = _prepare_extension(session, actor, case, draft)
    elif kind == "change":
        prepared = _prepare_change(session, actor, case, draft)
    elif kind == "interruption":
        prepared = _prepare_interruption(session, case, draft)
    elif kind == "resumption":
        prepared = _prepare_resumption(session, case, draft)
    elif kind == "stop":
        prepared = _prepare_stop(session, case, draft)
    elif kind == "repayment":
        prepared = _prepare_repayment(session, case, draft)
    elif kind == "moving_confirmation":
        prepared = _prepare_moving_confirmation(session, case, draft)
    else:  # pragma: no cover - the schema lists the kinds
        raise InvalidRequest(f"unknown decision kind {kind!r}", field="kind")
    sequence = int(session.scalar(select(func.coalesce(func.max(Decision.sequence), 0))
                                  .where(Decision.case_id == case.id)) or 0) + 1
    params = {"note": draft.get("note"), "case_version": case.version, **prepared.params}
    decision = Decision(
        case_id=case.id,
        sequence=sequence,
        kind=kind,
        application_id=prepared.application.id if prepared.application else None,
        grant_id=prepared.grant.id if prepared.grant else None,
        supersedes_decision_id=supersedes,
        params=params,
        facts=prepared.facts,
        result=prepared.result,
        rates_version=rules.rates_version(),
        code_version=rules.code_version(),
        drafted_by=actor.user_id,
        drafted_at=utcnow(),
    )
    session.add(decision)
    session.flush()
    audit(session, actor, "decision.draft", case_id=case.id, target=f"decision:{decision.id}",
          detail={"kind": kind})
    return decision


def _load_draft(session: Session, actor: Actor, decision_id: int) -> tuple[Decision, BenefitCase]:
    # One SELECT: the decision, its case and application (load_case and _apply then find them in the
    # identity map) and whether it has been reviewed (a review of any outcome ends the draft).
    row = session.execute(
        select(Decision, BenefitCase, Application, DecisionReview.outcome)
        .join(BenefitCase, BenefitCase.id == Decision.case_id)
        .outerjoin(Application, Application.id == Decision.application_id)
        .outerjoin(DecisionReview, DecisionReview.decision_id == Decision.id)
        .where(Decision.id == decision_id)
    ).first()
    if row is None:
        raise NotFound(f"decision {decision_id} not found", field="decision_id")
    decision, _, app, reviewed = row
    case = load_case(session, actor, decision.case_id)
    if app is not None:
        hold(session, app)
    if reviewed is not None:
        raise Conflict(f"decision {decision.id} was already reviewed", code="already_reviewed")
    return decision, case


def return_decision(session: Session, actor: Actor, decision_id: int, *, note: str | None = None,
                    case_version: int | None = None) -> Decision:
    require_role(actor, "approver")
    decision, case = _load_draft(session, actor, decision_id)
    bump_case_version(session, case, case_version)
    session.add(DecisionReview(decision_id=decision.id, outcome="returned", reviewed_by=actor.user_id,
                               note=note, reviewed_at=utcnow()))
    session.flush()
    audit(session, actor, "decision.return", case_id=case.id, target=f"decision:{decision.id}")
    return decision


def approve_decision(session: Session, actor: Actor, decision_id: int, *, note: str | None = None,
                     case_version: int | None = None, issue_letters: bool | None = None) -> Decision:
    """決裁 by a second person (PD17); applies the decision to the grant and its months, then issues its
    letters (``issue_letters``: default the setting ``issue_letters_on_approval``)."""
    require_role(actor, "approver")
    decision, case = _load_draft(session, actor, decision_id)
    if decision.drafted_by == actor.user_id:
        raise Forbidden("the person who drafted a decision cannot approve it (PD17)", code="two_person_rule")
    if case.version != decision.params.get("case_version"):
        raise Conflict(
            f"case {case.id} changed after decision {decision.id} was drafted; return it and draft again",
            code="stale_draft", field="decision_id")
    bump_case_version(session, case, case_version)
    if decision.kind == "stop":
        # PD16: never approved without the evidence its cause needs.
        given = {item["kind"] for item in decision.params.get("evidence", [])}
        missing = [k for k in rules.stop_evidence(decision.params["cause"]) if k not in given]
        if missing:
            raise RuleViolation("stop evidence missing: " + ", ".join(missing), code="evidence_missing",
                                field="evidence")
    session.add(DecisionReview(decision_id=decision.id, outcome="approved", reviewed_by=actor.user_id,
                               note=note, reviewed_at=utcnow()))
    session.flush()
    _apply(session, case, decision)
    audit(session, actor, "decision.approve", case_id=case.id, target=f"decision:{decision.id}",
          detail={"kind": decision.kind})
    from service.workflows.letters import issue_after_approval  # issue 5: the letters follow approval

    issue_after_approval(session, actor, decision.id, enabled=issue_letters)
    return decision


def _schedule(session: Session, grant: BenefitGrant, months: list[str], amount: int,
              decision_id: int) -> None:
    for month in months:
        session.add(BenefitMonth(grant_id=grant.id, month=month, amount_yen=amount, status="scheduled",
                                 decision_id=decision_id))


def _set_period_end(grant: BenefitGrant, last_month: str) -> None:
    grant.period_last_month = last_month
    grant.extension_deadline = rules.extension_deadline(last_month)


def _apply(session: Session, case: BenefitCase, decision: Decision) -> None:
    kind = decision.kind
    result = decision.result
    now = utcnow()
    app = session.get(Application, decision.application_id) if decision.application_id else None
    if kind == "refusal":
        assert app is not None
        app.status = "refused"
        return
    if kind in ("eligibility_certificate", "grant", "regrant", "moving_grant"):
        assert app is not None
        # An existing grant of the application: the homeless applicant's certificate (R44) or the grant a
        # correction supersedes. A first grant has none, so no lookup.
        certificate_id = decision.params.get("certificate_grant_id")
        grant = (session.get(BenefitGrant, certificate_id) if certificate_id is not None
                 else _grant_for_application(session, app.id) if decision.supersedes_decision_id is not None
                 else None)
        amount = int(result["amount_yen"])
        if kind == "moving_grant":
            grant = _new_grant(session, case, app, decision, "awaiting_move_report", amount)
            app.status = "decided"
            case.status = "granted"
            return
        if kind == "eligibility_certificate":
            _new_grant(session, case, app, decision, "certified", amount)
            app.status = "certified"
            return
        if grant is not None and decision.supersedes_decision_id is not None:
            # A correction: unpaid months take the corrected amount.
            session.execute(update(BenefitMonth).where(BenefitMonth.grant_id == grant.id,
                                                       BenefitMonth.status == "scheduled")
                            .values(amount_yen=amount, decision_id=decision.id))
            grant.amount_yen = amount
            grant.decision_id = decision.id
            grant.updated_at = now
            return
        first = str(result["first_benefit_month"])
        period = [rules.add_months(first, i) for i in range(rules.period_rules(first).period_months)]
        app.status = "decided"
        case.status = "granted"
        if grant is None:  # inserted complete: no UPDATE of the row just inserted
            grant = _new_grant(session, case, app, decision, "active", amount, first_month=first,
                               last_month=period[-1], coordination_report_due=owes_coordination_report(app))
        else:
            grant.status = "active"
            grant.amount_yen = amount
            grant.decision_id = decision.id
            grant.first_month = first
            grant.updated_at = now
            grant.coordination_report_due = owes_coordination_report(app)
            _set_period_end(grant, period[-1])
        _schedule(session, grant, period, amount, decision.id)
        return
    grant = session.get(BenefitGrant, decision.grant_id) if decision.grant_id else None
    assert grant is not None
    grant.updated_at = now
    if kind == "extension":
        assert app is not None and grant.period_last_month is not None
        amount = int(result["amount_yen"])
        period = [rules.add_months(grant.period_last_month, i + 1)
                  for i in range(rules.period_rules(grant.first_month or grant.period_last_month).period_months)]
        _schedule(session, grant, period, amount, decision.id)
        grant.extensions_used += 1
        grant.amount_yen = amount
        _set_period_end(grant, period[-1])
        app.status = "decided"
    elif kind == "extension_refusal":
        assert app is not None
        app.status = "refused"
    elif kind == "change":
        assert app is not None
        amount = int(result["amount_yen"])
        session.execute(update(BenefitMonth).where(
            BenefitMonth.grant_id == grant.id, BenefitMonth.status.in_(("scheduled", "interrupted")),
            BenefitMonth.month >= decision.params["effective_month"]).values(amount_yen=amount,
                                                                             decision_id=decision.id))
        grant.amount_yen = amount
        app.status = "decided"
    elif kind == "interruption":
        session.execute(update(BenefitMonth).where(
            BenefitMonth.grant_id == grant.id, BenefitMonth.status == "scheduled",
            BenefitMonth.month >= decision.params["effective_month"]).values(status="interrupted",
                                                                             decision_id=decision.id))
        grant.status = "interrupted"
        grant.interrupted_from = decision.params["effective_month"]
    elif kind == "resumption":
        paused = [m for m in months_of(session, grant.id) if m.status == "interrupted"]
        amount = paused[0].amount_yen if paused else grant.amount_yen
        session.execute(delete(BenefitMonth).where(BenefitMonth.grant_id == grant.id,
                                                   BenefitMonth.status == "interrupted"))
        session.flush()
        new_months = list(result["resumed_months"])
        taken = {m.month for m in months_of(session, grant.id)}
        if taken.intersection(new_months):
            raise RuleViolation("resumed months overlap months already decided", code="overlap",
                                field="resume_month")
        _schedule(session, grant, new_months, amount, decision.id)
        grant.status = "active"
        grant.interrupted_from = None
        if new_months:
            _set_period_end(grant, max(new_months))
    elif kind == "stop":
        first_unpaid = str(result["first_unpaid_month"])
        session.execute(update(BenefitMonth).where(
            BenefitMonth.grant_id == grant.id, BenefitMonth.month >= first_unpaid,
            BenefitMonth.status.in_(("scheduled", "interrupted"))).values(status="cancelled",
                                                                          decision_id=decision.id))
        grant.status = "stopped"
        grant.stop_cause = str(result["cause"])
        grant.stop_first_unpaid_month = first_unpaid
        proposal_id = decision.params.get("proposal_id")
        if proposal_id is not None:
            proposal = session.get(StopProposal, proposal_id)
            if proposal is not None:
                proposal.status = "decided"
                proposal.decision_id = decision.id
    elif kind == "repayment" and int(result["amount_yen"]) > 0:  # 0: a correction that withdraws the claim
        session.add(RepaymentClaim(case_id=case.id, grant_id=grant.id, decision_id=decision.id,
                                   cause=str(result["cause"]), debtor="recipient",
                                   months=copy.deepcopy(result["months"]),
                                   amount_yen=int(result["amount_yen"]), created_at=now))
    elif kind == "moving_confirmation":
        grant.status = "confirmed"
        grant.amount_yen = int(result["confirmed_amount_yen"])


def owes_coordination_report(app: Application) -> bool:
    """R88: decided in the emergency path before the plan went through the 支援調整会議, so the grant is
    reported to the meeting afterwards."""
    plan = app.intake.get("plan") or {}
    return app.intake.get("emergency") is True and not plan.get("coordination_meeting_date")


def _new_grant(session: Session, case: BenefitCase, app: Application, decision: Decision, status: str,
               amount: int, *, first_month: str | None = None, last_month: str | None = None,
               coordination_report_due: bool = False) -> BenefitGrant:
    now = utcnow()
    grant = BenefitGrant(case_id=case.id, application_id=app.id, decision_id=decision.id, benefit=app.benefit,
                         status=status, amount_yen=amount, extensions_used=0, created_at=now, updated_at=now,
                         first_month=first_month, coordination_report_due=coordination_report_due)
    if last_month is not None:
        _set_period_end(grant, last_month)
    session.add(grant)
    session.flush()
    return grant

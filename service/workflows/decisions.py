"""Decisions: a clerk drafts, another person approves (PD17). Approved decisions drive the grants.

A draft takes the case (its version goes up); approving a draft needs the case unchanged since the
draft, so a stale draft can never be approved over a newer action.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from calculations import grant_clock as gc
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
)
from service.errors import Conflict, Forbidden, InvalidRequest, NotFound, RuleViolation, parse_date
from service.schemas import decisions as commands
from service.workflows import households
from service.workflows.applications import assessable_facts, contract_facts, load_application
from service.workflows.common import Actor, audit, bump_case_version, hold, load_case, require_role

#: Months counted against the cap (R38, PD7): decided and not paused or cancelled.
COUNTED = tuple(status.value for status in gc.COUNTED)



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
    return status_after_review(session, decision, outcome)


def status_after_review(session: Session, decision: Decision, outcome: str | None) -> str:
    """The decision's status given its review's outcome (None: not reviewed), for a caller that holds it."""
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


# --- the grant clock: rows ⇄ the pure clock (calculations.grant_clock) ----------------------------


def clock_rules(first_month: str) -> gc.ClockRules:
    """The clock's numbers in force in the grant's first month (R37, R38, R42, PD7)."""
    return gc.ClockRules.in_force(rules.rate_book(), first_month)


def _month_status(status: str) -> gc.MonthStatus:
    try:
        return gc.MonthStatus(status)
    except ValueError:  # a status of the payments ledger this module does not know: money moved, never touched
        return gc.MonthStatus.paid


_CLOCK_STATUS = {"interrupted": gc.ClockStatus.interrupted, "stopped": gc.ClockStatus.stopped}


def clock_of(session: Session, grant: BenefitGrant) -> gc.GrantClock:
    """The grant's rows as the pure clock."""
    rows = months_of(session, grant.id)
    first = grant.first_month or (rows[0].month if rows else None)
    if first is None:
        raise RuleViolation(f"grant {grant.id} has no benefit months", code="grant_not_active", field="grant_id")
    return gc.GrantClock(
        rules=clock_rules(first),
        months=tuple(gc.Month(r.month, r.amount_yen, _month_status(r.status)) for r in rows),
        extensions_used=grant.extensions_used,
        status=_CLOCK_STATUS.get(grant.status, gc.ClockStatus.active),
        interrupted_from=grant.interrupted_from,
        first_unpaid_month=grant.stop_first_unpaid_month,
    )


def _ok(outcome: gc.Outcome, field: str) -> gc.GrantClock:
    """The new clock, or the clock's problem as a 409 citing its rule."""
    if isinstance(outcome, gc.Problem):
        raise RuleViolation(f"{outcome.message} ({outcome.rule})", code=outcome.code, field=field)
    return outcome


def _write_clock(session: Session, grant: BenefitGrant, before: gc.GrantClock | None, after: gc.GrantClock,
                 decision_id: int) -> None:
    """Write the difference between two clocks. A month keeps the decision that decided it (its letter is
    reprinted from it); only months this decision adds carry its id."""
    changes = gc.diff(before, after)
    if changes.removed:
        session.execute(delete(BenefitMonth).where(BenefitMonth.grant_id == grant.id,
                                                   BenefitMonth.month.in_(changes.removed)))
    for month in changes.changed:
        session.execute(update(BenefitMonth).where(BenefitMonth.grant_id == grant.id,
                                                   BenefitMonth.month == month.month)
                        .values(status=month.status.value, amount_yen=month.amount_yen))
    session.add_all([BenefitMonth(grant_id=grant.id, month=m.month, amount_yen=m.amount_yen,
                                  status=m.status.value, decision_id=decision_id) for m in changes.added])
    grant.extensions_used = after.extensions_used
    grant.interrupted_from = after.interrupted_from
    if grant.benefit == "rent" and after.months:
        _set_period_end(grant, after.period_last_month)


# --- preparing each kind of decision ---------------------------------------------------------------


def _period_months(first_month: str) -> list[str]:
    return [rules.add_months(first_month, i) for i in range(clock_rules(first_month).period_months)]


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
    key = households.key_of(session, app)
    if kind in ("grant", "regrant"):
        households.refuse_second_rent_grant(session, key, case.id,
                                            _period_months(str(result["first_benefit_month"])))
    elif kind == "moving_grant":
        households.refuse_moving_during_rent(session, key, case.id, str(facts["application_date"])[:7])
    return Prepared(application=app, facts=facts, result=result, params=params)


def _recheck_grant_like(session: Session, case: BenefitCase, decision: Decision) -> None:
    """At approval, the household checks again: another case may have been granted since the draft
    (PD21, PD27)."""
    app = session.get(Application, decision.application_id) if decision.application_id else None
    if app is None or decision.supersedes_decision_id is not None:
        return
    key = households.key_of(session, app)
    if decision.kind in ("grant", "regrant"):
        households.refuse_second_rent_grant(session, key, case.id,
                                            _period_months(str(decision.result["first_benefit_month"])))
    elif decision.kind == "moving_grant":
        households.refuse_moving_during_rent(session, key, case.id,
                                             str((decision.facts or {}).get("application_date"))[:7])


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


def _extension_clock(grant: BenefitGrant, clock: gc.GrantClock, applied_on: date,
                     amount_yen: int) -> gc.Outcome:
    deadline = grant.extension_deadline or rules.extension_deadline(clock.period_last_month)
    return gc.apply_extension(clock, amount_yen, applied_on=applied_on, deadline=deadline)


def _prepare_extension(session: Session, actor: Actor, case: BenefitCase, draft: dict[str, Any]) -> Prepared:
    kind = draft["kind"]
    app = _application_on_case(session, actor, case, draft.get("application_id"), kind, ("extension",))
    grant = _grant_on_case(session, case, draft.get("grant_id"), kind)
    if _has_open_decision_on(session, app.id):
        raise RuleViolation(f"application {app.id} is already decided", code="already_decided",
                            field="application_id")
    facts = contract_facts(app.facts)
    problems: list[dict[str, Any]] = []
    # PD30: the application date is the day the application was submitted (office clock).
    applied_on = (office_date(app.submitted_at) if app.submitted_at is not None
                  else date.fromisoformat(str(facts.get("application_date"))))
    result = rules.assess(facts, purpose="extension")
    clock = clock_of(session, grant) if grant.benefit == "rent" and grant.status != "certified" else None
    if grant.status != "active" or clock is None:
        problems.append({"code": "grant_not_active", "rule": "R38", "message": f"the grant is {grant.status}"})
        extended: gc.Outcome | None = None
    else:
        extended = _extension_clock(grant, clock, applied_on, int(result.get("amount_yen") or 0))
        if isinstance(extended, gc.Problem):
            problems.append({"code": extended.code, "rule": extended.rule, "message": extended.message})
    if not result.get("eligible"):
        problems.append({"code": "not_eligible", "rule": "R39", "message": "requirements not met",
                         "reasons": result.get("reasons", [])})
    used = clock.months_counted if clock is not None else 0
    result = {**result, "extension_problems": problems, "months_used": used, "applied_on": applied_on.isoformat(),
              "deadline": grant.extension_deadline.isoformat() if grant.extension_deadline else None}
    if kind == "extension" and problems:
        raise RuleViolation(
            "the extension cannot be granted: " + "; ".join(p["message"] for p in problems)
            + " — draft an extension_refusal", code=problems[0]["code"], field="application_id")
    if kind == "extension" and isinstance(extended, gc.GrantClock) and clock is not None:
        added = [m.month for m in gc.diff(clock, extended).added]
        result["extension_months"] = added
        households.refuse_second_rent_grant(session, households.key_of(session, app), case.id, added)
    return Prepared(application=app, grant=grant, facts=facts, result=result,
                    params={"applied_on": applied_on.isoformat()})


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
    _ok(gc.apply_change(clock_of(session, grant), effective, int(result["amount_yen"])), "grant_id")
    result = {**result, "effective_month": effective, "previous_amount_yen": grant.amount_yen}
    return Prepared(application=app, grant=grant, facts=facts, result=result,
                    params={"effective_month": effective})


def _prepare_interruption(session: Session, actor: Actor, case: BenefitCase, draft: dict[str, Any]) -> Prepared:
    grant = _grant_on_case(session, case, draft.get("grant_id"), "interruption")
    month = _need(draft.get("effective_month"), "effective_month", "interruption")
    if grant.status != "active":
        raise RuleViolation(f"the grant is {grant.status}", code="grant_not_active", field="grant_id")
    before = clock_of(session, grant)
    after = gc.apply_interruption(before, month)
    if isinstance(after, gc.Problem):
        raise RuleViolation(after.message, code=after.code, field="effective_month")
    paused = [m.month for m in gc.diff(before, after).changed]
    return Prepared(grant=grant, params={"effective_month": month},
                    result={"interrupted_months": paused, "rule": "R42"})


def _prepare_resumption(session: Session, actor: Actor, case: BenefitCase, draft: dict[str, Any]) -> Prepared:
    grant = _grant_on_case(session, case, draft.get("grant_id"), "resumption")
    month = _need(draft.get("resume_month"), "resume_month", "resumption")
    if grant.status != "interrupted" or grant.interrupted_from is None:
        raise RuleViolation("only an interrupted grant resumes", code="not_interrupted", field="grant_id")
    if month < grant.interrupted_from:
        raise InvalidRequest("resumption before the interruption", field="resume_month")
    before = clock_of(session, grant)
    after = _ok(gc.apply_resumption(before, month), "resume_month")
    paused = [m.month for m in before.months if m.status is gc.MonthStatus.interrupted]
    resumed = [m.month for m in after.months if m.month >= month and m.status is gc.MonthStatus.scheduled
               and m.month not in {p.month for p in before.months if p.status is gc.MonthStatus.scheduled}]
    households.refuse_second_rent_grant(session, households.key_of(session, _grant_application(session, grant)),
                                        case.id, resumed)
    return Prepared(grant=grant, params={"resume_month": month},
                    result={"paused_months": paused, "resumed_months": resumed, "rule": "R42"})


def _grant_application(session: Session, grant: BenefitGrant) -> Application:
    app = session.get(Application, grant.application_id)
    assert app is not None
    return app


def _stop_evidence(session: Session, actor: Actor, case: BenefitCase, cause: str,
                   items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """PD16, R52: each evidence kind the cause needs is a document on the case, or a written record the
    clerk types, stored on the case as a document. A ticked kind without either is refused."""
    needed = rules.stop_evidence(cause)
    given = {item["kind"]: item for item in items}
    missing = [kind for kind in needed if kind not in given]
    if missing:
        raise RuleViolation(
            f"a stop for {cause} needs its evidence (PD16); missing: {', '.join(missing)}",
            code="evidence_missing", field="evidence",
            details=[{"field": f"evidence.{kind}", "message": "required evidence"} for kind in missing])
    not_on_file = [item["kind"] for item in items if item.get("document_id") is None
                   and not str(item.get("note") or "").strip()]
    if not_on_file:
        raise RuleViolation(
            "stop evidence must be a document on the case or a written record (PD16, R52); ticked only: "
            + ", ".join(not_on_file), code="evidence_not_on_file", field=f"evidence.{not_on_file[0]}",
            details=[{"field": f"evidence.{kind}", "message": "no document and no written record"}
                     for kind in not_on_file])
    out: list[dict[str, Any]] = []
    for item in items:
        doc_id = item.get("document_id")
        if doc_id is not None:
            doc = session.get(Document, doc_id)
            if doc is None or doc.case_id != case.id:
                raise InvalidRequest(f"document {doc_id} not found on the case", field="evidence")
        else:
            doc = _written_record(session, actor, case, item["kind"], str(item["note"]).strip())
        out.append({"kind": item["kind"], "document_id": doc.id, "filename": doc.filename,
                    "note": item.get("note")})
    return out


def _written_record(session: Session, actor: Actor, case: BenefitCase, kind: str, note: str) -> Document:
    """A clerk's written record (e.g. the reminder log as typed) kept on the case as a UTF-8 text document.
    The office writes it (no upload to sniff); a 個人番号 is never stored."""
    import hashlib

    from service.security import contains_individual_number

    if contains_individual_number(note):
        raise InvalidRequest("a 個人番号 (My Number) must never be sent or stored", code="individual_number",
                             field=f"evidence.{kind}")
    content = note.encode("utf-8")
    doc = Document(case_id=case.id, application_id=None, kind=kind, filename=f"{kind}.txt",
                   content_type="text/plain; charset=utf-8", size_bytes=len(content),
                   sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_by=actor.user_id,
                   uploaded_at=actor.clock.now())
    session.add(doc)
    session.flush()
    audit(session, actor, "document.written_record", case_id=case.id, target=f"document:{doc.id}",
          detail={"kind": kind, "sha256": doc.sha256, "size_bytes": doc.size_bytes})
    return doc


def _prepare_stop(session: Session, actor: Actor, case: BenefitCase, draft: dict[str, Any]) -> Prepared:
    grant = _grant_on_case(session, case, draft.get("grant_id"), "stop")
    cause = _need(draft.get("cause"), "cause", "stop")
    event_on = parse_date(_need(draft.get("event_date"), "event_date", "stop"), "event_date")
    if grant.status not in ("active", "interrupted") or grant.first_month is None:
        raise RuleViolation(f"the grant is {grant.status}", code="grant_not_active", field="grant_id")
    needed = rules.stop_evidence(cause)
    evidence = _stop_evidence(session, actor, case, cause, list(draft.get("evidence") or []))
    app = session.get(Application, grant.application_id)
    municipality = str(app.facts.get("municipality_code")) if app is not None else None
    first_unpaid = rules.first_unpaid_month(cause, event_on, grant.first_month, municipality)
    proposal_id = draft.get("proposal_id")
    if proposal_id is not None:
        proposal = session.get(StopProposal, proposal_id)
        if proposal is None or proposal.grant_id != grant.id:
            raise InvalidRequest(f"stop proposal {proposal_id} not found on the grant", field="proposal_id")
    before = clock_of(session, grant)
    after = _ok(gc.apply_stop(before, first_unpaid), "grant_id")
    result = {
        "cause": cause,
        "event_date": event_on.isoformat(),
        "first_unpaid_month": first_unpaid,
        "cancelled_months": [m.month for m in gc.diff(before, after).changed],
        "paid_months_after_stop": [m.month for m in after.months if m.month >= first_unpaid
                                   and m.status in gc.MONEY_MOVED],
        "evidence_required": needed,
        "evidence": evidence,
        "rule": "R58, R60, PD8, PD16",
    }
    return Prepared(grant=grant, result=result,
                    params={"cause": cause, "event_date": event_on.isoformat(), "evidence": evidence,
                            "proposal_id": proposal_id})


def _prepare_repayment(session: Session, actor: Actor, case: BenefitCase, draft: dict[str, Any]) -> Prepared:
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


def _prepare_moving_confirmation(session: Session, actor: Actor, case: BenefitCase,
                                 draft: dict[str, Any]) -> Prepared:
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


# --- applying an approved decision: rows → clock → apply → write the difference ---------------------


def _apply_refusal(session: Session, case: BenefitCase, decision: Decision, now: Any) -> BenefitGrant | None:
    app = _decision_application(session, decision)
    app.status = "refused"
    return None


def _decision_application(session: Session, decision: Decision) -> Application:
    app = session.get(Application, decision.application_id) if decision.application_id else None
    assert app is not None
    return app


def _decision_grant(session: Session, decision: Decision) -> BenefitGrant:
    grant = session.get(BenefitGrant, decision.grant_id) if decision.grant_id else None
    assert grant is not None
    return grant


def _apply_certificate(session: Session, case: BenefitCase, decision: Decision, now: Any) -> BenefitGrant | None:
    app = _decision_application(session, decision)
    grant = _new_grant(session, case, app, decision, "certified", int(decision.result["amount_yen"]), now)
    app.status = "certified"
    return grant


def _apply_moving_grant(session: Session, case: BenefitCase, decision: Decision, now: Any) -> BenefitGrant | None:
    app = _decision_application(session, decision)
    grant = _new_grant(session, case, app, decision, "awaiting_move_report", int(decision.result["amount_yen"]),
                       now)
    app.status = "decided"
    case.status = "granted"
    return grant


def _apply_grant(session: Session, case: BenefitCase, decision: Decision, now: Any) -> BenefitGrant | None:
    app = _decision_application(session, decision)
    # An existing grant of the application: the homeless applicant's certificate (R44) or the grant a
    # correction supersedes. A first grant has none, so no lookup.
    certificate_id = decision.params.get("certificate_grant_id")
    grant = (session.get(BenefitGrant, certificate_id) if certificate_id is not None
             else _grant_for_application(session, app.id) if decision.supersedes_decision_id is not None
             else None)
    amount = int(decision.result["amount_yen"])
    if grant is not None and decision.supersedes_decision_id is not None:
        # A correction: months not yet paid take the corrected amount.
        before = clock_of(session, grant)
        after = _ok(gc.apply_change(before, before.first_month, amount), "supersedes_decision_id")
        _write_clock(session, grant, before, after, decision.id)
        grant.amount_yen = amount
        grant.decision_id = decision.id
        grant.updated_at = now
        return grant
    first = str(decision.result["first_benefit_month"])
    clock = _ok(gc.apply_grant(clock_rules(first), first, amount), "application_id")
    app.status = "decided"
    case.status = "granted"
    if grant is None:  # inserted complete: no UPDATE of the row just inserted
        grant = _new_grant(session, case, app, decision, "active", amount, now, first_month=first,
                           last_month=clock.period_last_month,
                           coordination_report_due=owes_coordination_report(app))
    else:
        grant.status = "active"
        grant.amount_yen = amount
        grant.decision_id = decision.id
        grant.first_month = first
        grant.updated_at = now
        grant.coordination_report_due = owes_coordination_report(app)
    _write_clock(session, grant, None, clock, decision.id)
    return grant


def _apply_extension(session: Session, case: BenefitCase, decision: Decision, now: Any) -> BenefitGrant | None:
    app = _decision_application(session, decision)
    grant = _decision_grant(session, decision)
    amount = int(decision.result["amount_yen"])
    applied_on = date.fromisoformat(str(decision.params.get("applied_on")
                                        or (decision.facts or {}).get("application_date")))
    before = clock_of(session, grant)
    after = _ok(_extension_clock(grant, before, applied_on, amount), "application_id")
    _write_clock(session, grant, before, after, decision.id)
    grant.amount_yen = amount
    grant.updated_at = now
    app.status = "decided"
    return grant


def _apply_extension_refusal(session: Session, case: BenefitCase, decision: Decision,
                             now: Any) -> BenefitGrant | None:
    _decision_application(session, decision).status = "refused"
    grant = _decision_grant(session, decision)
    grant.updated_at = now
    return grant


def _apply_change(session: Session, case: BenefitCase, decision: Decision, now: Any) -> BenefitGrant | None:
    app = _decision_application(session, decision)
    amount = int(decision.result["amount_yen"])
    grant = _advance_clock(session, decision, "grant_id",
                           lambda clock: gc.apply_change(clock, str(decision.params["effective_month"]), amount))
    grant.amount_yen = amount
    grant.updated_at = now
    app.status = "decided"
    return grant


def _advance_clock(session: Session, decision: Decision, field: str,
                   step: Callable[[gc.GrantClock], gc.Outcome]) -> BenefitGrant:
    """Read the decision's grant into the pure clock, take ``step`` (a refusal names ``field``) and write
    the months that changed; returns the grant for the caller's own columns."""
    grant = _decision_grant(session, decision)
    before = clock_of(session, grant)
    _write_clock(session, grant, before, _ok(step(before), field), decision.id)
    return grant


def _apply_interruption(session: Session, case: BenefitCase, decision: Decision, now: Any) -> BenefitGrant | None:
    grant = _advance_clock(session, decision, "effective_month",
                           lambda clock: gc.apply_interruption(clock, str(decision.params["effective_month"])))
    grant.status = "interrupted"
    grant.updated_at = now
    return grant


def _apply_resumption(session: Session, case: BenefitCase, decision: Decision, now: Any) -> BenefitGrant | None:
    grant = _advance_clock(session, decision, "resume_month",
                           lambda clock: gc.apply_resumption(clock, str(decision.params["resume_month"])))
    grant.status = "active"
    grant.updated_at = now
    return grant


def _apply_stop(session: Session, case: BenefitCase, decision: Decision, now: Any) -> BenefitGrant | None:
    grant = _decision_grant(session, decision)
    first_unpaid = str(decision.result["first_unpaid_month"])
    before = clock_of(session, grant)
    after = _ok(gc.apply_stop(before, first_unpaid), "grant_id")
    period_last = grant.period_last_month  # a stop keeps the period decided (letters cite it)
    _write_clock(session, grant, before, after, decision.id)
    if period_last is not None:
        _set_period_end(grant, period_last)
    grant.status = "stopped"
    grant.stop_cause = str(decision.result["cause"])
    grant.stop_first_unpaid_month = first_unpaid
    grant.updated_at = now
    proposal_id = decision.params.get("proposal_id")
    if proposal_id is not None:
        proposal = session.get(StopProposal, proposal_id)
        if proposal is not None:
            proposal.status = "decided"
            proposal.decision_id = decision.id
    return grant


def _apply_repayment(session: Session, case: BenefitCase, decision: Decision, now: Any) -> BenefitGrant | None:
    grant = _decision_grant(session, decision)
    grant.updated_at = now
    result = decision.result
    if int(result["amount_yen"]) > 0:  # 0: a correction that withdraws the claim
        session.add(RepaymentClaim(case_id=case.id, grant_id=grant.id, decision_id=decision.id,
                                   cause=str(result["cause"]), debtor="recipient",
                                   months=copy.deepcopy(result["months"]),
                                   amount_yen=int(result["amount_yen"]), created_at=now))
    return grant


def _apply_moving_confirmation(session: Session, case: BenefitCase, decision: Decision,
                               now: Any) -> BenefitGrant | None:
    grant = _decision_grant(session, decision)
    grant.updated_at = now
    grant.status = "confirmed"
    grant.amount_yen = int(decision.result["confirmed_amount_yen"])
    return grant


def _recheck_stop(session: Session, case: BenefitCase, decision: Decision) -> None:
    """PD16: never approved without the evidence its cause needs, each a document on the case."""
    evidence = list(decision.params.get("evidence", []))
    given = {item["kind"] for item in evidence}
    missing = [k for k in rules.stop_evidence(decision.params["cause"]) if k not in given]
    if missing:
        raise RuleViolation("stop evidence missing: " + ", ".join(missing), code="evidence_missing",
                            field="evidence")
    ids = [item.get("document_id") for item in evidence]
    found = set(session.scalars(select(Document.id).where(Document.case_id == case.id,
                                                          Document.id.in_([i for i in ids if i is not None]))))
    not_on_file = [item["kind"] for item in evidence if item.get("document_id") not in found]
    if not_on_file:
        raise RuleViolation("stop evidence not on file: " + ", ".join(not_on_file), code="evidence_not_on_file",
                            field=f"evidence.{not_on_file[0]}")


def _recheck_extension(session: Session, case: BenefitCase, decision: Decision) -> None:
    if decision.kind == "extension":
        households.refuse_second_rent_grant(
            session, households.key_of(session, _decision_application(session, decision)), case.id,
            list(decision.result.get("extension_months") or []))


Prepare = Callable[[Session, Actor, BenefitCase, dict[str, Any]], Prepared]
Apply = Callable[[Session, BenefitCase, Decision, Any], BenefitGrant | None]
"""Writes the approved decision; returns the grant as it stands after it (None: the decision has none)."""
Recheck = Callable[[Session, BenefitCase, Decision], None]


def _no_recheck(session: Session, case: BenefitCase, decision: Decision) -> None:
    return None


@dataclass(frozen=True, slots=True)
class DecisionKind:
    """One kind of decision: its command (the API body), what drafting checks and computes, what
    approval checks again and what it writes."""

    command: type[BaseModel]
    prepare: Prepare
    apply: Apply
    recheck: Recheck = _no_recheck


KINDS: dict[str, DecisionKind] = {
    "eligibility_certificate": DecisionKind(commands.EligibilityCertificateCommand, _prepare_grant_like,
                                            _apply_certificate),
    "grant": DecisionKind(commands.GrantCommand, _prepare_grant_like, _apply_grant, _recheck_grant_like),
    "regrant": DecisionKind(commands.RegrantCommand, _prepare_grant_like, _apply_grant, _recheck_grant_like),
    "refusal": DecisionKind(commands.RefusalCommand, _prepare_grant_like, _apply_refusal),
    "moving_grant": DecisionKind(commands.MovingGrantCommand, _prepare_grant_like, _apply_moving_grant,
                                 _recheck_grant_like),
    "extension": DecisionKind(commands.ExtensionCommand, _prepare_extension, _apply_extension, _recheck_extension),
    "extension_refusal": DecisionKind(commands.ExtensionRefusalCommand, _prepare_extension,
                                      _apply_extension_refusal),
    "change": DecisionKind(commands.ChangeCommand, _prepare_change, _apply_change),
    "interruption": DecisionKind(commands.InterruptionCommand, _prepare_interruption, _apply_interruption),
    "resumption": DecisionKind(commands.ResumptionCommand, _prepare_resumption, _apply_resumption),
    "stop": DecisionKind(commands.StopCommand, _prepare_stop, _apply_stop, _recheck_stop),
    "repayment": DecisionKind(commands.RepaymentCommand, _prepare_repayment, _apply_repayment),
    "moving_confirmation": DecisionKind(commands.MovingConfirmationCommand, _prepare_moving_confirmation,
                                        _apply_moving_confirmation),
}
#: Decisions on an application that start (or refuse) a grant; a correction supersedes one of them.
GRANT_KINDS = ("grant", "regrant", "eligibility_certificate", "moving_grant", "refusal")
SUPERSEDING_KINDS = ("grant", "regrant", "refusal", "repayment")


def _kind(kind: str) -> DecisionKind:
    spec = KINDS.get(kind)
    if spec is None:
        raise InvalidRequest(f"unknown decision kind {kind!r}; one of {', '.join(KINDS)}", field="kind")
    return spec


# --- draft / approve / return ----------------------------------------------------------------------


def draft_decision(session: Session, actor: Actor, case_id: int, draft: dict[str, Any]) -> Decision:
    """A clerk's draft. Checks what the rules need now; nothing changes until approval."""
    require_role(actor, "clerk")
    spec = _kind(str(draft.get("kind")))
    _preload_case_and_application(session, case_id, draft.get("application_id"))
    case = load_case(session, actor, case_id)
    bump_case_version(session, case, draft.get("case_version"), actor.clock.now())
    kind = draft["kind"]
    supersedes = draft.get("supersedes_decision_id")
    if supersedes is not None:
        old = session.get(Decision, supersedes)
        if old is None or old.case_id != case.id:
            raise NotFound(f"decision {supersedes} not found on the case", field="supersedes_decision_id")
        if decision_status(session, old) != "approved":
            raise Conflict(f"decision {supersedes} is not in force; only an approved decision is superseded",
                           code="not_supersedable", field="supersedes_decision_id")
        if kind not in SUPERSEDING_KINDS or (old.kind not in GRANT_KINDS and old.kind != kind):
            raise InvalidRequest(f"a {kind} decision cannot supersede a {old.kind} decision",
                                 field="supersedes_decision_id")
    prepared = spec.prepare(session, actor, case, draft)
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
        drafted_at=actor.clock.now(),
    )
    session.add(decision)
    session.flush()
    audit(session, actor, "decision.draft", case_id=case.id, target=f"decision:{decision.id}",
          detail={"kind": kind})
    return decision


def _preload_case_and_application(session: Session, case_id: int, application_id: Any) -> None:
    """One SELECT for the case and the application a draft names, held in the identity map so that
    ``load_case`` and ``load_application`` find them there. Who may see them is checked by those two, as
    always; an application of another case is not loaded here."""
    if not isinstance(application_id, int):
        return
    row = session.execute(
        select(BenefitCase, Application)
        .outerjoin(Application, (Application.id == application_id) & (Application.case_id == BenefitCase.id))
        .where(BenefitCase.id == case_id)
    ).first()
    for loaded in row or ():
        if loaded is not None:
            hold(session, loaded)


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
    bump_case_version(session, case, case_version, actor.clock.now())
    session.add(DecisionReview(decision_id=decision.id, outcome="returned", reviewed_by=actor.user_id,
                               note=note, reviewed_at=actor.clock.now()))
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
    now = actor.clock.now()
    bump_case_version(session, case, case_version, now)
    spec = _kind(decision.kind)
    spec.recheck(session, case, decision)
    # The review goes in with the decision's own rows (one flush, no statement of its own).
    session.add(DecisionReview(decision_id=decision.id, outcome="approved", reviewed_by=actor.user_id,
                               note=note, reviewed_at=now))
    grant = spec.apply(session, case, decision, now)
    audit(session, actor, "decision.approve", case_id=case.id, target=f"decision:{decision.id}",
          detail={"kind": decision.kind})
    from service.workflows.letters import Approval, issue_after_approval  # issue 5: the letters follow approval

    # The letters are planned from what this approval holds (its time, the grant it wrote): no re-reading.
    issue_after_approval(session, actor, decision.id, enabled=issue_letters,
                         approval=Approval(approved_at=now, grant=grant))
    return decision


def _set_period_end(grant: BenefitGrant, last_month: str) -> None:
    grant.period_last_month = last_month
    grant.extension_deadline = rules.extension_deadline(last_month)


def owes_coordination_report(app: Application) -> bool:
    """R88: decided in the emergency path before the plan went through the 支援調整会議, so the grant is
    reported to the meeting afterwards."""
    plan = app.intake.get("plan") or {}
    return app.intake.get("emergency") is True and not plan.get("coordination_meeting_date")


def _new_grant(session: Session, case: BenefitCase, app: Application, decision: Decision, status: str,
               amount: int, now: Any, *, first_month: str | None = None, last_month: str | None = None,
               coordination_report_due: bool = False) -> BenefitGrant:
    # Every column the clock writes is given here, so that writing the first clock is no UPDATE of the row.
    grant = BenefitGrant(case_id=case.id, application_id=app.id, decision_id=decision.id, benefit=app.benefit,
                         status=status, amount_yen=amount, extensions_used=0, interrupted_from=None,
                         created_at=now, updated_at=now, first_month=first_month,
                         coordination_report_due=coordination_report_due)
    if last_month is not None:
        _set_period_end(grant, last_month)
    session.add(grant)
    session.flush()
    return grant

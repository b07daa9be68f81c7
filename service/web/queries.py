"""Read-only figures for the screens that are not a case's personal data: statistics for the
dashboard, the agency's reminders (dates and statuses only) and a case's audit trail for its timeline.

Reading a case's personal data (facts, documents, decisions) goes through ``service.workflows``,
which audits the read; these queries return codes, dates, counts and sums only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import rules
from service.db.models import (
    Application,
    AuditEvent,
    BenefitCase,
    BenefitGrant,
    BenefitMonth,
    Decision,
    DecisionReview,
    Document,
    MonthlyReport,
)
from service.workflows.common import Actor, audit, load_case, require_role


def month_range(last: str, count: int) -> list[str]:
    return [rules.add_months(last, -i) for i in range(count - 1, -1, -1)]


def dashboard(session: Session, actor: Actor, *, today: date, months: int = 12) -> dict[str, Any]:
    """Amount paid and active grants per benefit month, cases by status, stops by cause."""
    require_role(actor, "clerk", "approver", "finance", "admin")
    this_month = today.strftime("%Y-%m")
    span = month_range(this_month, months)
    paid = paid_by_month(session, span)
    active = dict(session.execute(
        select(BenefitMonth.month, func.count(func.distinct(BenefitMonth.grant_id)))
        .where(BenefitMonth.status.in_(("scheduled", "paid")), BenefitMonth.month.in_(span))
        .group_by(BenefitMonth.month)).all())
    by_grant_status = dict(session.execute(
        select(BenefitGrant.status, func.count()).group_by(BenefitGrant.status)).all())
    with_grant = select(BenefitGrant.case_id)
    waiting = int(session.scalar(
        select(func.count(func.distinct(Application.case_id)))
        .where(Application.status == "submitted", Application.case_id.not_in(with_grant))) or 0)
    drafts = int(session.scalar(
        select(func.count(func.distinct(Application.case_id)))
        .where(Application.status == "draft", Application.case_id.not_in(with_grant))) or 0)
    refused = int(session.scalar(
        select(func.count(func.distinct(Application.case_id)))
        .where(Application.status == "refused", Application.kind == "initial",
               Application.case_id.not_in(with_grant))) or 0)
    statuses: list[tuple[str, int]] = [("申請書作成中", drafts), ("審査中", waiting), ("不支給", refused)]
    from service.web.labels import GRANT_STATUS, STOP_CAUSE

    for code in ("certified", "active", "interrupted", "awaiting_move_report", "confirmed", "stopped"):
        statuses.append((GRANT_STATUS.get(code, code), int(by_grant_status.get(code, 0))))
    stops = session.execute(
        select(BenefitGrant.stop_cause, func.count()).where(BenefitGrant.stop_cause.is_not(None))
        .group_by(BenefitGrant.stop_cause)).all()
    return {
        "months": span,
        "paid_yen": [(m, int(paid.get(m, 0) or 0)) for m in span],
        "active_grants": [(m, int(active.get(m, 0) or 0)) for m in span],
        "cases_by_status": statuses,
        "stops_by_cause": sorted(((STOP_CAUSE.get(str(c), str(c)), int(n)) for c, n in stops),
                                 key=lambda item: -item[1]),
        "total_cases": int(session.scalar(select(func.count()).select_from(BenefitCase)) or 0),
    }


def paid_by_month(session: Session, span: list[str]) -> dict[str, int]:
    """支払済額 per benefit month: money that left the office — the ledger's payments of batches whose
    全銀 file was exported (or settled), rent and moving costs alike, less the reversals of returned
    transfers. A batch created or approved but not exported has paid nothing yet."""
    from service.db.models_payments import Payment, PaymentBatchEvent

    left = select(PaymentBatchEvent.batch_id).where(PaymentBatchEvent.event.in_(("exported", "settled")))
    rows = session.execute(
        select(Payment.benefit_month, func.sum(Payment.amount_yen))
        .where(Payment.batch_id.in_(left), Payment.benefit_month.in_(span))
        .group_by(Payment.benefit_month)).all()
    return {str(month): int(total or 0) for month, total in rows}


def case_summaries(session: Session, actor: Actor, *, limit: int = 200) -> list[dict[str, Any]]:
    """The newest cases with the applicant's name (an agency sees its own cases only)."""
    from service.workflows.case_search import CaseFilter, search_cases

    rows, _total = search_cases(session, actor, CaseFilter(), limit=limit)
    return rows


def reminders(session: Session, actor: Actor, *, today: date) -> dict[str, list[dict[str, Any]]]:
    """Deadlines for the agency's running grants: extension applications and monthly reports due."""
    require_role(actor, "agency", "clerk", "approver")
    stmt = select(BenefitGrant).join(BenefitCase, BenefitCase.id == BenefitGrant.case_id).where(
        BenefitGrant.status.in_(("active", "interrupted")), BenefitGrant.benefit == "rent")
    if actor.role == "agency":
        stmt = stmt.where(BenefitCase.agency_id == actor.agency_id)
    this_month = today.strftime("%Y-%m")
    extension: list[dict[str, Any]] = []
    reports: list[dict[str, Any]] = []
    grants = list(session.scalars(stmt.order_by(BenefitGrant.id)))
    ids = [grant.id for grant in grants]
    # Two queries for all the agency's grants (not two per grant): an agency runs hundreds of cases.
    months_of: dict[int, list[BenefitMonth]] = {grant_id: [] for grant_id in ids}
    reported_of: dict[int, set[str]] = {grant_id: set() for grant_id in ids}
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for row in session.scalars(select(BenefitMonth).where(BenefitMonth.grant_id.in_(chunk))):
            months_of[row.grant_id].append(row)
        for grant_id, month in session.execute(select(MonthlyReport.grant_id, MonthlyReport.month)
                                               .where(MonthlyReport.grant_id.in_(chunk))).all():
            reported_of[grant_id].add(month)
    for grant in grants:
        months = months_of[grant.id]
        used = sum(1 for m in months if m.status in ("scheduled", "paid"))
        clock = rules.period_rules(grant.first_month or this_month)
        if (grant.extension_deadline is not None and grant.extensions_used < clock.max_extensions
                and used + clock.period_months <= clock.max_months and grant.extension_deadline >= today):
            days = (grant.extension_deadline - today).days
            if days <= 62:
                extension.append({"case_id": grant.case_id, "grant_id": grant.id,
                                  "deadline": grant.extension_deadline, "days_left": days,
                                  "period_last_month": grant.period_last_month})
        reported = reported_of[grant.id]
        for m in sorted(months, key=lambda row: row.month):
            if m.status in ("scheduled", "paid") and m.month <= this_month and m.month not in reported:
                reports.append({"case_id": grant.case_id, "grant_id": grant.id, "month": m.month,
                                "overdue": m.month < this_month})
    extension.sort(key=lambda item: item["deadline"])
    return {"extension": extension, "reports": reports, **_follow_ups(session, actor)}


def _follow_ups(session: Session, actor: Actor) -> dict[str, list[dict[str, Any]]]:
    """What the agency still owes after a decision: the 住居確保報告書 of a certified homeless applicant
    (R44) and the report of an emergency grant to the 支援調整会議 (R88)."""
    from service.calendar import office_date
    from service.workflows.coordination import unreported_stmt

    mine = select(BenefitCase.id)
    if actor.role == "agency":
        mine = mine.where(BenefitCase.agency_id == actor.agency_id)
    certified = session.scalars(select(BenefitGrant).where(BenefitGrant.status == "certified",
                                                           BenefitGrant.case_id.in_(mine))
                                .order_by(BenefitGrant.id))
    unreported = session.scalars(unreported_stmt().where(BenefitGrant.case_id.in_(mine)).order_by(BenefitGrant.id))
    return {
        "housing_reports": [{"case_id": g.case_id, "grant_id": g.id,
                             "certified_on": office_date(g.created_at).isoformat()} for g in certified],
        "coordination": [{"case_id": g.case_id, "grant_id": g.id} for g in unreported],
    }


def case_timeline(session: Session, case_id: int, view: dict[str, Any], *, limit: int = 60) -> list[dict[str, Any]]:
    """Decisions, reviews, documents, applications and the case's audit trail, newest first."""
    items: list[dict[str, Any]] = []
    for app in view["applications"]:
        if app.get("submitted_at"):
            items.append({"at": app["submitted_at"], "kind": "application", "title": "申請を受付",
                          "detail": f"申請 #{app['id']}"})
    decisions = {d.id: d for d in session.scalars(select(Decision).where(Decision.case_id == case_id))}
    reviews = session.scalars(select(DecisionReview).where(DecisionReview.decision_id.in_(list(decisions))))
    from service.web.labels import DECISION_KIND, DOCUMENT_KIND

    for d in decisions.values():
        items.append({"at": d.drafted_at.isoformat(), "kind": "decision",
                      "title": f"{DECISION_KIND.get(d.kind, d.kind)}を起案", "detail": f"決定 #{d.id}"})
    for r in reviews:
        d = decisions[r.decision_id]
        word = "決裁" if r.outcome == "approved" else "差戻し"
        items.append({"at": r.reviewed_at.isoformat(), "kind": "review",
                      "title": f"{DECISION_KIND.get(d.kind, d.kind)}を{word}",
                      "detail": (r.note or "") + f"（決定 #{d.id}）"})
    for doc in session.scalars(select(Document).where(Document.case_id == case_id)):
        items.append({"at": doc.uploaded_at.isoformat(), "kind": "document",
                      "title": f"書類を登録：{DOCUMENT_KIND.get(doc.kind, doc.kind)}", "detail": doc.filename})
    from service.web.labels import AUDIT_ACTION, ROLE

    # Reads are collapsed: one line per person and kind of read, with the count and the latest time;
    # the full trail is the admin's audit log.
    reads: dict[tuple[str, str], dict[str, Any]] = {}
    others = 0
    for event in session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)
                                 .order_by(AuditEvent.id.desc()).limit(2000)):
        who = f"{event.username or '—'}（{ROLE.get(event.role or '', event.role or '—')}）"
        if event.action.endswith(".read") or event.action.endswith(".search") or event.action == "letter.preview":
            entry = reads.setdefault((event.action, who), {"at": event.at.isoformat(), "kind": "read", "count": 0,
                                                          "action": event.action, "who": who})
            entry["count"] += 1
            continue
        if event.action.startswith(("decision.", "application.submit", "document.upload")):
            continue  # shown above from the records themselves
        if others >= limit:
            continue
        others += 1
        reason = (event.detail or {}).get("reason") if event.action == "application.return" else None
        items.append({"at": event.at.isoformat(), "kind": "audit",
                      "title": AUDIT_ACTION.get(event.action, "操作"),
                      "detail": f"{who}・理由：{reason}" if reason else who})
    for entry in reads.values():
        items.append({"at": entry["at"], "kind": "read", "collapsed": True,
                      "title": f"{AUDIT_ACTION.get(entry['action'], entry['action'])}（{entry['count']}回）",
                      "detail": f"{entry['who']}・最後の閲覧"})
    items.sort(key=lambda item: str(item["at"])[:19], reverse=True)
    return items


def read_document(session: Session, actor: Actor, document_id: int) -> Document:
    """A document's content for download; the read is audited."""
    require_role(actor, "agency", "clerk", "approver")
    doc = session.get(Document, document_id)
    if doc is None:
        from service.errors import NotFound

        raise NotFound(f"document {document_id} not found")
    load_case(session, actor, doc.case_id)
    audit(session, actor, "document.read", case_id=doc.case_id, target=f"document:{doc.id}")
    return doc


def returned_applications(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The agency's applications the office returned with a reason (差戻し), waiting to be edited and
    submitted again (issue 11: the agency sees the reason on its home)."""
    require_role(actor, "agency")
    rows = session.execute(
        select(Application.id, Application.case_id, Application.kind, Application.returned_reason)
        .join(BenefitCase, BenefitCase.id == Application.case_id)
        .where(BenefitCase.agency_id == actor.agency_id, Application.status == "draft",
               Application.returned_reason.is_not(None))
        .order_by(Application.id).limit(200)).all()
    return [{"application_id": r.id, "case_id": r.case_id, "kind": r.kind, "reason": r.returned_reason}
            for r in rows]

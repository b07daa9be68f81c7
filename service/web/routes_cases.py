"""Clerk and approver screens: work queue, case list, case page, decision drafting and 決裁."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from service import rules
from service.deps import SessionDep
from service.errors import DomainError
from service.web import charts, queries
from service.web import review as review_panel
from service.web.core import PostedForm, WebActor, error_text, parse_month, redirect, refuse, render, require
from service.web.labels import DECISION_KIND, month_ja, public_text
from service.web.session import flash, today
from service.workflows import decisions, grants
from service.workflows.work_queue import work_queue

router = APIRouter(include_in_schema=False)


#: rows per section of the work queue screen; the heading shows the section's total
QUEUE_PAGE_SIZE = 50


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request, session: SessionDep, actor: WebActor, month: str | None = None,
          section: str = "", page: str = "1") -> Response:
    """Every section's total and first page; ``section`` and ``page`` page through one section (the
    others stay on their first page). Decided items and duplicates never appear (work_queue)."""
    require(actor, "clerk", "approver")
    from service.workflows.work_queue import SECTIONS

    month = parse_month(month) or today(request).strftime("%Y-%m")
    data = work_queue(session, actor, month, limit=QUEUE_PAGE_SIZE)
    page_no = int(page) if page.isdecimal() and 0 < int(page) < 100000 else 1
    if section not in SECTIONS:
        section, page_no = "", 1
    pages = {name: max(1, -(-total // QUEUE_PAGE_SIZE)) for name, total in data["totals"].items()}
    if section and page_no > 1:
        page_no = min(page_no, pages[section])
        one = work_queue(session, actor, month, limit=QUEUE_PAGE_SIZE, offset=(page_no - 1) * QUEUE_PAGE_SIZE,
                         section=section)
        data[section] = one[section]
    paging = {name: {"page": page_no if name == section else 1, "pages": pages[name], "total": total,
                     "first": (page_no - 1 if name == section else 0) * QUEUE_PAGE_SIZE + 1,
                     "last": min((page_no if name == section else 1) * QUEUE_PAGE_SIZE, total)}
              for name, total in data["totals"].items()}
    return render(request, "queue.html", {"q": data, "month": month, "paging": paging,
                                          "prev_month": rules.add_months(month, -1),
                                          "next_month": rules.add_months(month, 1)})


@router.post("/queue/propose-stops", response_class=HTMLResponse)
def propose_stops(request: Request, session: SessionDep, actor: WebActor, form: PostedForm) -> Response:
    """The clerk asks for stop proposals for the month's missing reports (never a stop by itself, PD16).
    ``month`` is the reports' month: the queue of month M lists M-1's missing reports (R51, due in M) and its
    button sends M-1; the clerk is taken back to the queue of M."""
    require(actor, "clerk")
    from service.workflows import compliance

    month = parse_month(str(form.get("month") or "")) or ""
    if not month:
        flash(request, "対象月を 2025-07 の形式で指定してください。", "error")
        return redirect(request, "/queue")
    try:
        proposals = compliance.propose_stops_for_missing_reports(session, actor, month)
    except DomainError as exc:
        return refuse(request, session, exc, f"/queue?month={rules.add_months(month, 1)}")
    year, mon = month.split("-")
    back = f"/queue?month={rules.add_months(month, 1)}"
    if proposals:
        flash(request, f"{int(year)}年{int(mon)}月分の求職活動報告が未提出の {len(proposals)} 件について、中止の提案を作成しました。"
              "証拠を確認してから起案してください。", "success")
    else:
        flash(request, f"{int(year)}年{int(mon)}月分で報告が未提出の支給はありません。")
    return redirect(request, back)


PAGE_SIZE = 50


@router.get("/cases", response_class=HTMLResponse)
def case_list(request: Request, session: SessionDep, actor: WebActor, q: str = "", status: str = "",
              agency: str = "", month: str = "", sort: str = "new", page: str = "1") -> Response:
    """Find people: by name in kanji or kana, case number, payee or phone; filters, sort and paging."""
    require(actor, "agency", "clerk", "approver")
    from sqlalchemy import select

    from service.db.models import Agency
    from service.workflows.case_search import SORTS, STATUS_FILTERS, CaseFilter, search_cases

    page_no = int(page) if page.isdecimal() and 0 < int(page) < 100000 else 1
    chosen = CaseFilter(q=q.strip()[:100], status=status if status in STATUS_FILTERS else None,
                        agency_id=int(agency) if agency.isdecimal() and actor.role != "agency" else None,
                        month=parse_month(month), sort=sort if sort in SORTS else "new")
    rows, total = search_cases(session, actor, chosen, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    agencies = [] if actor.role == "agency" else list(session.execute(select(Agency.id, Agency.name)
                                                                     .order_by(Agency.code)).all())
    params = {"q": chosen.q, "status": chosen.status or "", "agency": str(chosen.agency_id or ""),
              "month": chosen.month or "", "sort": chosen.sort}
    return render(request, "cases.html", {
        "cases": rows, "total": total, "page": page_no, "pages": pages, "page_size": PAGE_SIZE,
        "filters": params, "agencies": agencies, "status_filters": STATUS_FILTERS,
        "query_string": "&".join(f"{k}={quote(v)}" for k, v in params.items() if v),
    })


def breakdown_rows(trace: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """The 算定内訳 rows (label, value and formula, rule and basis) from the letters package."""
    if not trace:
        return []
    try:
        from letters.breakdown import breakdown_table

        return [tuple(public_text(cell) for cell in row) for row in breakdown_table(trace).rows]
    except Exception:  # noqa: BLE001 - a trace the letter layout cannot print is still shown raw
        return [(str(s.get("step")), str(s.get("value")), "") for s in trace]


def reason_rows(reasons: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    if not reasons:
        return []
    try:
        from letters.breakdown import reasons_table

        return [tuple(public_text(cell) for cell in row)
                for row in reasons_table(reasons, {}, heading="不支給の理由").rows]
    except Exception:  # noqa: BLE001
        return [(str(i + 1), "支給要件を満たしていません。", "") for i, _r in enumerate(reasons)]


def _case_context(request: Request, session: SessionDep, actor: WebActor, case_id: int) -> dict[str, Any]:
    view = grants.case_view(session, actor, case_id)
    apps = view["applications"]
    latest_app = next((a for a in reversed(apps) if a["status"] != "draft"), apps[-1] if apps else None)
    decided = [d for d in view["decisions"] if d.get("result", {}).get("trace")]
    assessment: dict[str, Any] | None = None
    source = ""
    if decided:
        assessment = decided[-1]["result"]
        source = f"決定 #{decided[-1]['id']}（{DECISION_KIND.get(decided[-1]['kind'], decided[-1]['kind'])}）の算定"
    elif latest_app is not None and latest_app["status"] != "draft":
        from service.workflows.applications import assessable_facts

        try:
            assessment = rules.assess(assessable_facts(latest_app["facts"]))
            source = f"申請 #{latest_app['id']} による試算（未決定）"
        except DomainError as exc:
            assessment = None
            source = f"試算できません：{error_text(exc)}"
    letters_module = None
    from service.web import integrations

    if integrations.letters() is not None:
        letters_module = True
    return {
        "case": view,
        "latest_app": latest_app,
        "assessment": assessment,
        "assessment_source": source,
        "breakdown": breakdown_rows(list(assessment.get("trace", []))) if assessment else [],
        "reasons": reason_rows(list(assessment.get("reasons", []))) if assessment else [],
        "timeline": queries.case_timeline(session, case_id, view) if actor.role != "agency" else [],
        "drafts": [d for d in view["decisions"] if d["status"] == "draft"],
        "review": {d["id"]: {**review_panel.review_panel(view, d),
                             "breakdown": breakdown_rows(list((d.get("result") or {}).get("trace") or [])),
                             "reasons": reason_rows(list((d.get("result") or {}).get("reasons") or []))}
                   for d in view["decisions"] if d["status"] == "draft"},
        "decision_kinds": DECISION_KIND,
        "letters_available": letters_module,
        "waiting_apps": waiting_applications(view),
    }


def waiting_applications(view: dict[str, Any]) -> list[dict[str, Any]]:
    """Submitted applications no decision has been approved on: the clerk may still record the
    支援調整会議 date (R87) or the emergency path (R88) on them, or return them to the agency."""
    decided = {d.get("application_id") for d in view["decisions"] if d["status"] in ("approved", "superseded")}
    return [a for a in view["applications"] if a["status"] == "submitted" and a["id"] not in decided]


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, session: SessionDep, actor: WebActor, case_id: int) -> Response:
    require(actor, "agency", "clerk", "approver")
    try:
        ctx = _case_context(request, session, actor, case_id)
    except DomainError as exc:
        return render(request, "error.html", {"title": "ケースが見つかりません", "message": error_text(exc)},
                      status_code=exc.status_code)
    return render(request, "case.html", ctx)


@router.post("/cases/{case_id}/coordination-reports", response_class=HTMLResponse)
def coordination_report(request: Request, session: SessionDep, actor: WebActor, form: PostedForm,
                        case_id: int) -> Response:
    """R88: the emergency grant was reported to the 支援調整会議."""
    require(actor, "agency", "clerk")
    from service.errors import parse_date
    from service.workflows import coordination

    note = str(form.get("note") or "").strip() or None
    try:
        meeting_date = parse_date(str(form.get("meeting_date") or "").strip(), "meeting_date")
        coordination.record_coordination_report(session, actor, case_id, meeting_date=meeting_date, note=note)
    except DomainError as exc:
        return refuse(request, session, exc, f"/cases/{case_id}#coordination")
    flash(request, f"支援調整会議（{meeting_date.year}年{meeting_date.month}月{meeting_date.day}日）への事後報告を登録しました。",
          "success")
    return redirect(request, f"/cases/{case_id}")


@router.post("/applications/{application_id}/return-to-agency", response_class=HTMLResponse)
def return_application(request: Request, session: SessionDep, actor: WebActor, form: PostedForm,
                       application_id: int) -> Response:
    """The clerk returns a submitted application to its agency with the reason (差戻し); the agency sees
    the reason on its home, edits the application in the wizard and submits it again."""
    require(actor, "clerk")
    from service.workflows import applications

    case_id = _int(form, "case_id")
    back = f"/cases/{case_id}#application-check" if case_id else "/queue"
    reason = str(form.get("reason") or "").strip()
    if not reason:
        flash(request, "差戻しの理由を入力してください。理由は支援機関に表示されます。", "error")
        return redirect(request, back)
    if len(reason) > 1000:
        flash(request, "差戻しの理由は1,000文字以内で入力してください。", "error")
        return redirect(request, back)
    try:
        app = applications.return_application(session, actor, application_id, reason=reason)
    except DomainError as exc:
        return refuse(request, session, exc, back)
    flash(request, f"申請 #{app.id} を支援機関に差し戻しました。修正して再提出されると、審査待ちに戻ります。", "success")
    return redirect(request, f"/cases/{app.case_id}")


@router.post("/applications/{application_id}/coordination-meeting", response_class=HTMLResponse)
def coordination_meeting(request: Request, session: SessionDep, actor: WebActor, form: PostedForm,
                         application_id: int) -> Response:
    """The clerk records the day the plan went through the 支援調整会議 (R87), or that the application is
    decided in the emergency path before the plan and reported to the meeting afterwards (R88)."""
    require(actor, "clerk")
    from service.errors import parse_date
    from service.workflows import applications

    case_id = _int(form, "case_id")
    back = f"/cases/{case_id}#application-check" if case_id else "/queue"
    path = str(form.get("path") or "meeting")
    text = str(form.get("meeting_date") or "").strip()
    try:
        if path == "emergency":
            app = applications.record_coordination_meeting(session, actor, application_id, emergency=True)
            message = "緊急対応（プラン策定前の支給決定）として登録しました。決定後、支援調整会議に事後報告してください。"
        else:
            if not text:
                flash(request, "支援調整会議の開催日を入力してください（緊急対応の場合はそちらを選んでください）。", "error")
                return redirect(request, back)
            meeting_date = parse_date(text, "meeting_date")
            app = applications.record_coordination_meeting(session, actor, application_id,
                                                           meeting_date=meeting_date)
            message = (f"支援調整会議の開催日（{meeting_date.year}年{meeting_date.month}月{meeting_date.day}日）"
                       "を登録しました。")
    except DomainError as exc:
        return refuse(request, session, exc, back)
    flash(request, message, "success")
    return redirect(request, f"/cases/{app.case_id}")


@router.get("/documents/{document_id}")
def document_download(request: Request, session: SessionDep, actor: WebActor, document_id: int) -> Response:
    require(actor, "agency", "clerk", "approver")
    try:
        doc = queries.read_document(session, actor, document_id)
    except DomainError as exc:
        return render(request, "error.html", {"title": "書類が見つかりません", "message": error_text(exc)},
                      status_code=exc.status_code)
    from urllib.parse import quote

    return Response(doc.content, media_type=doc.content_type, headers={
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(doc.filename)}",
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@router.get("/decisions/{decision_id}/letters/preview", response_class=HTMLResponse)
def letter_preview_list(request: Request, session: SessionDep, actor: WebActor, decision_id: int) -> Response:
    """The letters a draft's approval would issue, each as a preview PDF (nothing is issued)."""
    require(actor, "clerk", "approver")
    try:
        letters = review_panel.preview_letters(session, actor, decision_id)
    except DomainError as exc:
        return render(request, "error.html", {"title": "通知書のプレビュー", "message": error_text(exc)},
                      status_code=exc.status_code)
    from service.db.models import Decision

    decision = session.get(Decision, decision_id)
    return render(request, "letter_preview.html", {"letters": letters, "decision_id": decision_id,
                                                   "case_id": decision.case_id if decision else None,
                                                   "kind": decision.kind if decision else ""})


@router.get("/decisions/{decision_id}/letters/preview/{number}.pdf")
def letter_preview_pdf(request: Request, session: SessionDep, actor: WebActor, decision_id: int,
                       number: int) -> Response:
    require(actor, "clerk", "approver")
    try:
        letters = review_panel.preview_letters(session, actor, decision_id)
    except DomainError as exc:
        return render(request, "error.html", {"title": "通知書のプレビュー", "message": error_text(exc)},
                      status_code=exc.status_code)
    if not 1 <= number <= len(letters):
        return render(request, "error.html", {"title": "通知書のプレビュー", "message": "対象が見つかりません。"},
                      status_code=404)
    return Response(letters[number - 1].pdf, media_type="application/pdf", headers={
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(f'preview-{decision_id}-{number}.pdf')}",
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


# --- drafting -------------------------------------------------------------------------------------

APP_KINDS = {"grant": ("initial",), "regrant": ("initial",), "refusal": ("initial",),
             "eligibility_certificate": ("initial",), "moving_grant": ("initial",),
             "extension": ("extension",), "extension_refusal": ("extension",), "change": ("change",)}
GRANT_KINDS = ("extension", "extension_refusal", "change", "interruption", "resumption", "stop", "repayment",
               "moving_confirmation")


@router.get("/cases/{case_id}/decisions/new", response_class=HTMLResponse)
def draft_form(request: Request, session: SessionDep, actor: WebActor, case_id: int,
               kind: str = "grant", proposal: int | None = None, supersedes: int | None = None) -> Response:
    require(actor, "clerk")
    if kind not in DECISION_KIND:
        kind = "grant"
    view = grants.case_view(session, actor, case_id)
    values: dict[str, Any] = {}
    if proposal is not None:
        kind = "stop"
        values = proposal_values(view, proposal)
    old = next((d for d in view["decisions"] if d["id"] == supersedes and d["status"] == "approved"), None)
    if old is not None:  # a correction: the draft supersedes the decision (e.g. a claim a return made too high)
        values = {**values, "supersedes_decision_id": str(old["id"])}
        if old.get("grant_id") is not None:
            values["grant_id"] = str(old["grant_id"])
        if old.get("params", {}).get("repayment_cause"):
            values["repayment_cause"] = old["params"]["repayment_cause"]
    return render(request, "decision_form.html", _draft_ctx(view, kind, values, {}))


def proposal_values(view: dict[str, Any], proposal_id: int) -> dict[str, Any]:
    """A stop draft prefilled from an open proposal: its grant, cause, required evidence and documents."""
    found = next((p for p in view["stop_proposals"] if p["id"] == proposal_id and p["status"] == "open"), None)
    if found is None:
        return {}
    evidence = found.get("evidence") or {}
    docs = [str(d) for d in evidence.get("document_ids") or []]
    reasons = "、".join(proposal_reason_text(r, str(found.get("month") or "")) for r in found.get("reasons") or [])
    return {"proposal_id": str(found["id"]), "grant_id": str(found["grant_id"]), "cause": found["cause"],
            "evidence_kinds": list(evidence.get("required_kinds") or []),
            "evidence_doc": docs[0] if docs else "",
            "note": f"中止の提案 #{found['id']}（{month_ja(found['month'])}分）に基づく起案。提案の理由：{reasons}"}


def proposal_reason_text(reason: dict[str, Any], month: str) -> str:
    """A stop proposal's reason in Japanese for the record: the rule numbers and the English of the
    data stay out of the memo (PD32)."""
    if reason.get("code") == "monthly_report_missing":
        return f"{month_ja(month)}分の求職活動状況報告書が提出されていません"
    message = public_text(reason.get("message"))
    from service.error_catalogue import is_japanese

    return message if is_japanese(message) else "求職活動の要件を満たしていません"


def _draft_ctx(view: dict[str, Any], kind: str, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    return {
        "case": view, "kind": kind, "values": values, "errors": errors,
        "app_choices": [a for a in view["applications"] if a["kind"] in APP_KINDS.get(kind, ())
                        and a["status"] != "draft"],
        "needs_app": kind in APP_KINDS, "needs_grant": kind in GRANT_KINDS,
        "stop_causes": rules.stop_causes(),
        "evidence_by_cause": {c: rules.stop_evidence(c) for c in rules.stop_causes()},
        "open_proposals": [p for p in view["stop_proposals"] if p["status"] == "open"],
    }


def _int(form: FormData, name: str) -> int | None:
    text = str(form.get(name) or "").strip()
    return int(text) if text.isdecimal() else None


def draft_from_form(form: FormData) -> dict[str, Any]:
    kind = str(form.get("kind") or "")
    draft: dict[str, Any] = {"kind": kind, "case_version": _int(form, "case_version"),
                             "application_id": _int(form, "application_id"), "grant_id": _int(form, "grant_id"),
                             "note": str(form.get("note") or "").strip() or None}
    for key in ("effective_month", "resume_month", "cause", "event_date", "repayment_cause"):
        value = str(form.get(key) or "").strip()
        if value:
            draft[key] = value
    proposal = _int(form, "proposal_id")
    if proposal is not None:
        draft["proposal_id"] = proposal
    supersedes = _int(form, "supersedes_decision_id")
    if supersedes is not None:
        draft["supersedes_decision_id"] = supersedes
    if kind == "stop":
        evidence = []
        for entry in form.getlist("evidence_kind"):
            kind_name = str(entry)
            item: dict[str, Any] = {"kind": kind_name, "document_id": _int(form, f"evidence_doc_{kind_name}")}
            note = str(form.get(f"evidence_note_{kind_name}") or "").strip()
            if note:
                item["note"] = note
            evidence.append(item)
        draft["evidence"] = evidence
    update = {}
    for name in ("lease_initial_costs_paid_on", "moved_in_on"):  # the 住居確保報告書 (R44, PD5)
        value = str(form.get(name) or "").strip()
        if value:
            update[name] = value
    if update:
        draft["facts_update"] = update
    return draft


@router.post("/cases/{case_id}/decisions", response_class=HTMLResponse)
def draft_submit(request: Request, session: SessionDep, actor: WebActor, form: PostedForm,
                 case_id: int) -> Response:
    require(actor, "clerk")
    draft = draft_from_form(form)
    if draft["kind"] not in DECISION_KIND:
        return redirect(request, f"/cases/{case_id}")
    from pydantic import ValidationError

    from service.schemas.decisions import DecisionDraft

    try:
        body = DecisionDraft.model_validate(draft).model_dump(mode="json")
        decision = decisions.draft_decision(session, actor, case_id, body)
    except ValidationError as exc:
        view = grants.case_view(session, actor, case_id)
        fields = "、".join(sorted({str(e["loc"][0]) for e in exc.errors() if e.get("loc")}))
        return render(request, "decision_form.html",
                      _draft_ctx(view, draft["kind"], dict(form), {"_form": f"入力内容を確認してください（{fields}）。"}),
                      status_code=422)
    except DomainError as exc:
        session.rollback()
        view = grants.case_view(session, actor, case_id)
        return render(request, "decision_form.html",
                      _draft_ctx(view, draft["kind"], dict(form), {"_form": error_text(exc)}),
                      status_code=exc.status_code if exc.status_code != 404 else 422)
    flash(request, f"{DECISION_KIND.get(decision.kind, decision.kind)}（決定 #{decision.id}）を起案しました。"
          "決裁者の決裁を待っています。", "success")
    return redirect(request, f"/cases/{case_id}")


@router.post("/decisions/{decision_id}/{action}", response_class=HTMLResponse)
def review(request: Request, session: SessionDep, actor: WebActor, form: PostedForm, decision_id: int,
           action: str) -> Response:
    require(actor, "approver")
    note = str(form.get("note") or "").strip() or None
    case_id = _int(form, "case_id")
    try:
        if action == "approve":
            issue = getattr(request.app.state.settings, "issue_letters_on_approval", None)
            decision = decisions.approve_decision(session, actor, decision_id, note=note, issue_letters=issue)
            flash(request, f"{DECISION_KIND.get(decision.kind, decision.kind)}（決定 #{decision.id}）を決裁しました。",
                  "success")
        elif action == "return":
            decision = decisions.return_decision(session, actor, decision_id, note=note)
            flash(request, f"決定 #{decision.id} を差し戻しました。", "success")
        else:
            return redirect(request, "/queue")
        case_id = decision.case_id
    except DomainError as exc:
        session.rollback()
        flash(request, error_text(exc), "error")
    return redirect(request, f"/cases/{case_id}" if case_id else "/queue")


# --- dashboard ------------------------------------------------------------------------------------


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, actor: WebActor, until: str | None = None) -> Response:
    """The charts cover the 12 months up to ``until`` (YYYY-MM; default this month)."""
    require(actor, "clerk", "approver", "finance", "admin")
    day = today(request)
    if parse_month(until) is not None:
        from datetime import date

        assert until is not None
        day = date(int(until[:4]), int(until[5:]), 1)
    data = queries.dashboard(session, actor, today=day)
    return render(request, "dashboard.html", {
        "d": data,
        "chart_paid": charts.column_chart("月別の支払済額（振込済・転居費用を含む）", data["paid_yen"], unit="円", chart_id="paid"),
        "chart_active": charts.column_chart("月別の支給中件数", data["active_grants"], unit="件",
                                            color=charts.PALETTE[1], chart_id="active"),
        "chart_status": charts.bar_chart("状況別のケース数", data["cases_by_status"], chart_id="status"),
        "chart_stops": charts.bar_chart("理由別の支給中止件数", data["stops_by_cause"], chart_id="stops"),
    })

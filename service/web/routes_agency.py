"""Support agency screens: home with reminders, the application wizard with the live 試算, the
monthly job-search report."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile

from service import rules
from service.deps import SessionDep
from service.errors import DomainError
from service.web import forms, queries
from service.web.core import PostedForm, WebActor, error_text, redirect, refuse, render, require, templates
from service.web.labels import field_label, missing_message
from service.web.session import flash, save_session, today
from service.workflows import applications as wf
from service.workflows import compliance, grants

router = APIRouter(include_in_schema=False)


def _today(request: Request) -> date:
    return today(request)


@router.get("/agency", response_class=HTMLResponse)
def agency_home(request: Request, session: SessionDep, actor: WebActor) -> Response:
    require(actor, "agency")
    today = _today(request)
    return render(request, "agency_home.html", {
        "reminders": queries.reminders(session, actor, today=today),
        "returned": queries.returned_applications(session, actor),
        "cases": queries.case_summaries(session, actor, limit=50),
        "today": today,
    })


def assessment_panel(facts: dict[str, Any]) -> dict[str, Any]:
    """The live 試算 from the rules engine, or what is still missing to compute it."""
    try:
        result = rules.assess(wf.assessable_facts(facts))
    except DomainError as exc:
        return {"ok": False, "message": error_text(exc), "field": exc.field}
    return {"ok": True, "result": result}


def _benefit(value: Any) -> str:
    return "moving" if value == "moving" else "rent"


def _wizard_context(request: Request, session: SessionDep, actor: WebActor, app_id: int | None, step: int,
                    values: dict[str, Any] | None = None, benefit: str = "rent") -> dict[str, Any]:
    app = wf.read_application(session, actor, app_id) if app_id is not None else None
    benefit = app.benefit if app else _benefit(benefit)
    facts = app.facts if app else {"benefit": benefit}
    intake = app.intake if app else {}
    values = values or {}
    ctx: dict[str, Any] = {
        "app": app, "facts": facts, "intake": intake, "step": step, "steps": forms.steps_for(benefit),
        "member_rows": forms.MEMBER_ROWS, "income_rows": forms.INCOME_ROWS, "cost_rows": forms.COST_ROWS,
        "values": values, "errors": {}, "today": _today(request).isoformat(),
        "benefit": benefit, "kind": app.kind if app else "initial",
        "consent_keys": wf.REQUIRED_CONSENTS[benefit], "optional_consent_keys": wf.OPTIONAL_CONSENTS,
        "nonce": secrets.token_urlsafe(12),
    }
    if step == 1:
        ctx["municipality_choices"] = forms.applicant_municipality_options()
    if step == 3:
        ctx.update(_payee_choices(values, intake))
    if step == 5:
        ctx.update(review=forms.review_rows(facts, intake, benefit, app.kind if app else "initial"))
    if benefit == "moving" and step in (3, 5):
        raw = facts.get("destination")
        destination: dict[str, Any] = raw if isinstance(raw, dict) else {}
        code = str(values.get("dest_code") or values.get("dest_municipality")
                   or destination.get("municipality_code") or "")
        muni = forms.municipalities().get(code)
        prefecture = str(values.get("dest_prefecture") or (muni.prefecture if muni else ""))
        ctx.update(prefectures={p: p for p in forms.prefectures()}, dest_prefecture=prefecture, dest_code=code,
                   dest_options=dict(forms.municipality_options(prefecture)) if prefecture else {},
                   dest_name=forms.municipality_name(code) if code else "")
    if app is not None:
        ctx["required_docs"] = wf.required_documents(app.kind, app.benefit, app.facts)
        ctx["documents"] = wf.documents_of(session, app.case_id, app.id)
        ctx["missing"] = [{**item, "text": missing_message(item)} for item in wf.missing_items(session, app)] \
            if app.status == "draft" else []
        ctx["assessment"] = assessment_panel(facts)
    return ctx


def _payee_choices(values: dict[str, Any], intake: dict[str, Any]) -> dict[str, Any]:
    """The payee step's bank and branch lists (by name, reading and code) and the names chosen so far."""
    from payments import bank_codes

    payee = intake.get("payee") or {}
    typed_bank = str(values.get("bank_code") or payee.get("bank_code") or "")
    bank_code = bank_codes.resolve_bank(typed_bank) if typed_bank else None
    typed_branch = str(values.get("branch_code") or payee.get("branch_code") or "")
    branch_code = bank_codes.resolve_branch(bank_code, typed_branch) if bank_code and typed_branch else None
    return {
        "bank_choices": forms.bank_options(),
        "branch_choices": forms.branch_options(bank_code) if bank_code else (),
        "bank_chosen": bank_codes.bank_name(bank_code) if bank_code else "",
        "branch_chosen": bank_codes.branch_name(bank_code, branch_code) if bank_code and branch_code else "",
    }


@router.get("/bank-branches", response_class=HTMLResponse)
def bank_branch_options(request: Request, actor: WebActor, bank: str = "") -> Response:
    """The branches of a bank as ``<option>`` elements for the payee step's list (wizard.js asks when the
    bank changes); nothing for an unknown bank."""
    require(actor, "agency")
    from payments.bank_codes import resolve_bank

    code = resolve_bank(bank[:50]) if bank else None
    response = templates.TemplateResponse(request, "_branch_options.html", {
        "branch_choices": forms.branch_options(code) if code else ()})
    save_session(request, response)
    return response


@router.get("/applications/new", response_class=HTMLResponse)
def wizard_new(request: Request, session: SessionDep, actor: WebActor, benefit: str = "rent") -> Response:
    require(actor, "agency")
    return render(request, "wizard.html", _wizard_context(request, session, actor, None, 1, benefit=benefit))


@router.get("/applications/{app_id}/step/{step}", response_class=HTMLResponse)
def wizard_step(request: Request, session: SessionDep, actor: WebActor, app_id: int, step: int,
                pref: str = "") -> Response:
    require(actor, "agency")
    if not 1 <= step <= len(forms.STEPS):
        return redirect(request, f"/applications/{app_id}/step/1")
    ctx = _wizard_context(request, session, actor, app_id, step,
                          values={"dest_prefecture": pref} if pref in forms.prefectures() else None)
    if ctx["app"].status != "draft":
        return redirect(request, f"/cases/{ctx['app'].case_id}")
    return render(request, "wizard.html", ctx)


def _uploads(form: FormData) -> list[tuple[str, UploadFile]]:
    out = []
    for key, value in form.multi_items():
        if key.startswith("doc_") and isinstance(value, UploadFile) and value.filename:
            out.append((key[4:], value))
    return out


def _save_step(request: Request, session: SessionDep, actor: WebActor, app_id: int | None, step: int,
               form: FormData) -> Response:
    require(actor, "agency")
    app = wf.load_application(session, actor, app_id) if app_id is not None else None
    benefit = app.benefit if app else _benefit(form.get("benefit"))
    facts = app.facts if app else {"benefit": benefit}
    intake = app.intake if app else {}
    parsed = forms.parse_step(step, form, facts, intake, benefit, app.kind if app else "initial")
    if app is None and not parsed.errors and forms.is_blank_first_step(parsed):
        parsed.errors["_form"] = ("何も入力されていないため、申請は作成していません。申請先の市区町村や申請者の氏名など"
                                  "を入力してから保存してください。")
    if parsed.errors:
        ctx = _wizard_context(request, session, actor, app_id, step, values=dict(form), benefit=benefit)
        ctx["errors"] = parsed.errors
        return render(request, "wizard.html", ctx, status_code=422)
    try:
        if app is None:
            app, _created = wf.create_application(
                session, actor, kind="initial", benefit=benefit, case_id=None, facts=parsed.facts,
                intake=parsed.intake, idempotency_key="web:" + str(form.get("nonce") or secrets.token_hex(8)))
        else:
            wf.update_application(session, actor, app.id, facts=parsed.facts or None,
                                  intake=parsed.intake or None)
        settings = request.app.state.settings
        files = [wf.Upload(kind, upload.filename or "upload", (upload.content_type or "").split(";")[0].strip(),
                           upload.file.read(settings.max_upload_bytes + 1)) for kind, upload in _uploads(form)]
        if files:
            wf.upload_documents(session, actor, app.case_id, files, application_id=app.id,
                                max_bytes=settings.max_upload_bytes,
                                allowed_types=tuple(settings.allowed_upload_types))
    except DomainError as exc:
        session.rollback()
        ctx = _wizard_context(request, session, actor, app_id, step, values=dict(form), benefit=benefit)
        ctx["errors"] = {"_form": error_text(exc)}
        return render(request, "wizard.html", ctx, status_code=422)
    action = str(form.get("action") or "next")
    target = step - 1 if action == "back" else step if action == "stay" else step + 1
    target = min(max(target, 1), len(forms.STEPS))
    if action == "stay":
        flash(request, "保存しました。")
        pref = str(form.get("dest_prefecture") or "")
        if step == 3 and pref in forms.prefectures():
            from urllib.parse import quote

            return redirect(request, f"/applications/{app.id}/step/3?pref={quote(pref)}")
    return redirect(request, f"/applications/{app.id}/step/{target}")


@router.post("/applications/new", response_class=HTMLResponse)
def wizard_create(request: Request, session: SessionDep, actor: WebActor, form: PostedForm) -> Response:
    return _save_step(request, session, actor, None, 1, form)


@router.post("/applications/{app_id}/step/{step}", response_class=HTMLResponse)
def wizard_save(request: Request, session: SessionDep, actor: WebActor, form: PostedForm, app_id: int,
                step: int) -> Response:
    require(actor, "agency")
    if not 1 <= step <= len(forms.STEPS):  # a hand-made URL: back to the first step, nothing saved
        return redirect(request, f"/applications/{app_id}/step/1")
    return _save_step(request, session, actor, app_id, step, form)


@router.post("/applications/{app_id}/estimate", response_class=HTMLResponse)
def wizard_estimate(request: Request, session: SessionDep, actor: WebActor, form: PostedForm,
                    app_id: int) -> Response:
    """The live 試算 for the fields on screen (merged into the saved draft, not saved)."""
    require(actor, "agency")
    app = wf.load_application(session, actor, app_id)
    step_text = str(form.get("step") or "0").strip()
    step = int(step_text) if step_text.isascii() and step_text.isdecimal() else 0  # 0: no step's fields
    parsed = forms.parse_step(step, form, app.facts, app.intake, app.benefit, app.kind)
    facts = {**app.facts, **parsed.facts}
    response = templates.TemplateResponse(request, "_assessment.html", {
        "assessment": assessment_panel(facts), "field_label": field_label})
    save_session(request, response)
    return response


@router.post("/applications/{app_id}/submit", response_class=HTMLResponse)
def wizard_submit(request: Request, session: SessionDep, actor: WebActor, form: PostedForm,
                  app_id: int) -> Response:
    require(actor, "agency")
    try:
        app = wf.submit_application(session, actor, app_id)
    except DomainError as exc:
        session.rollback()
        ctx = _wizard_context(request, session, actor, app_id, 5)
        ctx["errors"] = {"_form": error_text(exc)}
        return render(request, "wizard.html", ctx, status_code=422)
    flash(request, f"申請 #{app.id} を提出しました。市区町村の審査をお待ちください。", "success")
    return redirect(request, f"/cases/{app.case_id}")


@router.post("/cases/{case_id}/applications", response_class=HTMLResponse)
def follow_up_application(request: Request, session: SessionDep, actor: WebActor, form: PostedForm,
                          case_id: int) -> Response:
    """An extension (延長) or change (変更) application on a case: the workflow copies the latest facts;
    the agency then reviews them and adds the documents in the wizard."""
    require(actor, "agency")
    kind = str(form.get("kind") or "")
    if kind not in ("extension", "change"):
        flash(request, "申請の種類を選んでください。", "error")
        return redirect(request, f"/cases/{case_id}")
    try:
        app, _created = wf.create_application(
            session, actor, kind=kind, benefit=None, case_id=case_id, facts={}, intake={},
            idempotency_key="web:" + str(form.get("nonce") or secrets.token_hex(8)))
    except DomainError as exc:
        return refuse(request, session, exc, f"/cases/{case_id}")
    label = "延長申請" if kind == "extension" else "変更申請"
    flash(request, f"{label}（申請 #{app.id}）を作成しました。直近の内容を引き継いでいます。変更点と書類を確認してください。",
          "success")
    return redirect(request, f"/applications/{app.id}/step/{4 if kind == 'extension' else 2}")


# --- monthly report -------------------------------------------------------------------------------


def _report_context(session: SessionDep, actor: WebActor, case_id: int) -> dict[str, Any]:
    view = grants.case_view(session, actor, case_id)
    rent_grants = [g for g in view["grants"] if g["benefit"] == "rent"]
    return {"case": view, "grants": rent_grants, "errors": {}, "values": {}}


@router.get("/cases/{case_id}/report", response_class=HTMLResponse)
def report_form(request: Request, session: SessionDep, actor: WebActor, case_id: int) -> Response:
    require(actor, "agency")
    return render(request, "report.html", _report_context(session, actor, case_id))


@router.post("/cases/{case_id}/report", response_class=HTMLResponse)
def report_submit(request: Request, session: SessionDep, actor: WebActor, form: PostedForm,
                  case_id: int) -> Response:
    require(actor, "agency")
    errors: dict[str, str] = {}
    counts: dict[str, int] = {}
    for key, label in (("interviews", "面談の回数"), ("hello_work_consultations", "ハローワーク相談の回数"),
                       ("employer_applications", "応募の回数")):
        text = str(form.get(key) or "").strip()
        if not text.isdecimal():
            errors[key] = f"{label}は0以上の整数で入力してください。"
        else:
            counts[key] = int(text)
    month = str(form.get("month") or "")
    if not month:
        errors["month"] = "報告する月を選択してください。"
    grant_text = str(form.get("grant_id") or "")
    if errors:
        ctx = _report_context(session, actor, case_id)
        ctx.update(errors=errors, values=dict(form))
        return render(request, "report.html", ctx, status_code=422)
    settings = request.app.state.settings
    try:
        files = [wf.Upload("monthly_report", value.filename, (value.content_type or "").split(";")[0].strip(),
                           value.file.read(settings.max_upload_bytes + 1))
                 for key, value in form.multi_items()
                 if key == "evidence" and isinstance(value, UploadFile) and value.filename]
        doc_ids = [doc.id for doc in wf.upload_documents(
            session, actor, case_id, files, application_id=None, max_bytes=settings.max_upload_bytes,
            allowed_types=tuple(settings.allowed_upload_types))] if files else []
        report, proposal = compliance.record_monthly_report(
            session, actor, case_id, month=month, grant_id=int(grant_text) if grant_text.isdecimal() else None,
            evidence_document_ids=doc_ids, **counts)
    except DomainError as exc:
        session.rollback()
        ctx = _report_context(session, actor, case_id)
        ctx.update(errors={"_form": error_text(exc)}, values=dict(form))
        return render(request, "report.html", ctx, status_code=422)
    if proposal is not None:
        flash(request, "報告を登録しました。求職活動の回数が要件に届いていないため、市区町村の担当職員が"
              "確認します（自動で中止されることはありません）。", "warning")
    else:
        flash(request, f"{month[:4]}年{int(month[5:])}月の求職活動状況報告を登録しました。", "success")
    del report
    return redirect(request, f"/cases/{case_id}")


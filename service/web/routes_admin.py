"""Administrator screens: users and agencies (list and create; a new user's API token is shown once)
and the audit log of a case. Creation goes through ``service.workflows.admin``."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from service.db.models import Agency, AppUser, AuditEvent
from service.deps import SessionDep
from service.errors import DomainError
from service.security import password_problem
from service.web.core import PostedForm, WebActor, error_text, redirect, render, require
from service.web.session import flash
from service.workflows import admin
from service.workflows.common import audit

router = APIRouter(include_in_schema=False)

ADMIN_ERRORS = {
    "user_exists": "同じユーザー名がすでに登録されています。",
    "agency_exists": "同じ機関コードがすでに登録されています。",
}


def _admin_error(exc: DomainError) -> str:
    return ADMIN_ERRORS.get(exc.code) or error_text(exc)


def _agencies(session: SessionDep) -> list[Agency]:
    return list(session.scalars(select(Agency).order_by(Agency.id)))


def _users_page(request: Request, session: SessionDep, *, values: dict[str, Any] | None = None, error: str = "",
                created: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    users = list(session.scalars(select(AppUser).order_by(AppUser.id)))
    agencies = _agencies(session)
    return render(request, "admin_users.html", {
        "users": users, "agencies": {a.id: a.name for a in agencies}, "values": values or {}, "error": error,
        "created": created}, status_code=status_code)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, actor: WebActor) -> Response:
    require(actor, "admin")
    return _users_page(request, session)


@router.post("/admin/users", response_class=HTMLResponse)
def user_create(request: Request, session: SessionDep, actor: WebActor, form: PostedForm) -> Response:
    require(actor, "admin")
    values = {k: str(form.get(k) or "").strip() for k in ("username", "role", "agency_id")}
    password = str(form.get("password") or "")
    if not re.fullmatch(r"[A-Za-z0-9._@-]{3,100}", values["username"]):
        return _users_page(request, session, values=values, status_code=422,
                           error="ユーザー名は3〜100文字の英数字（. _ @ - を含む）で入力してください。")
    problem = password_problem(password, values["username"]) if password else None
    if problem is not None:
        return _users_page(request, session, values=values, status_code=422,
                           error=problem.split(" / ")[-1] + "（空欄ならAPIトークンのみで利用します）")
    agency_id = int(values["agency_id"]) if values["agency_id"].isdecimal() else None
    days = request.app.state.settings.api_token_days
    try:
        user, token = admin.create_user(session, values["username"], values["role"],
                                        agency_id=agency_id if values["role"] == "agency" else None,
                                        password=password or None,
                                        token_expires_at=actor.clock.now() + timedelta(days=days))
    except DomainError as exc:
        session.rollback()
        return _users_page(request, session, values=values, error=_admin_error(exc), status_code=422)
    audit(session, actor, "admin.user_create", target=f"user:{user.id}", detail={"role": user.role})
    return _users_page(request, session, created={"username": user.username, "token": token})


def _user_page(request: Request, session: SessionDep, actor: WebActor, user_id: int, *, error: str = "",
               issued: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    user = session.get(AppUser, user_id)
    if user is None:
        return render(request, "error.html", {"title": "ユーザーが見つかりません", "message": "対象が見つかりません。"},
                      status_code=404)
    now = actor.clock.now()
    tokens = [admin.token_dict(t, now) for t in admin.list_api_tokens(session, user)]
    return render(request, "admin_user.html", {"user": user, "tokens": tokens, "error": error, "issued": issued},
                  status_code=status_code)


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def user_page(request: Request, session: SessionDep, actor: WebActor, user_id: int) -> Response:
    """One user: password reset, API tokens (issue, list, revoke) and deactivation (issue 12)."""
    require(actor, "admin")
    return _user_page(request, session, actor, user_id)


@router.post("/admin/users/{user_id}/password", response_class=HTMLResponse)
def user_password(request: Request, session: SessionDep, actor: WebActor, form: PostedForm,
                  user_id: int) -> Response:
    require(actor, "admin")
    try:
        user = admin.reset_password(session, admin.load_user(session, user_id), str(form.get("password") or ""),
                                    now=actor.clock.now())
    except DomainError as exc:
        session.rollback()
        return _user_page(request, session, actor, user_id, status_code=422,
                          error=exc.message.split(" / ")[-1] if exc.code == "weak_password" else _admin_error(exc))
    audit(session, actor, "user.password_reset", target=f"user:{user.id}")
    flash(request, f"「{user.username}」のパスワードを再設定しました。ログイン中の画面はログアウトされました。", "success")
    return redirect(request, f"/admin/users/{user_id}")


@router.post("/admin/users/{user_id}/tokens", response_class=HTMLResponse)
def user_token(request: Request, session: SessionDep, actor: WebActor, form: PostedForm, user_id: int) -> Response:
    require(actor, "admin")
    days_text = str(form.get("days") or "").strip()
    if not days_text.isdecimal() or not 1 <= int(days_text) <= 730:
        return _user_page(request, session, actor, user_id, status_code=422,
                          error="有効日数は1〜730の数字で入力してください。")
    now = actor.clock.now()
    try:
        row, token = admin.issue_api_token(session, admin.load_user(session, user_id), now=now,
                                           days=int(days_text), label=str(form.get("label") or "").strip(),
                                           created_by=actor.user_id)
    except DomainError as exc:
        session.rollback()
        return _user_page(request, session, actor, user_id, status_code=422, error=_admin_error(exc))
    audit(session, actor, "token.issue", target=f"user:{user_id}", detail={"token_id": row.id, "days": int(days_text)})
    return _user_page(request, session, actor, user_id, issued={**admin.token_dict(row, now), "token": token})


@router.post("/admin/tokens/{token_id}/revoke", response_class=HTMLResponse)
def token_revoke(request: Request, session: SessionDep, actor: WebActor, form: PostedForm, token_id: int) -> Response:
    require(actor, "admin")
    try:
        row = admin.revoke_api_token(session, token_id, now=actor.clock.now())
    except DomainError as exc:
        return render(request, "error.html", {"title": "トークンが見つかりません", "message": _admin_error(exc)},
                      status_code=exc.status_code)
    audit(session, actor, "token.revoke", target=f"user:{row.user_id}", detail={"token_id": row.id})
    flash(request, f"APIトークン #{row.id} を失効させました。", "success")
    return redirect(request, f"/admin/users/{row.user_id}")


@router.post("/admin/users/{user_id}/deactivate", response_class=HTMLResponse)
def user_deactivate(request: Request, session: SessionDep, actor: WebActor, form: PostedForm,
                    user_id: int) -> Response:
    require(actor, "admin")
    if user_id == actor.user_id:
        return _user_page(request, session, actor, user_id, status_code=422,
                          error="自分自身の利用は停止できません。別の管理者が操作してください。")
    try:
        user = admin.deactivate_user(session, admin.load_user(session, user_id), now=actor.clock.now())
    except DomainError as exc:
        return render(request, "error.html", {"title": "ユーザーが見つかりません", "message": _admin_error(exc)},
                      status_code=exc.status_code)
    audit(session, actor, "user.deactivate", target=f"user:{user.id}")
    flash(request, f"「{user.username}」の利用を停止しました。ログイン中の画面とAPIトークンは無効になりました。", "success")
    return redirect(request, f"/admin/users/{user_id}")


@router.get("/admin/agencies", response_class=HTMLResponse)
def agencies_page(request: Request, session: SessionDep, actor: WebActor) -> Response:
    require(actor, "admin")
    return render(request, "admin_agencies.html", {"agencies": _agencies(session), "values": {}, "error": ""})


@router.post("/admin/agencies", response_class=HTMLResponse)
def agency_create(request: Request, session: SessionDep, actor: WebActor, form: PostedForm) -> Response:
    require(actor, "admin")
    code = str(form.get("code") or "").strip()
    name = str(form.get("name") or "").strip()
    error = ""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", code):
        error = "機関コードは32文字以内の英数字で入力してください。"
    elif not name or len(name) > 200:
        error = "機関の名称を入力してください（200文字以内）。"
    if not error:
        try:
            agency = admin.create_agency(session, code, name)
        except DomainError as exc:
            session.rollback()
            error = _admin_error(exc)
        else:
            audit(session, actor, "admin.agency_create", target=f"agency:{agency.id}")
            from service.web.session import flash

            flash(request, f"相談支援機関「{agency.name}」（{agency.code}）を登録しました。", "success")
            return render(request, "admin_agencies.html", {"agencies": _agencies(session), "values": {},
                                                           "error": ""})
    return render(request, "admin_agencies.html", {"agencies": _agencies(session),
                                                   "values": {"code": code, "name": name}, "error": error},
                  status_code=422)


AUDIT_PAGE = 200


def _audit_query(case_id: str, user: str, action: str, since: str, until: str) -> tuple[Any, dict[str, str]]:
    """The audit events matching the search (user, date range in JST office days, action, case)."""
    from datetime import date, datetime, time, timedelta

    from service.calendar import JST

    stmt = select(AuditEvent)
    chosen: dict[str, str] = {}
    if case_id.strip().isdecimal():
        stmt = stmt.where(AuditEvent.case_id == int(case_id))
        chosen["case_id"] = case_id.strip()
    if user.strip():
        stmt = stmt.where(AuditEvent.username == user.strip())
        chosen["user"] = user.strip()
    if action.strip():
        stmt = stmt.where(AuditEvent.action == action.strip())
        chosen["action"] = action.strip()
    for name, text, shift in (("since", since, 0), ("until", until, 1)):
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            continue
        moment = datetime.combine(day + timedelta(days=shift), time(0), tzinfo=JST)
        stmt = stmt.where(AuditEvent.at >= moment if name == "since" else AuditEvent.at < moment)
        chosen[name] = day.isoformat()
    return stmt, chosen


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_log(request: Request, session: SessionDep, actor: WebActor, case_id: str = "", user: str = "",
              action: str = "", since: str = "", until: str = "", format: str = "") -> Response:
    """The audit log searched by user, date range, action and case, newest first, or as CSV
    (``format=csv``, every match); the search itself is audited."""
    require(actor, "admin")
    stmt, chosen = _audit_query(case_id, user, action, since, until)
    from sqlalchemy import func

    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0) if chosen else 0
    events: list[AuditEvent] = []
    if chosen:
        limit = 100_000 if format == "csv" else AUDIT_PAGE
        events = list(session.scalars(stmt.order_by(AuditEvent.id.desc()).limit(limit)))
        audit(session, actor, "audit.read", case_id=None,
              target=f"case:{chosen['case_id']}" if "case_id" in chosen else None,
              detail={"search": chosen, "events": total, "format": format or "html"})
    if format == "csv" and chosen:
        return _audit_csv(events)
    users = list(session.scalars(select(AuditEvent.username).where(AuditEvent.username.is_not(None))
                                 .distinct().order_by(AuditEvent.username).limit(500)))
    from urllib.parse import urlencode

    return render(request, "admin_audit.html", {"events": events, "total": total, "chosen": chosen,
                                                "users": users, "case_id": chosen.get("case_id"),
                                                "csv_query": urlencode({**chosen, "format": "csv"})})


def _audit_csv(events: list[AuditEvent]) -> Response:
    """UTF-8 with BOM (Excel opens it as Japanese), Japanese headers and labels."""
    import csv
    import io

    from service.web.labels import AUDIT_ACTION, ROLE, datetime_ja

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["日時", "職員", "役割", "操作", "操作コード", "ケース番号", "対象", "接続元"])
    for e in events:
        writer.writerow([datetime_ja(e.at), e.username or "", ROLE.get(e.role or "", e.role or ""),
                         AUDIT_ACTION.get(e.action, e.action), e.action, e.case_id or "", e.target or "",
                         e.client_ip or ""])
    return Response(("\ufeff" + out.getvalue()).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=audit-log.csv",
                             "Cache-Control": "no-store"})

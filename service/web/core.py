"""Rendering, redirects, the signed-in actor and the CSRF check shared by every screen."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from service.deps import SessionDep
from service.errors import DomainError
from service.web import labels
from service.web.session import csrf_ok, current_actor, flash, load_session, pop_flashes, save_session
from service.workflows.common import Actor

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters.update(labels.FILTERS)
templates.env.globals.update(labels.TABLES)
templates.env.globals["field_label"] = labels.field_label
templates.env.globals["LETTER_TYPE"] = labels.LETTER_TYPE
templates.env.globals["LETTER_FAILURE"] = labels.LETTER_FAILURE
templates.env.globals["LETTER_FAILURE_OTHER"] = labels.LETTER_FAILURE_OTHER


class LoginRequired(Exception):
    """No (or an idle) session: go to the login page."""


class WebForbidden(Exception):
    def __init__(self, message: str = "この画面を利用する権限がありません。") -> None:
        super().__init__(message)
        self.message = message


class CsrfFailed(Exception):
    pass


class FormRefused(Exception):
    """A posted form the shared validator refuses (a 個人番号, a field too long, too many fields)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


#: The shared limits of every screen form (issue 12): the same as the API's schemas.
FORM_TEXT_LIMIT = 2000
FORM_MAX_FIELDS = 300
FORM_FIELD_LIMITS = {"name": 200, "payee_name": 200, "applicant_name": 200, "applicant_name_kana": 200,
                     "holder_kana": 200, "holder_name": 200, "username": 100, "code": 32, "kind": 50,
                     "applicant_address": 300, "applicant_phone": 30, "password": 200, "reason": 500}
FILENAME_LIMIT = 255


def check_form_fields(form: FormData) -> None:
    """The shared form validator: lengths, counts and the 個人番号 guard over every field, every field
    name and every uploaded file's name (multipart forms are not seen by the request middleware)."""
    from starlette.datastructures import UploadFile

    from service.middleware import GUARD_EXEMPT_FIELDS
    from service.security import contains_individual_number

    items = form.multi_items()
    if len(items) > FORM_MAX_FIELDS:
        raise FormRefused("", f"送信された項目が多すぎます（{FORM_MAX_FIELDS}項目まで）。")
    for name, value in items:
        if isinstance(value, UploadFile):
            text, limit = value.filename or "", FILENAME_LIMIT
        else:
            text, limit = str(value), FORM_FIELD_LIMITS.get(name, FORM_TEXT_LIMIT)
        if len(text) > limit:
            raise FormRefused(name, f"「{labels.field_label(name)}」は{limit}文字以内で入力してください。")
        if name in GUARD_EXEMPT_FIELDS:
            continue
        if contains_individual_number(name) or contains_individual_number(text):
            raise FormRefused(name, "個人番号（マイナンバー）と思われる12桁の番号が含まれています"
                                    f"（項目: {labels.field_label(name)}）。個人番号は入力しないでください。")


NAV: dict[str, list[tuple[str, str]]] = {
    "agency": [("/agency", "ホーム"), ("/applications/new", "新規申請"),
               ("/applications/new?benefit=moving", "転居費用補助の申請"), ("/cases", "ケース一覧")],
    "clerk": [("/queue", "作業一覧"), ("/cases", "ケース一覧"), ("/dashboard", "ダッシュボード")],
    "approver": [("/queue", "作業一覧"), ("/cases", "ケース一覧"), ("/dashboard", "ダッシュボード")],
    "finance": [("/finance", "支払"), ("/dashboard", "ダッシュボード")],
    "admin": [("/dashboard", "ダッシュボード"), ("/admin/users", "ユーザー"), ("/admin/agencies", "相談支援機関"),
              ("/admin/audit", "監査ログ")],
}

HOME = {"agency": "/agency", "clerk": "/queue", "approver": "/queue", "finance": "/finance",
        "admin": "/dashboard"}


def extra_nav(role: str) -> list[tuple[str, str]]:
    """Links to screens of modules that may not be installed yet (finance, letters)."""
    from service.web import integrations

    items = list(NAV.get(role, []))
    if role == "finance" and integrations.payments() is not None:
        items.insert(1, ("/finance/payees", "支払先"))
        items.insert(2, ("/finance/receivables", "債権管理"))
    return items


def current_nav(path: str, items: list[tuple[str, str]]) -> str | None:
    """The menu item the page belongs to: the longest link that is the path or a folder of it, so that
    /finance/receivables marks 債権管理 only, not 支払 (/finance) as well."""
    matching = [href for href, _ in items if path == href or (href != "/" and path.startswith(href + "/"))]
    return max(matching, key=len, default=None)


def web_actor(request: Request, session: SessionDep) -> Actor:
    actor = current_actor(session, request)
    if actor is None:
        raise LoginRequired()
    request.state.actor = actor
    return actor


WebActor = Annotated[Actor, Depends(web_actor)]


def require(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise WebForbidden()


async def checked_form(request: Request) -> FormData:
    """The posted form, after the CSRF check (field ``csrf_token``)."""
    form = await request.form()
    token = form.get("csrf_token")
    if not csrf_ok(request, token if isinstance(token, str) else None):
        raise CsrfFailed()
    check_form_fields(form)
    return form


PostedForm = Annotated[FormData, Depends(checked_form)]


def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200) -> HTMLResponse:
    actor: Actor | None = getattr(request.state, "actor", None)
    ctx: dict[str, Any] = {
        "request": request,
        "actor": actor,
        "csrf_token": load_session(request).csrf,
        "flashes": pop_flashes(request),
        "nav": extra_nav(actor.role) if actor else [],
        "path": request.url.path,
    }
    ctx["nav_current"] = current_nav(request.url.path, ctx["nav"])
    ctx.update(context or {})
    ctx.setdefault("case_names", case_names(request, actor, context or {}))
    response = templates.TemplateResponse(request, template, ctx, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    save_session(request, response)
    return response


def _case_ids(value: Any, found: set[int], depth: int = 0) -> None:
    """Every ``case_id`` (and a case view's ``id``) in a screen's context, a few levels deep."""
    if depth > 4:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "case_id" and isinstance(item, int):
                found.add(item)
            else:
                _case_ids(item, found, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value[:1000]:
            _case_ids(item, found, depth + 1)


def case_names(request: Request, actor: Actor | None, context: dict[str, Any]) -> dict[int, str]:
    """The applicants' names of the cases a screen mentions, so every list names people (issue 14);
    an agency gets the names of its own cases only."""
    if actor is None or actor.role not in ("agency", "clerk", "approver", "finance"):
        return {}
    ids: set[int] = set()
    _case_ids(context, ids)
    for key in ("case_id",):
        if isinstance(context.get(key), int):
            ids.add(context[key])
    if not ids:
        return {}
    from sqlalchemy import select

    from service.db.models import BenefitCase

    stmt = select(BenefitCase.id, BenefitCase.applicant_name).where(BenefitCase.id.in_(sorted(ids)),
                                                                     BenefitCase.applicant_name.is_not(None))
    if actor.role == "agency":
        stmt = stmt.where(BenefitCase.agency_id == actor.agency_id)
    with request.app.state.session_factory() as session:
        return {int(i): str(n) for i, n in session.execute(stmt).all()}


@pass_context
def case_ref(ctx: Any, case_id: int | None) -> Markup:
    """「山田 太郎（ケース #8）」, or 「ケース #8」 when the name is not known."""
    if case_id is None:
        return Markup("—")
    name = (ctx.get("case_names") or {}).get(case_id)
    number = Markup('<span class="case-no">ケース #{}</span>').format(case_id)
    if name:
        return Markup('<span class="case-name">{}</span>（{}）').format(name, number)
    return number


templates.env.globals["case_ref"] = case_ref


def reasons_ja(reasons: Any) -> list[tuple[str, str]]:
    """Unmet requirements as (Japanese reason, 法・規則 article) through the letters' own wording; the
    rule numbers stay in the data (PD32)."""
    items = list(reasons or [])
    if not items:
        return []
    try:
        from letters.breakdown import reasons_table

        return [(labels.public_text(row[1]), labels.public_text(row[2]))
                for row in reasons_table(items, {}, heading="").rows]
    except Exception:  # noqa: BLE001 - a reason the letters cannot word still shows, without its number
        return [("支給要件を満たしていません。", "") for _item in items]


templates.env.filters["reasons_ja"] = reasons_ja


def redirect(request: Request, url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    save_session(request, response)
    return response


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    if request.method != "GET" or target in ("/", "/logout"):
        return redirect(request, "/login")
    return redirect(request, "/login?next=" + quote(target, safe=""))


def error_text(exc: DomainError) -> str:
    """The workflow's refusal in Japanese from the error catalogue, with the field's Japanese name; the
    English ``message`` (for developers and logs) never reaches a screen."""
    from service.error_catalogue import is_japanese, message_ja

    text = message_ja(exc.code)
    if exc.field:
        label = labels.field_label(exc.field)
        if label and is_japanese(label):
            text += f"（項目：{label}）"
    return text


def parse_month(text: str | None) -> str | None:
    """A YYYY-MM from a query or form (ASCII digits, month 1–12, within the rate tables' months), else None."""
    value = (text or "").strip()
    if len(value) != 7 or value[4] != "-" or not (value[:4] + value[5:]).isascii():
        return None
    if not (value[:4].isdecimal() and value[5:].isdecimal()):
        return None
    if not 1 <= int(value[5:]) <= 12:
        return None
    from service.rules import month_in_rate_tables

    return value if month_in_rate_tables(value) else None


def refuse(request: Request, session: Session, exc: DomainError, url: str) -> RedirectResponse:
    """A form the workflow refused: undo the request's changes, say why in Japanese, go back to ``url``."""
    session.rollback()
    flash(request, error_text(exc), "error")
    return redirect(request, url)

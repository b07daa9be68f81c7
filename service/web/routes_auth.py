"""Login, logout, the home redirect, static files and the Japanese web font."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from service.deps import SessionDep
from service.web.core import HOME, PostedForm, WebActor, redirect, render
from service.web.session import LoginRefused, current_actor, flash, login, logout

router = APIRouter(include_in_schema=False)


def _safe_next(value: str | None) -> str | None:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> Response:
    actor = current_actor(session, request)
    if actor is None:
        return redirect(request, "/login")
    return redirect(request, HOME.get(actor.role, "/dashboard"))


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, session: SessionDep, next: str | None = None) -> Response:
    actor = current_actor(session, request)
    if actor is not None:
        return redirect(request, _safe_next(next) or HOME.get(actor.role, "/"))
    return render(request, "login.html", {"next": _safe_next(next) or "", "username": ""})


@router.post("/login", response_class=HTMLResponse)
def login_submit(request: Request, session: SessionDep, form: PostedForm) -> Response:
    username = str(form.get("username") or "")
    password = str(form.get("password") or "")
    target = _safe_next(str(form.get("next") or ""))
    try:
        user = login(session, request, username, password)
    except LoginRefused as refused:
        return render(request, "login.html", {"error": refused.message, "username": username,
                                              "next": target or ""}, status_code=401)
    flash(request, f"{user.username} さん、ようこそ。")
    return redirect(request, target or HOME.get(user.role, "/"))


@router.post("/logout")
def logout_submit(request: Request, session: SessionDep, actor: WebActor, form: PostedForm) -> RedirectResponse:
    logout(session, request, actor)
    return redirect(request, "/login")


@router.get("/fonts/NotoSansJP-Regular.otf")
def web_font() -> FileResponse:
    """Noto Sans JP (OFL) from the installed ``pylopdf_fonts_jp`` package: served locally, never fetched."""
    from pathlib import Path

    import pylopdf_fonts_jp

    path = Path(pylopdf_fonts_jp.__file__).parent / "NotoSansJP-Regular.otf"
    return FileResponse(path, media_type="font/otf", headers={"Cache-Control": "public, max-age=604800"})

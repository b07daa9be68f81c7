"""The screens (server-rendered Japanese pages) for agencies, clerks, approvers and finance staff.

``install_web(app)`` mounts them on the FastAPI app: pages at ``/``, static files at ``/static``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from service.web.core import HERE, CsrfFailed, FormRefused, LoginRequired, WebForbidden, login_redirect, render


def install_web(app: FastAPI) -> None:
    from service.web import integrations, routes_admin, routes_agency, routes_auth, routes_cases

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (routes_auth, routes_agency, routes_cases, routes_admin):
        app.include_router(module.router)
    if integrations.payments() is not None:
        from service.web import routes_finance

        app.include_router(routes_finance.router)
    if integrations.letters() is not None:
        from service.web import routes_letters

        app.include_router(routes_letters.router)

    @app.exception_handler(LoginRequired)
    def _login(request: Request, _exc: LoginRequired) -> Response:
        return login_redirect(request)

    @app.exception_handler(WebForbidden)
    def _forbidden(request: Request, exc: WebForbidden) -> Response:
        return render(request, "error.html", {"title": "権限がありません", "message": exc.message},
                      status_code=403)

    @app.exception_handler(FormRefused)
    def _refused(request: Request, exc: FormRefused) -> Response:
        return render(request, "error.html", {"title": "入力内容を受け付けられませんでした", "message": exc.message},
                      status_code=422)

    @app.exception_handler(CsrfFailed)
    def _csrf(request: Request, _exc: CsrfFailed) -> Response:
        return render(request, "error.html", {
            "title": "フォームを受け付けられませんでした",
            "message": "画面の有効期限が切れたか、不正な送信です（CSRF）。画面を開き直してから、もう一度操作してください。"},
            status_code=403)

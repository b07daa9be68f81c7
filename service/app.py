"""The FastAPI application: routers under /api/v1, one JSON error shape, schema upgraded on start."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.api.uploads import RefusedUpload
from service.config import Settings, get_settings
from service.db.migrate import upgrade
from service.db.session import make_engine, make_session_factory
from service.error_catalogue import message_ja
from service.errors import DomainError

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


def _error(status: int, code: str, message: str, field: str | None = None,
           details: list[dict[str, Any]] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message, "field": field, "message_ja": message_ja(code)}
    if details is not None:
        body["details"] = details
    return JSONResponse(status_code=status, content={"error": body})


def _field_path(loc: tuple[Any, ...] | list[Any], tag: str | None = None) -> str | None:
    """The offending field by its name in the request (``note``, ``household.0.birth_date``). A
    discriminated union (the decision commands, keyed by ``kind``) puts the member's tag first in the
    location; it is not a field, so it is dropped."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        parts = parts[1:]
    if tag is not None and len(parts) > 1 and parts[0] == tag:
        parts = parts[1:]
    return ".".join(parts) or None


def _union_tag(body: Any) -> str | None:
    kind = body.get("kind") if isinstance(body, dict) else None
    return kind if isinstance(kind, str) else None


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    def _domain(_request: Request, exc: DomainError) -> JSONResponse:
        return _error(exc.status_code, exc.code, exc.message, exc.field, exc.details)

    @app.exception_handler(RequestValidationError)
    def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        tag = _union_tag(getattr(exc, "body", None))
        details = []
        for err in errors:
            details.append({"field": _field_path(err.get("loc", ()), tag), "message": str(err.get("msg", ""))})
        first = errors[0] if errors else {}
        if first.get("type") == "json_invalid":
            return _error(400, "malformed_json", "the body is not valid JSON", None)
        field = _field_path(first.get("loc", ()), tag)
        message = f"{field}: {first.get('msg')}" if field else str(first.get("msg", "invalid request"))
        return _error(422, "validation_error", message, field, details)

    @app.exception_handler(StarletteHTTPException)
    def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc, RefusedUpload):  # raised while an upload form streams in (service.api.uploads)
            return _domain(_request, exc.error)
        codes = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 422: "invalid"}
        return _error(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))

    @app.exception_handler(IntegrityError)
    def _integrity(_request: Request, exc: IntegrityError) -> JSONResponse:
        log.info("integrity error: %s", exc.orig)
        return _error(409, "conflict", "the change conflicts with the stored data (someone else may have "
                      "acted on the same record); reload and try again")

    @app.exception_handler(OperationalError)
    def _operational(_request: Request, exc: OperationalError) -> JSONResponse:
        text = str(exc.orig).lower()
        if any(s in text for s in ("locked", "deadlock", "could not serialize", "busy")):
            return _error(409, "concurrent_modification",
                          "someone else is changing the same case right now; reload and try again")
        log.error("database unavailable: %s", exc.orig)
        return _error(503, "database_unavailable", "the database cannot be reached right now; nothing was "
                      "changed, try again in a moment")

    @app.exception_handler(DataError)
    def _data(_request: Request, exc: DataError) -> JSONResponse:
        log.info("value refused by the database: %s", exc.orig)
        return _error(422, "out_of_range", "a value is out of the range the system stores (a number too "
                      "large, or a text too long)")

    @app.exception_handler(OverflowError)
    def _overflow(_request: Request, _exc: OverflowError) -> JSONResponse:  # SQLite: an int beyond 64 bits
        return _error(422, "out_of_range", "a number is too large")

    @app.exception_handler(json.JSONDecodeError)
    def _json(_request: Request, _exc: json.JSONDecodeError) -> JSONResponse:
        return _error(400, "malformed_json", "the body is not valid JSON")


def create_app(database_url: str | None = None, *, settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    url = database_url or settings.database_url
    if settings.migrate_on_start:
        upgrade(url)
    engine = make_engine(url)
    production = settings.environment == "production"
    app = FastAPI(
        title="Housing Security Benefit (住居確保給付金)",
        version="0.1.0",
        openapi_url="/openapi.json",
        # Swagger UI and ReDoc load their JavaScript from a CDN: never in production (issue 12); the
        # OpenAPI document itself stays at /openapi.json for integrators.
        docs_url=None if production else "/docs",
        redoc_url=None if production else "/redoc",
    )
    app.state.settings = settings
    app.state.database_url = url
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    install_error_handlers(app)
    from service.middleware import RequestGuard, SecurityHeaders

    app.add_middleware(RequestGuard, max_upload_bytes=settings.max_upload_bytes)
    app.add_middleware(SecurityHeaders)  # outermost: refusals carry the headers too

    from service.api import admin, applications, assessments, banks, cases
    from service.api.responses import ERRORS

    for module in (admin, applications, banks, cases):
        app.include_router(module.router, prefix=API_PREFIX, responses=ERRORS)
    # The lead's assessments router carries its own /api/v1 prefix.
    app.include_router(assessments.router)
    from service.api import payments as payments_api

    app.include_router(payments_api.router, prefix=API_PREFIX, responses=ERRORS)
    from service.api import letters as letters_api

    app.include_router(letters_api.router, prefix=API_PREFIX, responses=ERRORS)
    from service.web import install_web  # the screens (issue 6)

    install_web(app)
    return app

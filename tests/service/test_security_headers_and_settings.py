"""Issue 12: security headers, no-store on the API, docs off in production, strict environments,
secrets never echoed, Secure cookies in production, the demo refusing production and foreign data,
404s that reveal nothing about other agencies' cases, payee reads audited, OpenAPI bearer auth."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from service_world import World

from service.app import create_app
from service.config import Settings, SettingsRefused

SECRET = "s3cret-value-that-must-never-be-logged-xyz"


def test_every_screen_and_api_response_carries_the_security_headers(world: World) -> None:
    for url, headers in (("/login", {}), ("/static/app.css", {}), ("/api/v1/me", world.h("clerk")),
                         ("/api/v1/cases", {}), ("/no-such-page", {})):
        r = world.client.get(url, headers=headers, follow_redirects=False)
        csp = r.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, (url, csp)
        assert "unsafe-inline" not in csp
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"


def test_every_api_response_is_no_store(world: World) -> None:
    case_id, grant_id = world.granted_case()
    for who, url in (("clerk", f"/api/v1/cases/{case_id}"), ("clerk", "/api/v1/cases"),
                     ("agency", f"/api/v1/grants/{grant_id}"), ("finance", "/api/v1/payees"),
                     ("clerk", "/api/v1/cases/99999")):
        r = world.client.get(url, headers=world.h(who))
        assert r.headers["cache-control"] == "no-store", url
    r = world.client.post("/api/v1/assessments", json={})
    assert r.headers["cache-control"] == "no-store"


def test_templates_hold_no_inline_script_or_event_handler() -> None:
    """The CSP allows scripts from the app's own files only: an inline one would silently stop working."""
    templates = Path(__file__).resolve().parents[2] / "service" / "web" / "templates"
    for template in templates.glob("*.html"):
        html = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, (template.name, tag)
        assert not re.search(r"\son[a-z]+\s*=", html), template.name
        assert "javascript:" not in html, template.name


def _production(**extra: Any) -> Settings:
    return Settings(environment="production", web_secret=SECRET, issue_letters_on_approval=False, **extra)


def test_production_has_no_docs_and_secure_cookies(database_url: str) -> None:
    app = create_app(database_url, settings=_production())
    try:
        with TestClient(app) as client:
            assert client.get("/docs").status_code == 404
            assert client.get("/redoc").status_code == 404
            assert client.get("/openapi.json").status_code == 200
            cookie = client.get("/login").headers["set-cookie"]
            assert "secure" in cookie.lower() and "httponly" in cookie.lower()
    finally:
        app.state.engine.dispose()


def test_development_cookies_are_not_forced_secure(world: World) -> None:
    assert "secure" not in world.client.get("/login").headers["set-cookie"].lower()


@pytest.mark.parametrize("name", ["Production", "PRODUCTION", "prod", "production ", "staging", ""])
def test_environment_names_are_checked_strictly(name: str) -> None:
    with pytest.raises(ValidationError):
        Settings(environment=name)


def test_production_without_a_secret_refuses_to_start_and_never_echoes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for env, secret in (("production", None), ("production", "short-" + SECRET[:10]), ("Production", SECRET)):
        monkeypatch.setenv("HB_ENVIRONMENT", env)
        if secret is None:
            monkeypatch.delenv("HB_WEB_SECRET", raising=False)
        else:
            monkeypatch.setenv("HB_WEB_SECRET", secret)
        with pytest.raises((ValidationError, SettingsRefused)) as refused:
            Settings()
        errors = refused.value.errors() if isinstance(refused.value, ValidationError) else []
        text = str(refused.value) + repr(refused.value.args) + repr(errors)
        assert secret is None or secret not in text, text
    monkeypatch.setenv("HB_ENVIRONMENT", "production")
    monkeypatch.setenv("HB_WEB_SECRET", SECRET)
    settings = Settings()
    assert SECRET not in repr(settings) and SECRET not in str(settings.model_dump())


def test_the_demo_refuses_production_mode(tmp_path: Path, database_url: str) -> None:
    from service.demo import DemoRefused, run_demo

    with pytest.raises(DemoRefused, match="production"):
        run_demo(tmp_path / "out", database_url, settings=_production())


def test_the_demo_refuses_a_database_with_other_data(world: World, tmp_path: Path, database_url: str) -> None:
    from service.demo import DemoRefused, run_demo

    with pytest.raises(DemoRefused, match="agency A001"):
        run_demo(tmp_path / "out", database_url, settings=Settings(issue_letters_on_approval=False))


def test_the_demo_command_exits_2_in_production(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    monkeypatch.setenv("HB_ENVIRONMENT", "production")
    monkeypatch.setenv("HB_WEB_SECRET", SECRET)
    from service.config import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "o"), "--db",
                                          f"sqlite:///{tmp_path / 'x.db'}"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "x.db").exists()


def test_another_agencys_grant_answers_exactly_like_a_missing_one(world: World) -> None:
    case_id, grant_id = world.granted_case()
    foreign = world.get("agency_b", f"/api/v1/grants/{grant_id}", 404).json()
    missing = world.get("agency_b", f"/api/v1/grants/{grant_id + 1000}", 404).json()
    assert foreign["error"]["message"].replace(str(grant_id), "N") == \
        missing["error"]["message"].replace(str(grant_id + 1000), "N")
    assert foreign["error"]["field"] == missing["error"]["field"] == "grant_id"
    assert f"case {case_id}" not in str(foreign)


def test_payee_reads_are_audited(world: World) -> None:
    payee = {"kind": "agent", "name": "株式会社テスト", "holder_name": "ｶ)ﾃｽﾄ", "bank_code": "0001",
             "branch_code": "001", "account_type": "ordinary", "account_number": "1234567"}
    payee_id = world.post("finance", "/api/v1/payees", 201, json=payee).json()["id"]
    world.get("finance", f"/api/v1/payees/{payee_id}", 200)
    world.get("finance", "/api/v1/payees", 200)
    events = world.get("admin", "/api/v1/audit?limit=20", 200).json()
    actions = [(e["action"], e["target"], e["username"]) for e in events]
    assert ("payee.read", f"payee:{payee_id}", "finance") in actions
    assert any(a == "payee.list" and u == "finance" for a, _, u in actions)


def test_openapi_declares_bearer_auth_and_response_models(world: World) -> None:
    spec = world.client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert {"bearerAuth": []} in spec["paths"]["/api/v1/cases"]["get"]["security"]
    for url, method in (("/api/v1/users", "post"), ("/api/v1/users/{user_id}/tokens", "post"),
                        ("/api/v1/tokens/{token_id}/revoke", "post"), ("/api/v1/me", "get"),
                        ("/api/v1/audit", "get"), ("/api/v1/users/{user_id}/deactivate", "post")):
        schema = spec["paths"][url][method]["responses"][next(iter(spec["paths"][url][method]["responses"]))]
        assert "$ref" in str(schema), (url, schema)

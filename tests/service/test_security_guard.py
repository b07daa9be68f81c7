"""Issue 12, the 個人番号 nowhere: one guard over every request body (JSON strings and keys, forms,
upload names and kinds), for the API and the screens; a test walks every schema and form field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from service_world import PDF, World

from service.middleware import GUARD_EXEMPT_FIELDS
from service.security import contains_individual_number, find_individual_number

#: 123456789018 is a valid 個人番号 (check digit 8); the same digits ending in 2 are not.
VALID = "123456789018"
#: The separators of the issue and the other splits people type.
VARIANTS = (
    "123456789018", "1234-5678-9018", "1234－5678－9018", "1234ー5678ー9018", "1234–5678–9018",
    "1234—5678—9018", "1234‐5678‐9018", "1234−5678−9018", "1234.5678.9018", "1234・5678・9018",
    "1234 5678 9018", "1234　5678　9018", "1234  5678  9018", "1234 - 5678 - 9018", "123456-789018",
    "123456 789018", "１２３４５６７８９０１８", "１２３４－５６７８－９０１８", "12-3456-7890-18",
    "1 2 3 4 5 6 7 8 9 0 1 8", "個人番号:1234/5678/9018です", "番号 1234_5678_9018",
)
NOT_A_NUMBER = (
    "123456789012",                      # wrong check digit
    "5835678256246",                     # a 13-digit 法人番号
    "2025-05-12 から 2025-06-30 まで",   # two dates in a note
    "03-1234-5678",                      # a phone number
    "0001-001-1234567",                  # bank, branch, account
    "1234-5678-90180",                   # 13 digits
)


@pytest.mark.parametrize("text", VARIANTS)
def test_every_separator_variant_is_found(text: str) -> None:
    assert contains_individual_number(text), text


@pytest.mark.parametrize("text", NOT_A_NUMBER)
def test_other_numbers_are_not_refused(text: str) -> None:
    assert not contains_individual_number(text), text


def test_keys_are_searched_and_the_path_is_named() -> None:
    assert find_individual_number({"intake": {"consents": {f"x{VALID}": True}}}) == f"intake.consents.x{VALID}"
    assert find_individual_number({"a": [{"b": "ok"}, {"c": "1234ー5678ー9018"}]}) == "a.1.c"
    assert find_individual_number({"a": "1234-5678-9012"}) is None


# --- every JSON field of every operation (OpenAPI) -------------------------------------------------


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _leaves(schema: dict[str, Any], spec: dict[str, Any], path: tuple[Any, ...], depth: int = 0
            ) -> list[tuple[tuple[Any, ...], str]]:
    """Every place a string can stand in a body of ``schema``: (path, "value" | "key")."""
    schema = _resolve(schema, spec)
    if depth > 8:
        return []
    out: list[tuple[tuple[Any, ...], str]] = []
    for alternative in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        out.extend(_leaves(alternative, spec, path, depth + 1))
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        for name, sub in schema.get("properties", {}).items():
            out.extend(_leaves(sub, spec, (*path, name), depth + 1))
        if isinstance(schema.get("additionalProperties"), dict):
            out.append(((*path, "k"), "key"))
            out.extend(_leaves(schema["additionalProperties"], spec, (*path, "k"), depth + 1))
    elif kind == "array":
        out.extend(_leaves(schema.get("items", {}), spec, (*path, 0), depth + 1))
    elif path:
        out.append((path, "value"))
    return list(dict.fromkeys(out))


def _body(path: tuple[Any, ...], where: str, text: str) -> tuple[Any, str]:
    """A JSON body with ``text`` at ``path`` (as the value, or as the last key); and the expected field."""
    if where == "key":
        path = (*path[:-1], text)
    value: Any = text if where == "value" else True
    for step in reversed(path):
        value = [value] if isinstance(step, int) else {step: value}
    return value, ".".join(str(p) for p in path)


def _json_operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    ops = []
    for url, item in spec["paths"].items():
        for method, op in item.items():
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                ops.append((method.upper(), re.sub(r"\{[^}]+\}", "1", url), content["application/json"]["schema"]))
    return ops


def test_every_schema_field_refuses_a_personal_number(world: World) -> None:
    spec = world.client.get("/openapi.json").json()
    operations = _json_operations(spec)
    assert len(operations) >= 15, [op[:2] for op in operations]
    tried, failures = 0, []
    for method, url, schema in operations:
        leaves = _leaves(schema, spec, ())
        if url == "/api/v1/assessments":  # contracts.md §1 input (its schema is the contract's, not pydantic's)
            leaves = [(("applicant", "name"), "value"), (("household", 0, "relationship"), "value"),
                      (("notes",), "value"), (("k",), "key")]
        for leaf, where in leaves:
            if leaf[-1] in GUARD_EXEMPT_FIELDS:  # a password is hashed, never stored as text
                continue
            text = VARIANTS[tried % len(VARIANTS)]
            body, field = _body(leaf, where, text)
            r = world.client.request(method, url, json=body, headers=world.h("admin"))
            tried += 1
            error = r.json().get("error", {}) if r.headers.get("content-type", "").startswith("application/json") \
                else {}
            if r.status_code != 422 or error.get("code") != "individual_number" or error.get("field") != field:
                failures.append(f"{method} {url} {field} ({text!r}): {r.status_code} {r.text[:150]}")
    assert tried >= 100, tried
    assert not failures, "\n".join(failures)


def test_every_variant_is_refused_by_the_api(world: World) -> None:
    for text in VARIANTS:
        r = world.post("agency", "/api/v1/applications", 422,
                       json={"facts": {"benefit": "rent"}, "intake": {"applicant": {"address": f"東京都 {text}"}}})
        assert r.json()["error"] == {**r.json()["error"], "code": "individual_number",
                                     "field": "intake.applicant.address"}
        assert "個人番号" in r.json()["error"]["message_ja"]


def test_upload_names_and_kinds_are_guarded(world: World) -> None:
    case_id, _ = world.granted_case()
    for data, name, field in (({"kind": f"other {VARIANTS[3]}"}, "a.pdf", "kind"),
                              ({"kind": "other"}, f"{VARIANTS[11]}.pdf", "filename")):
        r = world.post("agency", f"/api/v1/cases/{case_id}/documents", 422, data=data,
                       files={"file": (name, PDF, "application/pdf")})
        assert r.json()["error"]["code"] == "individual_number" and r.json()["error"]["field"] == field, r.text


def test_the_database_holds_no_personal_number_after_the_attempts(world: World, database_url: str) -> None:
    """Belt and braces: after every refused request nothing with the digits reached any table."""
    test_every_variant_is_refused_by_the_api(world)
    from sqlalchemy import inspect, text

    from service.db.session import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            for table in inspect(conn).get_table_names():
                # Digests the system computes (token and password hashes, SHA-256 of files) are no text a
                # person typed: a hex digest holds 12 digits with a valid check digit about once in 50.
                columns = [c["name"] for c in inspect(conn).get_columns(table)
                           if not any(part in c["name"] for part in ("hash", "sha256", "digest"))]
                if not columns:
                    continue
                listed = ", ".join(f'"{name}"' for name in columns)
                for row in conn.execute(text(f'SELECT {listed} FROM "{table}"')):
                    assert not any(isinstance(v, str) and contains_individual_number(v) for v in row), table
    finally:
        engine.dispose()


# --- every field of every screen form (templates) --------------------------------------------------

TEMPLATES = Path(__file__).resolve().parents[2] / "service" / "web" / "templates"
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
_FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"[^>]*>", re.S)


def _screen_forms() -> list[tuple[str, str, bool, list[str]]]:
    """(template, action, multipart?, field names) of every POST form; Jinja in names and URLs → 1/0."""
    forms = []
    for template in sorted(TEMPLATES.glob("*.html")):
        for attrs, inner in _FORM.findall(template.read_text(encoding="utf-8")):
            if 'method="post"' not in attrs or "{%" in attrs:  # the wizard's: walked rendered, below
                continue
            action = re.search(r'action="([^"]*)"', attrs)
            url = re.sub(r"\{\{[^}]*\}\}", "1", action.group(1) if action else "/")
            names = [re.sub(r"\{\{[^}]*\}\}", "0", name) for name in _FIELD.findall(inner)]
            names = [n for n in names if "{%" not in n and n not in GUARD_EXEMPT_FIELDS]
            forms.append((template.name, url.split("?")[0], "multipart" in attrs, sorted(set(names))))
    return forms


def test_the_template_walk_finds_the_forms() -> None:
    forms = _screen_forms()
    names = {name for _, _, _, fields in forms for name in fields}
    assert len(forms) >= 15 and {"username", "note", "name", "code"} <= names, forms


def test_every_screen_form_field_refuses_a_personal_number(world: World) -> None:
    """urlencoded forms: the middleware, before the CSRF check; multipart forms: the shared form
    validator after it (a logged-in browser). Both answer a Japanese page naming the field."""
    from fastapi.testclient import TestClient

    failures, tried = [], 0
    with TestClient(world.client.app) as browser:
        _login(world, browser)
        for template, url, multipart, fields in _screen_forms():
            for name in fields:
                text = VARIANTS[tried % len(VARIANTS)]
                tried += 1
                csrf = _csrf(browser)
                if multipart:
                    r = browser.post(url, data={name: text, "csrf_token": csrf},
                                     files={"_probe": ("x.pdf", PDF, "application/pdf")}, follow_redirects=False)
                else:
                    r = browser.post(url, data={name: text}, follow_redirects=False)
                if r.status_code != 422 or "個人番号" not in r.text:
                    failures.append(f"{template} {url} {name}: {r.status_code} {r.text[:120]}")
    assert tried >= 40, tried
    assert not failures, "\n".join(failures)


def _login(world: World, browser: Any) -> None:
    from service.db.models import AppUser
    from service.db.session import unit_of_work
    from service.security import hash_password

    with unit_of_work(world.client.app.state.session_factory) as session:
        user = session.get(AppUser, world.users["agency"])
        assert user is not None
        user.password_hash = hash_password("a-long-password-for-tests")
    page = browser.get("/login")
    r = browser.post("/login", data={"username": "agency", "password": "a-long-password-for-tests",
                                     "csrf_token": _csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]


def _csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:300]
    return match.group(1)


def _csrf(browser: Any) -> str:
    return _csrf_of(browser.get("/agency").text)


def _forms_of(html: str, page: str) -> list[tuple[str, str, bool, list[str]]]:
    forms = []
    for attrs, inner in _FORM.findall(html):
        if 'method="post"' not in attrs:
            continue
        action = re.search(r'action="([^"]*)"', attrs)
        names = sorted({n for n in _FIELD.findall(inner) if n not in GUARD_EXEMPT_FIELDS})
        forms.append((page, (action.group(1) if action else page).split("?")[0], "multipart" in attrs, names))
    return forms


def test_every_field_of_the_rendered_wizard_refuses_a_personal_number(world: World) -> None:
    """The wizard's fields come from macros: walk the rendered steps of a rent and a moving draft."""
    from fastapi.testclient import TestClient
    from service_world import MOVING_FACTS, RENT_FACTS

    rent = world.post("agency", "/api/v1/applications", 201, json={"facts": RENT_FACTS}).json()["id"]
    moving = world.post("agency", "/api/v1/applications", 201, json={"facts": MOVING_FACTS}).json()["id"]
    failures, seen = [], set()
    with TestClient(world.client.app) as browser:
        _login(world, browser)
        pages = ["/applications/new", "/applications/new?benefit=moving"] + [
            f"/applications/{app}/step/{step}" for app in (rent, moving) for step in (1, 2, 3, 4)]
        for page in pages:
            for _, url, multipart, fields in _forms_of(browser.get(page).text, page):
                for index, name in enumerate(fields):
                    seen.add(name)
                    text = VARIANTS[index % len(VARIANTS)]
                    if multipart:
                        r = browser.post(url, data={name: text, "csrf_token": _csrf(browser)},
                                         files={"_probe": ("x.pdf", PDF, "application/pdf")}, follow_redirects=False)
                    else:
                        r = browser.post(url, data={name: text}, follow_redirects=False)
                    if r.status_code != 422 or "個人番号" not in r.text:
                        failures.append(f"{page} {url} {name}: {r.status_code} {r.text[:120]}")
    assert {"applicant_name", "applicant_address", "payee_name", "holder_kana", "m0_birth_date"} <= seen, seen
    assert not failures, "\n".join(failures)

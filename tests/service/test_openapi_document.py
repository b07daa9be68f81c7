"""Issue 12: the OpenAPI document an integrator builds on.

Walks ``app.openapi()``: every operation's 2xx answer has a schema (a named model for JSON, a declared
media type for a file), bearer authentication is declared exactly on the operations that need an actor,
and every string, list and mapping a request may carry has a limit. A journey then checks that every key
the JSON answers hold is named by their schema (the response models pass unknown keys through rather
than dropping them, so this is where an undocumented key is caught).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from service_world import INTAKE, PDF, RENT_CONSENTS, RENT_FACTS, World

from service.app import create_app
from service.config import Settings
from service.deps import get_actor

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def app_and_spec(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, Any]]]:
    path = tmp_path_factory.mktemp("openapi") / "openapi.db"
    app = create_app(f"sqlite:///{path}", settings=Settings())
    yield app, app.openapi()
    app.state.engine.dispose()


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for url, item in spec["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield method.upper(), url, op


def _named_model(schema: dict[str, Any], spec: dict[str, Any]) -> bool:
    """A ``$ref`` to a component that declares its properties (or an array of such): not a bare
    ``object`` that would document nothing; a choice (``anyOf``/``oneOf``) of such models too."""
    alternatives = schema.get("anyOf", []) + schema.get("oneOf", [])
    if alternatives:
        return all(_named_model(alternative, spec) for alternative in alternatives)
    if schema.get("type") == "array":
        return _named_model(schema.get("items", {}), spec)
    return "$ref" in schema and bool(_resolve(schema, spec).get("properties"))


def _response_problems(op: dict[str, Any], spec: dict[str, Any]) -> list[str]:
    problems = []
    answers = {status: r for status, r in op["responses"].items() if status.startswith("2")}
    if not answers:
        return ["no 2xx answer"]
    for status, answer in answers.items():
        content = answer.get("content") or {}
        if not content:
            problems.append(f"{status}: no media type")
        for media_type, body in content.items():
            schema = body.get("schema") or {}
            if media_type == "application/json":
                if not _named_model(schema, spec):
                    problems.append(f"{status} JSON without a response model: {schema}")
            elif schema.get("type") != "string":
                problems.append(f"{status} {media_type}: no schema (declare type string, format binary)")
    return problems


def _all_response_problems(spec: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(problems of the payment operations, problems of all others)."""
    payments, others = [], []
    for method, url, op in _operations(spec):
        for problem in _response_problems(op, spec):
            (payments if "payments" in op.get("tags", []) else others).append(f"{method} {url}: {problem}")
    return payments, others


def test_every_operation_answers_with_a_declared_schema(app_and_spec: tuple[Any, dict[str, Any]]) -> None:
    _, spec = app_and_spec
    operations = list(_operations(spec))
    assert len(operations) >= 50, len(operations)
    _, others = _all_response_problems(spec)
    assert not others, "\n".join(others)


def test_every_payment_operation_answers_with_a_declared_schema(app_and_spec: tuple[Any, dict[str, Any]]) -> None:
    _, spec = app_and_spec
    payments, _ = _all_response_problems(spec)
    assert not payments, "\n".join(payments)


def test_the_checks_catch_an_operation_without_a_model() -> None:
    """The walk itself: a bare object, a missing media type and a schemaless PDF are all reported."""
    spec = {"components": {"schemas": {"M": {"properties": {"a": {"type": "string"}}}, "E": {"type": "object"}}}}
    ok = {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/M"}}}}}}
    assert _response_problems(ok, spec) == []
    either = {"anyOf": [{"$ref": "#/components/schemas/M"}, {"$ref": "#/components/schemas/M"}]}
    assert _response_problems({"responses": {"201": {"content": {"application/json": {"schema": either}}}}},
                              spec) == []
    for bad in ({"200": {"content": {"application/json": {"schema": {"type": "object",
                                                                     "additionalProperties": True}}}}},
                {"200": {"content": {"application/json": {"schema": {"anyOf": [
                    {"$ref": "#/components/schemas/M"}, {"$ref": "#/components/schemas/E"}]}}}}},
                {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/E"}}}}},
                {"200": {"description": "no content"}},
                {"200": {"content": {"application/pdf": {}}}},
                {"404": {"description": "only an error"}}):
        assert _response_problems({"responses": bad}, spec), bad


def test_file_downloads_declare_their_media_type(app_and_spec: tuple[Any, dict[str, Any]]) -> None:
    _, spec = app_and_spec
    pdf = spec["paths"]["/api/v1/letters/{letter_id}/pdf"]["get"]["responses"]["200"]["content"]
    assert pdf == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    assert "application/pdf" in spec["paths"]["/api/v1/letters/print-run"]["get"]["responses"]["200"]["content"]


def _needs_actor(route: APIRoute) -> bool:
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        if dependency.call is get_actor:
            return True
        pending.extend(dependency.dependencies)
    return False


def _api_routes() -> Iterator[tuple[str, APIRoute]]:
    """(path in the document, route) of every API router's operations (the app mounts them under /api/v1;
    the assessments router carries the prefix itself)."""
    from service.api import admin, applications, assessments, banks, cases, letters, payments

    for module in (admin, applications, banks, cases, payments, letters, assessments):
        prefix = "" if module is assessments else "/api/v1"
        for route in module.router.routes:
            if isinstance(route, APIRoute) and route.include_in_schema:
                yield prefix + route.path_format, route


def test_bearer_auth_is_declared_on_every_operation_that_needs_an_actor(
        app_and_spec: tuple[Any, dict[str, Any]]) -> None:
    _, spec = app_and_spec
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    documented = {(method, url) for method, url, _ in _operations(spec)}
    checked, anonymous, problems = set(), [], []
    for url, route in _api_routes():
        for method in route.methods:
            op = spec["paths"][url][method.lower()]
            declared = {"bearerAuth": []} in op.get("security", [])
            checked.add((method, url))
            if _needs_actor(route) and not declared:
                problems.append(f"{method} {url}: needs an actor, no bearerAuth")
            if not _needs_actor(route):
                anonymous.append(f"{method} {url}")
                if declared:
                    problems.append(f"{method} {url}: anonymous but declares bearerAuth")
    assert checked == documented, documented ^ checked  # every documented operation was looked at
    assert not problems, "\n".join(problems)
    # contracts.md §1: the 試算 is the one anonymous operation of the API
    assert anonymous == ["POST /api/v1/assessments"], anonymous


# --- limits on every request string, list and mapping ------------------------------------------------

_BOUNDED_PATTERN = re.compile(r"^\^(?:[^*+{]|\{\d+(?:,\d+)?\})*\$$")


def _unbounded(schema: dict[str, Any], spec: dict[str, Any], path: str, depth: int = 0) -> list[str]:
    """Every place in ``schema`` where a string, a list or a mapping has no upper limit."""
    schema = _resolve(schema, spec)
    if depth > 12:
        return []
    out: list[str] = []
    for alternative in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        out.extend(_unbounded(alternative, spec, path, depth + 1))
    kind = schema.get("type")
    if kind == "string":
        limited = ("maxLength" in schema or "enum" in schema or "const" in schema
                   or bool(_BOUNDED_PATTERN.match(schema.get("pattern", "")))
                   or schema.get("format") in ("date", "date-time", "binary")
                   or "contentMediaType" in schema)  # files: bounded by the upload cap while streaming
        if not limited:
            out.append(f"{path}: string without maxLength")
    elif kind == "array":
        if "maxItems" not in schema:
            out.append(f"{path}: array without maxItems")
        out.extend(_unbounded(schema.get("items", {}), spec, f"{path}[]", depth + 1))
    elif kind == "object" or "properties" in schema:
        for name, sub in schema.get("properties", {}).items():
            out.extend(_unbounded(sub, spec, f"{path}.{name}", depth + 1))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            if "maxProperties" not in schema:
                out.append(f"{path}: mapping without maxProperties")
            out.extend(_unbounded(extra, spec, f"{path}.*", depth + 1))
        elif extra is True and not schema.get("properties"):
            out.append(f"{path}: free-form object")
    return out


def test_every_request_string_list_and_mapping_has_a_limit(app_and_spec: tuple[Any, dict[str, Any]]) -> None:
    """Bodies (JSON and multipart), query, path and header parameters of every operation."""
    _, spec = app_and_spec
    problems, walked = [], 0
    for method, url, op in _operations(spec):
        for parameter in op.get("parameters", []):
            walked += 1
            problems.extend(f"{method} {url} {p}" for p in
                            _unbounded(parameter.get("schema", {}), spec, f"{parameter['in']}:{parameter['name']}"))
        for media_type, body in op.get("requestBody", {}).get("content", {}).items():
            walked += 1
            if url == "/api/v1/assessments":  # contracts.md §1 input: bounded by the JSON body cap and
                continue                      # refused by the contract's own validation (test_security_limits)
            problems.extend(f"{method} {url} {p}" for p in _unbounded(body.get("schema", {}), spec, media_type))
    assert walked >= 80, walked
    assert not problems, "\n".join(problems)


def test_the_limit_walk_finds_what_has_no_limit() -> None:
    spec: dict[str, Any] = {"components": {"schemas": {}}}
    assert _unbounded({"type": "string", "maxLength": 5}, spec, "s") == []
    assert _unbounded({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}, spec, "s") == []
    assert _unbounded({"type": "string", "pattern": "^[0-9]+$"}, spec, "s") == ["s: string without maxLength"]
    assert _unbounded({"type": "string", "pattern": "[0-9]{4}"}, spec, "s") == ["s: string without maxLength"]
    assert _unbounded({"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]}, spec, "a") == [
        "a: array without maxItems", "a[]: string without maxLength"]
    assert _unbounded({"type": "object", "additionalProperties": {"type": "boolean"}}, spec, "m") == [
        "m: mapping without maxProperties"]


# --- every key of every answer is named in the document ----------------------------------------------


def _undeclared_keys(value: Any, schema: dict[str, Any], spec: dict[str, Any], path: str) -> list[str]:
    schema = _resolve(schema, spec)
    alternatives = schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", [])
    if alternatives:
        tried = [_undeclared_keys(value, alternative, spec, path) for alternative in alternatives
                 if value is not None or _resolve(alternative, spec).get("type") == "null"]
        return min(tried, key=len) if tried else []
    if isinstance(value, list) and schema.get("type") == "array":
        return [p for i, item in enumerate(value) for p in _undeclared_keys(item, schema.get("items", {}), spec,
                                                                             f"{path}[{i}]")]
    if isinstance(value, dict) and "properties" in schema:
        out = [f"{path}.{key}" for key in value if key not in schema["properties"]]
        for key, item in value.items():
            if key in schema["properties"]:
                out.extend(_undeclared_keys(item, schema["properties"][key], spec, f"{path}.{key}"))
        return out
    return []


@pytest.fixture
def service_settings() -> Settings:
    return Settings(issue_letters_on_approval=True)


def test_every_key_of_the_answers_is_named_by_their_schema(world: World) -> None:
    """A journey over the case, application, decision, grant, letter and work-queue operations; each
    JSON answer is compared key by key with the schema the document gives for its operation."""
    from service.workflows.applications import required_documents

    spec = world.client.get("/openapi.json").json()
    world.at("2025-05-20")
    problems: list[str] = []
    seen: set[str] = set()

    def call(who: str, method: str, url: str, template: str, **kwargs: Any) -> Any:
        r = world.client.request(method, url, headers=world.h(who), **kwargs)
        assert r.status_code < 300, (url, r.text[:300])
        assert r.headers["cache-control"] == "no-store", url  # personal data: never cached (issue 12)
        answer = spec["paths"][template][method.lower()]["responses"][str(r.status_code)]
        if "application/json" in r.headers["content-type"]:
            schema = answer["content"]["application/json"]["schema"]
            problems.extend(f"{method} {template}: {p}" for p in _undeclared_keys(r.json(), schema, spec, "$"))
        seen.add(f"{method} {template}")
        return r.json() if "json" in r.headers["content-type"] else r.content

    body = {"kind": "initial", "facts": copy.deepcopy(RENT_FACTS),
            "intake": {**copy.deepcopy(INTAKE), "consents": RENT_CONSENTS}}
    app = call("agency", "POST", "/api/v1/applications", "/api/v1/applications", json=body)
    app_url, case_id = f"/api/v1/applications/{app['id']}", app["case_id"]
    call("agency", "GET", app_url, "/api/v1/applications/{application_id}")
    call("agency", "PATCH", app_url, "/api/v1/applications/{application_id}", json={"facts": RENT_FACTS})
    for kind in required_documents("initial", "rent", app["facts"]):
        call("agency", "POST", f"/api/v1/cases/{case_id}/documents", "/api/v1/cases/{case_id}/documents",
             data={"kind": kind, "application_id": str(app["id"])}, files={"file": ("a.pdf", PDF, "application/pdf")})
    call("agency", "POST", f"{app_url}/submit", "/api/v1/applications/{application_id}/submit")
    call("clerk", "POST", f"{app_url}/coordination-meeting",
         "/api/v1/applications/{application_id}/coordination-meeting", json={"meeting_date": "2025-05-08"})
    version = call("clerk", "GET", f"/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}")["version"]
    draft = call("clerk", "POST", f"/api/v1/cases/{case_id}/decisions", "/api/v1/cases/{case_id}/decisions",
                 json={"kind": "grant", "application_id": app["id"], "case_version": version})
    call("approver", "GET", f"/api/v1/decisions/{draft['id']}", "/api/v1/decisions/{decision_id}")
    call("approver", "POST", f"/api/v1/decisions/{draft['id']}/approve", "/api/v1/decisions/{decision_id}/approve")
    case = call("clerk", "GET", f"/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}")
    grant_id = case["grants"][0]["grant_id"]
    call("agency", "GET", f"/api/v1/grants/{grant_id}", "/api/v1/grants/{grant_id}")
    letters = call("clerk", "POST", f"/api/v1/decisions/{draft['id']}/letters",
                   "/api/v1/decisions/{decision_id}/letters")
    call("clerk", "GET", f"/api/v1/cases/{case_id}/letters", "/api/v1/cases/{case_id}/letters")
    call("clerk", "GET", f"/api/v1/cases/{case_id}/letter-plans", "/api/v1/cases/{case_id}/letter-plans")
    call("clerk", "GET", f"/api/v1/letters/{letters[0]['id']}", "/api/v1/letters/{letter_id}")
    call("clerk", "GET", f"/api/v1/letters/{letters[0]['id']}/pdf", "/api/v1/letters/{letter_id}/pdf")
    # a second application, returned; its decision drafted and returned
    body["intake"]["applicant"] = {**INTAKE["applicant"], "name": "鈴木 次郎"}
    other = call("agency", "POST", "/api/v1/applications", "/api/v1/applications", json=body)
    for kind in required_documents("initial", "rent", other["facts"]):
        world.upload(other["case_id"], kind, other["id"])
    world.post("agency", f"/api/v1/applications/{other['id']}/submit", 200)
    call("clerk", "POST", f"/api/v1/applications/{other['id']}/return",
         "/api/v1/applications/{application_id}/return", json={"reason": "書類の再提出をお願いします"})
    world.post("agency", f"/api/v1/applications/{other['id']}/submit", 200)
    second = world.post("clerk", f"/api/v1/cases/{other['case_id']}/decisions", 201,
                        json={"kind": "grant", "application_id": other["id"],
                              "case_version": world.version(other["case_id"])}).json()
    call("approver", "POST", f"/api/v1/decisions/{second['id']}/return", "/api/v1/decisions/{decision_id}/return",
         json={"note": "再検討"})
    world.at("2025-06-10")
    call("agency", "POST", f"/api/v1/cases/{case_id}/monthly-reports", "/api/v1/cases/{case_id}/monthly-reports",
         json={"month": "2025-05", "interviews": 4, "hello_work_consultations": 2, "employer_applications": 1,
               "grant_id": grant_id})
    call("clerk", "GET", f"/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}")
    call("clerk", "GET", "/api/v1/cases", "/api/v1/cases")
    call("clerk", "GET", "/api/v1/work-queue?month=2025-06", "/api/v1/work-queue")
    call("clerk", "GET", "/api/v1/work-queue?month=2025-06&section=proposed_stops", "/api/v1/work-queue")
    call("clerk", "POST", "/api/v1/stop-proposals/generate?month=2025-06", "/api/v1/stop-proposals/generate")
    call("admin", "GET", "/api/v1/me", "/api/v1/me")
    call("admin", "GET", "/api/v1/audit?limit=5", "/api/v1/audit")
    assessment = world.client.post("/api/v1/assessments", json=RENT_FACTS)
    schema = spec["paths"]["/api/v1/assessments"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    problems.extend(f"assessment: {p}" for p in _undeclared_keys(assessment.json(), schema, spec, "$"))
    assert len(seen) >= 24, sorted(seen)
    assert not problems, "\n".join(problems)


def test_the_assessment_answer_is_the_contracts_object_unchanged(world: World) -> None:
    """contracts.md §1: the model only documents the answer; the body is assess_payload's, key order too."""
    import json

    from calculations.contract import assess_payload
    from calculations.rate_book import load_rate_book
    from service.calendar import office_calendar

    r = world.client.post("/api/v1/assessments", json=RENT_FACTS)
    expected = assess_payload(copy.deepcopy(RENT_FACTS), load_rate_book(), office_calendar())
    assert list(r.json()) == list(expected)
    assert r.content == json.dumps(expected, ensure_ascii=False, allow_nan=False, indent=None,
                                   separators=(",", ":")).encode()

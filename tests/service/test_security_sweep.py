"""Issue 12, the items the other security tests did not walk yet: every multipart field of the API
refuses a 個人番号; no operation tells agency B that agency A's object exists; a rejected token,
password or secret is never echoed (not in the answer, not in the log); a payee name that looks like
a formula reaches finance's CSV and XLSX as text."""

from __future__ import annotations

import copy
import csv
import io
import logging
import re
from typing import Any

import pytest
from service_world import INTAKE, PDF, World

from service.config import Settings

VARIANTS = ("1234－5678－9018", "123456 789018", "1234・5678・9018", "１２３４５６７８９０１８")


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _multipart_operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path template, resolved schema) of every operation that takes multipart/form-data."""
    out = []
    for url, item in spec["paths"].items():
        for method, op in item.items():
            content = op.get("requestBody", {}).get("content", {})
            if "multipart/form-data" in content:
                out.append((method.upper(), url, _resolve(content["multipart/form-data"]["schema"], spec)))
    return out


def _is_file(schema: dict[str, Any], spec: dict[str, Any]) -> bool:
    schema = _resolve(schema, spec)
    return schema.get("format") == "binary" or "contentMediaType" in schema or any(
        _is_file(alternative, spec) for alternative in schema.get("anyOf", []))


def _is_text(schema: dict[str, Any], spec: dict[str, Any]) -> bool:
    schema = _resolve(schema, spec)
    return schema.get("type") == "string" or any(_is_text(a, spec) for a in schema.get("anyOf", []))


#: Multipart files whose name is kept (a document's); the returns file is read, its name never stored.
NAMED_FILES = {("/api/v1/cases/{case_id}/documents", "file")}


def test_every_multipart_field_of_the_api_refuses_a_personal_number(world: World) -> None:
    """Each text field of each multipart operation, and each stored file name, carries a number in turn;
    the answer is 422 ``individual_number`` naming that field, and nothing is stored."""
    case_id, _ = world.granted_case()
    spec = world.client.get("/openapi.json").json()
    operations = _multipart_operations(spec)
    assert {url for _, url, _ in operations} >= {"/api/v1/cases/{case_id}/documents", "/api/v1/payment-returns"}
    who = {"/api/v1/payment-returns": "finance"}
    failures, tried = [], 0
    for method, template, schema in operations:
        url = template.replace("{case_id}", str(case_id))
        properties = schema["properties"]
        files = [name for name, sub in properties.items() if _is_file(sub, spec)]
        texts = [name for name, sub in properties.items() if name not in files and _is_text(sub, spec)]
        named = [name for name in files if (template, name) in NAMED_FILES]
        for probe in [*texts, *(f"{name}:filename" for name in named)]:
            text = VARIANTS[tried % len(VARIANTS)]
            tried += 1
            data = {name: ("other" if name != probe else f"メモ {text}") for name in texts}
            upload = {name: (f"{text}.pdf" if probe == f"{name}:filename" else "a.pdf", PDF, "application/pdf")
                      for name in files}
            r = world.client.request(method, url, data=data, files=upload,
                                     headers=world.h(who.get(template, "agency")))
            expected = "filename" if probe.endswith(":filename") else probe
            error = r.json().get("error", {}) if "json" in r.headers.get("content-type", "") else {}
            if r.status_code != 422 or error.get("code") != "individual_number" or error.get("field") != expected:
                failures.append(f"{method} {template} {probe} ({text!r}): {r.status_code} {r.text[:160]}")
    assert tried >= 2, tried
    assert not failures, "\n".join(failures)
    documents = world.get("clerk", f"/api/v1/cases/{case_id}", 200).json()["documents"]
    assert not any(re.search(r"\d{4}", d["filename"] + d["kind"]) for d in documents), documents


def test_a_returns_file_with_a_personal_number_is_refused(world: World) -> None:
    """The returns CSV is a typed input too: its free-text 不能事由 column is stored."""
    _, grant_id = world.granted_case()
    world.pay(grant_id, "2025-05")
    batch = world.get("finance", "/api/v1/payment-batches?benefit_month=2025-05", 200).json()[0]
    transfers = world.get("finance", f"/api/v1/payment-batches/{batch['id']}/transfers", 200).json()
    first = next(iter(transfers["transfers"]))
    csv_text = ("バッチ番号,振込番号,金額,不能事由コード,不能事由\r\n"
                f"{batch['id']},{first['customer_code']},{first['amount_yen']},1,口座なし 1234－5678－9018\r\n")
    r = world.client.post("/api/v1/payment-returns", headers=world.h("finance"),
                          files={"file": ("returns.csv", csv_text.encode("utf-8"), "text/csv")})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "individual_number", r.text


# --- 404s that reveal nothing about other agencies' objects --------------------------------------------


def _agency_a_objects(world: World) -> dict[str, int]:
    """A granted case of agency A with a letter, plus a draft application on it: every kind of id."""
    case_id, grant_id = world.granted_case()
    case = world.get("clerk", f"/api/v1/cases/{case_id}", 200).json()
    decision_id = case["decisions"][0]["id"]
    letters = world.post("clerk", f"/api/v1/decisions/{decision_id}/letters", 200).json()
    plans = world.get("clerk", f"/api/v1/cases/{case_id}/letter-plans", 200).json()
    return {"case_id": case_id, "grant_id": grant_id, "decision_id": decision_id,
            "application_id": case["applications"][0]["id"], "letter_id": letters[0]["id"],
            "plan_id": plans[0]["plan_id"], "user_id": world.users["agency"]}


def test_no_operation_tells_another_agency_that_a_case_exists(world: World) -> None:
    """Agency B calls every operation with a path id, once with agency A's object and once with an id
    that does not exist: the two answers are the same (status, code, field; the message up to the id)
    and never name A's case."""
    ids = _agency_a_objects(world)
    spec = world.client.get("/openapi.json").json()
    compared, failures = 0, []
    for template, item in spec["paths"].items():
        names = re.findall(r"\{([^}]+)\}", template)
        if not names or any(name not in ids for name in names):
            continue
        for method in item:
            answers = []
            for offset in (0, 100_000):
                url = template
                for name in names:
                    url = url.replace(f"{{{name}}}", str(ids[name] + offset))
                r = world.client.request(method.upper(), url, headers=world.h("agency_b"), json={})
                text = r.text
                for name in names:
                    text = text.replace(str(ids[name] + offset), "N")
                answers.append((r.status_code, text))
            compared += 1
            (foreign_status, foreign), (missing_status, missing) = answers
            if foreign_status < 400 or (foreign_status, foreign) != (missing_status, missing):
                failures.append(f"{method.upper()} {template}: A's object {foreign_status} {foreign[:160]} / "
                                f"missing {missing_status} {missing[:160]}")
            elif re.search(rf"\bcase\D{{0,3}}{ids['case_id']}\b", foreign):
                failures.append(f"{method.upper()} {template} names A's case: {foreign[:160]}")
    assert compared >= 20, compared
    assert not failures, "\n".join(failures)


# --- a rejected secret is never echoed -----------------------------------------------------------------


def test_a_rejected_token_or_password_is_never_echoed(world: World, caplog: pytest.LogCaptureFixture) -> None:
    """Wrong, revoked and malformed tokens, and a wrong password, appear neither in the answer nor in
    any log record (at DEBUG)."""
    guessed = "hb_" + "x" * 40 + "guessed-token-value"
    revoked = world.post("admin", f"/api/v1/users/{world.users['clerk2']}/tokens", 201, json={"days": 1}).json()
    world.post("admin", f"/api/v1/tokens/{revoked['id']}/revoke", 200)
    password = "a-wrong-password-that-must-not-be-logged"
    with caplog.at_level(logging.DEBUG):
        answers = [world.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
                   for token in (guessed, revoked["token"], world.tokens["clerk"] + "tampered")]
        answers.append(world.client.get("/api/v1/me", headers={"Authorization": f"Basic {guessed}"}))
        page = world.client.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf is not None
        answers.append(world.client.post("/login", data={"username": "clerk", "password": password,
                                                         "csrf_token": csrf.group(1)}))
    assert [r.status_code for r in answers[:4]] == [401] * 4
    logged = "\n".join(record.getMessage() + repr(record.args) for record in caplog.records)
    for secret in (guessed, revoked["token"], world.tokens["clerk"], password):
        assert all(secret not in r.text and secret not in str(r.headers) for r in answers), secret[:8]
        assert secret not in logged, secret[:8]


def test_a_rejected_web_secret_is_not_echoed_by_the_serve_command(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from service.cli import app
    from service.config import get_settings

    secret = "too-short-secret"
    monkeypatch.setenv("HB_ENVIRONMENT", "production")
    monkeypatch.setenv("HB_WEB_SECRET", secret)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["serve", "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code != 0
    assert secret not in result.output and secret not in repr(result.exception), result.output


# --- spreadsheet cells that look like formulas -----------------------------------------------------------


@pytest.fixture
def service_settings() -> Settings:
    return Settings(issue_letters_on_approval=False)


def test_a_formula_payee_name_reaches_the_payment_list_as_text(world: World) -> None:
    """End to end: an intake payee named ``=HYPERLINK(...)`` → the month's run → 支払一覧 CSV (quoted with
    an apostrophe) and XLSX (a text cell with the quote prefix, never a formula), both layouts."""
    import openpyxl

    formula = '=HYPERLINK("http://example.invalid/?x","開く")'
    intake = copy.deepcopy(INTAKE)
    intake["payee"]["name"] = formula
    app = world.apply(intake=intake)
    world.decide(app["case_id"], {"kind": "grant", "application_id": app["id"]})
    report = world.post("finance", "/api/v1/payment-runs", json={"benefit_month": "2025-05"})
    assert report.status_code == 201, report.text
    batch_id = report.json()["batch_id"]
    for layout in ("machine", "ja"):
        text = world.get("finance", f"/api/v1/payment-batches/{batch_id}/payment-list.csv?layout={layout}",
                         200).content.decode("utf-8-sig")
        cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
        assert "'" + formula in cells, (layout, text[:400])
        assert formula not in cells
        book = openpyxl.load_workbook(io.BytesIO(world.get(
            "finance", f"/api/v1/payment-batches/{batch_id}/payment-list.xlsx?layout={layout}", 200).content))
        found = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
                 if cell.value == formula]
        assert found, layout
        assert all(cell.data_type == "s" and cell.quotePrefix for cell in found), layout

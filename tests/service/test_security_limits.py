"""Issue 12, limits: a body cap per route (uploads refused while they stream), JSON depth, lengths and
counts on every field, months within the rate tables; uploads checked against their declared type."""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
from typing import Any

import pytest
from service_world import INTAKE, PDF, RENT_FACTS, World

from service.config import Settings

SMALL_UPLOADS = 64 * 1024


@pytest.fixture
def service_settings() -> Settings:
    return Settings(issue_letters_on_approval=False, max_upload_bytes=SMALL_UPLOADS)


def _call_asgi(app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]], chunks: list[bytes]
               ) -> tuple[int, bytes, int]:
    """Drive the app as a server would, one body chunk per ``receive``; returns (status, body, chunks read)."""
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled < len(chunks):
            pulled += 1
            return {"type": "http.request", "body": chunks[pulled - 1], "more_body": pulled < len(chunks)}
        await asyncio.sleep(0.01)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "path": path,
             "raw_path": path.encode(), "query_string": b"", "root_path": "", "scheme": "http",
             "server": ("testserver", 80), "client": ("192.0.2.1", 4000), "headers": headers}
    # In a thread of its own: a browser test earlier in the session may leave this thread's loop running.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body, pulled


def test_an_oversize_upload_is_refused_while_it_streams(world: World) -> None:
    """4 MiB streamed in 16 KiB chunks against a 64 KiB cap: 413 after ~8 chunks, not 256."""
    case_id, _ = world.granted_case()
    boundary = b"hb-boundary"
    head = (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="kind"\r\n\r\nother\r\n--' + boundary
            + b'\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
              b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n")
    chunk = 16 * 1024
    chunks = [head] + [b"0" * chunk] * 256
    headers = [(b"content-type", b"multipart/form-data; boundary=" + boundary),
               (b"authorization", f"Bearer {world.tokens['agency']}".encode())]
    status, body, pulled = _call_asgi(world.client.app, "POST", f"/api/v1/cases/{case_id}/documents", headers, chunks)
    assert status == 413, body
    assert b'"payload_too_large"' in body
    cap_chunks = (SMALL_UPLOADS + 64 * 1024) // chunk + 2
    assert pulled <= cap_chunks, f"read {pulled} chunks of {len(chunks)} before refusing"
    documents = world.get("clerk", f"/api/v1/cases/{case_id}", 200).json()["documents"]
    assert all(d["filename"] != "big.pdf" for d in documents)


def test_a_declared_oversize_body_is_refused_before_a_byte_is_read(world: World) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(2 * 1024 * 1024).encode())]
    status, body, pulled = _call_asgi(world.client.app, "POST", "/api/v1/applications", headers, [b"{}"])
    assert (status, pulled) == (413, 0), body


def test_a_json_body_over_one_mebibyte_is_refused(world: World) -> None:
    body = {"facts": {"benefit": "rent"}, "intake": {"applicant": {"address": "x" * (1024 * 1024)}}}
    r = world.post("agency", "/api/v1/applications", 413, json=body)
    assert r.json()["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"a":' * 5000 + "1" + "}" * 5000,
                                  '{"benefit": "rent", "household": ' + "[" * 40 + "]" * 40 + "}"])
def test_deeply_nested_json_to_the_assessment_is_a_4xx(world: World, body: str) -> None:
    r = world.client.post("/api/v1/assessments", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text[:200]
    assert r.json()["error"]["code"] == "too_deeply_nested"


def test_the_cli_assessment_refuses_deep_nesting_too() -> None:
    from service.api.assessments import assess_json

    status, content = assess_json(b"[" * 100_000)
    assert status == 400 and content["error"]["code"] == "too_deeply_nested"


def _application(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"facts": copy.deepcopy(RENT_FACTS), "intake": copy.deepcopy(INTAKE)}
    for path, value in changes.items():
        target = body
        *parents, last = path.split("__")
        for part in parents:
            target = target[part]
        target[last] = value
    return body


@pytest.mark.parametrize(("changes", "field"), [
    ({"facts__household": [RENT_FACTS["household"][0]] * 21}, "facts.household"),
    ({"intake__applicant": {"name": "山" * 201}}, "intake.applicant.name"),
    ({"intake__applicant": {"address": "東" * 301}}, "intake.applicant.address"),
    ({"intake__payee": {**INTAKE["payee"], "name": "株" * 201}}, "intake.payee.name"),
    ({"intake__consents": {f"c{i}": True for i in range(51)}}, "intake.consents"),
    ({"intake__document_exemptions": {"income": "x" * 501}}, "intake.document_exemptions.income"),
    ({"intake__consents": {"k" * 101: True}}, "intake.consents.[key]"),
])
def test_lengths_and_counts_are_limited(world: World, changes: dict[str, Any], field: str) -> None:
    r = world.post("agency", "/api/v1/applications", 422, json=_application(**changes))
    assert r.json()["error"]["field"].startswith(field.split(".[")[0]), r.text[:300]


def test_limits_at_the_edge_are_accepted(world: World) -> None:
    world.post("agency", "/api/v1/applications", 201, json=_application(
        facts__household=[RENT_FACTS["household"][0]] * 20, intake__applicant={"name": "山" * 200}))


def test_a_decision_note_over_two_thousand_characters_is_refused(world: World) -> None:
    case_id, grant_id = world.granted_case()
    r = world.post("clerk", f"/api/v1/cases/{case_id}/decisions", 422, json={
        "kind": "interruption", "grant_id": grant_id, "effective_month": "2025-07", "note": "x" * 2001})
    assert r.json()["error"]["field"].split(".")[-1] == "note"


@pytest.mark.parametrize("month", ["0000-01", "2020-01", "1999-12", "just-before-the-tables", "2100-01"])
@pytest.mark.parametrize(("who", "url"), [("clerk", "/api/v1/work-queue?month={m}"),
                                          ("finance", "/api/v1/statistics/monthly.csv?month={m}"),
                                          ("clerk", "/api/v1/stop-proposals/generate?month={m}")])
def test_months_outside_the_rate_tables_are_a_422_naming_the_field(world: World, month: str, who: str,
                                                                   url: str) -> None:
    if month == "just-before-the-tables":
        from service.rules import add_months, first_rate_month

        month = add_months(first_rate_month(), -1)
    r = world.client.request("POST" if "generate" in url else "GET", url.format(m=month), headers=world.h(who))
    assert r.status_code == 422, r.text[:200]
    assert r.json()["error"]["field"] == "month"


def test_the_first_rate_month_is_accepted(world: World) -> None:
    from service.rules import add_months, first_rate_month

    world.get("clerk", f"/api/v1/work-queue?month={first_rate_month()}", 200)
    before = add_months(first_rate_month(), -1)  # the month before the rate tables begin
    assert world.get("clerk", f"/api/v1/work-queue?month={before}", 422).json()["error"]["field"] == "month"


def test_a_monthly_report_for_a_month_before_the_tables_is_refused(world: World) -> None:
    case_id, _ = world.granted_case()
    r = world.post("agency", f"/api/v1/cases/{case_id}/monthly-reports", 422, json={
        "month": "2020-01", "interviews": 4, "hello_work_consultations": 2, "employer_applications": 5})
    assert r.json()["error"]["field"] == "month"


# --- uploads ---------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.parametrize(("content", "declared"), [
    (b"<script>alert(1)</script>", "application/pdf"), (PDF, "image/png"), (PNG, "image/jpeg"),
    (b"MZ\x90\x00 an exe", "application/pdf")])
def test_an_upload_whose_bytes_are_not_its_declared_type_is_refused(world: World, content: bytes,
                                                                   declared: str) -> None:
    case_id, _ = world.granted_case()
    r = world.post("agency", f"/api/v1/cases/{case_id}/documents", 415, data={"kind": "other"},
                   files={"file": ("scan.pdf", content, declared)})
    assert r.json()["error"]["code"] == "content_mismatch"


def test_a_png_that_is_a_png_is_accepted(world: World) -> None:
    case_id, _ = world.granted_case()
    world.post("agency", f"/api/v1/cases/{case_id}/documents", 201, data={"kind": "other"},
               files={"file": ("scan.png", PNG, "image/png")})


@pytest.mark.parametrize(("name", "stored"), [
    ("invoice\u202efdp.exe", "invoicefdp.exe"),            # right-to-left override
    ("請求書\u200b\u2066.pdf", "請求書.pdf"),                # zero-width space, isolate
    ("../../etc/passwd.pdf", "_.._etc_passwd.pdf"),         # path separators
    ("  家賃   領収書.pdf  ", "家賃 領収書.pdf"),
])
def test_file_names_lose_control_and_bidi_characters(world: World, name: str, stored: str) -> None:
    case_id, _ = world.granted_case()
    doc = world.post("agency", f"/api/v1/cases/{case_id}/documents", 201, data={"kind": "other"},
                     files={"file": (name, PDF, "application/pdf")}).json()
    assert doc["filename"] == stored


def test_a_file_name_with_nothing_readable_is_refused_not_emptied(world: World) -> None:
    case_id, _ = world.granted_case()
    r = world.post("agency", f"/api/v1/cases/{case_id}/documents", 422, data={"kind": "other"},
                   files={"file": ("\u202e\u200b\u2066", PDF, "application/pdf")})
    assert r.json()["error"]["field"] == "filename"


@pytest.mark.parametrize(("name", "cleaned"), [("a\x00b\x1f\x7fc.pdf", "abc.pdf"), ("a\tb\nc.pdf", "a b c.pdf"),
                                              ("\x01\x02", ""), ("ｽｷｬﾝ.pdf", "ｽｷｬﾝ.pdf")])
def test_clean_filename(name: str, cleaned: str) -> None:
    from service.security import clean_filename

    assert clean_filename(name) == cleaned

"""The API's document upload with several files in one form (R85, issue 11/12): the agency wizard's
document step sends all the checklist documents together; the API takes them the same way
(``kinds`` + ``files``), stores them whole or not at all, enforces the count and size limits while the
body streams, guards every field against a 個人番号 and names the field of every refusal."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from service_world import PDF, RENT_FACTS, World
from test_security_limits import _call_asgi

from service.api.uploads import API_FILES_PER_REQUEST
from service.config import Settings

SMALL_UPLOADS = 64 * 1024
KINDS = ["identity", "job_loss_proof", "income_evidence", "bank_book_copies", "dwelling_status_notice"]


@pytest.fixture
def service_settings() -> Settings:
    return Settings(issue_letters_on_approval=False, max_upload_bytes=SMALL_UPLOADS)


def _files(count: int, content: bytes = PDF) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (f"doc{i}.pdf", content + str(i).encode(), "application/pdf")) for i in range(count)]


def _documents(world: World, case_id: int) -> list[dict[str, Any]]:
    return list(world.get("clerk", f"/api/v1/cases/{case_id}", 200).json()["documents"])


def test_the_wizards_documents_go_in_one_request_and_are_listed_back(world: World) -> None:
    app = world.post("agency", "/api/v1/applications", 201, json={"facts": RENT_FACTS}).json()
    r = world.post("agency", f"/api/v1/cases/{app['case_id']}/documents", 201,
                   data={"kinds": KINDS, "application_id": str(app["id"])}, files=_files(len(KINDS)))
    stored = r.json()["documents"]
    assert [d["kind"] for d in stored] == KINDS
    assert [d["filename"] for d in stored] == [f"doc{i}.pdf" for i in range(len(KINDS))]
    assert [d["sha256"] for d in stored] == [hashlib.sha256(PDF + str(i).encode()).hexdigest()
                                             for i in range(len(KINDS))]
    assert {d["application_id"] for d in stored} == {app["id"]}
    assert sorted(d["id"] for d in _documents(world, app["case_id"])) == sorted(d["id"] for d in stored)
    # the R85 checklist is complete: nothing is missing any more but facts/intake items
    missing = world.get("agency", f"/api/v1/applications/{app['id']}", 200).json()["missing_items"]
    assert not [m for m in missing if m["field"].startswith("documents.")], missing
    audit = world.get("admin", f"/api/v1/audit?case_id={app['case_id']}", 200).json()
    assert sum(e["action"] == "document.upload" for e in audit) == len(KINDS)


def test_a_single_file_is_still_answered_with_the_document(world: World) -> None:
    case_id, _ = world.granted_case()
    doc = world.post("agency", f"/api/v1/cases/{case_id}/documents", 201, data={"kind": "other"},
                     files={"file": ("one.pdf", PDF, "application/pdf")}).json()
    assert doc["kind"] == "other" and doc["sha256"] == hashlib.sha256(PDF).hexdigest() and "documents" not in doc


def test_one_bad_file_refuses_the_whole_form_naming_it(world: World) -> None:
    case_id, _ = world.granted_case()
    before = len(_documents(world, case_id))
    files = _files(3)
    files[2] = ("files", ("x.pdf", b"MZ\x90\x00 an exe", "application/pdf"))
    r = world.post("agency", f"/api/v1/cases/{case_id}/documents", 415, data={"kinds": ["a", "b", "c"]},
                   files=files)
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("content_mismatch", "files[2]")
    assert len(_documents(world, case_id)) == before


@pytest.mark.parametrize(("data", "count", "field"), [
    ({"kinds": ["a", "b"]}, 3, "kinds"),               # a kind for each file
    ({"kinds": ["a", "", "c"]}, 3, "kinds[1]"),        # an empty kind
    ({"kinds": ["a"], "kind": "a"}, 1, "kind"),        # one form or the other, not both
])
def test_kinds_must_pair_with_the_files(world: World, data: dict[str, Any], count: int, field: str) -> None:
    case_id, _ = world.granted_case()
    r = world.post("agency", f"/api/v1/cases/{case_id}/documents", 422, data=data, files=_files(count))
    assert r.json()["error"]["field"] == field, r.text


@pytest.mark.parametrize(("data", "name", "field"), [
    ({"kinds": ["identity", "個人番号 123456789018"]}, "b.pdf", "kinds[1]"),
    ({"kinds": ["identity", "income_evidence"]}, "123456789018.pdf", "files[1].filename"),
    ({"kinds": ["identity", "income_evidence"], "note": "123456789018"}, "b.pdf", "note"),
])
def test_every_field_of_the_form_is_guarded(world: World, data: dict[str, Any], name: str, field: str) -> None:
    case_id, _ = world.granted_case()
    files = [("files", ("a.pdf", PDF, "application/pdf")), ("files", (name, PDF, "application/pdf"))]
    r = world.post("agency", f"/api/v1/cases/{case_id}/documents", 422, data=data, files=files)
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("individual_number", field), r.text


def test_too_many_files_are_refused(world: World) -> None:
    case_id, _ = world.granted_case()
    count = API_FILES_PER_REQUEST + 1
    r = world.post("agency", f"/api/v1/cases/{case_id}/documents", 413, data={"kinds": ["other"] * count},
                   files=_files(count))
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("payload_too_large", "files")
    world.post("agency", f"/api/v1/cases/{case_id}/documents", 201, data={"kinds": ["other"] * (count - 1)},
               files=_files(count - 1))


def _streamed(world: World, case_id: int, sizes: list[int], chunk: int = 16 * 1024) -> tuple[int, bytes, int, int]:
    """A form of files of these sizes streamed in ``chunk`` pieces: (status, body, chunks read, sent)."""
    boundary = b"hb-boundary"
    body = b""
    for i, size in enumerate(sizes):
        body += (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="kinds"\r\n\r\nother\r\n--'
                 + boundary + f'\r\nContent-Disposition: form-data; name="files"; filename="f{i}.pdf"\r\n'.encode()
                 + b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n" + b"0" * size + b"\r\n")
    body += b"--" + boundary + b"--\r\n"
    chunks = [body[i:i + chunk] for i in range(0, len(body), chunk)]
    headers = [(b"content-type", b"multipart/form-data; boundary=" + boundary),
               (b"authorization", f"Bearer {world.tokens['agency']}".encode())]
    status, answer, pulled = _call_asgi(world.client.app, "POST", f"/api/v1/cases/{case_id}/documents", headers,
                                        chunks)
    return status, answer, pulled, len(chunks)


def test_an_oversize_file_among_several_is_refused_while_it_streams(world: World) -> None:
    """The third file passes the per-file cap: refused there, naming it, long before the body ends."""
    case_id, _ = world.granted_case()
    before = len(_documents(world, case_id))
    status, answer, pulled, sent = _streamed(world, case_id, [1000, 1000, 4 * 1024 * 1024])
    assert status == 413 and b'"files[2]"' in answer, answer
    assert pulled <= (SMALL_UPLOADS + 8 * 1024) // (16 * 1024) + 3, (pulled, sent)
    assert len(_documents(world, case_id)) == before


def test_files_together_past_the_total_cap_are_refused_while_they_stream(world: World) -> None:
    """Each file under the cap, together past four times it: refused at the file that passes it."""
    case_id, _ = world.granted_case()
    status, answer, pulled, sent = _streamed(world, case_id, [SMALL_UPLOADS - 1024] * 6)
    assert status == 413 and b'"payload_too_large"' in answer and b'"files[4]"' in answer, answer
    assert pulled < sent
    assert world.post("agency", f"/api/v1/cases/{case_id}/documents", 201, data={"kinds": ["other"] * 3},
                      files=_files(3, PDF + b"0" * (SMALL_UPLOADS - 1024))).status_code == 201

"""Intake by a support agency: drafts, the R85 checklist, the R86 consents, idempotent submission."""

from __future__ import annotations

import copy

from service_world import INTAKE, PDF, RENT_FACTS, World


def test_an_incomplete_application_lists_every_missing_item(world: World) -> None:
    facts = copy.deepcopy(RENT_FACTS)
    del facts["rent_yen"]
    del facts["trigger"]["cause"]
    app = world.post("agency", "/api/v1/applications", 201, json={"facts": facts, "intake": {}}).json()
    r = world.post("agency", f"/api/v1/applications/{app['id']}/submit", 422)
    error = r.json()["error"]
    assert error["code"] == "incomplete_application"
    fields = {d["field"] for d in error["details"]}
    assert {"facts.rent_yen", "facts.trigger.cause", "intake.consents.repayment_if_false",
            "intake.payee.bank_code", "intake.applicant.name", "intake.emergency",
            "documents.identity", "documents.job_loss_proof", "documents.dwelling_status_notice"} <= fields


def test_a_complete_application_is_submitted_once(world: World) -> None:
    app = world.apply()
    assert app["status"] == "submitted"
    again = world.post("agency", f"/api/v1/applications/{app['id']}/submit", 200).json()
    assert again["status"] == "submitted"


def test_a_retried_create_with_the_same_idempotency_key_creates_nothing(world: World) -> None:
    body = {"facts": RENT_FACTS, "intake": INTAKE}
    first = world.post("agency", "/api/v1/applications", 201, json=body, headers={"Idempotency-Key": "k-1"})
    second = world.post("agency", "/api/v1/applications", 200, json=body, headers={"Idempotency-Key": "k-1"})
    assert first.json()["id"] == second.json()["id"]
    cases = world.get("agency", "/api/v1/cases", 200).json()
    assert len(cases) == 1


def test_emergency_applications_need_no_plan_yet(world: World) -> None:
    intake = copy.deepcopy(INTAKE)
    intake["emergency"] = True
    intake["plan"] = {}
    app = world.apply(intake=intake)
    assert app["status"] == "submitted"


def test_money_must_be_a_json_integer_and_unknown_fields_are_refused(world: World) -> None:
    for bad, field in ((dict(RENT_FACTS, rent_yen="60000"), "facts.rent_yen"),
                       (dict(RENT_FACTS, rent_yen=60000.0), "facts.rent_yen"),
                       (dict(RENT_FACTS, assets_yen=-1), "facts.assets_yen"),
                       (dict(RENT_FACTS, bonus=1), "facts.bonus")):
        r = world.post("agency", "/api/v1/applications", 422, json={"facts": bad})
        assert r.json()["error"]["field"] == field, r.text


def test_malformed_json_is_a_400_never_a_500(world: World) -> None:
    r = world.client.post("/api/v1/applications", content=b"{not json",
                          headers={**world.h("agency"), "Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "malformed_json"


def test_a_corporate_landlords_number_is_checked(world: World) -> None:
    intake = copy.deepcopy(INTAKE)
    intake["payee"]["corporate_number"] = "5835678256247"
    r = world.post("agency", "/api/v1/applications", 422, json={"facts": RENT_FACTS, "intake": intake})
    assert r.json()["error"]["field"] == "intake.payee.corporate_number"


def test_an_individual_number_is_never_accepted(world: World) -> None:
    intake = copy.deepcopy(INTAKE)
    intake["applicant"]["address"] = "個人番号 1234 5678 9018"
    r = world.post("agency", "/api/v1/applications", 422, json={"facts": RENT_FACTS, "intake": intake})
    assert r.json()["error"]["code"] == "individual_number"


def test_uploads_keep_their_sha256_and_refuse_other_types(world: World) -> None:
    app = world.post("agency", "/api/v1/applications", 201, json={"facts": RENT_FACTS}).json()
    r = world.post("agency", f"/api/v1/cases/{app['case_id']}/documents", 201, data={"kind": "identity"},
                   files={"file": ("id.pdf", PDF, "application/pdf")})
    import hashlib

    assert r.json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    bad = world.post("agency", f"/api/v1/cases/{app['case_id']}/documents", 415, data={"kind": "identity"},
                     files={"file": ("x.exe", b"MZ", "application/octet-stream")})
    assert bad.json()["error"]["field"] == "file"


def test_an_agency_never_sees_another_agencys_case(world: World) -> None:
    app = world.apply()
    r = world.get("agency_b", f"/api/v1/cases/{app['case_id']}", 404)
    assert r.json()["error"]["code"] == "not_found"
    world.get("agency_b", f"/api/v1/applications/{app['id']}", 404)
    assert world.get("agency_b", "/api/v1/cases", 200).json() == []


def test_reads_of_personal_data_are_audited_with_the_client_address(world: World) -> None:
    app = world.apply()
    world.get("clerk", f"/api/v1/cases/{app['case_id']}", 200)
    events = world.get("admin", f"/api/v1/audit?case_id={app['case_id']}", 200).json()
    reads = [e for e in events if e["action"] == "case.read"]
    assert reads and reads[0]["username"] == "clerk" and reads[0]["client_ip"]
    assert {"application.create", "application.submit", "document.upload"} <= {e["action"] for e in events}


def test_a_form_of_files_is_stored_whole_or_not_at_all(world: World) -> None:
    """The wizard's document step (R85): one bad file refuses the form; good files come with an audit
    entry each."""
    import pytest

    from service.db.session import unit_of_work
    from service.errors import UnsupportedMediaType
    from service.workflows.applications import Upload, documents_of, upload_documents
    from service.workflows.common import Actor

    app = world.post("agency", "/api/v1/applications", 201, json={"facts": {"benefit": "rent"}}).json()
    agency = Actor(user_id=world.users["agency"], username="agency", role="agency", agency_id=world.agencies["A"])
    factory = world.client.app.state.session_factory  # type: ignore[attr-defined]
    good, bad = Upload("identity", "id.pdf", "application/pdf", PDF), Upload("lease", "x.exe", "application/x-dos", b"MZ")
    with pytest.raises(UnsupportedMediaType), unit_of_work(factory) as session:
        upload_documents(session, agency, app["case_id"], [good, bad], application_id=app["id"],
                         max_bytes=1 << 20, allowed_types=("application/pdf",))
    with unit_of_work(factory) as session:
        assert documents_of(session, app["case_id"]) == []
        docs = upload_documents(session, agency, app["case_id"], [good, Upload("lease", "l.pdf", "application/pdf",
                                                                               PDF + b"2")],
                                application_id=app["id"], max_bytes=1 << 20, allowed_types=("application/pdf",))
        assert [d.kind for d in docs] == ["identity", "lease"] and len({d.id for d in docs}) == 2
    audit = world.get("admin", f"/api/v1/audit?case_id={app['case_id']}", 200).json()
    assert sorted(e["target"] for e in audit if e["action"] == "document.upload") == sorted(
        f"document:{d.id}" for d in docs)

"""Follow-ups after a decision: the emergency grant reported to the 支援調整会議 (R87, R88) and the
homeless applicant's 住居確保報告書 within the municipality's days of moving in (R44)."""

from __future__ import annotations

import copy
from datetime import timedelta

from service_world import INTAKE, RENT_FACTS, World

from service.calendar import office_date
from service.db.models import utcnow

EMERGENCY = {**copy.deepcopy(INTAKE), "emergency": True, "plan": {}}


def _today() -> str:
    return office_date(utcnow()).isoformat()


def _days_ago(days: int) -> str:
    return (office_date(utcnow()) - timedelta(days=days)).isoformat()


def _queue(world: World) -> dict:
    return dict(world.get("clerk", "/api/v1/work-queue?month=2025-06", 200).json())


def test_an_emergency_grant_waits_on_the_queue_until_reported_to_the_meeting(world: World) -> None:
    """R88: decided before the plan went through the 支援調整会議, so it is reported afterwards."""
    app = world.apply(intake=EMERGENCY)
    case_id = app["case_id"]
    world.decide(case_id, {"kind": "grant", "application_id": app["id"]})
    grant = world.get("clerk", f"/api/v1/cases/{case_id}", 200).json()["grants"][0]
    assert grant["coordination_report_due"] is True
    due = _queue(world)["coordination_report_due"]
    assert [(d["case_id"], d["grant_id"]) for d in due] == [(case_id, grant["grant_id"])]

    url = f"/api/v1/cases/{case_id}/coordination-reports"
    tomorrow = (office_date(utcnow()) + timedelta(days=1)).isoformat()
    for bad, field in ((tomorrow, "meeting_date"), (_days_ago(1), "meeting_date"), ("2025-02-30", "meeting_date"),
                       ("30.5.2025", "meeting_date")):
        r = world.post("agency", url, 422, json={"meeting_date": bad})
        assert r.json()["error"]["field"] == field, r.text
    world.post("agency_b", url, 404, json={"meeting_date": _today()})  # another agency's case
    world.post("approver", url, 403, json={"meeting_date": _today()})

    report = world.post("agency", url, 201, json={"meeting_date": _today(), "note": "第3回支援調整会議"}).json()
    assert report["grant_id"] == grant["grant_id"] and report["meeting_date"] == _today()
    assert _queue(world)["coordination_report_due"] == []
    case = world.get("clerk", f"/api/v1/cases/{case_id}", 200).json()
    assert case["grants"][0]["coordination_report_due"] is False
    assert [r["note"] for r in case["coordination_reports"]] == ["第3回支援調整会議"]
    r = world.post("clerk", url, 409, json={"meeting_date": _today()})  # nothing left to report
    assert r.json()["error"]["code"] == "no_report_due"


def test_a_grant_after_the_meeting_owes_no_report(world: World) -> None:
    """R87: the plan went through the 支援調整会議 before the decision (the usual path)."""
    case_id, grant_id = world.granted_case()
    assert world.clock(grant_id)["coordination_report_due"] is False
    assert _queue(world)["coordination_report_due"] == []
    r = world.post("clerk", f"/api/v1/cases/{case_id}/coordination-reports", 409, json={"meeting_date": _today()})
    assert r.json()["error"]["code"] == "no_report_due"


def _certified_homeless_case(world: World) -> tuple[int, int]:
    app = world.apply(dict(RENT_FACTS, applicant_type="homeless"))
    world.decide(app["case_id"], {"kind": "eligibility_certificate", "application_id": app["id"]})
    return app["case_id"], app["id"]


def test_a_certified_homeless_applicant_waits_on_the_queue_for_the_housing_report(world: World) -> None:
    """R44: certificate first; the grant follows the 住居確保報告書."""
    case_id, app_id = _certified_homeless_case(world)
    waiting = _queue(world)["housing_report_waiting"]
    assert [(w["case_id"], w["certified_on"]) for w in waiting] == [(case_id, _today())]
    world.upload(case_id, "housing_report")
    world.decide(case_id, {"kind": "grant", "application_id": app_id,
                           "facts_update": {"lease_initial_costs_paid_on": "2025-05-20"}})
    assert _queue(world)["housing_report_waiting"] == []


def test_a_housing_report_later_than_the_municipal_days_warns_the_approver(world: World) -> None:
    """R44 [M]: within 7 days of moving in (S30, the shipped default). Late is a warning, not a refusal."""
    case_id, app_id = _certified_homeless_case(world)
    world.upload(case_id, "housing_report")  # received today
    body = {"kind": "grant", "application_id": app_id,
            "facts_update": {"lease_initial_costs_paid_on": "2025-05-20", "moved_in_on": _days_ago(8)}}
    draft = world.post("clerk", f"/api/v1/cases/{case_id}/decisions", 201, json=body).json()
    timing = draft["params"]["housing_report"]
    assert (timing["moved_in_on"], timing["received_on"], timing["due_on"], timing["within_days"]) == (
        _days_ago(8), _today(), _days_ago(1), 7)
    assert [(w["code"], w["rule"]) for w in draft["params"]["warnings"]] == [("housing_report_late", "R44")]
    assert "1 日超過" in draft["params"]["warnings"][0]["message"]
    world.post("approver", f"/api/v1/decisions/{draft['id']}/return", 200)

    on_time = {**body, "facts_update": {**body["facts_update"], "moved_in_on": _days_ago(7)}}
    draft = world.post("clerk", f"/api/v1/cases/{case_id}/decisions", 201, json=on_time).json()
    assert draft["params"]["warnings"] == [] and draft["params"]["housing_report"]["due_on"] == _today()
    world.post("approver", f"/api/v1/decisions/{draft['id']}/return", 200)

    for bad in ("2025-02-30", (office_date(utcnow()) + timedelta(days=1)).isoformat()):
        wrong = {**body, "facts_update": {**body["facts_update"], "moved_in_on": bad}}
        r = world.post("clerk", f"/api/v1/cases/{case_id}/decisions", 422, json=wrong)
        assert r.json()["error"]["field"] == "facts_update.moved_in_on", r.text

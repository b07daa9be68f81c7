"""Every decision kind through the API, the 3+3+3 clock and its cap, stops, repayments, re-grants."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from service_world import MOVING_FACTS, RENT_FACTS, World


def test_a_grant_needs_a_second_person_and_runs_three_months(world: World) -> None:
    app = world.apply()
    draft = world.post("clerk", f"/api/v1/cases/{app['case_id']}/decisions", 201,
                       json={"kind": "grant", "application_id": app["id"]}).json()
    assert draft["status"] == "draft" and draft["rates_version"] and draft["code_version"]
    assert draft["result"]["trace"] and draft["facts"]["rent_yen"] == 60000
    world.post("clerk", f"/api/v1/decisions/{draft['id']}/approve", 403)
    world.post("approver", f"/api/v1/decisions/{draft['id']}/approve", 200)
    world.post("approver", f"/api/v1/decisions/{draft['id']}/approve", 409)
    case = world.get("clerk", f"/api/v1/cases/{app['case_id']}", 200).json()
    clock = case["grants"][0]
    assert [m["month"] for m in clock["months"]] == ["2025-05", "2025-06", "2025-07"]
    assert clock["amount_yen"] == 60000 and clock["months_left_of_9"] == 6
    assert clock["extension_deadline"] == "2025-07-31"


def test_an_ineligible_application_is_refused(world: World) -> None:
    app = world.apply(dict(RENT_FACTS, assets_yen=5_000_000))
    r = world.post("clerk", f"/api/v1/cases/{app['case_id']}/decisions", 409,
                   json={"kind": "grant", "application_id": app["id"]})
    assert r.json()["error"]["code"] == "not_eligible"
    refusal = world.decide(app["case_id"], {"kind": "refusal", "application_id": app["id"]})
    assert refusal["result"]["eligible"] is False and refusal["result"]["reasons"]


def _extend(world: World, case_id: int, grant_id: int, applied_on: str) -> dict[str, Any]:
    """An extension application submitted on ``applied_on`` by the office clock (PD30)."""
    world.at(applied_on)
    return world.apply({}, kind="extension", case_id=case_id)


def test_two_extensions_make_nine_months_and_a_third_is_refused(world: World) -> None:
    case_id, grant_id = world.granted_case()
    for applied_on in ("2025-07-15", "2025-10-20"):
        ext = _extend(world, case_id, grant_id, applied_on)
        world.decide(case_id, {"kind": "extension", "application_id": ext["id"], "grant_id": grant_id})
    clock = world.clock(grant_id)
    assert clock["months_used"] == 9 and clock["months_left_of_9"] == 0
    assert clock["period_last_month"] == "2026-01" and clock["extensions_used"] == 2
    ext = _extend(world, case_id, grant_id, "2026-01-10")
    r = world.post("clerk", f"/api/v1/cases/{case_id}/decisions", 409,
                   json={"kind": "extension", "application_id": ext["id"], "grant_id": grant_id})
    assert r.json()["error"]["code"] == "nine_month_cap"
    refusal = world.decide(case_id, {"kind": "extension_refusal", "application_id": ext["id"],
                                     "grant_id": grant_id})
    assert refusal["result"]["extension_problems"][0]["code"] == "nine_month_cap"


def test_a_late_extension_is_refused(world: World) -> None:
    case_id, grant_id = world.granted_case()
    ext = _extend(world, case_id, grant_id, "2025-08-01")  # deadline 2025-07-31
    r = world.post("clerk", f"/api/v1/cases/{case_id}/decisions", 409,
                   json={"kind": "extension", "application_id": ext["id"], "grant_id": grant_id})
    assert r.json()["error"]["code"] == "extension_late"
    world.decide(case_id, {"kind": "extension_refusal", "application_id": ext["id"], "grant_id": grant_id})
    assert world.clock(grant_id)["months_used"] == 3


def test_a_change_takes_effect_the_month_after_acceptance(world: World) -> None:
    case_id, grant_id = world.granted_case()
    world.pay(grant_id, "2025-05")
    change = world.apply({"application_date": "2025-05-20", "rent_yen": 55000}, kind="change", case_id=case_id)
    decision = world.decide(case_id, {"kind": "change", "application_id": change["id"], "grant_id": grant_id})
    assert decision["result"]["effective_month"] == "2025-06"
    amounts = {m["month"]: m["amount_yen"] for m in world.clock(grant_id)["months"]}
    assert amounts == {"2025-05": 60000, "2025-06": 55000, "2025-07": 55000}


def test_an_interruption_pauses_the_clock_and_a_resumption_continues_it(world: World) -> None:
    case_id, grant_id = world.granted_case()
    world.pay(grant_id, "2025-05")
    world.decide(case_id, {"kind": "interruption", "grant_id": grant_id, "effective_month": "2025-06"})
    clock = world.clock(grant_id)
    assert clock["status"] == "interrupted" and clock["months_used"] == 1
    world.decide(case_id, {"kind": "resumption", "grant_id": grant_id, "resume_month": "2025-10"})
    clock = world.clock(grant_id)
    assert [m["month"] for m in clock["months"]] == ["2025-05", "2025-10", "2025-11"]
    assert clock["months_used"] == 3 and clock["period_last_month"] == "2025-11"


STOP_FIRST_UNPAID = {  # grant from 2025-05, event on 2025-06-10 (PD8)
    "job_search_failure": "2025-07",
    "income_over_limit": "2025-07",
    "left_dwelling": "2025-07",
    "false_application": "2025-05",
    "gang_member": "2025-07",
    "imprisonment": "2025-07",
    "public_assistance": "2025-06",
    "death": "2025-07",
    "whereabouts_unknown": "2025-07",
}


@pytest.mark.parametrize("cause", sorted(STOP_FIRST_UNPAID))
def test_the_first_unpaid_month_of_each_stop_cause(world: World, cause: str) -> None:
    from calculations.stops import STOP_EVIDENCE, StopCause

    case_id, grant_id = world.granted_case()
    evidence = [{"kind": kind, "note": "on file"} for kind in STOP_EVIDENCE[StopCause(cause)]]
    body = {"kind": "stop", "grant_id": grant_id, "cause": cause, "event_date": "2025-06-10"}
    r = world.post("clerk", f"/api/v1/cases/{case_id}/decisions", 409, json={**body, "evidence": evidence[1:]})
    assert r.json()["error"]["code"] == "evidence_missing"
    decision = world.decide(case_id, {**body, "evidence": evidence})
    assert decision["result"]["first_unpaid_month"] == STOP_FIRST_UNPAID[cause]
    clock = world.clock(grant_id)
    assert clock["status"] == "stopped"
    assert all(m["status"] == "cancelled" for m in clock["months"] if m["month"] >= STOP_FIRST_UNPAID[cause])


@pytest.mark.parametrize(("cause", "repayment_cause", "expected"), [
    ("income_over_limit", "recipient_error", 120000),
    ("false_application", "fraud", 180000),
])
def test_repayment_claims_the_paid_months_a_stop_removes(world: World, cause: str, repayment_cause: str,
                                                          expected: int) -> None:
    from calculations.stops import STOP_EVIDENCE, StopCause

    case_id, grant_id = world.granted_case()
    world.pay(grant_id, "2025-05", "2025-06", "2025-07")
    world.decide(case_id, {"kind": "stop", "grant_id": grant_id, "cause": cause, "event_date": "2025-05-20",
                           "evidence": [{"kind": k, "note": "記録"} for k in STOP_EVIDENCE[StopCause(cause)]]})
    claim = world.decide(case_id, {"kind": "repayment", "grant_id": grant_id,
                                   "repayment_cause": repayment_cause})
    assert claim["result"]["amount_yen"] == expected and claim["result"]["debtor"] == "recipient"
    case = world.get("clerk", f"/api/v1/cases/{case_id}", 200).json()
    assert case["repayment_claims"][0]["amount_yen"] == expected


def test_a_re_grant_needs_previous_receipt_and_the_wait(world: World) -> None:
    facts = dict(RENT_FACTS, application_date="2026-03-02",
                 trigger=dict(RENT_FACTS["trigger"], date="2025-12-31"),
                 previous_receipt={"last_paid_month": "2025-01", "last_application_date": "2024-06-01"})
    app = world.apply(facts)
    r = world.post("clerk", f"/api/v1/cases/{app['case_id']}/decisions", 409,
                   json={"kind": "grant", "application_id": app["id"]})
    assert r.json()["error"]["code"] == "use_regrant"
    world.decide(app["case_id"], {"kind": "regrant", "application_id": app["id"]})
    too_soon = dict(facts, previous_receipt={"last_paid_month": "2025-06", "last_application_date": "2024-12-01"})
    app2 = world.apply(too_soon)
    r = world.post("clerk", f"/api/v1/cases/{app2['case_id']}/decisions", 409,
                   json={"kind": "regrant", "application_id": app2["id"]})
    assert r.json()["error"]["code"] == "not_eligible"


def test_a_homeless_applicant_gets_the_certificate_first_and_the_grant_after_the_report(world: World) -> None:
    facts = dict(RENT_FACTS, applicant_type="homeless")
    app = world.apply(facts)
    case_id = app["case_id"]
    r = world.post("clerk", f"/api/v1/cases/{case_id}/decisions", 409,
                   json={"kind": "grant", "application_id": app["id"]})
    assert r.json()["error"]["code"] == "certificate_first"
    world.decide(case_id, {"kind": "eligibility_certificate", "application_id": app["id"]})
    grant_body = {"kind": "grant", "application_id": app["id"],
                  "facts_update": {"lease_initial_costs_paid_on": "2025-05-20"}}
    r = world.post("clerk", f"/api/v1/cases/{case_id}/decisions", 409, json=grant_body)
    assert r.json()["error"]["code"] == "housing_report_missing"
    world.upload(case_id, "housing_report")
    world.decide(case_id, grant_body)
    world.at("2025-06-25")
    grant = world.get("clerk", f"/api/v1/cases/{case_id}", 200).json()["grants"][0]
    assert grant["first_month"] == "2025-06" and grant["status"] == "active"
    world.at("2025-09-01")  # after the period's last month (2025-08) the office reads it as ended
    assert world.clock(grant["grant_id"])["status"] == "ended"


def test_a_moving_grant_is_confirmed_after_the_move_with_report_and_receipts(world: World) -> None:
    app = world.apply(copy.deepcopy(MOVING_FACTS))
    case_id = app["case_id"]
    decision = world.decide(case_id, {"kind": "moving_grant", "application_id": app["id"]})
    grant_id = world.get("clerk", f"/api/v1/cases/{case_id}", 200).json()["grants"][0]["grant_id"]
    assert decision["result"]["amount_yen"] == 90000
    r = world.post("clerk", f"/api/v1/cases/{case_id}/decisions", 409,
                   json={"kind": "moving_confirmation", "grant_id": grant_id})
    assert r.json()["error"]["code"] == "move_documents_missing"
    world.upload(case_id, "housing_report")
    world.upload(case_id, "expense_evidence")
    confirmed = world.decide(case_id, {"kind": "moving_confirmation", "grant_id": grant_id,
                                       "actual_costs": [{"category": "key_money", "amount_yen": 50000},
                                                        {"category": "removal", "amount_yen": 30000}]})
    assert confirmed["result"]["confirmed_amount_yen"] == 80000


def test_a_correction_supersedes_and_decisions_stay_immutable(world: World) -> None:
    app = world.apply(dict(RENT_FACTS, assets_yen=5_000_000))
    refusal = world.decide(app["case_id"], {"kind": "refusal", "application_id": app["id"]})
    r = world.post("clerk", f"/api/v1/cases/{app['case_id']}/decisions", 409,
                   json={"kind": "refusal", "application_id": app["id"]})
    assert r.json()["error"]["code"] == "already_decided"
    again = world.decide(app["case_id"], {"kind": "refusal", "application_id": app["id"],
                                          "supersedes_decision_id": refusal["id"], "note": "typo corrected"})
    assert world.get("clerk", f"/api/v1/decisions/{refusal['id']}", 200).json()["status"] == "superseded"
    assert again["supersedes_decision_id"] == refusal["id"]


def test_a_stale_draft_cannot_be_approved(world: World) -> None:
    app = world.apply()
    first = world.post("clerk", f"/api/v1/cases/{app['case_id']}/decisions", 201,
                       json={"kind": "refusal", "application_id": app["id"]}).json()
    world.post("clerk2", f"/api/v1/cases/{app['case_id']}/decisions", 201,
               json={"kind": "grant", "application_id": app["id"]})
    r = world.post("approver", f"/api/v1/decisions/{first['id']}/approve", 409)
    assert r.json()["error"]["code"] == "stale_draft"

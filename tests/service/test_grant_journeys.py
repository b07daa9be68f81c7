"""Journeys of a grant through the API (issue 11): one benefit per household (PD27, PD21), stop evidence
on file (PD16), extensions dated by the office clock (PD30)."""

from __future__ import annotations

import copy

from service_world import INTAKE, MOVING_FACTS, RENT_FACTS, World


def _draft(world: World, case_id: int, body: dict, expect: int) -> dict:
    return dict(world.post("clerk", f"/api/v1/cases/{case_id}/decisions", expect, json=body).json())


def test_a_second_rent_grant_for_the_same_household_and_months_is_refused_naming_the_case(world: World) -> None:
    first_case, first_grant = world.granted_case()
    # The same person typed otherwise (a full-width space): one household.
    again = world.apply(person="山田\u3000太郎")
    case = world.get("clerk", f"/api/v1/cases/{again['case_id']}", 200).json()
    assert case["household_matches"] == [{"case_id": first_case, "grant_id": first_grant, "benefit": "rent",
                                          "status": "active", "first_month": "2025-05",
                                          "period_last_month": "2025-07"}]
    r = _draft(world, again["case_id"], {"kind": "grant", "application_id": again["id"]}, 409)
    assert r["error"]["code"] == "household_already_granted"
    assert f"case {first_case}" in r["error"]["message"]
    # Another birth date is another household: granted.
    other_facts = copy.deepcopy(RENT_FACTS)
    other_facts["household"][0]["birth_date"] = "1985-04-02"
    other = world.apply(other_facts, person="山田太郎")
    assert world.get("clerk", f"/api/v1/cases/{other['case_id']}", 200).json()["household_matches"] == []
    world.decide(other["case_id"], {"kind": "grant", "application_id": other["id"]})


def test_the_household_is_checked_again_at_approval(world: World) -> None:
    a = world.apply(person="ヤマダ タロウ")
    b = world.apply(person="ﾔﾏﾀﾞ ﾀﾛｳ")  # half-width kana, NFKC folds it to the same name
    draft_a = _draft(world, a["case_id"], {"kind": "grant", "application_id": a["id"]}, 201)
    draft_b = _draft(world, b["case_id"], {"kind": "grant", "application_id": b["id"]}, 201)
    world.post("approver", f"/api/v1/decisions/{draft_a['id']}/approve", 200)
    r = world.post("approver", f"/api/v1/decisions/{draft_b['id']}/approve", 409).json()
    assert r["error"]["code"] == "household_already_granted" and f"case {a['case_id']}" in r["error"]["message"]
    assert world.get("clerk", f"/api/v1/cases/{b['case_id']}", 200).json()["grants"] == []


def test_a_rent_grant_after_the_other_cases_months_is_allowed(world: World) -> None:
    world.granted_case()  # 2025-05..07
    later = world.apply(dict(RENT_FACTS, application_date="2025-08-04"), person="山田 太郎")
    world.decide(later["case_id"], {"kind": "grant", "application_id": later["id"]})


def test_no_moving_grant_while_the_households_rent_grant_runs(world: World) -> None:
    world.granted_case()  # 山田 太郎, born 1985-04-01, rent 2025-05..07
    moving = world.apply(copy.deepcopy(MOVING_FACTS), person="山田 太郎")  # applied 2025-05-12
    r = _draft(world, moving["case_id"], {"kind": "moving_grant", "application_id": moving["id"]}, 409)
    assert r["error"]["code"] == "rent_running"
    stranger = world.apply(copy.deepcopy(MOVING_FACTS), person="別人 一郎")
    world.decide(stranger["case_id"], {"kind": "moving_grant", "application_id": stranger["id"]})


def test_stop_evidence_is_documents_or_written_records_never_ticks(world: World) -> None:
    case_id, grant_id = world.granted_case()
    body = {"kind": "stop", "grant_id": grant_id, "cause": "income_over_limit", "event_date": "2025-06-10"}
    ticked = [{"kind": "employment_notification"}, {"kind": "pay_slips"}]
    r = _draft(world, case_id, {**body, "evidence": ticked}, 409)
    assert r["error"]["code"] == "evidence_not_on_file" and r["error"]["field"] == "evidence.employment_notification"
    slips = world.upload(case_id, "pay_slips", who="clerk")
    evidence = [{"kind": "employment_notification", "note": "6月10日 本人より就職の届出（電話）"},
                {"kind": "pay_slips", "document_id": slips}]
    draft = _draft(world, case_id, {**body, "evidence": evidence}, 201)
    # The approver sees the cause, the evidence on file and the first unpaid month.
    seen = world.get("approver", f"/api/v1/decisions/{draft['id']}", 200).json()
    assert seen["result"]["cause"] == "income_over_limit" and seen["result"]["first_unpaid_month"] == "2025-07"
    on_file = {e["kind"]: e for e in seen["result"]["evidence"]}
    assert on_file["pay_slips"]["document_id"] == slips
    record = on_file["employment_notification"]
    assert record["document_id"] is not None and record["filename"] == "employment_notification.txt"
    docs = {d["id"]: d for d in world.get("clerk", f"/api/v1/cases/{case_id}", 200).json()["documents"]}
    assert docs[record["document_id"]]["kind"] == "employment_notification"
    world.post("approver", f"/api/v1/decisions/{draft['id']}/approve", 200)
    assert world.clock(grant_id)["status"] == "stopped"


def test_an_extension_is_dated_the_day_it_is_submitted_and_carries_applicant_and_payee(world: World) -> None:
    case_id, grant_id = world.granted_case()
    world.at("2025-07-31")  # the deadline itself (PD6): in time, whatever date the agency types
    ext = world.apply({"application_date": "2025-06-01"}, kind="extension", case_id=case_id)
    assert ext["facts"]["application_date"] == "2025-07-31"
    assert ext["intake"]["applicant"] == INTAKE["applicant"]
    assert ext["intake"]["payee"]["account_number"] == INTAKE["payee"]["account_number"]
    world.decide(case_id, {"kind": "extension", "application_id": ext["id"], "grant_id": grant_id})
    assert world.clock(grant_id)["period_last_month"] == "2025-10"


def test_an_extension_submitted_after_the_deadline_is_late_whatever_date_is_typed(world: World) -> None:
    case_id, grant_id = world.granted_case()
    world.at("2025-08-01")
    ext = world.apply({"application_date": "2025-07-15"}, kind="extension", case_id=case_id)
    r = _draft(world, case_id, {"kind": "extension", "application_id": ext["id"], "grant_id": grant_id}, 409)
    assert r["error"]["code"] == "extension_late"


def test_a_command_refuses_a_field_of_another_kind(world: World) -> None:
    case_id, grant_id = world.granted_case()
    r = _draft(world, case_id, {"kind": "interruption", "grant_id": grant_id, "effective_month": "2025-06",
                                "cause": "death"}, 422)
    assert "cause" in r["error"]["field"]

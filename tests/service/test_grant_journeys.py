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


def test_an_application_goes_back_to_its_agency_and_comes_back_edited(world: World) -> None:
    app = world.apply()
    draft = _draft(world, app["case_id"], {"kind": "grant", "application_id": app["id"]}, 201)
    world.post("agency", f"/api/v1/applications/{app['id']}/return", 403, json={"reason": "x"})
    returned = world.post("clerk", f"/api/v1/applications/{app['id']}/return", 200,
                          json={"reason": "家賃額が契約書と一致しません"}).json()
    assert returned["status"] == "draft" and returned["returned_reason"] == "家賃額が契約書と一致しません"
    # The draft decided on the old facts can no longer be approved.
    assert world.post("approver", f"/api/v1/decisions/{draft['id']}/approve", 409).json()["error"]["code"] == \
        "stale_draft"
    queue = world.get("clerk", "/api/v1/work-queue?month=2025-05", 200).json()
    assert all(a["application_id"] != app["id"] for a in queue["applications_waiting"])
    seen = world.get("agency", f"/api/v1/applications/{app['id']}", 200).json()
    assert seen["returned_reason"] == "家賃額が契約書と一致しません"
    world.client.patch(f"/api/v1/applications/{app['id']}", headers=world.h("agency"),
                       json={"facts": {"rent_yen": 58000}}).raise_for_status()
    again = world.post("agency", f"/api/v1/applications/{app['id']}/submit", 200).json()
    assert again["status"] == "submitted" and again["returned_reason"] is None
    granted = world.decide(app["case_id"], {"kind": "grant", "application_id": app["id"]})
    assert granted["result"]["amount_yen"] == 58000
    # A decided application is not returned.
    r = world.post("clerk", f"/api/v1/applications/{app['id']}/return", 409, json={"reason": "x"}).json()
    assert r["error"]["code"] == "application_not_returnable"


def test_the_clerk_records_the_coordination_meeting_or_the_emergency_path(world: World) -> None:
    intake = {**copy.deepcopy(INTAKE), "plan": {"plan_date": "2025-05-01"}}
    app = world.apply(intake=intake)
    r = _draft(world, app["case_id"], {"kind": "grant", "application_id": app["id"]}, 409)
    assert r["error"]["code"] == "plan_not_coordinated"
    world.at("2025-05-20")
    url = f"/api/v1/applications/{app['id']}/coordination-meeting"
    assert world.post("clerk", url, 422, json={"meeting_date": "2025-05-21"}).json()["error"]["field"] == \
        "meeting_date"  # after today
    world.post("clerk", url, 422, json={})
    world.post("agency", url, 403, json={"meeting_date": "2025-05-15"})
    recorded = world.post("clerk", url, 200, json={"meeting_date": "2025-05-15"}).json()
    assert recorded["intake"]["plan"] == {"plan_date": "2025-05-01", "coordination_meeting_date": "2025-05-15"}
    world.decide(app["case_id"], {"kind": "grant", "application_id": app["id"]})
    # The emergency path instead: decided first, reported to the meeting afterwards (R88).
    other = world.apply(intake=copy.deepcopy(intake), person="緊急 花子")
    world.post("clerk", f"/api/v1/applications/{other['id']}/coordination-meeting", 200, json={"emergency": True})
    world.decide(other["case_id"], {"kind": "grant", "application_id": other["id"]})
    grant = world.get("clerk", f"/api/v1/cases/{other['case_id']}", 200).json()["grants"][0]
    assert grant["coordination_report_due"] is True


def test_a_receivable_is_overdue_only_after_the_due_date_of_the_demand(world: World) -> None:
    world.at("2025-05-20")
    case_id, grant_id = world.granted_case()
    world.pay(grant_id, "2025-05", "2025-06", "2025-07")
    world.at("2025-07-22")
    world.decide(case_id, {"kind": "stop", "grant_id": grant_id, "cause": "false_application",
                           "event_date": "2025-07-10",
                           "evidence": [{"kind": "false_statement_evidence", "note": "収入の申告漏れを確認"}]})
    world.decide(case_id, {"kind": "repayment", "grant_id": grant_id, "repayment_cause": "fraud"})
    due_on = "2025-08-21"  # 2025-07-22 + 30 days (letterhead repayment_due_days), as the 返還請求書 prints it
    for day, overdue in (("2025-07-22", 0), (due_on, 0), ("2025-08-22", 180000)):
        world.at(day)
        (row,) = world.get("finance", "/api/v1/receivables", 200).json()
        assert (row["payment_due_on"], row["overdue_yen"], row["balance_yen"]) == (due_on, overdue, 180000), day


def test_the_work_queue_lists_each_item_once_until_decided_with_totals_and_pages(world: World) -> None:
    apps = [world.apply() for _ in range(3)]
    draft = _draft(world, apps[0]["case_id"], {"kind": "grant", "application_id": apps[0]["id"]}, 201)
    queue = world.get("clerk", "/api/v1/work-queue?month=2025-05", 200).json()
    # The drafted application waits for approval, not for a decision as well.
    assert [a["application_id"] for a in queue["applications_waiting"]] == [apps[1]["id"], apps[2]["id"]]
    assert [d["decision_id"] for d in queue["awaiting_approval"]] == [draft["id"]]
    assert queue["totals"]["applications_waiting"] == 2 and queue["totals"]["awaiting_approval"] == 1
    page = world.get("clerk", "/api/v1/work-queue?month=2025-05&limit=1", 200).json()
    assert len(page["applications_waiting"]) == 1 and page["totals"]["applications_waiting"] == 2
    second = world.get("clerk", "/api/v1/work-queue?month=2025-05&limit=1&offset=1&section=applications_waiting",
                       200).json()
    assert [a["application_id"] for a in second["applications_waiting"]] == [apps[2]["id"]]
    assert "awaiting_approval" not in second and second["totals"]["awaiting_approval"] == 1
    world.get("clerk", "/api/v1/work-queue?month=2025-05&section=nonsense", 422)
    world.post("approver", f"/api/v1/decisions/{draft['id']}/approve", 200)
    # A proposed stop disappears once the grant is stopped, even by a stop drafted without the proposal.
    case_id = apps[0]["case_id"]
    grant_id = world.get("clerk", f"/api/v1/cases/{case_id}", 200).json()["grants"][0]["grant_id"]
    world.at("2025-07-11")
    (proposal,) = world.post("clerk", "/api/v1/stop-proposals/generate?month=2025-06", 200).json()
    queue = world.get("clerk", "/api/v1/work-queue?month=2025-07", 200).json()
    assert [p["proposal_id"] for p in queue["proposed_stops"]] == [proposal["id"]]
    world.decide(case_id, {"kind": "stop", "grant_id": grant_id, "cause": "death", "event_date": "2025-07-01",
                           "evidence": [{"kind": "death_record", "note": "死亡届の写しを確認"}]})
    queue = world.get("clerk", "/api/v1/work-queue?month=2025-07", 200).json()
    assert queue["proposed_stops"] == [] and queue["totals"]["proposed_stops"] == 0
    assert queue["awaiting_approval"] == [] and queue["applications_waiting"] == [
        {"application_id": a["id"], "case_id": a["case_id"], "kind": "initial", "benefit": "rent"} for a in apps[1:]]

"""Payments through the service (issue 4): runs, batches, the 全銀 file, returns, statements, exports."""

from __future__ import annotations

import copy
import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from service_world import INTAKE, MOVING_FACTS, RENT_FACTS, World

from payments.zengin import parse_transfer_file
from payments.zengin_validator import validate_transfer_file
from service.clock import FixedClock
from service.db.session import unit_of_work
from service.workflows import payments as payments_wf

GOLDEN = Path(__file__).parent / "golden"


def with_second_finance(world: World) -> World:
    """The world plus a second finance user (PD17: the approver is not the preparer)."""
    world.second_finance()
    return world


@pytest.fixture
def fin(world: World) -> World:
    """Finance's world on the office clock of 20 May 2025 (the tests' applications are of May 2025)."""
    at(world, date(2025, 5, 20))
    return with_second_finance(world)


def at(world: World, day: date) -> FixedClock:
    """Set the office clock of the app (service.clock) to ``day``."""
    clock = FixedClock.at_office_day(day)
    world.client.app.state.office_clock = clock  # type: ignore[attr-defined]
    return clock


def intake_with(**payee: Any) -> dict[str, Any]:
    intake = copy.deepcopy(INTAKE)
    intake["payee"].update(payee)
    return intake


def granted(world: World, intake: dict[str, Any] | None = None, *, holder_kana: str | None = None) -> tuple[int, int]:
    """A granted case; ``holder_kana`` is stored as given, past the intake's conversion (a 口座名義 saved
    before intake converted it to the bank's kana, issue 14)."""
    app = world.apply(intake=intake, submit=holder_kana is None)
    if holder_kana is not None:
        from sqlalchemy.orm.attributes import flag_modified

        from service.db.models import Application
        from service.db.session import unit_of_work

        with unit_of_work(world.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
            row = session.get(Application, app["id"])
            assert row is not None
            row.intake = {**row.intake, "payee": {**row.intake["payee"], "holder_kana": holder_kana}}
            flag_modified(row, "intake")
        app = world.post("agency", f"/api/v1/applications/{app['id']}/submit", 200).json()
    world.decide(app["case_id"], {"kind": "grant", "application_id": app["id"]})
    case = world.get("clerk", f"/api/v1/cases/{app['case_id']}", 200).json()
    return app["case_id"], int(case["grants"][0]["grant_id"])


def run(world: World, month: str, expect: int = 201) -> dict[str, Any]:
    return dict(world.post("finance", "/api/v1/payment-runs", expect, json={"benefit_month": month}).json())


def approve_export(world: World, batch_id: int) -> bytes:
    world.post("finance2", f"/api/v1/payment-batches/{batch_id}/approve", 200)
    world.post("finance", f"/api/v1/payment-batches/{batch_id}/export", 200)
    return bytes(world.get("finance", f"/api/v1/payment-batches/{batch_id}/file", 200).content)


def test_a_month_is_run_approved_by_another_person_and_exported_once(fin: World) -> None:
    case_id, grant_id = granted(fin)
    report = run(fin, "2025-05")
    assert report["payment_count"] == 1 and report["total_yen"] == 60000 and report["excluded"] == []
    assert report["pay_date"] == "2025-05-23"  # the 25th is a Sunday (PD18)
    batch_id = report["batch_id"]
    r = fin.post("finance", f"/api/v1/payment-batches/{batch_id}/approve", 403)
    assert r.json()["error"]["code"] == "two_person_rule"
    r = fin.post("finance", f"/api/v1/payment-batches/{batch_id}/export", 409)
    assert r.json()["error"]["code"] == "batch_state"
    content = approve_export(fin, batch_id)
    # Golden: parsed back and validated by the pure core, and byte for byte as stored.
    assert validate_transfer_file(content) == []
    parsed = parse_transfer_file(content)
    assert parsed.total_count == 1 and parsed.total_amount_yen == 60000
    (transfer,) = parsed.transfers
    assert (transfer.bank_code, transfer.branch_code, transfer.account_number) == ("0001", "001", "1234567")
    assert transfer.holder_name == "ｶ)ﾃｽﾄﾌﾄﾞｳｻﾝ" and transfer.new_code == "1" and transfer.customer_code_1 == 1
    assert parsed.transfer_mmdd == "0523"
    assert content == (GOLDEN / "zengin_2025-05_one_rent.txt").read_bytes()
    again = fin.get("finance", f"/api/v1/payment-batches/{batch_id}/file", 200)
    assert again.content == content
    batch = fin.get("finance", f"/api/v1/payment-batches/{batch_id}", 200).json()
    assert batch["status"] == "exported" and batch["file"]["sha256"] == again.headers["x-content-sha256"]
    assert batch["file"]["record_count"] == 1 and batch["file"]["total_yen"] == 60000
    assert fin.clock(grant_id)["months"][0]["status"] == "paid"
    # Rerunning the month adds nothing; the next month pays the next instalment (新規コード 0).
    assert run(fin, "2025-05", 200)["batch_id"] is None
    at(fin, date(2025, 6, 2))
    june = run(fin, "2025-06")
    june_file = parse_transfer_file(approve_export(fin, june["batch_id"]))
    assert june_file.transfers[0].new_code == "0" and june_file.total_amount_yen == 60000
    fin.post("finance", f"/api/v1/payment-batches/{june['batch_id']}/settle", 200)
    assert fin.get("finance", f"/api/v1/payment-batches/{june['batch_id']}", 200).json()["status"] == "settled"
    ledger = fin.get("finance", f"/api/v1/grants/{grant_id}/payments", 200).json()
    assert [(p["benefit_month"], p["amount_yen"]) for p in ledger] == [("2025-05", 60000), ("2025-06", 60000)]


def test_a_bad_payee_is_left_out_and_reported_and_the_rest_goes_on(fin: World) -> None:
    good_case, _ = granted(fin)
    bad_case, bad_grant = granted(fin, intake_with(account_number="7654321"), holder_kana="ヤマダ゠フドウサン")
    report = run(fin, "2025-05")
    assert report["payment_count"] == 1 and report["total_yen"] == 60000
    (excluded,) = report["excluded"]
    assert excluded["case_id"] == bad_case and excluded["reason_code"] == "payee_problem"
    assert "'゠'" in excluded["reason"]
    batch = fin.get("finance", f"/api/v1/payment-batches/{report['batch_id']}", 200).json()
    assert batch["excluded"] == report["excluded"]
    payee = fin.get("finance", f"/api/v1/payees/{excluded['payee_id']}", 200).json()
    assert payee["problems"][0]["code"] == "holder_name_unrepresentable"
    fixed = fin.client.patch(f"/api/v1/payees/{payee['id']}", headers=fin.h("finance"),
                             json={"holder_name": "ヤマダフドウサン"}).json()
    assert fixed["problems"] == [] and fixed["account_version"] == 2
    second = run(fin, "2025-05")  # the left-out case is paid once its payee is fixed
    assert second["payment_count"] == 1 and second["excluded"] == []
    assert fin.clock(bad_grant)["months"][0]["status"] == "in_batch"  # PD31: paid only once exported
    assert good_case != bad_case


def test_a_returned_transfer_is_paid_again_once_the_account_is_fixed(fin: World) -> None:
    case_id, grant_id = granted(fin)
    may = run(fin, "2025-05")
    approve_export(fin, may["batch_id"])
    bad_csv = b"batch_id,customer_code,amount_yen,reason_code,reason\r\n" + f"{may['batch_id']},1,60001,R1,x\r\n".encode()
    r = fin.post("finance", "/api/v1/payment-returns", 422, files={"file": ("r.csv", bad_csv, "text/csv")})
    assert r.json()["error"]["field"] == "amount_yen"
    good_csv = ("batch_id,customer_code,amount_yen,reason_code,reason\r\n"
                f"{may['batch_id']},1,60000,NOACCT,口座なし\r\n").encode()
    result = fin.post("finance", "/api/v1/payment-returns", 200, files={"file": ("r.csv", good_csv, "text/csv")}).json()
    assert result == {"imported": 1, "already_imported": 0, "reversed_payments": 1, "reversed_yen": 60000}
    again = fin.post("finance", "/api/v1/payment-returns", 200, files={"file": ("r.csv", good_csv, "text/csv")}).json()
    assert again["already_imported"] == 1 and again["reversed_payments"] == 0
    assert fin.clock(grant_id)["months"][0]["status"] == "scheduled"
    at(fin, date(2025, 6, 2))
    june = run(fin, "2025-06")  # June is paid; the returned May waits for a fixed account
    assert june["payment_count"] == 1
    assert [x["reason_code"] for x in june["excluded"]] == ["returned_not_payable"]
    payee_id = june["excluded"][0]["payee_id"]
    fin.client.patch(f"/api/v1/payees/{payee_id}", headers=fin.h("finance"), json={"account_number": "1111111"})
    later = run(fin, "2025-06")
    assert later["payment_count"] == 1 and later["excluded"] == []
    parsed = parse_transfer_file(approve_export(fin, later["batch_id"]))
    assert parsed.transfers[0].new_code == "2" and parsed.transfers[0].account_number == "1111111"
    ledger = fin.get("finance", f"/api/v1/grants/{grant_id}/payments", 200).json()
    assert [(p["kind"], p["benefit_month"], p["amount_yen"]) for p in ledger] == [
        ("payment", "2025-05", 60000), ("reversal", "2025-05", -60000), ("payment", "2025-06", 60000),
        ("payment", "2025-05", 60000)]
    assert ledger[3]["replaces_reversal_id"] == ledger[1]["id"] and ledger[1]["reason_code"] == "NOACCT"
    assert run(fin, "2025-06", 200)["batch_id"] is None


def test_nothing_is_paid_after_a_stop_or_during_an_interruption(fin: World) -> None:
    from calculations.stops import STOP_EVIDENCE, StopCause

    paused_case, paused = granted(fin)
    fin.decide(paused_case, {"kind": "interruption", "grant_id": paused, "effective_month": "2025-06"})
    stopped_case, stopped = granted(fin, intake_with(account_number="2222222"))
    cause = "job_search_failure"
    fin.decide(stopped_case, {"kind": "stop", "grant_id": stopped, "cause": cause, "event_date": "2025-06-10",
                              "evidence": [{"kind": k, "note": "記録"} for k in STOP_EVIDENCE[StopCause(cause)]]})
    at(fin, date(2025, 9, 1))
    report = run(fin, "2025-09")
    statements = fin.get("finance", f"/api/v1/payment-batches/{report['batch_id']}/statements", 200).json()
    paid = sorted((line["case_reference"], line["benefit_month"]) for s in statements for line in s["lines"])
    ref = "HB-{:07d}".format
    assert paid == sorted([(ref(paused_case), "2025-05"), (ref(stopped_case), "2025-05"),
                           (ref(stopped_case), "2025-06")])
    assert report["total_yen"] == 180000 and sum(s["total_yen"] for s in statements) == 180000
    assert statements[0]["lines"][0]["recipient_name"] == "山田 太郎"


def test_a_moving_grant_is_split_between_the_agent_and_the_removal_company(fin: World) -> None:
    app = fin.apply(copy.deepcopy(MOVING_FACTS))
    case_id = app["case_id"]
    fin.decide(case_id, {"kind": "moving_grant", "application_id": app["id"]})
    grant_id = fin.get("clerk", f"/api/v1/cases/{case_id}", 200).json()["grants"][0]["grant_id"]
    assert run(fin, "2025-05", 200)["batch_id"] is None  # not confirmed yet: nothing due
    fin.upload(case_id, "housing_report")
    fin.upload(case_id, "expense_evidence")
    fin.decide(case_id, {"kind": "moving_confirmation", "grant_id": grant_id,
                         "actual_costs": [{"category": "key_money", "amount_yen": 50000},
                                          {"category": "removal", "amount_yen": 30000}]})
    mover = fin.post("finance", "/api/v1/payees", 201, json={
        "kind": "removal_company", "name": "テスト運送株式会社", "holder_name": "テストウンソウ(カ", "bank_code": "0005",
        "branch_code": "001", "account_type": "ordinary", "account_number": "3333333"}).json()
    assert mover["problems"] == []
    fin.client.put(f"/api/v1/grants/{grant_id}/payees/moving_other", headers=fin.h("finance"),
                   json={"payee_id": mover["id"]})
    # The confirmation's month is its review day (the wall clock until decisions read the office clock).
    at(fin, date.today())
    month = payments_wf.latest_payable_month(date.today())
    report = run(fin, month)
    assert report["payment_count"] == 2 and report["transfer_count"] == 2 and report["total_yen"] == 80000
    parsed = parse_transfer_file(approve_export(fin, report["batch_id"]))
    assert sorted(t.amount_yen for t in parsed.transfers) == [30000, 50000]
    ledger = fin.get("finance", f"/api/v1/grants/{grant_id}/payments", 200).json()
    assert sorted((p["part"], p["amount_yen"]) for p in ledger) == [("moving_initial", 50000), ("moving_other", 30000)]
    assert run(fin, month, 200)["batch_id"] is None


def test_receivables_plans_receipts_and_balances(fin: World) -> None:
    from calculations.stops import STOP_EVIDENCE, StopCause

    case_id, grant_id = granted(fin)
    at(fin, date(2025, 7, 1))
    approve_export(fin, run(fin, "2025-07")["batch_id"])  # May to July in one batch (arrears)
    fin.decide(case_id, {"kind": "stop", "grant_id": grant_id, "cause": "income_over_limit", "event_date": "2025-05-20",
                         "evidence": [{"kind": k, "note": "記録"} for k in STOP_EVIDENCE[StopCause.income_over_limit]]})
    fin.decide(case_id, {"kind": "repayment", "grant_id": grant_id, "repayment_cause": "recipient_error"})
    (claim,) = fin.get("finance", "/api/v1/receivables", 200).json()
    assert claim["claimed_yen"] == 120000 and claim["balance_yen"] == 120000
    cid = claim["claim_id"]
    r = fin.post("finance", f"/api/v1/repayment-claims/{cid}/plan", 409,
                 json={"instalments": [{"due_date": "2025-09-30", "amount_yen": 60000}]})
    assert r.json()["error"]["code"] == "plan_total"
    fin.post("finance", f"/api/v1/repayment-claims/{cid}/plan", 201, json={"instalments": [
        {"due_date": "2025-09-30", "amount_yen": 60000}, {"due_date": "2025-10-31", "amount_yen": 60000}]})
    after = fin.post("finance", f"/api/v1/repayment-claims/{cid}/receipts", 201,
                     json={"amount_yen": 50000, "received_on": "2025-09-29"}).json()
    assert after["received_yen"] == 50000 and after["balance_yen"] == 70000 and after["next_due_date"] == "2025-09-30"
    r = fin.post("finance", f"/api/v1/repayment-claims/{cid}/receipts", 409,
                 json={"amount_yen": 70001, "received_on": "2025-10-01"})
    assert r.json()["error"]["code"] == "overpayment"


def test_finance_exports_and_statistics_hold_integers_only(fin: World, tmp_path: Path) -> None:
    import openpyxl

    from service.workflows.common import Actor
    from service.workflows.finance_reports import export_finance_files

    granted(fin)
    granted(fin, intake_with(account_number="4444444"))
    report = run(fin, "2025-05")
    csv_bytes = fin.get("finance", f"/api/v1/payment-batches/{report['batch_id']}/payment-list.csv", 200).content
    assert csv_bytes.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    assert [r["amount_yen"] for r in rows] == ["60000", "60000"]
    actor = Actor(user_id=fin.users["finance"], username="finance", role="finance")
    with unit_of_work(fin.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        paths = export_finance_files(session, actor, report["batch_id"], tmp_path)
    names = sorted(p.name for p in paths)
    assert "totals_by_payee_2025-05.csv" in names and "receivables.xlsx" in names
    totals = list(csv.DictReader(io.StringIO((tmp_path / "totals_by_subsidy_2025-05.csv").read_text("utf-8-sig"))))
    assert totals == [{"benefit_month": "2025-05", "subsidy": "rent", "instalment_count": "2", "amount_yen": "120000"}]
    sheet = openpyxl.load_workbook(next(p for p in paths if p.suffix == ".xlsx" and "payments" in p.name)).active
    amounts = [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert amounts == [60000, 60000] and all(type(a) is int for a in amounts)
    # The decisions were made on the office clock's day (2025-05-20, the fixture).
    stats = fin.get("finance", "/api/v1/statistics/monthly.csv?month=2025-05", 200).content
    table = list(csv.DictReader(io.StringIO(stats.decode("utf-8-sig"))))
    sections = {(r["section"], r["item"]): r for r in table}
    assert sections[("decisions", "grant")]["count"] == "2"
    assert sections[("applications", "rent.initial")]["count"] == "2"
    may = list(csv.DictReader(io.StringIO(fin.get("finance", "/api/v1/statistics/monthly.csv?month=2025-05",
                                                   200).content.decode("utf-8-sig"))))
    assert {(r["section"], r["item"], r["count"], r["amount_yen"]) for r in may} >= {("payments", "rent", "2", "120000")}


def _claimed_then_july_returned(fin: World, stop_event_date: str) -> tuple[int, int, dict[str, Any], bytes]:
    """May–June paid in one batch, July in another; a stop (income over the limit on ``stop_event_date``)
    and its repayment claim. Returns the case, the grant, the claim decision and the returns CSV that
    sends July's transfer back (振込不能)."""
    from calculations.stops import STOP_EVIDENCE, StopCause

    case_id, grant_id = granted(fin)
    at(fin, date(2025, 6, 2))
    approve_export(fin, run(fin, "2025-06")["batch_id"])  # May and June
    at(fin, date(2025, 7, 1))
    july = run(fin, "2025-07")
    parsed = parse_transfer_file(approve_export(fin, july["batch_id"]))
    fin.decide(case_id, {"kind": "stop", "grant_id": grant_id, "cause": "income_over_limit",
                         "event_date": stop_event_date,
                         "evidence": [{"kind": k, "note": "記録"} for k in STOP_EVIDENCE[StopCause.income_over_limit]]})
    claim_decision = fin.decide(case_id, {"kind": "repayment", "grant_id": grant_id,
                                          "repayment_cause": "recipient_error"})
    returned = ("batch_id,customer_code,amount_yen,reason_code,reason\r\n"
                f"{july['batch_id']},{parsed.transfers[0].customer_code_1},60000,NOACCT,口座なし\r\n").encode()
    return case_id, grant_id, claim_decision, returned


def test_a_transfer_returned_after_the_repayment_claim_queues_a_correction(fin: World) -> None:
    """PD9: the claim covers what was paid after the first unpaid month. A claimed month whose transfer
    comes back later (振込不能) was never received, so the clerk corrects the claim; what the recipient
    has already paid back stays counted."""
    case_id, grant_id, claim_decision, returned = _claimed_then_july_returned(fin, "2025-05-20")
    (claim,) = fin.get("finance", "/api/v1/receivables", 200).json()
    assert claim["claimed_yen"] == 120000  # June and July
    fin.post("finance", f"/api/v1/repayment-claims/{claim['claim_id']}/receipts", 201,
             json={"amount_yen": 50000, "received_on": "2025-09-29"})
    assert fin.get("clerk", "/api/v1/work-queue?month=2025-09", 200).json()["repayment_claims_to_correct"] == []

    fin.post("finance", "/api/v1/payment-returns", 200, files={"file": ("r.csv", returned, "text/csv")})
    (to_correct,) = fin.get("clerk", "/api/v1/work-queue?month=2025-09", 200).json()["repayment_claims_to_correct"]
    assert (to_correct["claim_id"], to_correct["months_no_longer_paid"]) == (claim["claim_id"], ["2025-07"])

    corrected = fin.decide(case_id, {"kind": "repayment", "grant_id": grant_id, "repayment_cause": "recipient_error",
                                     "supersedes_decision_id": claim_decision["id"]})
    assert corrected["result"]["amount_yen"] == 60000
    assert [m["month"] for m in corrected["result"]["months"]] == ["2025-06"]
    (receivable,) = fin.get("finance", "/api/v1/receivables", 200).json()
    assert (receivable["claimed_yen"], receivable["received_yen"], receivable["balance_yen"]) == (60000, 50000, 10000)
    assert fin.get("clerk", "/api/v1/work-queue?month=2025-09", 200).json()["repayment_claims_to_correct"] == []
    r = fin.post("finance", f"/api/v1/repayment-claims/{receivable['claim_id']}/receipts", 409,
                 json={"amount_yen": 10001, "received_on": "2025-10-01"})
    assert r.json()["error"]["code"] == "overpayment"


def test_a_claim_whose_every_month_came_back_is_withdrawn_by_the_correction(fin: World) -> None:
    """PD9: nothing left to repay, so the correcting decision withdraws the claim (no new claim)."""
    case_id, grant_id, claim_decision, returned = _claimed_then_july_returned(fin, "2025-06-20")
    assert [m["month"] for m in claim_decision["result"]["months"]] == ["2025-07"]
    fin.post("finance", "/api/v1/payment-returns", 200, files={"file": ("r.csv", returned, "text/csv")})
    body = {"kind": "repayment", "grant_id": grant_id, "repayment_cause": "recipient_error"}
    r = fin.post("clerk", f"/api/v1/cases/{case_id}/decisions", 409, json=body)  # a correction, not a new claim
    assert r.json()["error"]["code"] == "already_claimed"
    (claim,) = fin.get("finance", "/api/v1/receivables", 200).json()
    fin.post("finance", f"/api/v1/repayment-claims/{claim['claim_id']}/receipts", 201,
             json={"amount_yen": 20000, "received_on": "2025-09-29"})  # paid back before the correction
    withdrawn = fin.decide(case_id, {**body, "supersedes_decision_id": claim_decision["id"]})
    assert withdrawn["result"]["amount_yen"] == 0 and withdrawn["result"]["months"] == []
    from service.db.models import Decision
    from service.workflows import letters as letters_wf

    with unit_of_work(fin.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        decision = session.get(Decision, withdrawn["id"])
        (plan,) = letters_wf.plan_letters(session, decision)
        planned = plan.build(letters_wf.municipality_letterhead("131016").letterhead("試第1号"), {})
    from letters.snapshot import build_from_snapshot, to_snapshot

    letter = build_from_snapshot(to_snapshot(planned))  # as the outbox worker lays it out
    assert plan.key == "repayment_withdrawal/recipient" and "返還請求取消通知書" in letter.title
    assert "60,000円" in letter.plain_text() and "20,000円 は還付します" in letter.plain_text()
    (refund,) = fin.get("finance", "/api/v1/receivables", 200).json()  # the 20,000 yen go back
    assert (refund["withdrawn"], refund["claimed_yen"], refund["balance_yen"], refund["refund_due_yen"]) == (
        True, 0, 0, 20000)
    url = f"/api/v1/repayment-claims/{refund['claim_id']}"
    assert fin.post("finance", f"{url}/receipts", 409, json={"amount_yen": 1, "received_on": "2025-10-01"}
                    ).json()["error"]["code"] == "overpayment"
    assert fin.post("finance", f"{url}/plan", 409, json={"instalments": [{"due_date": "2025-10-31",
                                                                          "amount_yen": 1}]}
                    ).json()["error"]["code"] == "claim_withdrawn"
    fin.post("finance", f"{url}/receipts", 201, json={"amount_yen": -20000, "received_on": "2025-10-02",
                                                      "note": "還付"})
    assert fin.get("finance", "/api/v1/receivables", 200).json() == []
    assert fin.get("clerk", "/api/v1/work-queue?month=2025-09", 200).json()["repayment_claims_to_correct"] == []


def test_full_width_account_digits_are_taken_as_ascii_at_intake(fin: World) -> None:
    """０００１ typed on a Japanese keyboard is the bank code 0001 (the 全銀 file holds ASCII digits)."""
    app = fin.apply(intake=intake_with(bank_code="０００１", branch_code="００１", account_number="７６５４３２１"))
    payee = app["intake"]["payee"]
    assert (payee["bank_code"], payee["branch_code"], payee["account_number"]) == ("0001", "001", "7654321")
    r = fin.post("agency", "/api/v1/applications", 422, json={"facts": RENT_FACTS,
                                                               "intake": intake_with(bank_code="٠٠٠١")})
    assert r.json()["error"]["field"] == "intake.payee.bank_code"


def test_a_grant_whose_intake_payee_cannot_be_registered_is_listed_for_assignment(fin: World) -> None:
    """R45: the run registers the intake payee by itself; one it cannot (legacy data with no account) is
    listed for finance, and the assignment takes it off the list."""
    _case_id, grant_id = granted(fin)
    assert fin.get("finance", "/api/v1/grants-without-payee", 200).json() == []  # the run will register it
    with unit_of_work(fin.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        from service.db.models import Application, BenefitGrant

        grant = session.get(BenefitGrant, grant_id)
        assert grant is not None
        app = session.get(Application, grant.application_id)
        assert app is not None
        app.intake = {**app.intake, "payee": {**app.intake["payee"], "account_number": None}}
    (missing,) = fin.get("finance", "/api/v1/grants-without-payee", 200).json()
    assert (missing["grant_id"], missing["part"], missing["intake_payee_name"]) == (grant_id, "rent", "株式会社テスト不動産")
    report = run(fin, "2025-05", 200)  # nothing to pay: no batch
    assert report["batch_id"] is None and [x["reason_code"] for x in report["excluded"]] == ["payee_invalid"]
    assert "account_number" in report["excluded"][0]["reason"]
    payee = fin.post("finance", "/api/v1/payees", 201, json={
        "kind": "agent", "name": "株式会社テスト不動産", "holder_name": "カ)テストフドウサン", "bank_code": "0001",
        "branch_code": "001", "account_type": "ordinary", "account_number": "1234567"}).json()
    fin.client.put(f"/api/v1/grants/{grant_id}/payees/rent", headers=fin.h("finance"), json={"payee_id": payee["id"]})
    assert fin.get("finance", "/api/v1/grants-without-payee", 200).json() == []
    assert run(fin, "2025-05")["payment_count"] == 1


def test_every_finance_operation_describes_its_response_in_the_openapi_document(fin: World) -> None:
    """Issue 15 item 6: response models instead of hand-written dicts; files name their content type."""
    from service.api.payments import router

    spec = fin.client.get("/openapi.json").json()
    described = 0
    for route in router.routes:
        path = "/api/v1" + route.path  # type: ignore[attr-defined]
        for method in route.methods:  # type: ignore[attr-defined]
            responses = spec["paths"][path][method.lower()]["responses"]
            success = next(v for k, v in responses.items() if k.startswith("2"))
            content = success.get("content", {})
            schema = content.get("application/json", {}).get("schema", {})
            assert "$ref" in str(schema) or (set(content) - {"application/json"}), (method, path, success)
            described += 1
    assert described >= 30

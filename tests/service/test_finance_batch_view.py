"""Finance sees every transfer before approval, and exports in Japanese (issue 14 item 3, issue 15 item 3,
issue 12 formula injection)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import openpyxl
import pandas as pd
import pytest
from service_world import World
from test_payments import approve_export, at, granted, intake_with, run, with_second_finance


@pytest.fixture
def fin(world: World) -> World:
    """Finance's world on the office clock of 20 May 2025 (the tests' applications are of May 2025)."""
    at(world, date(2025, 5, 20))
    return with_second_finance(world)


def _two_payees(fin: World) -> dict[str, Any]:
    granted(fin)  # 株式会社テスト不動産, みずほ 東京営業部
    granted(fin, intake_with(name="=HYPERLINK(\"http://evil\",\"x\")", account_number="7654321", bank_code="0005",
                             branch_code="001", holder_kana="ﾔﾏﾀﾞ ﾀﾛｳ", payee_kind="landlord", corporate_number=None))
    return run(fin, "2025-05")


def test_the_transfers_of_a_draft_batch_are_listed_with_names_masked_accounts_and_cases(fin: World) -> None:
    report = _two_payees(fin)
    batch_id = report["batch_id"]
    view = fin.get("finance2", f"/api/v1/payment-batches/{batch_id}/transfers", 200).json()
    assert view["batch"]["status"] == "draft" and view["batch"]["prepared_by_name"] == "finance"
    assert view["transfer_count"] == 2 and view["total_yen"] == 120000 and view["totals_agree"] is True
    assert view["by_subsidy"] == {"rent": {"payment_count": 2, "amount_yen": 120000}}
    first, second = view["transfers"]
    assert (first["customer_code"], first["bank_name"], first["branch_name"]) == (1, "みずほ", "東京営業部")
    assert first["account_number_masked"] == "****567" and "1234567" not in str(view)
    assert first["account_type_label"] == "普通" and first["amount_yen"] == 60000
    (line,) = first["lines"]
    assert line["recipient_name"] == "山田 太郎" and line["benefit_month"] == "2025-05"
    assert line["subsidy_label"] == "家賃補助" and line["amount_yen"] == 60000
    assert second["bank_name"] == "三菱ＵＦＪ" and second["account_number_masked"] == "****321"
    page = fin.get("finance2", f"/api/v1/payment-batches/{batch_id}/transfers?limit=1&offset=1", 200).json()
    assert [t["customer_code"] for t in page["transfers"]] == [2] and page["total_yen"] == 120000
    fin.get("finance2", f"/api/v1/payment-batches/{batch_id}/transfers?limit=0", 422)
    fin.get("clerk", f"/api/v1/payment-batches/{batch_id}/transfers", 403)
    fin.get("finance", "/api/v1/payment-batches/99999/transfers", 404)


def test_the_japanese_payment_list_has_accounts_labels_and_a_total_and_csv_equals_xlsx(fin: World) -> None:
    batch_id = _two_payees(fin)["batch_id"]
    base = f"/api/v1/payment-batches/{batch_id}/payment-list"
    csv_bytes = fin.get("finance", f"{base}.csv?layout=ja", 200).content
    text = csv_bytes.decode("utf-8-sig")
    header = text.splitlines()[0].split(",")
    assert header[:4] == ["振込指定日", "振込番号（顧客コード）", "支払先", "金融機関コード"]
    assert {"金融機関名", "支店名", "預金種目", "口座番号", "口座名義（カナ）", "受給者氏名", "補助の種類", "金額（円）"} <= set(header)
    from_csv = pd.read_csv(io.BytesIO(csv_bytes), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert from_csv["補助の種類"].tolist()[:2] == ["家賃補助", "家賃補助"]
    assert from_csv["預金種目"].tolist()[:2] == ["普通", "普通"]
    assert from_csv["金融機関名"].tolist()[:2] == ["みずほ", "三菱ＵＦＪ"]
    assert from_csv["口座番号"].tolist()[:2] == ["1234567", "7654321"]
    assert from_csv.iloc[-1]["振込指定日"] == "合計（2件）" and from_csv.iloc[-1]["金額（円）"] == "120000"
    # The payee name that looks like a formula is text: a leading apostrophe in CSV ...
    assert from_csv["支払先"].tolist()[1] == "'=HYPERLINK(\"http://evil\",\"x\")"
    xlsx = fin.get("finance", f"{base}.xlsx?layout=ja", 200).content
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames == ["支払一覧", "振込先別合計"]
    sheet = book["支払一覧"]
    cell = sheet.cell(row=3, column=header.index("支払先") + 1)
    # ... and a string cell with the quote prefix in XLSX (never a formula).
    assert cell.value == "=HYPERLINK(\"http://evil\",\"x\")" and cell.data_type == "s" and cell.quotePrefix
    from_xlsx = pd.read_excel(io.BytesIO(xlsx), sheet_name="支払一覧", dtype=str, keep_default_na=False)
    unescaped = from_csv.map(lambda v: v[1:] if v.startswith("'=") else v)
    assert from_xlsx.columns.tolist() == from_csv.columns.tolist()
    assert from_xlsx.values.tolist() == unescaped.values.tolist()
    amounts = [r[-1] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert amounts == [60000, 60000, 120000] and all(type(a) is int for a in amounts)
    transfers = pd.read_excel(io.BytesIO(xlsx), sheet_name="振込先別合計", dtype=str, keep_default_na=False)
    assert transfers["振込金額（円）"].tolist() == ["60000", "60000", "120000"]


def test_the_machine_layout_keeps_its_english_columns_and_is_the_api_default(fin: World) -> None:
    batch_id = _two_payees(fin)["batch_id"]
    base = f"/api/v1/payment-batches/{batch_id}/payment-list"
    default = fin.get("finance", f"{base}.csv", 200).content
    assert default == fin.get("finance", f"{base}.csv?layout=machine", 200).content
    rows = list(csv.DictReader(io.StringIO(default.decode("utf-8-sig"))))
    assert list(rows[0]) == ["payee_name", "pay_date", "payee_id", "case_id", "case_reference", "grant_id",
                             "benefit_month", "subsidy", "kind", "amount_yen"]
    assert [r["subsidy"] for r in rows] == ["rent", "rent"] and len(rows) == 2  # no total row
    assert rows[1]["payee_name"].startswith("'=")
    fin.get("finance", f"{base}.csv?layout=english", 422)




def test_a_returns_file_in_the_japanese_template_is_imported_and_a_bad_one_refused_in_japanese(fin: World) -> None:
    batch_id = _two_payees(fin)["batch_id"]
    approve_export(fin, batch_id)
    template = fin.get("finance", "/api/v1/payment-returns/template.csv", 200).content
    assert template.decode("utf-8-sig") == "バッチ番号,振込番号,金額,不能事由コード,不能事由\r\n"
    bad = template + f"{batch_id},2,59999,01,口座なし\r\n{batch_id},9,60000,01,口座なし\r\n".encode()
    r = fin.client.post("/api/v1/payment-returns", files={"file": ("r.csv", bad, "text/csv")},
                        headers=fin.h("finance"))
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "returns_invalid" and error["field"] == "amount_yen"
    assert [(p["line"], p["field"]) for p in error["details"]] == [(2, "amount_yen"), (3, "customer_code")]
    assert "60,000円" in error["details"][0]["message"] and "振込番号 9" in error["details"][1]["message"]
    good = template + f"{batch_id},2,60000,01,口座なし\r\n".encode()
    r = fin.client.post("/api/v1/payment-returns", files={"file": ("r.csv", good, "text/csv")},
                        headers=fin.h("finance"))
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 1 and r.json()["reversed_yen"] == 60000


def test_statements_are_rendered_once_after_export_and_downloaded_as_stored(fin: World, monkeypatch: Any) -> None:
    import hashlib

    from sqlalchemy import func, select, text

    from service.db.models_finance import PaymentStatement
    from service.workflows import letters

    batch_id = _two_payees(fin)["batch_id"]
    fin.get("finance", f"/api/v1/payment-batches/{batch_id}/statement-files", 409)  # not exported yet
    fin.post("finance2", f"/api/v1/payment-batches/{batch_id}/approve", 200)
    exported = fin.post("finance", f"/api/v1/payment-batches/{batch_id}/export", 200).json()
    assert (exported["statements"], exported["statements_due"]) == (0, 2)  # the letter worker renders them
    assert letters.work_letters(fin.client.app.state.session_factory)["statements_stored"] == 2  # type: ignore[attr-defined]
    listed = fin.get("finance", f"/api/v1/payment-batches/{batch_id}/statement-files", 200).json()
    assert [(s["number"], s["total_yen"]) for s in listed] == [(1, 60000), (2, 60000)]

    def never(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a statement was rendered again")

    monkeypatch.setattr(letters, "render_remittance_statements", never)  # downloads read the archive only
    for item in listed:
        r = fin.get("finance", f"/api/v1/payment-batches/{batch_id}/statement-files/{item['number']}.pdf", 200)
        assert r.content.startswith(b"%PDF") and hashlib.sha256(r.content).hexdigest() == item["sha256"]
        assert r.headers["x-content-sha256"] == item["sha256"]
    assert fin.get("finance", f"/api/v1/payment-batches/{batch_id}/statement-files", 200).json() == listed
    fin.get("finance", f"/api/v1/payment-batches/{batch_id}/statement-files/3.pdf", 404)
    fin.get("clerk", f"/api/v1/payment-batches/{batch_id}/statement-files", 403)
    factory = fin.client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(PaymentStatement)) == 2
    with factory() as session, pytest.raises(Exception, match="append-only"):
        session.execute(text("UPDATE payment_statement SET sha256 = 'x'"))
        session.commit()
    with factory() as session, pytest.raises(Exception, match="append-only"):
        session.execute(text("DELETE FROM payment_statement"))
        session.commit()


def test_a_batch_exported_without_statements_gets_them_on_its_first_download_only(fin: World) -> None:
    from service.db.session import unit_of_work
    from service.workflows import payments
    from service.workflows.common import Actor

    batch_id = _two_payees(fin)["batch_id"]
    fin.post("finance2", f"/api/v1/payment-batches/{batch_id}/approve", 200)
    actor = Actor(user_id=fin.users["finance"], username="finance", role="finance",
                  clock=fin.client.app.state.office_clock)  # type: ignore[attr-defined]
    with unit_of_work(fin.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        payments.export_batch(session, actor, batch_id)  # e.g. the demo or the CLI: no statements yet
    first = fin.get("finance", f"/api/v1/payment-batches/{batch_id}/statement-files", 200).json()
    again = fin.get("finance", f"/api/v1/payment-batches/{batch_id}/statement-files", 200).json()
    assert len(first) == 2 and first == again


def test_a_refund_is_drafted_approved_by_another_user_paid_in_the_next_run_and_the_receivable_closes(
        fin: World) -> None:
    from test_payments import _claimed_then_july_returned

    from payments.zengin import parse_transfer_file

    case_id, grant_id, claim_decision, returned = _claimed_then_july_returned(fin, "2025-06-20")
    fin.post("finance", "/api/v1/payment-returns", 200, files={"file": ("r.csv", returned, "text/csv")})
    (claim,) = fin.get("finance", "/api/v1/receivables", 200).json()
    fin.post("finance", f"/api/v1/repayment-claims/{claim['claim_id']}/receipts", 201,
             json={"amount_yen": 20000, "received_on": "2025-09-29"})
    fin.decide(case_id, {"kind": "repayment", "grant_id": grant_id, "repayment_cause": "recipient_error",
                         "supersedes_decision_id": claim_decision["id"]})  # withdrawn: 20,000 yen to refund
    (refund,) = fin.get("finance", "/api/v1/receivables", 200).json()
    assert refund["refund_due_yen"] == 20000
    landlord = fin.get("finance", "/api/v1/payees", 200).json()[0]["id"]
    recipient = fin.post("finance", "/api/v1/payees", 201, json={
        "kind": "recipient", "name": "山田 太郎", "holder_name": "ﾔﾏﾀﾞ ﾀﾛｳ", "bank_code": "0005",
        "branch_code": "001", "account_type": "ordinary", "account_number": "2222222"}).json()["id"]
    url = f"/api/v1/repayment-claims/{refund['claim_id']}/refunds"
    assert fin.post("finance", url, 422, json={"payee_id": landlord}).json()["error"]["code"] == "refund_payee_kind"
    order = fin.post("finance", url, 201, json={"payee_id": recipient, "note": "還付"}).json()
    assert (order["amount_yen"], order["status"]) == (20000, "drafted")
    assert fin.post("finance", url, 409, json={"payee_id": recipient}).json()["error"]["code"] == "no_refund_due"
    (pending,) = fin.get("finance", "/api/v1/receivables?open_only=true", 200).json()
    assert (pending["refund_due_yen"], pending["refund_in_progress_yen"]) == (0, 20000)
    at(fin, date(2025, 8, 1))
    assert run(fin, "2025-08", 200)["batch_id"] is None  # not approved yet: nothing to pay
    r = fin.post("finance", f"/api/v1/refund-orders/{order['id']}/approve", 403)
    assert r.json()["error"]["code"] == "two_person_rule"
    assert fin.post("finance2", f"/api/v1/refund-orders/{order['id']}/approve", 200).json()["status"] == "approved"

    batch = run(fin, "2025-08")  # the next run pays it by transfer, in the batch's own 決裁
    assert (batch["transfer_count"], batch["total_yen"]) == (1, 20000)
    assert fin.get("finance", "/api/v1/refund-orders", 200).json()[0]["status"] == "batched"
    fin.post("finance", f"/api/v1/refund-orders/{order['id']}/cancel", 409)
    assert run(fin, "2025-08", 200)["batch_id"] is None  # never twice
    view = fin.get("finance2", f"/api/v1/payment-batches/{batch['batch_id']}/transfers", 200).json()
    assert view["totals_agree"] is True and view["by_subsidy"] == {"refund": {"payment_count": 1, "amount_yen": 20000}}
    (line,) = view["transfers"][0]["lines"]
    assert (line["part_label"], line["recipient_name"], line["amount_yen"]) == ("返還金の還付", "山田 太郎", 20000)
    base = f"/api/v1/payment-batches/{batch['batch_id']}/payment-list.csv"
    ja = fin.get("finance", f"{base}?layout=ja", 200).content.decode("utf-8-sig").splitlines()
    assert "還付,返還金の還付,20000" in ja[1] and ja[-1].endswith(",20000")
    machine = list(csv.DictReader(io.StringIO(fin.get("finance", base, 200).content.decode("utf-8-sig"))))
    assert [(r["subsidy"], r["kind"], r["amount_yen"]) for r in machine] == [("refund", "refund", "20000")]
    content = approve_export(fin, batch["batch_id"])
    (transfer,) = parse_transfer_file(content).transfers
    assert (transfer.bank_code, transfer.account_number, transfer.amount_yen) == ("0005", "2222222", 20000)
    assert fin.get("finance", "/api/v1/refund-orders", 200).json()[0]["status"] == "paid"
    assert fin.get("finance", "/api/v1/receivables?open_only=true", 200).json() == []  # closed
    assert fin.get("finance", "/api/v1/receivables", 200).json() == []


def _approved_refund(fin: World, *, paid_back_yen: int) -> int:
    """A claim withdrawn by a returned transfer after ``paid_back_yen`` was paid back, and a refund order
    for it to the recipient's own account, drafted by finance and approved by finance2 (PD9, PD17)."""
    from test_payments import _claimed_then_july_returned

    case_id, grant_id, claim_decision, returned = _claimed_then_july_returned(fin, "2025-06-20")
    fin.post("finance", "/api/v1/payment-returns", 200, files={"file": ("r.csv", returned, "text/csv")})
    (claim,) = fin.get("finance", "/api/v1/receivables", 200).json()
    fin.post("finance", f"/api/v1/repayment-claims/{claim['claim_id']}/receipts", 201,
             json={"amount_yen": paid_back_yen, "received_on": "2025-09-29"})
    fin.decide(case_id, {"kind": "repayment", "grant_id": grant_id, "repayment_cause": "recipient_error",
                         "supersedes_decision_id": claim_decision["id"]})
    recipient = fin.post("finance", "/api/v1/payees", 201, json={
        "kind": "recipient", "name": "山田 太郎", "holder_name": "ﾔﾏﾀﾞ ﾀﾛｳ", "bank_code": "0005",
        "branch_code": "001", "account_type": "ordinary", "account_number": "2222222"}).json()["id"]
    order = fin.post("finance", f"/api/v1/repayment-claims/{claim['claim_id']}/refunds", 201,
                     json={"payee_id": recipient}).json()
    fin.post("finance2", f"/api/v1/refund-orders/{order['id']}/approve", 200)
    return int(recipient)  # the recipient's payee id


def test_a_refund_in_a_cancelled_batch_is_paid_in_the_next_run(fin: World) -> None:
    _approved_refund(fin, paid_back_yen=5000)
    at(fin, date(2025, 8, 1))
    first = run(fin, "2025-08")
    fin.post("finance", f"/api/v1/payment-batches/{first['batch_id']}/cancel", 200)
    assert fin.get("finance", "/api/v1/refund-orders", 200).json()[0]["status"] == "approved"
    again = run(fin, "2025-08")
    assert again["batch_id"] != first["batch_id"] and again["total_yen"] == 5000


def test_a_returned_refund_waits_for_a_fixed_account_then_is_paid_again(fin: World) -> None:
    recipient = _approved_refund(fin, paid_back_yen=7000)
    at(fin, date(2025, 8, 1))
    batch = run(fin, "2025-08")
    approve_export(fin, batch["batch_id"])
    back = f"バッチ番号,振込番号,金額,不能事由コード,不能事由\r\n{batch['batch_id']},1,7000,01,口座なし\r\n".encode()
    fin.post("finance", "/api/v1/payment-returns", 200, files={"file": ("r.csv", back, "text/csv")})
    assert fin.get("finance", "/api/v1/refund-orders", 200).json()[0]["status"] == "approved"
    (receivable,) = fin.get("finance", "/api/v1/receivables?open_only=true", 200).json()  # open again
    assert receivable["refund_in_progress_yen"] == 7000
    at(fin, date(2025, 9, 1))
    waiting = run(fin, "2025-09", 200)
    assert waiting["batch_id"] is None
    assert [x["reason_code"] for x in waiting["excluded"] if x.get("refund_order_id")] == ["refund_returned"]
    fin.client.patch(f"/api/v1/payees/{recipient}", json={"account_number": "3333333"}, headers=fin.h("finance"))
    again = run(fin, "2025-09")
    assert again["total_yen"] == 7000


def _screen_login(fin: World, name: str, role: str = "finance") -> Any:
    """A second client on the same app, logged in to the screens as a new user ``name`` with ``role``."""
    import re

    from fastapi.testclient import TestClient

    from service.db.session import unit_of_work
    from service.workflows.admin import create_user

    password = "finance-screen-password-2026"
    with unit_of_work(fin.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        create_user(session, name, role, password=password)
    client = TestClient(fin.client.app, base_url="http://testserver")
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = client.post("/login", data={"username": name, "password": password, "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def test_the_receivable_screen_drafts_a_refund_and_another_user_approves_it(fin: World) -> None:
    import re

    from test_payments import _claimed_then_july_returned

    case_id, grant_id, claim_decision, returned = _claimed_then_july_returned(fin, "2025-06-20")
    fin.post("finance", "/api/v1/payment-returns", 200, files={"file": ("r.csv", returned, "text/csv")})
    (claim,) = fin.get("finance", "/api/v1/receivables", 200).json()
    fin.post("finance", f"/api/v1/repayment-claims/{claim['claim_id']}/receipts", 201,
             json={"amount_yen": 9000, "received_on": "2025-09-29"})
    fin.decide(case_id, {"kind": "repayment", "grant_id": grant_id, "repayment_cause": "recipient_error",
                         "supersedes_decision_id": claim_decision["id"]})
    recipient = fin.post("finance", "/api/v1/payees", 201, json={
        "kind": "recipient", "name": "山田 太郎", "holder_name": "ﾔﾏﾀﾞ ﾀﾛｳ", "bank_code": "0005",
        "branch_code": "001", "account_type": "ordinary", "account_number": "2222222"}).json()["id"]
    drafter, approver = _screen_login(fin, "fin-web-1"), _screen_login(fin, "fin-web-2")
    url = f"/finance/receivables/{claim['claim_id']}"
    page = drafter.get(url).text
    assert "還付の振込を起案" in page and f'<option value="{recipient}">' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = drafter.post(f"{url}/refund", data={"csrf_token": token, "payee_id": str(recipient), "note": "還付"})
    assert r.status_code == 200 and "起案しました" in r.text and "別の会計担当者が決裁します" in r.text
    assert "/finance/refunds/" not in r.text  # no 決裁 for the one who drafted it
    page = approver.get(url).text
    (action,) = re.findall(r'action="(/finance/refunds/\d+/approve)"', page)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = approver.post(action, data={"csrf_token": token, "claim_id": str(claim["claim_id"])})
    assert "決裁しました" in r.text and "決裁済（次回の支払で振込）" in r.text
    assert fin.get("finance", "/api/v1/refund-orders", 200).json()[0]["status"] == "approved"

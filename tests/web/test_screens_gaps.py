"""Screens added for issue 6's gaps: the moving-cost wizard, follow-up applications, payees,
receivables forms, remittance statements, stop proposals, users and agencies, the audit log."""

from __future__ import annotations

import re
from typing import Any

from web_world import PDF, STEP1, STEP3, apply_through_wizard

MOVING_STEP2 = {"m0_inc0_kind": "wages", "m0_inc0_amount": "0", "assets_yen": "300000",
                "drop_month": "2025-01", "drop_cause": "job_loss", "drop_main_earner": "yes",
                "decl_hello_work": "no", "decl_similar_benefit": "no", "decl_gang": "no"}
MOVING_STEP3 = {"current_rent_yen": "80000", "dest_code": "131041", "fr_move_needed": "yes",
                "fr_cannot_fund": "yes", "cost0_category": "key_money", "cost0_amount": "50000",
                "cost1_category": "removal", "cost1_amount": "40,000",
                "cost2_category": "deposit", "cost2_amount": "100000",
                **{k: v for k, v in STEP3.items() if k not in ("rent_yen", "common_charges_yen")}}
MOVING_CONSENTS = ("repayment_if_false", "no_gang_members", "refusal_if_no_improvement",
                   "deposit_and_advance_rent_excluded", "partial_over_cap")
MOVING_DOCS = ("identity", "income_drop_proof", "income_evidence", "bank_book_copies", "dwelling_status_notice",
               "cost_estimates")


def _moving_draft(b: Any) -> int:
    page = b.get("/applications/new?benefit=moving").text
    assert "転居費用補助" in page and 'name="benefit" value="moving"' in page
    step1 = {k: v for k, v in STEP1.items() if not k.startswith("m1_") and k != "applicant_type"}
    r = b.post("/applications/new", {**step1, "benefit": "moving", "action": "next"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    app_id = int(r.headers["location"].split("/")[2])
    page = b.get(f"/applications/{app_id}/step/2").text
    assert "収入が減少した月" in page and "離職・廃業・休業等の状況" not in page
    r = b.post(f"/applications/{app_id}/step/2", {**MOVING_STEP2, "action": "next"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return app_id


class TestMovingWizard:
    def test_the_moving_wizard_collects_destination_and_costs_and_estimates_the_cap(self, browser: Any) -> None:
        b = browser("agency")
        app_id = _moving_draft(b)
        page = b.get(f"/applications/{app_id}/step/3").text
        assert "転居先の都道府県" in page and "礼金" in page and "敷金（対象外）" in page
        assert "東京都" in page and "家計の確認" in page
        r = b.post(f"/applications/{app_id}/step/3", {**MOVING_STEP3, "action": "next"}, follow_redirects=False)
        assert r.status_code == 303, r.text
        r = b.post(f"/applications/{app_id}/estimate", {"step": "3", **MOVING_STEP3})
        assert r.status_code == 200
        assert "転居費用の上限額" in r.text and "対象となる費用" in r.text and "90,000円" in r.text
        page = b.get(f"/applications/{app_id}/step/4").text
        assert "転居費用の見積書" in page and "敷金・前家賃は対象外であること" in page
        files = [(f"doc_{k}", (f"{k}.pdf", PDF, "application/pdf")) for k in MOVING_DOCS]
        data = {**{f"consent_{k}": "yes" for k in MOVING_CONSENTS}, "emergency": "yes", "action": "next",
                "csrf_token": b.csrf}
        r = b.client.post(f"/applications/{app_id}/step/4", data=data, files=files, follow_redirects=False)
        assert r.status_code == 303, r.text
        page = b.get(f"/applications/{app_id}/step/5").text
        assert "東京都新宿区" in page and "不足している項目はありません" in page, page
        r = b.post(f"/applications/{app_id}/submit", {}, follow_redirects=False)
        assert r.status_code == 303, r.text

    def test_prefecture_then_municipality_selection_and_bad_codes(self, browser: Any) -> None:
        b = browser("agency")
        app_id = _moving_draft(b)
        b.get(f"/applications/{app_id}/step/3")
        r = b.post(f"/applications/{app_id}/step/3", {"dest_prefecture": "北海道", "action": "stay"},
                   follow_redirects=False)
        assert r.status_code == 303 and "pref=" in r.headers["location"]
        page = b.get(r.headers["location"]).text
        assert 'id="dest_municipality"' in page and "札幌市中央区" in page
        r = b.post(f"/applications/{app_id}/step/3", {"dest_prefecture": "北海道", "dest_municipality": "011002",
                                                      "action": "stay"}, follow_redirects=True)
        assert "北海道札幌市" in r.text
        r = b.post(f"/applications/{app_id}/step/3", {"dest_code": "999999", "cost0_amount": "5000"})
        assert r.status_code == 422
        assert "市区町村コード（6桁）が見つかりません" in r.text and "費用1の費目を選択" in r.text


class TestFollowUpApplications:
    def test_extension_and_change_applications_start_from_the_case_page(self, browser: Any) -> None:
        agency, clerk, _approver, case_id, _app_id = granted_case(browser)
        page = agency.get(f"/cases/{case_id}").text
        assert "延長申請を作成" in page and "変更申請を作成" in page
        assert agency.post(f"/cases/{case_id}/applications", {"kind": "extension"}, csrf=False).status_code == 403
        r = agency.post(f"/cases/{case_id}/applications", {"kind": "extension", "nonce": "x1"},
                        follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].endswith("/step/4"), r.text
        page = agency.get(r.headers["location"]).text
        assert "延長申請" in page and "収入を確認できる書類" in page and "申請時の説明と同意" not in page
        r = agency.post(f"/cases/{case_id}/applications", {"kind": "change", "nonce": "x2"}, follow_redirects=False)
        assert r.headers["location"].endswith("/step/2")
        page = agency.get(r.headers["location"]).text
        assert "変更申請" in page and 'value="120000"' in page  # the latest facts are carried over
        assert clerk.post(f"/cases/{case_id}/applications", {"kind": "change"}).status_code == 403


def decide_on_screen(clerk: Any, approver: Any, case_id: int, app_id: int, kind: str = "grant") -> None:
    """The clerk drafts a decision on the application from the form; the approver approves it."""
    page = clerk.get(f"/cases/{case_id}/decisions/new?kind={kind}").text
    version = re.search(r'name="case_version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    clerk.post(f"/cases/{case_id}/decisions", {"kind": kind, "application_id": str(app_id), "case_version": version})
    page = approver.get(f"/cases/{case_id}").text
    decision_id = re.search(r"/decisions/(\d+)/approve", page).group(1)  # type: ignore[union-attr]
    r = approver.post(f"/decisions/{decision_id}/approve", {"case_id": str(case_id)})
    assert "決裁しました" in r.text


def granted_case(browser: Any) -> tuple[Any, Any, Any, int, int]:
    """(agency, clerk, approver, case id, application id) for an approved rent grant."""
    agency, clerk, approver = browser("agency"), browser("clerk"), browser("approver")
    app_id, case_id = apply_through_wizard(agency)
    decide_on_screen(clerk, approver, case_id, app_id)
    return agency, clerk, approver, case_id, app_id


def exported_batch(browser: Any) -> tuple[Any, int]:
    finance, finance2 = browser("finance"), browser("finance2")
    finance.get("/finance")
    r = finance.post("/finance/run", {"benefit_month": "2025-07"}, follow_redirects=False)
    batch_id = int(r.headers["location"].rsplit("/", 1)[1])
    finance2.get(f"/finance/batches/{batch_id}")
    finance2.post(f"/finance/batches/{batch_id}/approve", {})
    # The screen offers the 振込指定日: the run's date, or the next bank day once it has passed.
    offered = re.search(r'name="pay_date" value="([0-9-]+)"', finance2.get(f"/finance/batches/{batch_id}").text)
    assert offered is not None
    r = finance2.post(f"/finance/batches/{batch_id}/export", {"pay_date": offered.group(1)})
    assert "全銀ファイルを出力しました" in r.text and "支払明細書" in r.text
    return finance2, batch_id


def _grant_id(web_app: Any, case_id: int) -> int:
    from sqlalchemy import select

    from service.db.models import BenefitGrant

    with web_app.state.session_factory() as session:
        return int(session.scalar(select(BenefitGrant.id).where(BenefitGrant.case_id == case_id)))


def _stop_and_claim(web_app: Any, case_id: int, grant_id: int) -> int:
    """A stop (income over the limit from 2025-05-20) and its repayment, through the workflows."""
    from calculations.stops import STOP_EVIDENCE, StopCause
    from service.db.session import unit_of_work
    from service.workflows import decisions
    from service.workflows.common import Actor

    ids = web_app.state.user_ids
    clerk = Actor(user_id=ids["clerk"], username="clerk", role="clerk")
    approver = Actor(user_id=ids["approver"], username="approver", role="approver")
    drafts = [{"kind": "stop", "grant_id": grant_id, "cause": "income_over_limit", "event_date": "2025-05-20",
               "evidence": [{"kind": k, "note": "記録"} for k in STOP_EVIDENCE[StopCause("income_over_limit")]]},
              {"kind": "repayment", "grant_id": grant_id, "repayment_cause": "recipient_error"}]
    for draft in drafts:
        with unit_of_work(web_app.state.session_factory) as session:
            decision = decisions.draft_decision(session, clerk, case_id, draft)
            decision_id = decision.id
        with unit_of_work(web_app.state.session_factory) as session:
            decisions.approve_decision(session, approver, decision_id)
    from sqlalchemy import select

    from service.db.models import RepaymentClaim

    with web_app.state.session_factory() as session:
        return int(session.scalar(select(RepaymentClaim.id).where(RepaymentClaim.case_id == case_id)))


class TestPayees:
    def test_finance_registers_edits_and_sees_problems_in_japanese(self, browser: Any) -> None:
        finance = browser("finance")
        page = finance.get("/finance/payees/new").text
        assert "支払先の登録" in page and "口座名義（カナ）" in page
        values = {"kind": "agent", "name": "株式会社テスト不動産", "bank_code": "0001", "branch_code": "001",
                  "account_type": "1", "account_number": "1234567", "holder_name": "カ)テスト☆フドウサン"}
        assert finance.post("/finance/payees", values, csrf=False).status_code == 403
        r = finance.post("/finance/payees", values)
        assert r.status_code == 200 and "全銀の振込用カナに変換できません" in r.text and "「☆」" in r.text
        payee_id = int(re.search(r"支払先 #(\d+) の変更", r.text).group(1))  # type: ignore[union-attr]
        r = finance.post(f"/finance/payees/{payee_id}", {**values, "holder_name": "カ)テストフドウサン"})
        assert "を保存しました" in r.text and "この支払先には問題があります" not in r.text
        r = finance.post("/finance/payees", {**values, "bank_code": "12"})
        assert r.status_code == 422 and "金融機関コード" in r.text
        listing = finance.get("/finance/payees").text
        assert "株式会社テスト不動産" in listing and "問題なし" in listing and "支給に支払先を割り当てる" in listing
        assert browser("clerk").get("/finance/payees").status_code == 403

    def test_a_payee_is_assigned_to_a_grant_part(self, browser: Any, web_app: Any) -> None:
        _agency, _clerk, _approver, case_id, _app_id = granted_case(browser)
        grant_id = _grant_id(web_app, case_id)
        finance = browser("finance")
        finance.get("/finance/payees/new")
        finance.post("/finance/payees", {"kind": "landlord", "name": "大家 花子", "bank_code": "0001",
                                         "branch_code": "001", "account_type": "1", "account_number": "7654321",
                                         "holder_name": "オオヤ ハナコ"})
        finance.get("/finance/payees")
        r = finance.post("/finance/grant-payees", {"grant_id": str(grant_id), "part": "moving_other",
                                                   "payee_id": "1"})
        assert "入力内容を受け付けられません" in r.text and "にしました" not in r.text
        r = finance.post("/finance/grant-payees", {"grant_id": str(grant_id), "part": "rent", "payee_id": "1"})
        assert f"支給 #{grant_id} の家賃（月額）の支払先を支払先 #1 にしました" in r.text


    def test_a_grant_without_a_payee_is_picked_from_the_list(self, browser: Any, web_app: Any) -> None:
        """The finance screen lists payable grants whose intake payee cannot be registered (R45)."""
        from service.db.models import Application, BenefitGrant
        from service.db.session import unit_of_work

        _agency, _clerk, _approver, case_id, _app_id = granted_case(browser)
        grant_id = _grant_id(web_app, case_id)
        with unit_of_work(web_app.state.session_factory) as session:  # legacy data: no account number
            grant = session.get(BenefitGrant, grant_id)
            app = session.get(Application, grant.application_id)
            app.intake = {**app.intake, "payee": {**app.intake["payee"], "account_number": None}}
        finance = browser("finance")
        finance.get("/finance/payees/new")
        finance.post("/finance/payees", {"kind": "agent", "name": "株式会社テスト不動産", "bank_code": "0001",
                                         "branch_code": "001", "account_type": "1", "account_number": "1234567",
                                         "holder_name": "カ)テストフドウサン"})
        page = finance.get("/finance/payees").text
        assert "支払先が未設定の支給" in page and f'name="grant_id" value="{grant_id}"' in page
        assert re.search(r'<option value="(\d+)" selected>#\1 株式会社テスト不動産', page), page
        payee_id = re.search(r'<option value="(\d+)" selected>', page).group(1)  # type: ignore[union-attr]
        r = finance.post("/finance/grant-payees", {"grant_id": str(grant_id), "part": "rent", "payee_id": payee_id})
        assert f"支給 #{grant_id} の家賃（月額）の支払先を支払先 #{payee_id} にしました" in r.text
        assert f'name="grant_id" value="{grant_id}"' not in r.text


class TestStatementsAndReceivables:
    def test_statements_download_and_the_receivable_forms(self, browser: Any, web_app: Any) -> None:
        import io
        import zipfile

        _agency, _clerk, _approver, case_id, _app_id = granted_case(browser)
        finance, batch_id = exported_batch(browser)
        r = finance.get(f"/finance/batches/{batch_id}/statements.zip")
        assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
        names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
        assert len(names) == 1 and names[0].endswith(".pdf")
        assert zipfile.ZipFile(io.BytesIO(r.content)).read(names[0]).startswith(b"%PDF")
        assert browser("clerk").get(f"/finance/batches/{batch_id}/statements.zip").status_code == 403

        claim_id = _stop_and_claim(web_app, case_id, _grant_id(web_app, case_id))
        assert f"/finance/receivables/{claim_id}" in finance.get("/finance/receivables").text
        page = finance.get(f"/finance/receivables/{claim_id}").text
        assert "分割納付計画の登録" in page and "収納の記録" in page
        claimed = int(re.search(r"債権額</dt><dd>([\d,]+)円", page).group(1).replace(",", ""))  # type: ignore[union-attr]
        r = finance.post(f"/finance/receivables/{claim_id}/plan", {"due0": "2025-09-30", "amount0": "1000"})
        assert r.status_code == 422 and "合計が債権額と一致しません" in r.text
        half = claimed // 2
        r = finance.post(f"/finance/receivables/{claim_id}/plan", {
            "due0": "2025-09-30", "amount0": str(half), "due1": "2025-10-31", "amount1": str(claimed - half)})
        assert "分割納付計画（2回）を登録しました" in r.text and "2025年10月31日" in r.text
        r = finance.post(f"/finance/receivables/{claim_id}/receipt", {"received_on": "2025-09-30",
                                                                      "amount_yen": str(claimed + 1)})
        assert r.status_code == 422 and "残高を超える金額" in r.text
        r = finance.post(f"/finance/receivables/{claim_id}/receipt", {"received_on": "2025-09-30",
                                                                      "amount_yen": f"{half:,}"})
        assert f"{half:,}円の収納を記録しました" in r.text
        assert finance.post(f"/finance/receivables/{claim_id}/receipt", {"received_on": "2025-09-30",
                                                                         "amount_yen": "1"},
                            csrf=False).status_code == 403


class TestStopProposals:
    def test_the_clerk_asks_for_proposals_and_drafts_a_stop_prefilled_from_one(self, browser: Any) -> None:
        _agency, clerk, approver, case_id, _app_id = granted_case(browser)
        page = clerk.get("/queue?month=2025-07").text  # lists June's missing reports, due in July (R51)
        assert "2025年6月分の報告未提出について中止を提案させる" in page
        assert '<input type="hidden" name="month" value="2025-06">' in page
        assert "中止を提案させる" not in approver.get("/queue?month=2025-07").text
        assert clerk.post("/queue/propose-stops", {"month": "2025-06"}, csrf=False).status_code == 403
        assert approver.post("/queue/propose-stops", {"month": "2025-06"}).status_code == 403
        r = clerk.post("/queue/propose-stops", {"month": "2025-06"})
        assert r.status_code == 200 and "中止の提案を作成しました" in r.text
        link = re.search(r'href="(/cases/\d+/decisions/new\?kind=stop&amp;proposal=(\d+))"', r.text)
        assert link, r.text
        page = clerk.get(link.group(1).replace("&amp;", "&")).text
        proposal_id = link.group(2)
        assert f"中止の提案 #{proposal_id} の内容" in page
        assert re.search(rf'<option value="{proposal_id}" selected>', page)
        assert re.search(r'<option value="job_search_failure" selected>', page)
        assert re.search(r'id="ev-monthly_activity_counts" name="evidence_kind" value="monthly_activity_counts" checked',
                         page)
        assert f"/cases/{case_id}" in page


class TestAdmin:
    def test_the_admin_creates_an_agency_and_a_user_and_sees_the_token_once(self, browser: Any) -> None:
        admin = browser("admin")
        page = admin.get("/admin/agencies").text
        assert "千代田区自立相談支援センター" in page
        assert admin.post("/admin/agencies", {"code": "C001", "name": "港区相談センター"}, csrf=False).status_code == 403
        r = admin.post("/admin/agencies", {"code": "C001", "name": "港区相談センター"})
        assert r.status_code == 200 and "を登録しました" in r.text and "港区相談センター" in r.text
        r = admin.post("/admin/agencies", {"code": "C001", "name": "重複"})
        assert r.status_code == 422 and "同じ機関コード" in r.text
        admin.get("/admin/users")
        r = admin.post("/admin/users", {"username": "newclerk", "role": "clerk", "password": "long-enough-pass"})
        assert r.status_code == 200 and "一度だけ表示します" in r.text
        token = re.search(r'<code id="api-token">([^<]+)</code>', r.text).group(1)  # type: ignore[union-attr]
        assert token not in admin.get("/admin/users").text
        assert browser().client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        r = admin.post("/admin/users", {"username": "newclerk", "role": "clerk"})
        assert r.status_code == 422 and "同じユーザー名" in r.text
        r = admin.post("/admin/users", {"username": "lonely", "role": "agency"})
        assert r.status_code == 422 and "登録できませんでした" in r.text
        fresh = browser()
        assert fresh.login("newclerk", "long-enough-pass").status_code == 303
        for role in ("clerk", "finance", "agency"):
            assert browser(role).get("/admin/users").status_code == 403

    def test_the_audit_log_of_a_case(self, browser: Any) -> None:
        agency, clerk = browser("agency"), browser("clerk")
        _app_id, case_id = apply_through_wizard(agency)
        clerk.get(f"/cases/{case_id}")
        page = browser("admin").get(f"/admin/audit?case_id={case_id}").text
        assert "申請を提出" in page and "ケースを閲覧" in page and "clerk" in page and "書類を登録" in page
        assert browser("clerk").get(f"/admin/audit?case_id={case_id}").status_code == 403


class TestFollowUps:
    def test_an_emergency_grant_is_reported_to_the_meeting_from_the_case_page(self, browser: Any,
                                                                            monkeypatch: Any) -> None:
        """R88 on screen: the queue lists the grant, the case page takes the meeting date."""
        import web_world

        from service.calendar import office_date
        from service.db.models import utcnow

        monkeypatch.setattr(web_world, "STEP4", {**web_world.STEP4, "emergency": "yes", "plan_date": "",
                                                 "coordination_meeting_date": ""})
        agency, clerk, _approver, case_id, _app_id = granted_case(browser)
        home = agency.get("/agency").text
        assert "支援調整会議への事後報告（緊急支給）" in home and f'href="/cases/{case_id}#coordination"' in home
        assert "支援調整会議への事後報告" not in browser("agency_b").get("/agency").text  # not theirs
        queue = clerk.get("/queue?month=2025-06").text
        assert "支援調整会議への事後報告が未了" in queue and f'href="/cases/{case_id}#coordination"' in queue
        page = agency.get(f"/cases/{case_id}").text
        assert "支援調整会議への事後報告が必要です" in page and 'name="meeting_date"' in page
        r = agency.post(f"/cases/{case_id}/coordination-reports", {"meeting_date": "2099-01-01"})
        assert "入力内容を受け付けられません" in r.text and "（項目：支援調整会議の開催日）" in r.text
        assert "after today" not in r.text  # Japanese only
        today = office_date(utcnow())
        r = agency.post(f"/cases/{case_id}/coordination-reports", {"meeting_date": today.isoformat(),
                                                                    "note": "第3回"})
        assert "事後報告を登録しました" in r.text
        assert f"支援調整会議（{today.year}年{today.month}月{today.day}日）" in r.text and "報告済み" in r.text
        assert 'name="meeting_date"' not in r.text
        assert f'href="/cases/{case_id}#coordination"' not in clerk.get("/queue?month=2025-06").text
        assert "支援調整会議への事後報告（緊急支給）" not in agency.get("/agency").text

    def test_the_agency_is_reminded_of_the_housing_report_after_the_certificate(self, browser: Any,
                                                                                monkeypatch: Any) -> None:
        """R44: certificate first; the agency's home lists the 住居確保報告書 still to come."""
        import web_world

        monkeypatch.setattr(web_world, "STEP1", {**web_world.STEP1, "applicant_type": "homeless"})
        agency, clerk, approver = browser("agency"), browser("clerk"), browser("approver")
        app_id, case_id = apply_through_wizard(agency)
        decide_on_screen(clerk, approver, case_id, app_id, "eligibility_certificate")
        home = agency.get("/agency").text
        assert "住居確保報告書（対象者証明書の交付後）" in home and f'href="/cases/{case_id}"' in home
        assert "住居確保報告書の待ち" in clerk.get("/queue").text


    def test_the_agency_home_lists_the_extension_deadline_and_the_reports_due(self, browser: Any,
                                                                            web_app: Any) -> None:
        """R38–R40 and R48–R51 on the agency's home, on the screens' clock (10 July 2025)."""
        from datetime import UTC, datetime

        agency, _clerk, _approver, case_id, _app_id = granted_case(browser)  # May–July 2025
        web_app.state.web_clock = lambda: datetime(2025, 7, 10, 9, 0, tzinfo=UTC)
        try:
            home = agency.get("/agency").text
        finally:
            del web_app.state.web_clock
        assert f"ケース #{case_id}</span>）</a>：支給期間は2025年7月まで。延長申請の期限は <strong>2025年7月31日</strong>（あと21日）" in home
        assert [f"ケース #{case_id}</span>）：2025年{m}月分の報告{state}" for m, state in (
            (5, "（未提出・期限超過）"), (6, "（未提出・期限超過）"), (7, "（今月分）"))] == re.findall(
            rf"ケース #{case_id}</span>）：2025年\d月分の報告（[^）]+）", home)

"""The screens through FastAPI's TestClient: login, CSRF, lockout, idle timeout, roles, wizard, decisions."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from web_world import STEP1, STEP3, apply_through_wizard


class TestLogin:
    def test_a_user_logs_in_with_the_password_and_lands_on_the_role_home(self, browser: Any) -> None:
        b = browser()
        r = b.login("clerk")
        assert r.status_code == 303 and r.headers["location"] == "/queue"
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        assert "作業一覧" in b.get("/queue").text

    def test_a_wrong_password_is_refused_with_a_message(self, browser: Any) -> None:
        b = browser()
        r = b.login("clerk", "wrong-password")
        assert r.status_code == 401
        assert "ユーザー名またはパスワードが正しくありません" in r.text

    def test_pages_need_a_login(self, browser: Any) -> None:
        r = browser().get("/queue", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")

    def test_logout_ends_the_session(self, browser: Any) -> None:
        b = browser("clerk")
        b.get("/queue")
        r = b.post("/logout", {}, follow_redirects=False)
        assert r.status_code == 303
        assert b.get("/queue", follow_redirects=False).status_code == 303

    def test_logout_also_ends_a_copied_cookie_and_the_other_sessions(self, browser: Any) -> None:
        """The cookie is signed, not stored: logging out revokes on the server every session begun before."""
        b, other = browser("clerk"), browser("clerk")
        assert b.get("/queue", follow_redirects=False).status_code == 200
        copied = browser()
        copied.client.cookies.set("hb_session", b.client.cookies.get("hb_session"))
        assert copied.get("/queue", follow_redirects=False).status_code == 200
        b.post("/logout", {}, follow_redirects=False)
        for stale in (copied, other):
            r = stale.get("/queue", follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"].startswith("/login"), r.text[:200]
        again = browser("clerk")  # a new login after the logout works
        assert again.get("/queue", follow_redirects=False).status_code == 200

    def test_five_failures_lock_the_user_for_fifteen_minutes(self, browser: Any, web_app: Any) -> None:
        b = browser()
        for _ in range(5):
            b.login("approver", "nope")
        r = b.login("approver")
        assert r.status_code == 401 and "15分間ロック" in r.text
        later = datetime.now(UTC) + timedelta(minutes=16)
        web_app.state.web_clock = lambda: later
        assert b.login("approver").status_code == 303

    def test_an_idle_session_times_out_after_thirty_minutes(self, browser: Any, web_app: Any) -> None:
        b = browser("clerk")
        assert b.get("/queue").status_code == 200
        later = datetime.now(UTC) + timedelta(minutes=31)
        web_app.state.web_clock = lambda: later
        r = b.get("/queue", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        assert "30分間操作がなかった" in b.get(r.headers["location"]).text


class TestCsrf:
    def test_a_post_without_the_token_is_refused(self, browser: Any) -> None:
        b = browser("agency")
        r = b.post("/applications/new", {**STEP1, "action": "next"}, csrf=False)
        assert r.status_code == 403 and "CSRF" in r.text

    def test_a_post_with_another_sessions_token_is_refused(self, browser: Any) -> None:
        a, other = browser("agency"), browser("agency")
        a.get("/applications/new")
        other.get("/applications/new")
        r = a.post("/applications/new", {**STEP1, "csrf_token": other.csrf, "action": "next"})
        assert r.status_code == 403

    def test_the_login_form_needs_the_token_too(self, browser: Any) -> None:
        b = browser()
        r = b.post("/login", {"username": "clerk", "password": "x"}, csrf=False)
        assert r.status_code == 403


PAGES = {
    "/agency": {"agency"},
    "/applications/new": {"agency"},
    "/queue": {"clerk", "approver"},
    "/cases": {"agency", "clerk", "approver"},
    "/dashboard": {"clerk", "approver", "finance", "admin"},
    "/finance": {"finance"},
    "/finance/receivables": {"finance"},
}


class TestRoles:
    @pytest.mark.parametrize("role", ["agency", "clerk", "approver", "finance", "admin"])
    def test_each_page_renders_for_its_roles_and_is_forbidden_to_others(self, browser: Any, role: str) -> None:
        b = browser(role)
        for url, allowed in PAGES.items():
            r = b.get(url, follow_redirects=False)
            expected = 200 if role in allowed else 403
            assert r.status_code == expected, (role, url, r.status_code)

    def test_the_menu_shows_only_what_the_role_may_do(self, browser: Any) -> None:
        agency = browser("agency").get("/agency").text
        assert "新規申請" in agency and "作業一覧" not in agency and "支払" not in agency
        finance = browser("finance").get("/finance").text
        assert "債権管理" in finance and "新規申請" not in finance

    def test_an_agency_never_sees_another_agencys_case(self, browser: Any) -> None:
        a = browser("agency")
        _app_id, case_id = apply_through_wizard(a)
        other = browser("agency_b")
        assert other.get(f"/cases/{case_id}").status_code == 404
        assert f"ケース #{case_id}" not in other.get("/cases").text


class TestWizard:
    def test_invalid_input_is_shown_as_messages_next_to_the_fields(self, browser: Any) -> None:
        b = browser("agency")
        b.get("/applications/new")
        r = b.post("/applications/new", {**STEP1, "application_date": "2025-02-30", "m1_relationship": "",
                                         "applicant_name_kana": "yamada"})
        assert r.status_code == 422
        assert "存在しない日付" in r.text and "カタカナで入力" in r.text and "続柄を選択" in r.text
        assert 'aria-invalid="true"' in r.text

    def test_payee_errors_are_explained(self, browser: Any) -> None:
        b = browser("agency")
        b.get("/applications/new")
        r = b.post("/applications/new", {**STEP1, "action": "next"}, follow_redirects=False)
        app_id = r.headers["location"].split("/")[2]
        b.get(f"/applications/{app_id}/step/3")
        r = b.post(f"/applications/{app_id}/step/3", {**STEP3, "bank_code": "12", "rent_yen": "六万"})
        assert r.status_code == 422
        assert "金融機関コードは4桁" in r.text and "家賃額は0以上の整数" in r.text

    def test_a_my_number_is_refused(self, browser: Any) -> None:
        b = browser("agency")
        b.get("/applications/new")
        r = b.post("/applications/new", {**STEP1, "applicant_address": "123456789018"})
        assert r.status_code == 422 and "個人番号" in r.text

    def test_missing_items_are_listed_before_submit_and_submit_is_refused(self, browser: Any) -> None:
        b = browser("agency")
        b.get("/applications/new")
        r = b.post("/applications/new", {**STEP1, "action": "next"}, follow_redirects=False)
        app_id = r.headers["location"].split("/")[2]
        page = b.get(f"/applications/{app_id}/step/5").text
        assert "提出前に不足している項目" in page and "本人確認書類 がまだ登録されていません" in page
        r = b.post(f"/applications/{app_id}/submit", {})
        assert r.status_code == 422 and "不足している項目" in r.text

    def test_a_complete_application_shows_the_live_estimate_and_submits(self, browser: Any) -> None:
        b = browser("agency")
        app_id, case_id = apply_through_wizard(b, submit=False)
        page = b.get(f"/applications/{app_id}/step/5").text
        assert "不足している項目はありません" in page and "60,000円" in page
        r = b.post(f"/applications/{app_id}/estimate", {"step": "3", **STEP3, "rent_yen": "50000"})
        assert r.status_code == 200 and "50,000円" in r.text
        r = b.post(f"/applications/{app_id}/submit", {}, follow_redirects=False)
        assert r.headers["location"] == f"/cases/{case_id}"
        assert "申請済" in b.get(f"/cases/{case_id}").text


def _draft_grant(clerk: Any, case_id: int, app_id: int) -> Any:
    page = clerk.get(f"/cases/{case_id}/decisions/new?kind=grant").text
    version = re.search(r'name="case_version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    return clerk.post(f"/cases/{case_id}/decisions", {"kind": "grant", "application_id": str(app_id),
                                                      "case_version": version}, follow_redirects=False)


class TestDecisions:
    def test_clerk_drafts_and_a_second_person_approves(self, browser: Any) -> None:
        agency, clerk, approver = browser("agency"), browser("clerk"), browser("approver")
        app_id, case_id = apply_through_wizard(agency)
        case_page = clerk.get(f"/cases/{case_id}").text
        assert "算定内訳" in case_page and "規則第10条" in case_page and "経過" in case_page
        assert "R12" not in case_page  # PD32: screens cite the 規則, not the rule numbers
        assert _draft_grant(clerk, case_id, app_id).status_code == 303
        page = approver.get(f"/cases/{case_id}").text
        decision_id = re.search(r"/decisions/(\d+)/approve", page).group(1)  # type: ignore[union-attr]
        r = approver.post(f"/decisions/{decision_id}/approve", {"case_id": str(case_id)})
        flashes = re.findall(r"class=\"flash[^\"]*\">.*?</p>", r.text)
        assert r.status_code == 200 and "決裁しました" in r.text and "月ごとの支給" in r.text, flashes

    def test_an_approver_cannot_draft_and_a_clerk_cannot_approve(self, browser: Any) -> None:
        agency, clerk, approver = browser("agency"), browser("clerk"), browser("approver")
        app_id, case_id = apply_through_wizard(agency)
        assert approver.get(f"/cases/{case_id}/decisions/new").status_code == 403
        _draft_grant(clerk, case_id, app_id)
        clerk.get(f"/cases/{case_id}")
        assert clerk.post("/decisions/1/approve", {"case_id": str(case_id)}).status_code == 403

    def test_a_refused_draft_shows_the_workflows_message(self, browser: Any) -> None:
        agency, clerk = browser("agency"), browser("clerk")
        app_id, case_id = apply_through_wizard(agency)
        page = clerk.get(f"/cases/{case_id}/decisions/new?kind=stop").text
        version = re.search(r'name="case_version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
        r = clerk.post(f"/cases/{case_id}/decisions", {"kind": "stop", "case_version": version,
                                                        "cause": "death", "event_date": "2025-06-01"})
        assert r.status_code in (404, 409, 422) and "起案できませんでした" in r.text

"""The screens in headless Chromium: the whole path from an agency's application to the bank file and
the letters, a keyboard-only pass through the wizard, screenshots of each main screen."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from e2e.browser_steps import fill_form, login, shot
from web_world import DOC_KINDS, PASSWORD, PDF, STEP1, STEP2, STEP3, STEP4


def test_agency_submits_clerk_drafts_approver_approves_finance_exports_letters_download(
        new_page: Any, screens: Path, tmp_path: Path) -> None:
    page = new_page()
    page.goto("/login")
    shot(page, screens, "01-login")
    login(page, "agency")
    page.goto("/applications/new")
    fill_form(page, STEP1)
    shot(page, screens, "02-wizard-household")
    page.click("button[value=next]")
    page.wait_for_url(re.compile(r"/step/2$"))
    fill_form(page, STEP2)
    page.click("button[value=next]")
    page.wait_for_url(re.compile(r"/step/3$"))
    fill_form(page, STEP3)
    page.locator("#estimate").get_by_text("60,000円").wait_for()
    shot(page, screens, "03-wizard-dwelling-estimate")
    page.click("button[value=next]")
    page.wait_for_url(re.compile(r"/step/4$"))
    fill_form(page, STEP4)
    for kind in DOC_KINDS:
        page.set_input_files(f"#doc_{kind}", files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf",
                                                     "buffer": PDF}])
    shot(page, screens, "04-wizard-consents-documents")
    page.click("button[value=next]")
    page.wait_for_url(re.compile(r"/step/5$"))
    assert "不足している項目はありません" in page.content()
    shot(page, screens, "05-wizard-review")
    page.get_by_role("button", name="申請を提出する").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_id = int(page.url.rsplit("/", 1)[1])
    assert "申請を提出しました" in page.content() or "提出しました" in page.content()
    page.goto("/agency")
    shot(page, screens, "06-agency-home")

    clerk = new_page()
    login(clerk, "clerk")
    shot(clerk, screens, "07-work-queue")
    clerk.goto(f"/cases/{case_id}")
    assert "算定内訳" in clerk.content()
    shot(clerk, screens, "08-case-page")
    clerk.goto(f"/cases/{case_id}/decisions/new?kind=grant")
    shot(clerk, screens, "09-draft-decision")
    clerk.get_by_role("button", name="起案する").click()
    clerk.wait_for_url(re.compile(rf"/cases/{case_id}$"))
    assert "起案しました" in clerk.content()

    approver = new_page()
    login(approver, "approver")
    approver.goto(f"/cases/{case_id}#drafts")
    shot(approver, screens, "10-approval")
    approver.get_by_role("button", name="決裁する").click()
    approver.wait_for_url(re.compile(rf"/cases/{case_id}$"))
    assert "決裁しました" in approver.content()

    # letters: planned at approval, rendered by the worker right after (the page lists them once issued)
    for _ in range(40):
        approver.goto(f"/cases/{case_id}/letters")
        if approver.locator("a[href$='.pdf']").count():
            break
        approver.wait_for_timeout(500)
    shot(approver, screens, "11-letters")
    href = approver.locator("a[href$='.pdf']").first.get_attribute("href")
    response = approver.request.get(href)
    assert response.ok and response.body().startswith(b"%PDF")

    # finance: prepare, approve (second person), export, download the 全銀 file
    finance = new_page()
    login(finance, "finance")
    finance.fill("#benefit_month", "2025-07")
    finance.get_by_role("button", name="支払バッチを作成").click()
    finance.wait_for_url(re.compile(r"/finance/batches/\d+$"))
    batch_url = finance.url
    finance2 = new_page()
    login(finance2, "finance2")
    finance2.goto(batch_url)
    finance2.get_by_role("button", name="決裁する").click()
    finance2.wait_for_load_state()
    assert "決裁しました" in finance2.content()
    finance2.get_by_role("button", name="全銀ファイルを出力").click()
    finance2.wait_for_load_state()
    shot(finance2, screens, "12-finance-batch")
    with finance2.expect_download() as info:
        finance2.get_by_role("link", name="全銀ファイルをダウンロード").click()
    target = tmp_path / "zengin.txt"
    info.value.save_as(target)
    data = target.read_bytes()
    assert len(data) % 120 in (0, 2) or b"\r\n" in data
    assert data[:1] == b"1"
    finance2.goto("/finance")
    shot(finance2, screens, "13-finance-home")
    finance2.goto("/finance/receivables")
    shot(finance2, screens, "14-receivables")
    finance2.goto("/dashboard?until=2025-12")
    assert finance2.locator("svg.chart").count() == 4
    shot(finance2, screens, "15-dashboard")

    # 200% zoom: a narrow viewport at scale 2 reflows without horizontal scrolling
    zoomed = new_page(width=640, height=900, scale=2)
    login(zoomed, "clerk")
    zoomed.goto(f"/cases/{case_id}")
    overflow = zoomed.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    shot(zoomed, screens, "16-case-page-200pct")


def tab_to(page: Any, selector: str, limit: int = 250) -> None:
    """Press Tab until the element has the focus (fields are reached in document order)."""
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} is not reachable with Tab")


def kb_fill(page: Any, values: dict[str, str]) -> None:
    for name, value in values.items():
        kind = page.locator(f'[name="{name}"]').first.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if kind.endswith(":radio"):
            tab_to(page, f'[name="{name}"]')
            continue
        element_id = page.locator(f'[name="{name}"]').first.get_attribute("id")
        assert element_id, name
        tab_to(page, f"#{element_id}")
        if kind.startswith("select"):
            page.keyboard.press("Home")
            for _ in range(40):
                if page.evaluate("document.activeElement.value") == value:
                    break
                page.keyboard.press("ArrowDown")
            assert page.evaluate("document.activeElement.value") == value, (name, value)
        elif kind.endswith(":checkbox"):
            page.keyboard.press("Space")
        elif kind.endswith(":date"):
            year, month, day = value.split("-")
            page.keyboard.type(month + day + year)  # Chromium's default (en-US) field order
            assert page.evaluate("document.activeElement.value") == value, (name, value)
        else:
            page.keyboard.type(value)


def test_the_wizard_works_with_the_keyboard_alone(new_page: Any, screens: Path) -> None:
    page = new_page()
    page.goto("/login")
    assert page.evaluate("document.activeElement.id") == "username"  # autofocus
    page.keyboard.type("agency")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/agency$"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")  # skip link → main content
    assert page.evaluate("document.activeElement.id") == "main"
    tab_to(page, "a[href='/applications/new'].btn")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/applications/new$"))
    step1 = {k: v for k, v in STEP1.items() if k not in ("application_date",)}
    kb_fill(page, step1)
    shot(page, screens, "20-keyboard-wizard-step1")
    tab_to(page, "button[value=next]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/step/2$"))
    kb_fill(page, {k: v for k, v in STEP2.items() if not k.startswith(("trigger_main", "decl_"))})
    for group in ("trigger_main_earner", "decl_hello_work", "decl_similar_benefit", "decl_gang"):
        wanted = STEP2[group]
        radio = page.locator(f'[name="{group}"][value="{wanted}"]')
        tab_to(page, f'[name="{group}"]')
        if wanted == "no":
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Space")
        assert radio.is_checked()
    tab_to(page, "button[value=next]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/step/3$"))
    kb_fill(page, STEP3)
    page.keyboard.press("Enter")  # Enter in a text field submits with the first button (保存して次へ)
    page.wait_for_url(re.compile(r"/step/4$"))
    kb_fill(page, {k: v for k, v in STEP4.items() if k.startswith("consent_")})
    tab_to(page, '[name="emergency"]')
    page.keyboard.press("Space")
    assert page.locator('[name="emergency"][value="yes"]').is_checked()
    tab_to(page, "button[value=next]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/step/5$"))
    content = page.content()
    assert "本人確認書類 がまだ登録されていません" in content  # documents are uploaded with the file picker
    assert "月額" in content
    shot(page, screens, "21-keyboard-wizard-review")
    tab_to(page, "form[action$='/submit'] button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/submit$"))
    assert "不足している項目があります" in page.content()
    focus_style = page.evaluate(
        "(() => { const b = document.querySelector('.btn-primary'); b.focus();"
        " return getComputedStyle(b).outlineStyle; })()")
    assert focus_style != "none"

def test_the_moving_wizard_payees_and_admin_screens(new_page: Any, screens: Path) -> None:
    """The moving-cost wizard with its live 試算 (the municipality list reached with the keyboard),
    payee problems in Japanese, users and the audit log."""
    page = new_page()
    login(page, "agency")
    page.goto("/applications/new?benefit=moving")
    step1 = {k: v for k, v in STEP1.items() if not k.startswith("m1_") and k != "applicant_type"}
    fill_form(page, step1)
    page.get_by_role("button", name="保存して次へ").click()
    page.wait_for_url(re.compile(r"/step/2$"))
    fill_form(page, {"m0_inc0_kind": "wages", "m0_inc0_amount": "0", "assets_yen": "300000",
                     "drop_month": "2025-01", "drop_cause": "job_loss", "drop_main_earner": "yes",
                     "decl_hello_work": "no", "decl_similar_benefit": "no", "decl_gang": "no"})
    page.get_by_role("button", name="保存して次へ").click()
    page.wait_for_url(re.compile(r"/step/3$"))
    page.select_option("#dest_prefecture", "東京都")
    page.focus("#dest_prefecture")
    page.keyboard.press("Tab")  # the list button follows the prefecture: Enter on it shows the municipalities
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"pref="))
    page.select_option("#dest_municipality", "131041")
    fill_form(page, {"current_rent_yen": "80000", "fr_move_needed": "yes", "fr_cannot_fund": "yes",
                     "cost0_category": "key_money", "cost0_amount": "50000",
                     "cost1_category": "removal", "cost1_amount": "40000"})
    page.locator("#estimate").get_by_text("転居費用の上限額").wait_for()
    assert "90,000円" in page.locator("#estimate").inner_text()
    shot(page, screens, "30-moving-wizard-costs")

    finance = new_page()
    login(finance, "finance")
    finance.goto("/finance/payees/new")
    # an account of its own: the intake payee of the first test holds 1234567 (one account, one payee)
    fill_form(finance, {"kind": "agent", "name": "株式会社テスト不動産", "bank_code": "0001", "branch_code": "001",
                        "account_number": "7654321", "holder_name": "カ)テスト☆フドウサン"})
    finance.get_by_role("button", name="保存する").click()
    finance.wait_for_load_state()
    assert "変換できません" in finance.content()
    shot(finance, screens, "31-payee-problems")
    finance.goto("/finance/payees")
    shot(finance, screens, "32-payees")

    admin = new_page()
    login(admin, "admin")
    admin.goto("/admin/users")
    shot(admin, screens, "33-admin-users")
    admin.goto("/admin/audit?case_id=1")
    shot(admin, screens, "34-audit-log")


def kb_choose(page: Any, group: str, wanted: str) -> None:
    """A yes/no radio group with the keyboard: Tab into it, arrows to move, Space to choose."""
    tab_to(page, f'[name="{group}"]')
    if wanted == "no":
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    assert page.locator(f'[name="{group}"][value="{wanted}"]').is_checked(), group


def test_the_moving_wizard_works_with_the_keyboard_alone(new_page: Any, screens: Path) -> None:
    """The moving-cost wizard from the agency home to the review, without the mouse: the destination is
    picked from the prefecture and municipality lists, and the live 試算 follows the costs (R78, PD13)."""
    page = new_page()
    page.goto("/login")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'username'")
    page.keyboard.type("agency")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/agency$"))
    tab_to(page, "a[href='/applications/new?benefit=moving']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"benefit=moving"))
    step1 = {k: v for k, v in STEP1.items()
             if not k.startswith("m1_") and k not in ("applicant_type", "application_date")}
    kb_fill(page, step1)
    tab_to(page, "button[value=next]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/step/2$"))
    kb_fill(page, {"m0_inc0_kind": "wages", "m0_inc0_amount": "0", "assets_yen": "300000"})
    tab_to(page, "#drop_month")
    page.keyboard.type("January")
    page.keyboard.press("Tab")
    page.keyboard.type("2025")
    assert page.evaluate("document.querySelector('#drop_month').value") == "2025-01"
    kb_fill(page, {"drop_cause": "job_loss"})
    for group, wanted in (("drop_main_earner", "yes"), ("decl_hello_work", "no"), ("decl_similar_benefit", "no"),
                          ("decl_gang", "no")):
        kb_choose(page, group, wanted)
    tab_to(page, "button[value=next]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/step/3$"))
    kb_fill(page, {"current_rent_yen": "80000", "dest_prefecture": "東京都"})
    page.keyboard.press("Tab")  # the list button follows the prefecture
    assert page.evaluate("document.activeElement.value") == "stay"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"pref="))
    kb_fill(page, {"dest_municipality": "131041"})
    for group in ("fr_move_needed", "fr_cannot_fund"):
        kb_choose(page, group, "yes")
    kb_fill(page, {"cost0_category": "key_money", "cost0_amount": "50000", "cost1_category": "removal",
                   "cost1_amount": "40000"})
    page.locator("#estimate").get_by_text("転居費用の上限額").wait_for()
    assert "90,000円" in page.locator("#estimate").inner_text()
    kb_fill(page, {k: v for k, v in STEP3.items() if k not in ("rent_yen", "common_charges_yen")})
    tab_to(page, "button[value=next]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/step/4$"))
    shot(page, screens, "35-keyboard-moving-wizard-consents")
    for consent in ("repayment_if_false", "no_gang_members", "refusal_if_no_improvement",
                    "deposit_and_advance_rent_excluded", "partial_over_cap"):
        kb_fill(page, {f"consent_{consent}": "yes"})
    tab_to(page, '[name="emergency"]')
    page.keyboard.press("Space")
    tab_to(page, "button[value=next]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/step/5$"))
    content = page.content()
    assert "東京都新宿区" in content and "転居費用の見積書" in content
    shot(page, screens, "36-keyboard-moving-wizard-review")

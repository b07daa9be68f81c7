"""The wizard that helps (issue 14, item 6) in Chromium: the bank chosen by its name (the branch list
follows it), a 口座名義 typed in hiragana, and a review that shows what will be submitted."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from e2e.browser_steps import fill_form, login, shot
from web_world import DOC_KINDS, PDF, STEP1, STEP2, STEP3, STEP4


def test_the_bank_by_name_and_a_hiragana_holder_reach_the_review(new_page: Any, screens: Path) -> None:
    page = new_page()
    login(page, "agency")
    page.goto("/applications/new")
    fill_form(page, {**STEP1, "m1_name": "山田 花子", "applicant_postal_code": "101-0052"})
    page.click("button[value=next]")
    page.wait_for_url(re.compile(r"/step/2$"))
    fill_form(page, STEP2)
    page.click("button[value=next]")
    page.wait_for_url(re.compile(r"/step/3$"))
    payee = {k: v for k, v in STEP3.items() if k not in ("bank_code", "branch_code", "holder_kana")}
    fill_form(page, payee)
    page.fill("#bank_code", "みずほ銀行")
    page.press("#bank_code", "Tab")  # leaving the field loads the bank's branches into the list
    page.locator('#branch-options option[value="001"]').wait_for(state="attached")
    assert "東京営業部" in page.locator('#branch-options option[value="001"]').inner_text()
    page.fill("#branch_code", "東京営業部")
    page.fill("#holder_kana", "かぶしきがいしゃ てすとふどうさん")
    shot(page, screens, "40-wizard-bank-by-name")
    page.click("button[value=next]")
    page.wait_for_url(re.compile(r"/step/4$"))
    fill_form(page, {**STEP4, "consent_share_with_council": "yes"})
    for kind in DOC_KINDS:
        page.set_input_files(f"#doc_{kind}", files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf",
                                                     "buffer": PDF}])
    page.click("button[value=next]")
    page.wait_for_url(re.compile(r"/step/5$"))
    review = page.locator("section[aria-labelledby=sum-h]").inner_text()
    shot(page, screens, "41-wizard-review-everything")
    for text in ("みずほ（0001） 東京営業部（001）", "ｶﾌﾞｼｷｶﾞｲｼﾔ ﾃｽﾄﾌﾄﾞｳｻﾝ", "山田 花子", "〒101-0052",
                 "給与 月120,000円", "2025年3月31日", "同意あり", "普通 1234567"):
        assert text in review, text
    assert "不足している項目はありません" in page.content()

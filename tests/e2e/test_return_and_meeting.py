"""In Chromium (issue 11 item 5): the clerk returns an application to its agency with a reason; the
agency sees the reason on its home, edits the rent in the wizard and submits again; the clerk records
the 支援調整会議 date (R87) on the case screen; then the grant can be drafted and approved."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from e2e.browser_steps import fill_form, login, shot
from web_world import DOC_KINDS, PDF, STEP1, STEP2, STEP3, STEP4

REASON = "給与明細が古いため、直近3か月分を添付してください。"


def submit_without_meeting_date(page: Any) -> int:
    """The agency's wizard, with the plan's date but no 支援調整会議 date yet; returns the case id."""
    login(page, "agency")
    page.goto("/applications/new")
    fill_form(page, {**STEP1, "m0_birth_date": "1979-02-03"})  # another household than the other tests' (PD27)
    page.click("button[value=next]")
    page.wait_for_url(re.compile(r"/step/2$"))
    fill_form(page, STEP2)
    page.click("button[value=next]")
    page.wait_for_url(re.compile(r"/step/3$"))
    fill_form(page, STEP3)
    page.click("button[value=next]")
    page.wait_for_url(re.compile(r"/step/4$"))
    fill_form(page, {**STEP4, "coordination_meeting_date": ""})
    for kind in DOC_KINDS:
        page.set_input_files(f"#doc_{kind}", files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf",
                                                     "buffer": PDF}])
    page.click("button[value=next]")
    page.wait_for_url(re.compile(r"/step/5$"))
    page.get_by_role("button", name="申請を提出する").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def test_clerk_returns_agency_resubmits_clerk_records_meeting_then_grant_is_decided(
        new_page: Any, screens: Path) -> None:
    agency = new_page()
    case_id = submit_without_meeting_date(agency)

    clerk = new_page()
    login(clerk, "clerk")
    clerk.goto(f"/cases/{case_id}")
    check = clerk.locator("#application-check")
    assert check.locator("[data-coordination=missing]").is_visible()
    shot(clerk, screens, "30-application-check")
    check.get_by_label("差戻しの理由").fill(REASON)
    check.get_by_role("button", name="支援機関に差し戻す").click()
    clerk.wait_for_url(re.compile(rf"/cases/{case_id}$"))
    assert "支援機関に差し戻しました" in clerk.content()
    assert clerk.locator("#application-check").count() == 0

    agency.goto("/agency")
    returned = agency.locator("#returned")
    assert REASON in returned.inner_text()
    shot(agency, screens, "31-agency-home-returned")
    returned.get_by_role("link", name="修正して再提出する").click()
    agency.wait_for_url(re.compile(r"/applications/\d+/step/1$"))
    app_path = agency.url.rsplit("/step/", 1)[0]
    agency.goto(f"{app_path}/step/3")
    agency.fill('[name="rent_yen"]', "58000")
    agency.click("button[value=next]")
    agency.wait_for_url(re.compile(r"/step/4$"))
    agency.goto(f"{app_path}/step/5")
    agency.get_by_role("button", name="申請を提出する").click()
    agency.wait_for_url(re.compile(rf"/cases/{case_id}$"))
    agency.goto("/agency")
    assert agency.locator("#returned").count() == 0

    clerk.goto(f"/cases/{case_id}")
    check = clerk.locator("#application-check")
    check.get_by_label("支援調整会議を開催した").check()
    check.get_by_label("支援調整会議の開催日").fill("2025-05-20")
    check.get_by_role("button", name="支援調整会議の情報を登録する").click()
    clerk.wait_for_url(re.compile(rf"/cases/{case_id}$"))
    assert "2025年5月20日" in clerk.locator("#application-check [data-coordination=meeting]").inner_text()
    shot(clerk, screens, "32-meeting-recorded")
    clerk.goto(f"/cases/{case_id}/decisions/new?kind=grant")
    clerk.get_by_role("button", name="起案する").click()
    clerk.wait_for_url(re.compile(rf"/cases/{case_id}$"))
    assert "起案しました" in clerk.content()

    approver = new_page()
    login(approver, "approver")
    approver.goto(f"/cases/{case_id}#drafts")
    approver.get_by_role("button", name="決裁する").click()
    approver.wait_for_url(re.compile(rf"/cases/{case_id}$"))
    assert "決裁しました" in approver.content()
    assert "58,000円" in approver.locator("#summary").inner_text()

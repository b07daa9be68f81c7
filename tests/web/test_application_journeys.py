"""The clerk's journeys on the case screen (issue 11 item 5): an application submitted without the
支援調整会議 date cannot be decided until the clerk records the date (R87) or the emergency path (R88);
the clerk returns an application to its agency with a reason, the agency sees the reason on its home,
edits the application in the wizard and submits it again."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from web_world import STEP3, STEP4, apply_through_wizard

REASON = "収入の証明書が3か月以上前のものです。最新の給与明細を添付してください。"


def submitted_without_meeting_date(agency: Any) -> tuple[int, int]:
    """An application whose plan has a date but has not been through the 支援調整会議 (R87)."""
    app_id, case_id = apply_through_wizard(agency, submit=False)
    agency.get(f"/applications/{app_id}/step/4")
    r = agency.post(f"/applications/{app_id}/step/4", {**STEP4, "coordination_meeting_date": "", "action": "next"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    agency.get(f"/applications/{app_id}/step/5")
    r = agency.post(f"/applications/{app_id}/submit", {}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return app_id, case_id


def draft_grant(clerk: Any, case_id: int, app_id: int) -> Any:
    page = clerk.get(f"/cases/{case_id}/decisions/new?kind=grant").text
    version = re.search(r'name="case_version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    return clerk.post(f"/cases/{case_id}/decisions", {"kind": "grant", "application_id": str(app_id),
                                                      "case_version": version})


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"(?s)<[^>]+>", " ", page))


def test_return_edit_resubmit_record_meeting_then_decide(browser: Any) -> None:
    agency, clerk, approver = browser("agency"), browser("clerk"), browser("approver")
    app_id, case_id = submitted_without_meeting_date(agency)

    page = clerk.get(f"/cases/{case_id}").text
    assert 'data-coordination="missing"' in page
    assert f'action="/applications/{app_id}/return-to-agency"' in page
    refused = draft_grant(clerk, case_id, app_id)
    assert refused.status_code in (409, 422) and "支援調整会議" in text_of(refused.text)

    # a return needs its reason; without one nothing changes
    r = clerk.post(f"/applications/{app_id}/return-to-agency", {"case_id": str(case_id), "reason": "  "})
    assert "差戻しの理由を入力してください" in text_of(r.text)
    assert f'action="/applications/{app_id}/return-to-agency"' in r.text

    r = clerk.post(f"/applications/{app_id}/return-to-agency", {"case_id": str(case_id), "reason": REASON})
    assert r.status_code == 200 and "支援機関に差し戻しました" in text_of(r.text)
    assert 'id="application-check"' not in r.text  # nothing waits for the clerk any more
    history = text_of(r.text[r.text.index('id="timeline"'):])
    assert "申請を支援機関に差戻し" in history and REASON in history  # the 経過 names the return and why
    queue = clerk.get("/queue").text
    assert f"申請 #{app_id}" not in queue

    home = agency.get("/agency").text
    assert f'data-returned-application="{app_id}"' in home and REASON in text_of(home)
    assert f'href="/applications/{app_id}/step/1"' in home
    case_page = agency.get(f"/cases/{case_id}").text
    assert REASON in text_of(case_page)
    other_agency = browser("agency_b").get("/agency").text
    assert REASON not in text_of(other_agency)

    # the agency edits the rent in the wizard and submits again
    wizard = agency.get(f"/applications/{app_id}/step/3").text
    assert "data-returned-reason" in wizard and REASON in text_of(wizard)  # the reason where the agency edits
    r = agency.post(f"/applications/{app_id}/step/3", {**STEP3, "rent_yen": "58000", "action": "next"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    agency.get(f"/applications/{app_id}/step/5")
    r = agency.post(f"/applications/{app_id}/submit", {}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert f'data-returned-application="{app_id}"' not in agency.get("/agency").text

    # the clerk records the meeting date; then the grant can be drafted and approved
    assert f"申請 #{app_id}" in clerk.get("/queue").text
    future = clerk.post(f"/applications/{app_id}/coordination-meeting",
                        {"case_id": str(case_id), "path": "meeting", "meeting_date": "2099-01-01"})
    assert 'data-coordination="missing"' in future.text  # a meeting that has not happened is refused
    r = clerk.post(f"/applications/{app_id}/coordination-meeting",
                   {"case_id": str(case_id), "path": "meeting", "meeting_date": "2025-05-20"})
    assert "2025年5月20日" in text_of(r.text) and 'data-coordination="meeting"' in r.text
    assert "支援調整会議の情報を登録" in text_of(r.text[r.text.index('id="timeline"'):])
    r = draft_grant(clerk, case_id, app_id)
    assert "起案しました" in text_of(r.text), text_of(r.text)[:2000]
    page = approver.get(f"/cases/{case_id}").text
    decision_id = re.search(r"/decisions/(\d+)/approve", page).group(1)  # type: ignore[union-attr]
    r = approver.post(f"/decisions/{decision_id}/approve", {"case_id": str(case_id)})
    assert "決裁しました" in text_of(r.text)
    assert "58,000円" in text_of(r.text)
    assert 'id="application-check"' not in clerk.get(f"/cases/{case_id}").text  # decided: no more forms


def test_the_emergency_path_lets_the_grant_be_drafted(browser: Any) -> None:
    agency, clerk = browser("agency"), browser("clerk")
    app_id, case_id = submitted_without_meeting_date(agency)
    clerk.get(f"/cases/{case_id}")
    r = clerk.post(f"/applications/{app_id}/coordination-meeting", {"case_id": str(case_id), "path": "meeting"})
    assert "開催日を入力してください" in text_of(r.text)
    r = clerk.post(f"/applications/{app_id}/coordination-meeting",
                   {"case_id": str(case_id), "path": "emergency"})
    assert 'data-coordination="emergency"' in r.text
    assert "起案しました" in text_of(draft_grant(clerk, case_id, app_id).text)


@pytest.mark.parametrize("who", ["agency", "approver", "finance"])
def test_only_the_clerk_returns_or_records(browser: Any, who: str) -> None:
    agency, clerk = browser("agency"), browser("clerk")
    app_id, case_id = apply_through_wizard(agency)
    other = agency if who == "agency" else browser(who)
    other.get("/")
    for path, data in (("return-to-agency", {"reason": REASON}), ("coordination-meeting", {"path": "emergency"})):
        r = other.post(f"/applications/{app_id}/{path}", {"case_id": str(case_id), **data}, follow_redirects=False)
        assert r.status_code in (303, 403), r.status_code
    page = clerk.get(f"/cases/{case_id}").text
    assert 'data-coordination="meeting"' in page  # unchanged: still submitted with its meeting date
    assert f'data-returned-application="{app_id}"' not in agency.get("/agency").text

"""Approvers see what they approve (issue 14): the 決裁 panel shows the kind, the months, the monthly
amount with its 算定内訳, the payee with bank and branch names, and every letter as a preview PDF that
issues nothing; a stop shows its cause and evidence."""

from __future__ import annotations

import re
from typing import Any

from web_world import apply_through_wizard


def _draft(clerk: Any, case_id: int, app_id: int, kind: str = "grant") -> int:
    page = clerk.get(f"/cases/{case_id}/decisions/new?kind={kind}").text
    version = re.search(r'name="case_version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    r = clerk.post(f"/cases/{case_id}/decisions", {"kind": kind, "application_id": str(app_id),
                                                   "case_version": version})
    assert "起案しました" in r.text, r.text
    page = clerk.get(f"/cases/{case_id}").text
    return int(re.search(r"/decisions/(\d+)/letters/preview", page).group(1))  # type: ignore[union-attr]


def _count(web_app: Any, model: Any) -> int:
    from sqlalchemy import func, select

    with web_app.state.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_approver_sees_months_amount_breakdown_payee_and_previews_every_letter(
        web_app: Any, browser: Any) -> None:
    from service.db.models import BenefitGrant, DecisionReview
    from service.db.models_letters import Letter

    agency, clerk, approver = browser("agency"), browser("clerk"), browser("approver")
    app_id, case_id = apply_through_wizard(agency)
    decision_id = _draft(clerk, case_id, app_id)
    page = approver.get(f"/cases/{case_id}").text
    panel = page[page.index('id="drafts"'):page.index('id="breakdown"')]
    assert "支給決定" in panel and "決定の内容" in panel
    months = re.search(r"<dt>支給期間</dt><dd>([^<]+)</dd>", panel).group(1)  # type: ignore[union-attr]
    assert months.endswith("（3か月）"), months
    assert re.search(r"<dt>月額</dt><dd>[\d,]+円</dd>", panel)
    assert "算定内訳" in panel and "<td>" in panel
    assert "株式会社テスト不動産" in panel and "みずほ銀行 東京営業部（0001-001）" in panel
    assert "＊＊＊＊567" in panel and "1234567" not in panel  # the account number is masked
    before = (_count(web_app, Letter), _count(web_app, DecisionReview), _count(web_app, BenefitGrant))
    listing = approver.get(f"/decisions/{decision_id}/letters/preview")
    assert listing.status_code == 200, listing.text
    titles = re.findall(r'preview/(\d+)\.pdf" [^>]*>([^<]+)</a>', listing.text)
    assert len(titles) >= 2 and any("決定通知書" in t for _n, t in titles), titles
    for number, _title in titles:
        pdf = approver.get(f"/decisions/{decision_id}/letters/preview/{number}.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (_count(web_app, Letter), _count(web_app, DecisionReview), _count(web_app, BenefitGrant)) == before
    assert approver.get(f"/decisions/{decision_id}/letters/preview/99.pdf").status_code == 404
    # the preview approved nothing: the approver still approves, and the letters are then issued once
    r = approver.post(f"/decisions/{decision_id}/approve", {"case_id": str(case_id)})
    assert "決裁しました" in r.text
    assert _count(web_app, DecisionReview) == before[1] + 1


def test_an_agency_cannot_preview_and_the_drafter_is_told_why(browser: Any) -> None:
    agency, clerk = browser("agency"), browser("clerk")
    app_id, case_id = apply_through_wizard(agency)
    decision_id = _draft(clerk, case_id, app_id)
    assert agency.get(f"/decisions/{decision_id}/letters/preview").status_code == 403
    r = clerk.get(f"/decisions/{decision_id}/letters/preview")
    assert r.status_code == 403 and "起案した職員" in r.text


def test_a_stop_draft_from_a_proposal_has_a_japanese_memo(
        browser: Any) -> None:
    from test_screens_gaps import decide_on_screen

    agency, clerk, approver = browser("agency"), browser("clerk"), browser("approver")
    app_id, case_id = apply_through_wizard(agency)
    decide_on_screen(clerk, approver, case_id, app_id)
    link = None
    for month in ("2025-05", "2025-06", "2025-07"):
        clerk.get(f"/queue?month={month}")
        clerk.post("/queue/propose-stops", {"month": month})
        page = clerk.get(f"/queue?month={month}").text
        link = re.search(r'href="(/cases/\d+/decisions/new\?kind=stop&amp;proposal=\d+)"', page)
        if link:
            break
    assert link, "no stop proposal for a missing monthly report"
    form = clerk.get(link.group(1).replace("&amp;", "&")).text
    memo = re.search(r'<textarea[^>]*name="note"[^>]*>([^<]*)</textarea>', form).group(1)  # type: ignore[union-attr]
    assert "求職活動状況報告書が提出されていません" in memo, memo
    assert "R51" not in memo and "no monthly report" not in memo

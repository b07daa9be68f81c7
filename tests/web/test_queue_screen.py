"""The work queue screen (issue 11 item 5): every section shows its total and pages on its own; an
application is listed once (waiting for a decision, then waiting for approval) and never once decided."""

from __future__ import annotations

import re
from typing import Any

import pytest
from web_world import apply_through_wizard

from service.web import routes_cases


def waiting_ids(page: str) -> list[int]:
    section = re.search(r'(?s)data-section="applications_waiting".*?</section>', page)
    assert section, "no applications section"
    return [int(n) for n in re.findall(r"申請 #(\d+)", section.group(0))]


def total(page: str, name: str) -> int:
    found = re.search(rf'(?s)data-section="{name}".*?data-total="(\d+)"', page)
    assert found, name
    return int(found.group(1))


def test_totals_and_paging_per_section_without_decided_items(browser: Any,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routes_cases, "QUEUE_PAGE_SIZE", 2)
    agency, clerk, approver = browser("agency"), browser("clerk"), browser("approver")
    apps = [apply_through_wizard(agency, birth_date=f"198{i}-04-01") for i in range(3)]

    first = clerk.get("/queue").text
    assert total(first, "applications_waiting") == 3
    assert waiting_ids(first) == [apps[0][0], apps[1][0]]
    assert "全3件中 1〜2件目" in first and "1 / 2 ページ" in first
    next_link = re.search(r'href="(/queue\?month=[\d-]+&amp;section=applications_waiting&amp;page=2)#q1"', first)
    assert next_link, "no link to the section's second page"
    second = clerk.get(next_link.group(1).replace("&amp;", "&")).text
    assert waiting_ids(second) == [apps[2][0]]
    assert "全3件中 3〜3件目" in second and "2 / 2 ページ" in second
    assert total(second, "applications_waiting") == 3  # the total stays the section's, not the page's
    # a page past the end shows the last page; an unknown section shows the first pages
    assert waiting_ids(clerk.get(next_link.group(1).replace("&amp;", "&").replace("page=2", "page=99")).text) \
        == [apps[2][0]]
    assert waiting_ids(clerk.get("/queue?section=nonsense&page=2").text) == [apps[0][0], apps[1][0]]

    # drafted: listed once, under 決裁待ち, no longer under 審査待ち
    app_id, case_id = apps[0]
    page = clerk.get(f"/cases/{case_id}/decisions/new?kind=grant").text
    version = re.search(r'name="case_version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    clerk.post(f"/cases/{case_id}/decisions", {"kind": "grant", "application_id": str(app_id),
                                               "case_version": version})
    queue = clerk.get("/queue").text
    assert total(queue, "applications_waiting") == 2 and app_id not in waiting_ids(queue)
    assert total(queue, "awaiting_approval") == 1
    assert 'data-pager="applications_waiting"' not in queue  # two fit on one page

    # decided: gone from both
    page = approver.get(f"/cases/{case_id}").text
    decision_id = re.search(r"/decisions/(\d+)/approve", page).group(1)  # type: ignore[union-attr]
    approver.post(f"/decisions/{decision_id}/approve", {"case_id": str(case_id)})
    queue = clerk.get("/queue").text
    assert total(queue, "applications_waiting") == 2 and total(queue, "awaiting_approval") == 0
    assert app_id not in waiting_ids(queue)

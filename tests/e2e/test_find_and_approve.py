"""Browser tests (issue 14): finding a person by kana on the case list, and the approver's 決裁 panel
with the months, amount, payee and the letter preview."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from e2e.browser_steps import login, shot
from web_world import Browser, apply_through_wizard


def _http(url: str, username: str) -> Browser:
    person = Browser(httpx.Client(base_url=url))  # type: ignore[arg-type]
    assert person.login(username).status_code == 303
    return person


def test_search_by_kana_and_the_approver_panel(new_page: Any, live_server: dict[str, Any], screens: Path) -> None:
    url = live_server["url"]
    agency, clerk = _http(url, "agency"), _http(url, "clerk")
    # another 山田 太郎 (born a year later): the server's other tests granted the first one (PD27)
    app_id, case_id = apply_through_wizard(agency, birth_date="1986-04-01")
    page = clerk.get(f"/cases/{case_id}/decisions/new?kind=grant").text
    version = re.search(r'name="case_version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    drafted = clerk.post(f"/cases/{case_id}/decisions", {"kind": "grant", "application_id": str(app_id),
                                                         "case_version": version}, follow_redirects=False)
    assert drafted.headers.get("location", "").endswith(f"/cases/{case_id}"), drafted.text[:500]  # not refused

    browser = new_page()
    login(browser, "approver")
    browser.goto("/cases")
    browser.fill("#q", "ﾔﾏﾀﾞ")  # half-width kana finds 山田 太郎
    browser.click("form.search-form button[type=submit]")
    assert "q=" in browser.url
    names = browser.locator("table.case-table .case-name").all_inner_texts()
    assert names and all(n == "山田 太郎" for n in names)
    assert "件" in browser.locator("#result-count").inner_text()
    shot(browser, screens, "20-case-search")

    browser.locator("table.case-table a.person").first.click()
    browser.goto(f"/cases/{case_id}#drafts")
    panel = browser.locator("#drafts")
    text = panel.inner_text()
    assert "支給期間" in text and "月額" in text and "みずほ銀行 東京営業部" in text and "＊＊＊＊567" in text
    panel.locator("summary", has_text="算定内訳").click()
    shot(browser, screens, "21-approver-panel")
    preview = panel.locator("a", has_text="通知書のプレビュー").get_attribute("href")
    browser.goto(preview, timeout=120_000)  # renders every letter: slow on a loaded machine
    assert "決裁すると発行される通知書の見本" in browser.content()
    links = browser.locator("ol.preview-list a")
    assert links.count() >= 2
    shot(browser, screens, "22-letter-preview")
    pdf = browser.request.get(links.first.get_attribute("href"), timeout=120_000)
    assert pdf.ok and pdf.body().startswith(b"%PDF")

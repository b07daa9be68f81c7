"""Issue 10 item 7: the wizard offers every municipality of the rate data, found by name, kana or code."""

from __future__ import annotations

import re
from typing import Any

from web_world import STEP1


def test_the_wizard_offers_every_municipality_and_resolves_a_name_or_reading(browser: Any) -> None:
    b = browser("agency")
    page = b.get("/applications/new").text
    options = re.findall(r'<option value="(\d{6})">([^<]*)</option>', page)
    assert len(options) == 1916
    assert ("013030", "北海道当別町（とうべつちょう）") in options
    r = b.post("/applications/new", {**STEP1, "municipality_code": "ハチオウジシ", "action": "stay"},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    page = b.get(r.headers["location"]).text
    assert "現在: 東京都八王子市" in page and 'value="132012"' in page


def test_an_unknown_municipality_is_explained(browser: Any) -> None:
    b = browser("agency")
    b.get("/applications/new")
    r = b.post("/applications/new", {**STEP1, "municipality_code": "存在しない町"})
    assert r.status_code == 422 and "申請先の市区町村が見つかりません" in r.text

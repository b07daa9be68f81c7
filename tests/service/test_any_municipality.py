"""Issue 10 / PD25, PD26: an application from any municipality is assessed with its residence's rates,
decided, and its letters carry the deciding body's letterhead (a prefecture for a 町村 without one)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from service_world import RENT_FACTS, World

from service.config import Settings
from service.letterhead import municipality_letterhead


@pytest.fixture
def service_settings() -> Settings:
    return Settings(issue_letters_on_approval=True)


def test_a_town_resident_is_decided_by_the_prefecture_with_its_own_rates(world: World) -> None:
    facts: dict[str, Any] = copy.deepcopy(RENT_FACTS)
    facts.update(municipality_code="013030", application_date="2026-08-03", rent_yen=40000)  # 北海道当別町
    facts["trigger"] = {**facts["trigger"], "date": "2026-06-30"}
    app = world.apply(facts)
    decision = world.decide(app["case_id"], {"kind": "grant", "application_id": app["id"]})
    trace = decision["result"]["trace"]
    b = next(step for step in trace if step["step"] == "standard_amount_yen")
    c = next(step for step in trace if step["step"] == "rent_ceiling_yen")
    assert (b["value"], c["value"]) == (124000, 30000)  # 3級地 two persons from 2026-07; 北海道 3級地 C
    assert "derived by R11" in b["source"] and "3級地" in b["source"]
    assert "社援発0414第9号" in c["source"]
    letters = world.get("clerk", f"/api/v1/cases/{app['case_id']}/letters", 200).json()
    assert letters and all(row["document_number"].startswith("8北海生第") for row in letters)


@pytest.mark.parametrize(("code", "body", "title"), [
    ("131016", "131016", "千代田区長"),  # its own entry
    ("011011", "011002", "札幌市長"),   # a ward → its city's entry
    ("132012", "132012", "八王子市長"),  # a city without an entry: a default
    ("133035", "130001", "東京都知事"),  # 瑞穂町 → the prefecture
])
def test_the_letterhead_follows_the_deciding_body(code: str, body: str, title: str) -> None:
    head = municipality_letterhead(code)
    assert (head.code, head.head_title) == (body, title)
    assert head.letterhead("8試第1号").head_title == title

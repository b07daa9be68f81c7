"""After a stop on an extended case the day's print run still prints (issue 11): a stop never takes the
extension's months away from the extension decision that decided them, so its letter rebuilds."""

from __future__ import annotations

import pytest
from service_world import World

from service.config import Settings


@pytest.fixture
def service_settings() -> Settings:
    return Settings(issue_letters_on_approval=True)


def test_the_print_run_after_a_stop_on_an_extended_case(world: World) -> None:
    world.at("2025-05-20")
    case_id, grant_id = world.granted_case()
    world.at("2025-07-15")
    ext = world.apply({}, kind="extension", case_id=case_id)
    extension = world.decide(case_id, {"kind": "extension", "application_id": ext["id"], "grant_id": grant_id})
    stop = world.decide(case_id, {"kind": "stop", "grant_id": grant_id, "cause": "income_over_limit",
                                  "event_date": "2025-07-10",
                                  "evidence": [{"kind": "employment_notification", "note": "7月10日 届出"},
                                               {"kind": "pay_slips", "note": "7月分給与明細 確認"}]})
    assert stop["result"]["cancelled_months"] == ["2025-08", "2025-09", "2025-10"]
    months = {m["month"]: m for m in world.clock(grant_id)["months"]}
    # The cancelled months stay the extension's: the stop changed their status, not who decided them.
    assert {months[m]["decision_id"] for m in ("2025-08", "2025-09", "2025-10")} == {extension["id"]}
    assert {months[m]["status"] for m in ("2025-08", "2025-09", "2025-10")} == {"cancelled"}
    r = world.get("clerk", "/api/v1/letters/print-run?day=2025-07-15", 200)
    assert r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    titles = [letter["letter_type"] for letter in world.get("clerk", f"/api/v1/cases/{case_id}/letters", 200).json()]
    assert "extension_decision" in titles and "stop_notice" in titles

"""The dashboard's 支払済額 (issue 14 item 7) is money that left: a moving grant's costs count once their
batch is exported, never while the batch is a draft or approved but not exported."""

from __future__ import annotations

import copy
from datetime import date

from service_world import MOVING_FACTS, World
from test_payments import at, fin, run  # noqa: F401 - fin is the finance world fixture

from service.db.session import unit_of_work
from service.web import queries
from service.workflows import payments as payments_wf


def paid(world: World, last: str) -> dict[str, int]:
    with unit_of_work(world.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        return {m: v for m, v in queries.paid_by_month(session, queries.month_range(last, 24)).items() if v}


def test_moving_costs_count_as_paid_only_once_exported(fin: World) -> None:  # noqa: F811
    app = fin.apply(copy.deepcopy(MOVING_FACTS))
    case_id = app["case_id"]
    fin.decide(case_id, {"kind": "moving_grant", "application_id": app["id"]})
    grant_id = fin.get("clerk", f"/api/v1/cases/{case_id}", 200).json()["grants"][0]["grant_id"]
    fin.upload(case_id, "housing_report")
    fin.upload(case_id, "expense_evidence")
    fin.decide(case_id, {"kind": "moving_confirmation", "grant_id": grant_id,
                         "actual_costs": [{"category": "key_money", "amount_yen": 50000},
                                          {"category": "removal", "amount_yen": 30000}]})
    at(fin, date.today())
    month = payments_wf.latest_payable_month(date.today())
    report = run(fin, month)
    assert report["total_yen"] == 80000
    assert paid(fin, month) == {}  # a draft batch paid nothing
    fin.post("finance2", f"/api/v1/payment-batches/{report['batch_id']}/approve", 200)
    assert paid(fin, month) == {}  # approved, not exported: still nothing left the office
    fin.post("finance", f"/api/v1/payment-batches/{report['batch_id']}/export", 200)
    ledger = fin.get("finance", f"/api/v1/grants/{grant_id}/payments", 200).json()
    assert sum(p["amount_yen"] for p in ledger) == 80000
    assert paid(fin, month) == {p["benefit_month"]: 80000 for p in ledger}  # key money and removal, both

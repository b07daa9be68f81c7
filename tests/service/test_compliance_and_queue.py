"""Monthly reports propose stops (never stop by themselves); the work queue shows what is due."""

from __future__ import annotations

import pytest
from service_world import World


def _report(world: World, case_id: int, month: str, interviews: int, hello_work: int, applications: int,
            evidence: list[int] | None = None) -> dict:
    return dict(world.post("agency", f"/api/v1/cases/{case_id}/monthly-reports", 201, json={
        "month": month, "interviews": interviews, "hello_work_consultations": hello_work,
        "employer_applications": applications, "evidence_document_ids": evidence or []}).json())


def test_a_short_month_proposes_a_stop_with_its_evidence_list(world: World) -> None:
    case_id, grant_id = world.granted_case()
    doc = world.upload(case_id, "interview_records")
    ok = _report(world, case_id, "2025-05", 4, 2, 5, [doc])
    assert ok["compliant"] and ok["stop_proposal"] is None
    short = _report(world, case_id, "2025-06", 2, 1, 1, [doc])
    proposal = short["stop_proposal"]
    assert not short["compliant"] and proposal["cause"] == "job_search_failure"
    assert "interview_records" in proposal["evidence"]["required_kinds"]
    assert proposal["evidence"]["document_ids"] == [doc]
    world.at("2025-06-20")
    assert world.clock(grant_id)["status"] == "active"  # nothing stops by itself
    queue = world.get("clerk", "/api/v1/work-queue?month=2025-07", 200).json()
    assert [p["proposal_id"] for p in queue["proposed_stops"]] == [proposal["id"]]
    evidence = [{"kind": k, "document_id": doc} if k == "interview_records" else {"kind": k, "note": "記録あり"}
                for k in proposal["evidence"]["required_kinds"]]
    world.decide(case_id, {"kind": "stop", "grant_id": grant_id, "cause": "job_search_failure",
                           "event_date": "2025-07-03", "evidence": evidence, "proposal_id": proposal["id"]})
    queue = world.get("clerk", "/api/v1/work-queue?month=2025-07", 200).json()
    assert queue["proposed_stops"] == []


def test_missing_reports_are_listed_and_proposed_once(world: World) -> None:
    case_id, grant_id = world.granted_case()
    queue = world.get("clerk", "/api/v1/work-queue?month=2025-06", 200).json()
    assert queue["monthly_report_missing"] == [{"grant_id": grant_id, "case_id": case_id, "month": "2025-05"}]
    world.at("2025-07-11")  # the 2025-06 report was due on 2025-07-10 (PD29)
    first = world.post("clerk", "/api/v1/stop-proposals/generate?month=2025-06", 200).json()
    second = world.post("clerk", "/api/v1/stop-proposals/generate?month=2025-06", 200).json()
    assert len(first) == 1 and [p["id"] for p in second] == [first[0]["id"]]
    assert first[0]["source"] == "missing_report"


@pytest.mark.parametrize(("today", "month", "proposed"), [
    ("2025-07-10", "2025-06", False),  # the due day itself: still in time
    ("2025-07-11", "2025-06", True),   # the day after: overdue
    ("2025-07-20", "2025-07", False),  # the current month: never
    ("2025-07-20", "2025-05", False),  # the grant's first month: never
    ("2025-12-01", "2025-08", False),  # not a month of the grant: nothing missing
])
def test_stops_are_proposed_only_for_overdue_reports(world: World, today: str, month: str,
                                                     proposed: bool) -> None:
    world.granted_case()  # 2025-05..07
    world.at(today)
    got = world.post("clerk", f"/api/v1/stop-proposals/generate?month={month}", 200).json()
    assert len(got) == (1 if proposed else 0)


def test_the_queue_shows_extensions_due_and_last_months(world: World) -> None:
    case_id, grant_id = world.granted_case()
    queue = world.get("approver", "/api/v1/work-queue?month=2025-07", 200).json()
    assert queue["extension_due"][0]["grant_id"] == grant_id
    assert queue["extension_due"][0]["extension_deadline"] == "2025-07-31"
    for applied_on in ("2025-07-15", "2025-10-20"):
        world.at(applied_on)  # PD30: the application date is the day of submission
        ext = world.apply({}, kind="extension", case_id=case_id)
        assert world.get("clerk", "/api/v1/work-queue?month=2025-07", 200).json()["applications_waiting"]
        world.decide(case_id, {"kind": "extension", "application_id": ext["id"], "grant_id": grant_id})
    queue = world.get("clerk", "/api/v1/work-queue?month=2026-01", 200).json()
    assert queue["last_month"][0]["grant_id"] == grant_id and queue["extension_due"] == []


def _missing_both_ways(world: World, month: str) -> tuple[list[int], list[int]]:
    """The missing reports as the product reads them (the maintained ``report_received`` flag, for the
    queue and 中止の提案) and as the truth is defined (months without a report: the anti-join)."""
    from sqlalchemy import and_, exists, select

    from service.db.models import BenefitGrant, BenefitMonth, MonthlyReport
    from service.db.session import unit_of_work
    from service.workflows.compliance import missing_reports_stmt

    truth = (select(BenefitGrant.id)
             .join(BenefitMonth, and_(BenefitMonth.grant_id == BenefitGrant.id, BenefitMonth.month == month))
             .where(BenefitMonth.status.in_(("scheduled", "paid")), BenefitGrant.status == "active",
                    ~exists().where(MonthlyReport.grant_id == BenefitGrant.id, MonthlyReport.month == month))
             .order_by(BenefitGrant.id))
    with unit_of_work(world.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        product = [row[0] for row in session.execute(missing_reports_stmt(month))]
        anti_join = list(session.scalars(truth))
    return product, anti_join


def test_a_stored_report_takes_its_month_off_the_queue_even_when_the_month_is_rewritten(world: World) -> None:
    """R51, issue 11: the queue reads ``benefit_month.report_received`` (kept by database triggers) and
    must list exactly what the anti-join of months with reports lists: a report takes its month off; a
    month a decision deletes and writes again (as ``_write_clock`` does) stays reported."""
    from service.db.models import BenefitGrant, BenefitMonth
    from service.db.session import unit_of_work

    case_id, grant_id = world.granted_case()  # 2025-05..07
    other_case, other_grant = world.granted_case()
    queue = world.get("clerk", "/api/v1/work-queue?month=2025-06", 200).json()
    assert queue["totals"]["monthly_report_missing"] == 2
    assert _missing_both_ways(world, "2025-05") == ([grant_id, other_grant], [grant_id, other_grant])
    doc = world.upload(case_id, "interview_records")
    _report(world, case_id, "2025-05", 4, 2, 5, [doc])
    queue = world.get("clerk", "/api/v1/work-queue?month=2025-06", 200).json()
    assert queue["monthly_report_missing"] == [{"grant_id": other_grant, "case_id": other_case, "month": "2025-05"}]
    assert queue["totals"]["monthly_report_missing"] == 1
    with unit_of_work(world.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        month = session.get(BenefitMonth, (grant_id, "2025-05"))
        assert month is not None and month.report_received
        kept = {"grant_id": grant_id, "month": "2025-05", "amount_yen": month.amount_yen, "status": month.status,
                "decision_id": month.decision_id}
        session.delete(month)
        session.flush()
        session.add(BenefitMonth(**kept))  # report_received=False as written; the database knows better
    for month_name in ("2025-05", "2025-06", "2025-07"):
        queue_ids, anti_join_ids = _missing_both_ways(world, month_name)
        assert queue_ids == anti_join_ids, month_name
    assert _missing_both_ways(world, "2025-05")[0] == [other_grant]
    assert _missing_both_ways(world, "2025-06")[0] == [grant_id, other_grant]
    with unit_of_work(world.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        grant = session.get(BenefitGrant, other_grant)
        assert grant is not None
        grant.status = "stopped"  # its waiting month leaves the list and the total (which subtracts it)
    assert _missing_both_ways(world, "2025-05") == ([], [])
    assert _missing_both_ways(world, "2025-06") == ([grant_id], [grant_id])
    queue = world.get("clerk", "/api/v1/work-queue?month=2025-07", 200).json()
    assert queue["monthly_report_missing"] == [{"grant_id": grant_id, "case_id": case_id, "month": "2025-06"}]
    assert queue["totals"]["monthly_report_missing"] == 1

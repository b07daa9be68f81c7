"""The office clock (JST) at the edges: month ends, the year-end closure (12/29–1/3), due days. Each case
has one expected outcome; the clock is set, never read from the machine."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from service_world import RENT_FACTS, World

from service.clock import FixedClock


def _set(world: World, moment_utc: datetime) -> None:
    world.client.app.state.office_clock = FixedClock(moment_utc)  # type: ignore[attr-defined]


def _extension_draft(world: World, case_id: int, grant_id: int) -> int:
    ext = world.apply({}, kind="extension", case_id=case_id)
    r = world.post("clerk", f"/api/v1/cases/{case_id}/decisions",
                   json={"kind": "extension", "application_id": ext["id"], "grant_id": grant_id})
    return r.status_code


@pytest.mark.parametrize(("moment_utc", "status"), [
    (datetime(2025, 7, 31, 14, 59, tzinfo=UTC), 201),  # 23:59 JST on 31 July: the deadline day
    (datetime(2025, 7, 31, 15, 0, tzinfo=UTC), 409),   # 00:00 JST on 1 August: one day late
])
def test_the_extension_deadline_is_the_office_day_in_jst(world: World, moment_utc: datetime, status: int) -> None:
    case_id, grant_id = world.granted_case()  # 2025-05..07, deadline 2025-07-31 (a Thursday)
    _set(world, moment_utc)
    assert _extension_draft(world, case_id, grant_id) == status


@pytest.mark.parametrize(("day", "status"), [
    ("2025-12-26", 201),  # Friday: the last open day before the closure (PD6)
    ("2025-12-27", 409),  # Saturday
    ("2025-12-31", 409),  # the period's last day, but the office is closed 12/29–1/3
])
def test_a_period_ending_in_december_must_be_extended_before_the_year_end_closure(world: World, day: str,
                                                                                  status: int) -> None:
    case_id, grant_id = world.granted_case(dict(RENT_FACTS, application_date="2025-10-06"))  # 2025-10..12
    assert world.clock(grant_id)["extension_deadline"] == "2025-12-26"
    world.at(day)
    assert _extension_draft(world, case_id, grant_id) == status


@pytest.mark.parametrize(("moment_utc", "status"), [
    (datetime(2025, 7, 31, 14, 59, tzinfo=UTC), "active"),  # 31 July in Tokyo: the last month runs
    (datetime(2025, 7, 31, 15, 0, tzinfo=UTC), "ended"),    # 1 August in Tokyo: the period is over
])
def test_a_grant_ends_when_the_office_month_turns(world: World, moment_utc: datetime, status: str) -> None:
    _, grant_id = world.granted_case()
    _set(world, moment_utc)
    assert world.clock(grant_id)["status"] == status


@pytest.mark.parametrize(("moment_utc", "proposed"), [
    (datetime(2025, 7, 10, 14, 59, tzinfo=UTC), 0),  # 23:59 JST on the 10th: the report is still in time
    (datetime(2025, 7, 10, 15, 0, tzinfo=UTC), 1),   # 00:00 JST on the 11th: overdue (PD29)
])
def test_a_report_becomes_overdue_at_midnight_in_tokyo(world: World, moment_utc: datetime, proposed: int) -> None:
    world.granted_case()
    _set(world, moment_utc)
    assert len(world.post("clerk", "/api/v1/stop-proposals/generate?month=2025-06", 200).json()) == proposed


@pytest.mark.parametrize(("moment_utc", "expected_month"), [
    (datetime(2025, 6, 30, 14, 59, tzinfo=UTC), "2025-06"),
    (datetime(2025, 6, 30, 15, 0, tzinfo=UTC), "2025-07"),
])
def test_the_work_queue_month_defaults_to_the_office_month(world: World, moment_utc: datetime,
                                                           expected_month: str) -> None:
    _set(world, moment_utc)
    assert world.get("clerk", "/api/v1/work-queue", 200).json()["month"] == expected_month

"""Screens read time as the office does (JST): a moment stored in UTC is printed in Japanese time, and
"today" on a screen is the office's day, across the UTC/JST day boundary (2026-11-30T16:00Z is
2026年12月1日 01:00 in Tokyo)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from web_world import apply_through_wizard

from service.clock import FixedClock
from service.web.labels import datetime_ja

BOUNDARY = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 2026-12-01 01:00 JST


@pytest.mark.parametrize(("stored", "shown"), [
    (BOUNDARY, "2026年12月1日 01:00"),
    (datetime(2026, 11, 30, 16, 0), "2026年12月1日 01:00"),  # SQLite: naive UTC
    ("2026-11-30T16:00:00+00:00", "2026年12月1日 01:00"),  # an ISO string from a view dict
    ("2026-11-30T16:00:00Z", "2026年12月1日 01:00"),
    ("2026-11-30T14:59:59+00:00", "2026年11月30日 23:59"),  # still the same day in Tokyo
    ("2026-12-31T15:00:00+00:00", "2027年1月1日 00:00"),  # the year turns in Tokyo first
    ("2026-12-01T01:00:00+09:00", "2026年12月1日 01:00"),  # already JST: unchanged
    (date(2026, 11, 30), "2026年11月30日"),  # a date is a date
    (None, "—"),
])
def test_datetime_ja_prints_japan_time(stored: Any, shown: str) -> None:
    assert datetime_ja(stored) == shown


def test_screens_show_jst_moments_and_the_office_day(web_app: Any, browser: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    web_app.state.office_clock = FixedClock(BOUNDARY)
    agency, clerk, finance = browser("agency"), browser("clerk"), browser("finance")
    _app_id, case_id = apply_through_wizard(agency)

    case_page = clerk.get(f"/cases/{case_id}").text
    assert "2026年12月1日 01:00" in case_page  # documents, timeline: uploaded at 01:00 JST on 1 December
    assert "2026年11月30日 16:00" not in case_page
    assert "2026年12月" in clerk.get("/queue").text  # the queue opens on the office's month, not UTC's

    from service.workflows import receivables

    seen: list[date] = []
    real = receivables.receivables

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs["today"])
        return real(*args, **kwargs)

    monkeypatch.setattr(receivables, "receivables", spy)
    assert finance.get("/finance/receivables").status_code == 200
    assert seen == [date(2026, 12, 1)]  # 滞納 is judged on the office's day, not the UTC date (11-30)

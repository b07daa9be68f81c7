from __future__ import annotations

from typing import Any

import pytest

from calculations.calendar import OfficeCalendar
from calculations.contract import assess_payload
from calculations.rate_book import RateBook, load_rate_book
from service.calendar import office_calendar


@pytest.fixture(scope="session")
def rates() -> RateBook:
    return load_rate_book()


@pytest.fixture(scope="session")
def calendar() -> OfficeCalendar:
    return office_calendar()


@pytest.fixture
def assess(rates: RateBook, calendar: OfficeCalendar) -> Any:
    def run(payload: dict[str, Any], book: RateBook | None = None, purpose: str = "initial") -> dict[str, Any]:
        return assess_payload(payload, book or rates, calendar, purpose=purpose)
    return run

"""The office clock: the one source of "now" and "today" for every workflow.

Workflows never read the wall clock (``date.today()``, ``datetime.now()``). They receive the clock
with the acting person (``Actor.clock``), so a test, the demo's scenario clock or a batch job can set
the time, and every date that reaches a letter, a deadline or a pay date is the office's Japanese
calendar day (JST).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from service.calendar import JST


class OfficeClock(Protocol):
    """What a workflow may ask of time."""

    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...

    def today(self) -> date:
        """The office's calendar day (JST)."""
        ...


class SystemClock:
    """The production clock: the machine's time, read as the office's day in JST."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().astimezone(JST).date()

    def __repr__(self) -> str:
        return "SystemClock()"


@dataclass
class FixedClock:
    """A clock that stands still until moved: tests and the demo's scenario clock."""

    moment: datetime

    def __post_init__(self) -> None:
        if self.moment.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware moment")

    @classmethod
    def at_office_day(cls, day: date, hour: int = 10) -> FixedClock:
        """10:00 JST (by default) on the given office day."""
        return cls(datetime(day.year, day.month, day.day, hour, tzinfo=JST).astimezone(UTC))

    def now(self) -> datetime:
        return self.moment

    def today(self) -> date:
        return self.moment.astimezone(JST).date()

    def advance(self, delta: timedelta) -> None:
        self.moment = self.moment + delta

    def set_office_day(self, day: date, hour: int = 10) -> None:
        self.moment = FixedClock.at_office_day(day, hour).moment


SYSTEM_CLOCK: OfficeClock = SystemClock()

"""The grant clock of the rent subsidy as an immutable value (R37–R42, R54–R60, PD6–PD10, PD19).

A clock is the benefit months of one grant with their status and amount, the extensions used and the
interruption. Every decision is a function ``apply_*(clock, ...)`` that returns a new clock or a
``Problem`` citing its rule; nothing here reads a database or the time. The numbers (months of a
period, the cap, the resumption window) come from the dated rate book through ``ClockRules.in_force``.

Statuses of a month:
- ``scheduled``: decided, not yet in a payment batch;
- ``in_batch`` / ``paid`` / ``settled``: money committed or gone (PD31) — a decision never changes them;
- ``interrupted``: paused by an illness interruption (中断, R42), not counted against the cap;
- ``cancelled``: removed by a stop (R60), never paid.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from calculations.periods import add_months, first_day, months_between, parse_month
from calculations.rate_book import RateBook


class MonthStatus(StrEnum):
    scheduled = "scheduled"
    in_batch = "in_batch"
    paid = "paid"
    settled = "settled"
    interrupted = "interrupted"
    cancelled = "cancelled"


#: Money committed or gone: a decision never changes these months (PD9, PD31).
MONEY_MOVED = frozenset({MonthStatus.in_batch, MonthStatus.paid, MonthStatus.settled})
#: Months that count against ``max_months`` (R38, PD7): everything decided and not paused or cancelled.
COUNTED = MONEY_MOVED | {MonthStatus.scheduled}


class ClockStatus(StrEnum):
    active = "active"
    interrupted = "interrupted"
    stopped = "stopped"


@dataclass(frozen=True, slots=True)
class ClockRules:
    """The clock's dated numbers, as in force in the grant's first month (R37, R38, R42, PD7)."""

    period_months: int
    """Months of one decision (R37: 3)."""
    max_months: int
    """Months one receipt pays at most (R38: 9)."""
    resumption_window_months: int
    """A resumption after an illness interruption within this many months (R42: 2 years)."""

    @property
    def max_extensions(self) -> int:
        """Extensions after the first period that stay within ``max_months`` (PD7: 3 + 3 + 3 → 2)."""
        return self.max_months // self.period_months - 1

    @classmethod
    def in_force(cls, book: RateBook, month: str) -> ClockRules:
        """The numbers in force on the first day of ``month`` (a grant uses its first month's)."""
        day = first_day(month)
        return cls(period_months=book.parameter("period_months", day),
                   max_months=book.parameter("max_benefit_months", day),
                   resumption_window_months=book.parameter("resumption_window_months", day))


@dataclass(frozen=True, slots=True)
class Month:
    month: str
    amount_yen: int
    status: MonthStatus


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a decision cannot apply to the clock: a code, the rule it cites and a message."""

    code: str
    rule: str
    message: str


@dataclass(frozen=True, slots=True)
class GrantClock:
    rules: ClockRules
    months: tuple[Month, ...]
    extensions_used: int = 0
    status: ClockStatus = ClockStatus.active
    interrupted_from: str | None = None
    first_unpaid_month: str | None = None

    @property
    def first_month(self) -> str:
        return self.months[0].month

    @property
    def months_counted(self) -> int:
        """Months counted against the cap (R38, PD7)."""
        return sum(1 for m in self.months if m.status in COUNTED)

    @property
    def months_left(self) -> int:
        return self.rules.max_months - self.months_counted

    @property
    def period_last_month(self) -> str:
        """The last month decided and not cancelled (the current period's end)."""
        live = [m.month for m in self.months if m.status is not MonthStatus.cancelled]
        return max(live) if live else self.first_month

    def month(self, month: str) -> Month | None:
        return next((m for m in self.months if m.month == month), None)


Outcome = GrantClock | Problem


def _with_months(clock: GrantClock, months: list[Month], **changes: object) -> GrantClock:
    return replace(clock, months=tuple(sorted(months, key=lambda m: m.month)), **changes)  # type: ignore[arg-type]


def apply_grant(rules: ClockRules, first_month: str, amount_yen: int) -> Outcome:
    """支給決定: the first period of ``period_months`` months from ``first_month`` (R37, R43, PD5)."""
    parse_month(first_month)
    if amount_yen < 0:
        return Problem("negative_amount", "R32", f"amount {amount_yen} is negative")
    months = tuple(Month(add_months(first_month, i), amount_yen, MonthStatus.scheduled)
                   for i in range(rules.period_months))
    return GrantClock(rules=rules, months=months)


def apply_extension(clock: GrantClock, amount_yen: int, *, applied_on: date, deadline: date) -> Outcome:
    """延長: the next ``period_months`` months after the period's end (R38–R40, PD6, PD7).

    Refused when the grant is not running, when the application came after ``deadline`` (no gap is
    bridged, PD6), or when it would exceed the extensions or the months of the cap."""
    if clock.status is not ClockStatus.active:
        return Problem("grant_not_active", "R38", f"the grant is {clock.status.value}")
    if applied_on > deadline:
        return Problem("extension_late", "R40",
                       f"applied on {applied_on}, after the deadline {deadline} (PD6): no gap is bridged")
    rules = clock.rules
    if (clock.extensions_used >= rules.max_extensions
            or clock.months_counted + rules.period_months > rules.max_months):
        return Problem("nine_month_cap", "R38",
                       f"{clock.months_counted} months used, {clock.extensions_used} extension(s): "
                       f"never more than {rules.max_months} months (PD7)")
    last = clock.period_last_month
    added = [Month(add_months(last, i + 1), amount_yen, MonthStatus.scheduled)
             for i in range(rules.period_months)]
    return _with_months(clock, [*clock.months, *added], extensions_used=clock.extensions_used + 1)


def apply_interruption(clock: GrantClock, from_month: str) -> Outcome:
    """中断 for illness (R42, PD7): scheduled months from ``from_month`` pause; paid months stay."""
    if clock.status is not ClockStatus.active:
        return Problem("grant_not_active", "R42", f"the grant is {clock.status.value}")
    paused = [m for m in clock.months if m.status is MonthStatus.scheduled and m.month >= from_month]
    if not paused:
        return Problem("nothing_to_interrupt", "R42", f"no scheduled month from {from_month} to interrupt")
    months = [replace(m, status=MonthStatus.interrupted) if m in paused else m for m in clock.months]
    return _with_months(clock, months, status=ClockStatus.interrupted, interrupted_from=from_month)


def apply_resumption(clock: GrantClock, resume_month: str) -> Outcome:
    """再開 (R42, PD7): the paused months run again from ``resume_month``, as many as were paused, so
    the count toward the cap is what it was; only within ``resumption_window_months``."""
    if clock.status is not ClockStatus.interrupted or clock.interrupted_from is None:
        return Problem("not_interrupted", "R42", "only an interrupted grant resumes")
    if resume_month < clock.interrupted_from:
        return Problem("resumption_before_interruption", "R42",
                       f"resumption {resume_month} before the interruption {clock.interrupted_from}")
    if months_between(clock.interrupted_from, resume_month) > clock.rules.resumption_window_months:
        return Problem("resumption_too_late", "R42",
                       f"resumption is possible within {clock.rules.resumption_window_months} months "
                       f"of the interruption {clock.interrupted_from} (PD7)")
    paused = [m for m in clock.months if m.status is MonthStatus.interrupted]
    kept = [m for m in clock.months if m.status is not MonthStatus.interrupted]
    resumed = [Month(add_months(resume_month, i), m.amount_yen, MonthStatus.scheduled)
               for i, m in enumerate(paused)]
    if {m.month for m in kept} & {m.month for m in resumed}:
        return Problem("overlap", "R42", "resumed months overlap months already decided")
    return _with_months(clock, [*kept, *resumed], status=ClockStatus.active, interrupted_from=None)


def apply_stop(clock: GrantClock, first_unpaid_month: str) -> Outcome:
    """中止 (R58–R60, PD8, PD9): scheduled and paused months from ``first_unpaid_month`` are cancelled;
    months whose money moved stay as they are (their money becomes a repayment claim, PD9)."""
    if clock.status is ClockStatus.stopped:
        return Problem("grant_not_active", "R58", "the grant is already stopped")
    cancellable = (MonthStatus.scheduled, MonthStatus.interrupted)
    months = [replace(m, status=MonthStatus.cancelled)
              if m.month >= first_unpaid_month and m.status in cancellable else m for m in clock.months]
    return _with_months(clock, months, status=ClockStatus.stopped, interrupted_from=None,
                        first_unpaid_month=first_unpaid_month)


def apply_change(clock: GrantClock, effective_month: str, amount_yen: int) -> Outcome:
    """支給額の変更 (R54–R56, PD10, PD19): months not yet paid from ``effective_month`` take the new
    amount; months whose money moved keep theirs."""
    if clock.status is ClockStatus.stopped:
        return Problem("grant_not_active", "R54", "the grant is stopped")
    if amount_yen < 0:
        return Problem("negative_amount", "R32", f"amount {amount_yen} is negative")
    changeable = (MonthStatus.scheduled, MonthStatus.interrupted)
    months = [replace(m, amount_yen=amount_yen) if m.month >= effective_month and m.status in changeable
              else m for m in clock.months]
    return _with_months(clock, months)


@dataclass(frozen=True, slots=True)
class MonthsDiff:
    """What the shell writes to go from one clock to the next."""

    added: tuple[Month, ...]
    changed: tuple[Month, ...]
    removed: tuple[str, ...]


def diff(before: GrantClock | None, after: GrantClock) -> MonthsDiff:
    """The months to insert, update (status or amount) and delete to turn ``before`` into ``after``."""
    old = {m.month: m for m in (before.months if before else ())}
    new = {m.month: m for m in after.months}
    return MonthsDiff(
        added=tuple(m for k, m in new.items() if k not in old),
        changed=tuple(m for k, m in new.items() if k in old and old[k] != m),
        removed=tuple(sorted(k for k in old if k not in new)),
    )

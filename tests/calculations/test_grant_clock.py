"""The pure grant clock (R37–R42, R54–R60, PD6–PD10): worked examples and hypothesis properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculations.grant_clock import (
    COUNTED,
    MONEY_MOVED,
    ClockRules,
    ClockStatus,
    GrantClock,
    MonthStatus,
    Outcome,
    Problem,
    apply_change,
    apply_extension,
    apply_grant,
    apply_interruption,
    apply_resumption,
    apply_stop,
    diff,
)
from calculations.periods import add_months
from calculations.rate_book import load_rate_book

RULES = ClockRules.in_force(load_rate_book(), "2025-05")
DEADLINE = date(2025, 7, 31)


def ok(outcome: Outcome) -> GrantClock:
    assert isinstance(outcome, GrantClock), outcome
    return outcome


def pay(clock: GrantClock, *months: str) -> GrantClock:
    """What a payment export does to the clock (outside this module): the months' money left."""
    return replace(clock, months=tuple(replace(m, status=MonthStatus.paid) if m.month in months else m
                                       for m in clock.months))


def test_the_shipped_numbers_come_from_the_rate_book() -> None:
    assert (RULES.period_months, RULES.max_months, RULES.max_extensions, RULES.resumption_window_months) == (
        3, 9, 2, 24)


def test_three_plus_three_plus_three_and_a_fourth_period_is_a_problem() -> None:
    clock = ok(apply_grant(RULES, "2025-05", 60000))
    assert [m.month for m in clock.months] == ["2025-05", "2025-06", "2025-07"]
    clock = ok(apply_extension(clock, 60000, applied_on=date(2025, 7, 15), deadline=DEADLINE))
    clock = ok(apply_extension(clock, 55000, applied_on=date(2025, 10, 20), deadline=date(2025, 10, 31)))
    assert (clock.months_counted, clock.extensions_used, clock.period_last_month) == (9, 2, "2026-01")
    assert clock.month("2025-08").amount_yen == 60000 and clock.month("2025-11").amount_yen == 55000  # type: ignore[union-attr]
    third = apply_extension(clock, 55000, applied_on=date(2026, 1, 10), deadline=date(2026, 1, 30))
    assert third == Problem("nine_month_cap", "R38", third.message) and "9" in third.message  # type: ignore[union-attr]


@pytest.mark.parametrize(("applied_on", "expected"), [
    (date(2025, 7, 31), None),            # on the deadline: granted
    (date(2025, 8, 1), "extension_late"),  # a day after: refused, no gap bridged (PD6)
])
def test_an_extension_only_until_its_deadline(applied_on: date, expected: str | None) -> None:
    clock = ok(apply_grant(RULES, "2025-05", 60000))
    outcome = apply_extension(clock, 60000, applied_on=applied_on, deadline=DEADLINE)
    if expected is None:
        assert ok(outcome).months_counted == 6
    else:
        assert isinstance(outcome, Problem) and (outcome.code, outcome.rule) == (expected, "R40")


def test_interruption_and_resumption_keep_the_count_and_move_the_months() -> None:
    clock = pay(ok(apply_grant(RULES, "2025-05", 60000)), "2025-05")
    paused = ok(apply_interruption(clock, "2025-06"))
    assert paused.status is ClockStatus.interrupted and paused.months_counted == 1
    resumed = ok(apply_resumption(paused, "2025-10"))
    assert [(m.month, m.status.value) for m in resumed.months] == [
        ("2025-05", "paid"), ("2025-10", "scheduled"), ("2025-11", "scheduled")]
    assert resumed.months_counted == clock.months_counted == 3
    changes = diff(paused, resumed)
    assert [m.month for m in changes.added] == ["2025-10", "2025-11"]
    assert changes.removed == ("2025-06", "2025-07") and changes.changed == ()


def test_a_resumption_after_the_window_is_a_problem() -> None:
    paused = ok(apply_interruption(ok(apply_grant(RULES, "2025-05", 60000)), "2025-06"))
    assert isinstance(ok(apply_resumption(paused, "2027-06")), GrantClock)  # 24 months: still within
    late = apply_resumption(paused, "2027-07")
    assert isinstance(late, Problem) and (late.code, late.rule) == ("resumption_too_late", "R42")


def test_a_stop_cancels_only_what_was_not_paid() -> None:
    clock = pay(ok(apply_grant(RULES, "2025-05", 60000)), "2025-05", "2025-06")
    stopped = ok(apply_stop(clock, "2025-06"))
    assert [(m.month, m.status.value) for m in stopped.months] == [
        ("2025-05", "paid"), ("2025-06", "paid"), ("2025-07", "cancelled")]
    assert stopped.status is ClockStatus.stopped and stopped.first_unpaid_month == "2025-06"
    assert isinstance(apply_extension(stopped, 1, applied_on=DEADLINE, deadline=DEADLINE), Problem)


def test_a_change_reprices_unpaid_months_from_its_effective_month() -> None:
    clock = pay(ok(apply_grant(RULES, "2025-05", 60000)), "2025-05", "2025-06")
    changed = ok(apply_change(clock, "2025-06", 55000))
    assert {m.month: m.amount_yen for m in changed.months} == {"2025-05": 60000, "2025-06": 60000,
                                                               "2025-07": 55000}
    assert [m.month for m in diff(clock, changed).changed] == ["2025-07"]


# --- properties ------------------------------------------------------------------------------

months = st.integers(0, 40).map(lambda i: add_months("2024-01", i))
amounts = st.integers(0, 200_000)
step = st.one_of(
    st.tuples(st.just("extend"), amounts, st.integers(-5, 5)),
    st.tuples(st.just("interrupt"), st.integers(0, 12)),
    st.tuples(st.just("resume"), st.integers(0, 30)),
    st.tuples(st.just("stop"), st.integers(-2, 12)),
    st.tuples(st.just("change"), st.integers(0, 12), amounts),
    st.tuples(st.just("pay"), st.integers(0, 12)),
)


def run_step(clock: GrantClock, action: tuple) -> Outcome:  # type: ignore[type-arg]
    kind = action[0]
    if kind == "extend":
        deadline = date.fromisoformat(clock.period_last_month + "-28")
        return apply_extension(clock, action[1], applied_on=deadline + timedelta(days=action[2]),
                               deadline=deadline)
    if kind == "interrupt":
        return apply_interruption(clock, add_months(clock.first_month, action[1]))
    if kind == "resume":
        return apply_resumption(clock, add_months(clock.interrupted_from or clock.first_month, action[1]))
    if kind == "stop":
        return apply_stop(clock, add_months(clock.first_month, action[1]))
    if kind == "change":
        return apply_change(clock, add_months(clock.first_month, action[1]), action[2])
    target = add_months(clock.first_month, action[1])
    return replace(clock, months=tuple(replace(m, status=MonthStatus.paid)
                                       if m.month == target and m.status is MonthStatus.scheduled else m
                                       for m in clock.months))


@settings(max_examples=300, deadline=None)
@given(first=months, amount=amounts, steps=st.lists(step, max_size=12))
def test_properties_over_any_sequence_of_decisions(first: str, amount: int, steps: list) -> None:  # type: ignore[type-arg]
    clock = ok(apply_grant(RULES, first, amount))
    for action in steps:
        outcome = run_step(clock, action)
        if isinstance(outcome, Problem):
            assert outcome.rule.startswith("R") and outcome.code
            continue
        # never more than max_benefit_months counted (R38, PD7)
        assert outcome.months_counted <= RULES.max_months
        # a decision never un-pays a month nor changes its amount (PD9, PD31)
        for before in clock.months:
            if before.status in MONEY_MOVED:
                assert outcome.month(before.month) == before
        # a resumption keeps the count (R42)
        if action[0] == "resume":
            assert outcome.months_counted == sum(1 for m in clock.months
                                                 if m.status in COUNTED or m.status is MonthStatus.interrupted)
        # an extension only within its deadline (R40, PD6)
        if action[0] == "extend":
            assert action[2] <= 0
        # a stop cancels every unpaid month from the first unpaid month
        if action[0] == "stop":
            first_unpaid = outcome.first_unpaid_month
            assert first_unpaid is not None
            assert all(m.status in MONEY_MOVED | {MonthStatus.cancelled}
                       for m in outcome.months if m.month >= first_unpaid)
        # the diff rebuilds the new months from the old ones
        changes = diff(clock, outcome)
        rebuilt = {m.month: m for m in clock.months if m.month not in changes.removed}
        rebuilt.update({m.month: m for m in (*changes.added, *changes.changed)})
        assert tuple(sorted(rebuilt.values(), key=lambda m: m.month)) == outcome.months
        clock = outcome

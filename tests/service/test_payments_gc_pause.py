"""The month-sized payment steps pause the cyclic garbage collector only while they run (issue 15)."""

from __future__ import annotations

import gc
import threading

import pytest

from service.workflows.payments import export_batch, prepare_month
from service.workflows.payments.ledger import without_gc_pauses


def test_the_collector_is_paused_during_the_step_and_enabled_again_after() -> None:
    seen: list[bool] = []

    @without_gc_pauses
    def step(x: int) -> int:
        seen.append(gc.isenabled())
        return x + 1

    assert gc.isenabled()
    assert step(1) == 2
    assert seen == [False]
    assert gc.isenabled()


def test_an_error_in_the_step_enables_the_collector_again() -> None:
    @without_gc_pauses
    def step() -> None:
        raise ValueError("bad month")

    with pytest.raises(ValueError, match="bad month"):
        step()
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off() -> None:
    @without_gc_pauses
    def step() -> None:
        assert not gc.isenabled()

    gc.disable()
    try:
        step()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_steps_enable_the_collector_when_the_last_one_ends() -> None:
    inside, release = threading.Event(), threading.Event()

    @without_gc_pauses
    def slow() -> None:
        inside.set()
        release.wait(5)

    @without_gc_pauses
    def quick() -> bool:
        return gc.isenabled()

    worker = threading.Thread(target=slow)
    worker.start()
    assert inside.wait(5)
    assert quick() is False  # the other step still runs: still paused after this one ends
    assert not gc.isenabled()
    release.set()
    worker.join(5)
    assert gc.isenabled()


def test_the_run_and_the_export_are_paused_steps() -> None:
    assert getattr(prepare_month, "__wrapped__", None) is not None
    assert getattr(export_batch, "__wrapped__", None) is not None

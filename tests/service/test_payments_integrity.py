"""What the database guarantees for payments: never twice, append-only, no partial batch, one winner."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from service_world import World, assert_append_only
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from test_payments import approve_export, at, granted, run, with_second_finance

from service.clock import FixedClock
from service.db.models import BenefitMonth
from service.db.models_payments import (
    PAYMENT_APPEND_ONLY_TABLES,
    Payment,
    PaymentBatch,
    PaymentFile,
    PaymentTransfer,
)
from service.db.session import make_engine, make_session_factory, unit_of_work
from service.errors import Conflict
from service.workflows import payments as wf
from service.workflows.common import Actor
from service.workflows.payments import batches as wf_batches
from service.workflows.payments import run as wf_run


@pytest.fixture
def fin(world: World) -> World:
    at(world, CLOCK_DAY)
    return with_second_finance(world)


CLOCK_DAY = date(2025, 5, 20)


def _finance(world: World, name: str = "finance", day: date = CLOCK_DAY) -> Actor:
    return Actor(user_id=world.users[name], username=name, role="finance", clock=FixedClock.at_office_day(day))


def _count(session: Any, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_database_refuses_a_second_payment_and_any_edit_of_the_ledger(fin: World, database_url: str) -> None:
    _, grant_id = granted(fin)
    batch_id = run(fin, "2025-05")["batch_id"]
    approve_export(fin, batch_id)
    csv = f"batch_id,customer_code,amount_yen,reason_code,reason\n{batch_id},1,60000,R1,closed\n".encode()
    fin.post("finance", "/api/v1/payment-returns", 200, files={"file": ("r.csv", csv, "text/csv")})
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(select(Payment).where(Payment.kind == "payment")).mappings().one()
            payee = conn.execute(select(PaymentTransfer.payee_id)).scalar_one()
        duplicate = {k: row[k] for k in ("batch_id", "grant_id", "case_id", "benefit_month", "part", "subsidy",
                                         "amount_yen", "created_at")} | {"kind": "payment", "payee_id": payee}
        with engine.connect() as conn, pytest.raises(IntegrityError):
            conn.execute(Payment.__table__.insert().values(**duplicate))  # a second first payment
        reversal = conn_reversal_id(engine)
        with engine.begin() as conn:  # one re-payment replacing the reversal is allowed ...
            conn.execute(Payment.__table__.insert().values(**duplicate, replaces_reversal_id=reversal))
        with engine.connect() as conn, pytest.raises(IntegrityError):  # ... and only one
            conn.execute(Payment.__table__.insert().values(**duplicate, replaces_reversal_id=reversal))
        assert_append_only(engine, PAYMENT_APPEND_ONLY_TABLES, all_filled=False)
    finally:
        engine.dispose()
    assert grant_id


def conn_reversal_id(engine: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(Payment.id).where(Payment.kind == "reversal")).scalar_one())


def test_a_run_killed_midway_leaves_nothing_and_running_again_completes_it(
        fin: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _, grant_id = granted(fin)
    factory = fin.client.app.state.session_factory  # type: ignore[attr-defined]

    def crash(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("killed")

    real_audit = wf_run.audit

    def crash_at_run_end(session: Any, actor: Any, action: str, **kwargs: Any) -> None:
        if action == "payment.run":  # after the batch, its transfers and its ledger rows are written
            raise RuntimeError("killed")
        real_audit(session, actor, action, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(wf_run, "audit", crash_at_run_end)
        with pytest.raises(RuntimeError), unit_of_work(factory) as session:
            wf.prepare_month(session, _finance(fin), "2025-05")
    with unit_of_work(factory) as session:
        assert _count(session, PaymentBatch) == 0 and _count(session, Payment) == 0
        assert _count(session, PaymentTransfer) == 0
        assert session.get(BenefitMonth, (grant_id, "2025-05")).status == "scheduled"  # type: ignore[union-attr]
        report = wf.prepare_month(session, _finance(fin), "2025-05")
    assert report.payment_count == 1
    fin.post("finance2", f"/api/v1/payment-batches/{report.batch_id}/approve", 200)
    with monkeypatch.context() as patch:
        patch.setattr(wf_batches, "validate_transfer_file", crash)
        with pytest.raises(RuntimeError), unit_of_work(factory) as session:
            wf.export_batch(session, _finance(fin), report.batch_id or 0)
    with unit_of_work(factory) as session:
        assert _count(session, PaymentFile) == 0
        assert wf.batch_status(session, report.batch_id or 0) == "approved"
        exported = wf.export_batch(session, _finance(fin), report.batch_id or 0)
    assert exported.record_count == 1


def test_a_draft_batch_can_be_cancelled_and_its_months_are_paid_by_the_next_run(fin: World) -> None:
    _, grant_id = granted(fin)
    first = run(fin, "2025-05")["batch_id"]
    fin.post("finance", f"/api/v1/payment-batches/{first}/cancel", 200, json={"reason": "wrong month"})
    assert fin.clock(grant_id)["months"][0]["status"] == "scheduled"
    second = run(fin, "2025-05")
    assert second["payment_count"] == 1
    ledger = fin.get("finance", f"/api/v1/grants/{grant_id}/payments", 200).json()
    assert [p["kind"] for p in ledger] == ["payment", "reversal", "payment"]
    content = approve_export(fin, second["batch_id"])
    assert b"00000600001" in content  # 新規コード 1: the cancelled batch never reached the bank
    r = fin.post("finance", f"/api/v1/payment-batches/{second['batch_id']}/cancel", 409)
    assert r.json()["error"]["code"] == "batch_state"


def test_two_runs_at_once_exactly_one_pays(fin: World, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the concurrency case runs on PostgreSQL")
    for _ in range(3):
        granted(fin)
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def worker() -> None:
        try:
            with unit_of_work(factory) as session:
                barrier.wait()
                results.append(wf.prepare_month(session, _finance(fin), "2025-05"))
        except Conflict as error:
            results.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    paid = [r for r in results if not isinstance(r, Conflict) and r.batch_id is not None]
    assert len(results) == 2 and len(paid) == 1 and paid[0].payment_count == 3
    with unit_of_work(fin.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        assert _count(session, PaymentBatch) == 1 and _count(session, Payment) == 3

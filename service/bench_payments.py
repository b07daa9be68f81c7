"""Seeding and timing for ``payment_run_100k_seconds`` (service/bench.py), run in a subprocess per DB.

Seeds ``grants`` active rent grants (3 scheduled months each, one payee per 10 grants, bulk Core
``insert()`` executemany), then times the monthly run, the approval and the export of 2025-05 as
three commands (one transaction each), as the API or the CLI would run them.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, text

from service.clock import FixedClock
from service.db.migrate import upgrade
from service.db.models import (
    Agency,
    Application,
    AppUser,
    BenefitCase,
    BenefitGrant,
    BenefitMonth,
    Decision,
)
from service.db.models_payments import GrantPayee, Payee, PaymentTransfer
from service.db.session import make_engine, make_session_factory, unit_of_work
from service.workflows import payments as wf
from service.workflows.common import Actor

MONTH = "2025-05"
CHUNK = 10_000
BANKS = (("0001", "001"), ("0005", "001"))


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def seed(engine: Engine, grants: int) -> None:
    now = datetime.now(UTC)
    payees = max(grants // 10, 1)
    with engine.begin() as conn:
        conn.execute(insert(Agency), [{"id": 1, "code": "BENCH", "name": "bench", "created_at": now}])
        conn.execute(insert(AppUser), [
            {"id": i, "username": name, "role": role, "agency_id": None, "password_hash": None,
             "token_hash": uuid.uuid4().hex * 2, "active": True, "created_at": now}
            for i, (name, role) in enumerate((("clerk", "clerk"), ("finance", "finance"),
                                              ("finance2", "finance")), start=1)])
        conn.execute(insert(Payee), [
            {"id": i, "kind": "agent", "name": f"ベンチ不動産{i}", "corporate_number": None,
             "holder_name": f"ｶ)ﾍﾞﾝﾁﾌﾄﾞｳｻﾝ{i}", "bank_code": BANKS[i % 2][0], "branch_code": BANKS[i % 2][1],
             "account_type": "1", "account_number": f"{i:07d}", "account_version": 1, "created_at": now,
             "updated_at": now} for i in range(1, payees + 1)])
        tables: list[tuple[Any, Any]] = [
            (BenefitCase, lambda i: {"id": i, "agency_id": 1, "benefit": "rent", "status": "granted", "version": 1,
                                     "created_at": now, "updated_at": now}),
            (Application, lambda i: {"id": i, "case_id": i, "agency_id": 1, "kind": "initial", "benefit": "rent",
                                     "status": "decided", "facts": {}, "intake": {}, "idempotency_key": None,
                                     "created_by": 1, "created_at": now, "submitted_by": 1, "submitted_at": now}),
            (Decision, lambda i: {"id": i, "case_id": i, "sequence": 1, "kind": "grant", "application_id": i,
                                  "grant_id": i, "supersedes_decision_id": None, "params": {}, "facts": None,
                                  "result": {}, "rates_version": "bench", "code_version": "bench",
                                  "drafted_by": 1, "drafted_at": now}),
            (BenefitGrant, lambda i: {"id": i, "case_id": i, "application_id": i, "decision_id": i, "benefit": "rent",
                                      "status": "active", "amount_yen": 30_000 + (i * 37) % 50_000,
                                      "first_month": MONTH, "period_last_month": "2025-07",
                                      "extension_deadline": None, "extensions_used": 0, "interrupted_from": None,
                                      "stop_cause": None, "stop_first_unpaid_month": None, "created_at": now,
                                      "updated_at": now}),
            (GrantPayee, lambda i: {"grant_id": i, "part": "rent", "payee_id": (i % payees) + 1, "assigned_by": None,
                                    "assigned_at": now}),
        ]
        for model, make in tables:
            for chunk in _chunks(make(i) for i in range(1, grants + 1)):
                conn.execute(insert(model), chunk)
        months = ("2025-05", "2025-06", "2025-07")
        for chunk in _chunks({"grant_id": i, "month": m, "amount_yen": 30_000 + (i * 37) % 50_000,
                              "status": "scheduled", "decision_id": i}
                             for i in range(1, grants + 1) for m in months):
            conn.execute(insert(BenefitMonth), chunk)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")


def measure(url: str, grants: int) -> dict[str, Any]:
    upgrade(url)
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        seed(engine, grants)
        print(f"bench: seeded {grants} grants in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        factory = make_session_factory(engine)
        clock = FixedClock.at_office_day(date.fromisoformat(f"{MONTH}-01"))  # before the pay date (PD18)
        preparer = Actor(user_id=2, username="finance", role="finance", clock=clock)
        approver = Actor(user_id=3, username="finance2", role="finance", clock=clock)
        timings = {}
        started = time.perf_counter()
        with unit_of_work(factory) as session:
            report = wf.prepare_month(session, preparer, MONTH)
        timings["run_s"] = round(time.perf_counter() - started, 2)
        assert report.batch_id is not None and report.payment_count == grants, report
        with unit_of_work(factory) as session:
            wf.approve_batch(session, approver, report.batch_id)
        timings["approve_s"] = round(time.perf_counter() - started - timings["run_s"], 2)
        with unit_of_work(factory) as session:
            exported = wf.export_batch(session, preparer, report.batch_id)
        total = time.perf_counter() - started
        timings["export_s"] = round(total - timings["run_s"] - timings["approve_s"], 2)
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        timings.update(_cancel_and_returns(factory, report.batch_id, preparer, approver))
        return {"value": round(total, 2), "unit": "s", "peak_rss_mib": round(peak_mib, 1), "grants": grants,
                "transfers": exported.record_count, "total_yen": exported.total_yen, **timings}
    finally:
        engine.dispose()


def _cancel_and_returns(factory: Any, exported_batch: int, preparer: Actor, approver: Actor) -> dict[str, Any]:
    """Issue 15: cancel a draft batch of every grant (the next month's run) and import up to 10,000
    returned transfers of the exported batch; both are set-based, so their time barely grows."""
    june = FixedClock.at_office_day(date(2025, 6, 2))
    finance = Actor(user_id=preparer.user_id, username=preparer.username, role="finance", clock=june)
    with unit_of_work(factory) as session:
        draft = wf.prepare_month(session, finance, "2025-06")
    assert draft.batch_id is not None
    started = time.perf_counter()
    with unit_of_work(factory) as session:
        wf.cancel_batch(session, finance, draft.batch_id, reason="bench")
    cancel_s = time.perf_counter() - started
    with unit_of_work(factory) as session:
        transfers = session.execute(select(PaymentTransfer.customer_code, PaymentTransfer.amount_yen)
                                    .where(PaymentTransfer.batch_id == exported_batch)
                                    .order_by(PaymentTransfer.customer_code).limit(10_000)).all()
    data = ("batch_id,customer_code,amount_yen,reason_code,reason\r\n" + "".join(
        f"{exported_batch},{code},{amount},NOACCT,口座なし\r\n" for code, amount in transfers)).encode()
    with unit_of_work(factory) as session:  # returns come days after export: autovacuum has analysed the ledger
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE payment"))
    started = time.perf_counter()
    with unit_of_work(factory) as session:
        imported = wf.import_returns(session, finance, data)
    returns_s = time.perf_counter() - started
    return {"cancel_s": round(cancel_s, 2), "cancelled_payments": draft.payment_count,
            "returns_import_s": round(returns_s, 2), "returns_lines": imported.imported,
            "returns_reversed_payments": imported.reversed_payments}


def child(kind: str, grants: int) -> None:
    """Entry point of the subprocess: one database, one JSON line on standard output."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            figure = measure(f"sqlite:///{os.path.join(directory, 'bench.db')}", grants)
    else:
        import psycopg

        host = os.environ.get("HB_BENCH_PG_HOST", "127.0.0.1")
        user = os.environ.get("HB_BENCH_PG_USER", "postgres")
        name = f"hb_bench_{uuid.uuid4().hex[:10]}"
        admin = psycopg.connect(f"host={host} user={user} dbname=postgres connect_timeout=5", autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            figure = measure(f"postgresql+psycopg://{user}@{host}:5432/{name}", grants)
        finally:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                          "AND pid <> pg_backend_pid()", (name,))
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.close()
    print(json.dumps(figure))

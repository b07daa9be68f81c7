"""Seeding and timing for ``payment_run_100k_seconds`` (service/bench.py), run in a subprocess per DB.

The month finance actually runs (issue 15), for ``grants`` grants:

* one payee per grant (one transfer each); 5% are new grants whose payee is named only at intake
  (the run registers it), 2% are confirmed moving grants (PD13 split, agent + other costs);
* last month (2025-04) already run, approved and exported through the production workflow, and 1%
  of its transfers returned (imported through :func:`import_returns`), so the ledger holds a month,
  its reversals and months released again.

Seeding uses bulk Core ``insert()`` (setup, not timed) in a separate subprocess, so that the peak
memory (ru_maxrss) of the measuring process is the measured path's own. The measured path is the
production workflow functions the API calls (``prepare_month``, ``approve_batch``, ``export_batch``),
one transaction each, with production settings. Statement counts of each step are reported too
(SQLAlchemy ``before_cursor_execute``), so a per-row query shows as a count that grows with the month.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, event, insert, select

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
    DecisionReview,
)
from service.db.models_payments import GrantPayee, Payee, PaymentTransfer
from service.db.session import make_engine, make_session_factory, unit_of_work
from service.workflows import payments as wf
from service.workflows.common import Actor

LAST_MONTH, MONTH = "2025-04", "2025-05"
CHUNK = 10_000
BANKS = (("0001", "001"), ("0005", "001"))
#: Shares of the month (issue 15): new payees named at intake, moving grants, returns of last month.
NEW_PAYEE_SHARE, MOVING_SHARE, RETURNED_SHARE = 0.05, 0.02, 0.01
MOVING_COSTS = ({"category": "agency_fee", "amount_yen": 66_000}, {"category": "key_money", "amount_yen": 50_000},
                {"category": "removal", "amount_yen": 80_000}, {"category": "deposit", "amount_yen": 60_000})
MOVING_AMOUNT_YEN = 180_000  # the cap cuts into the removal (PD13)


def shape(grants: int) -> dict[str, Any]:
    """Which grant ids are new (payee at intake), moving, or plain rent; returned transfers of last month."""
    new = max(int(grants * NEW_PAYEE_SHARE), 1)
    moving = max(int(grants * MOVING_SHARE), 1)
    return {"grants": grants, "new_payee_grants": new, "moving_grants": moving,
            "rent_grants_paid_last_month": grants - new - moving,
            "returned_last_month": max(int((grants - new - moving) * RETURNED_SHARE), 1)}


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _kind(i: int, layout: dict[str, Any]) -> str:
    """Grant ``i`` (1-based): the last ids are moving grants, those before them new rent grants."""
    grants = layout["grants"]
    if i > grants - layout["moving_grants"]:
        return "moving"
    if i > grants - layout["moving_grants"] - layout["new_payee_grants"]:
        return "new"
    return "rent"


def _amount(i: int) -> int:
    return 30_000 + (i * 37) % 50_000


def _account(i: int) -> dict[str, Any]:
    bank, branch = BANKS[i % 2]
    return {"holder_name": f"ｶ)ﾍﾞﾝﾁﾌﾄﾞｳｻﾝ{i}", "bank_code": bank, "branch_code": branch, "account_type": "1",
            "account_number": f"{i:07d}"}


def seed(engine: Engine, grants: int) -> None:
    """Bulk rows: users, payees, cases, applications (intake payee and applicant), grants, decisions,
    moving confirmations (approved), grant payees and the rent months 2025-04 … 2025-06."""
    layout = shape(grants)
    now = datetime(2025, 3, 20, 1, tzinfo=UTC)
    confirmed_at = datetime(2025, 5, 1, 0, 30, tzinfo=UTC)  # due in the May run, not the April one
    kind = {i: _kind(i, layout) for i in range(1, grants + 1)}
    with engine.begin() as conn:
        conn.execute(insert(Agency), [{"id": 1, "code": "BENCH", "name": "bench", "created_at": now}])
        conn.execute(insert(AppUser), [
            {"id": i, "username": name, "role": role, "agency_id": None, "password_hash": None,
             "token_hash": uuid.uuid4().hex * 2, "active": True, "created_at": now}
            for i, (name, role) in enumerate((("clerk", "clerk"), ("finance", "finance"),
                                              ("finance2", "finance")), start=1)])

        def intake(i: int) -> dict[str, Any]:
            account = _account(i)
            return {"applicant": {"name": f"見本 太郎{i}"},
                    "payee": {"payee_kind": "landlord", "name": f"ベンチ不動産{i}", "corporate_number": None,
                              "holder_kana": account["holder_name"], "bank_code": account["bank_code"],
                              "branch_code": account["branch_code"], "account_type": "ordinary",
                              "account_number": account["account_number"]}}

        def grant(i: int) -> dict[str, Any]:
            moving = kind[i] == "moving"
            return {"id": i, "case_id": i, "application_id": i, "decision_id": i,
                    "benefit": "moving" if moving else "rent", "status": "confirmed" if moving else "active",
                    "amount_yen": MOVING_AMOUNT_YEN if moving else _amount(i),
                    "first_month": MONTH if kind[i] != "rent" else LAST_MONTH,
                    "period_last_month": "2025-06", "extension_deadline": None, "extensions_used": 0,
                    "interrupted_from": None, "stop_cause": None, "stop_first_unpaid_month": None,
                    "created_at": now, "updated_at": now}

        tables: list[tuple[Any, Any, Any]] = [
            (Payee, lambda i: kind[i] != "new", lambda i: {
                "id": i, "kind": "agent" if kind[i] == "moving" else "landlord", "name": f"ベンチ不動産{i}",
                "corporate_number": None, "account_version": 1, "created_at": now, "updated_at": now,
                **_account(i)}),
            (BenefitCase, None, lambda i: {"id": i, "agency_id": 1, "benefit": "moving" if kind[i] == "moving"
                                           else "rent", "status": "granted", "version": 1, "created_at": now,
                                           "updated_at": now}),
            (Application, None, lambda i: {
                "id": i, "case_id": i, "agency_id": 1, "kind": "initial",
                "benefit": "moving" if kind[i] == "moving" else "rent", "status": "decided", "facts": {},
                "intake": intake(i), "idempotency_key": None, "created_by": 1, "created_at": now,
                "submitted_by": 1, "submitted_at": now}),
            (Decision, None, lambda i: {"id": i, "case_id": i, "sequence": 1, "kind": "grant", "application_id": i,
                                        "grant_id": i, "supersedes_decision_id": None, "params": {}, "facts": None,
                                        "result": {}, "rates_version": "bench", "code_version": "bench",
                                        "drafted_by": 1, "drafted_at": now}),
            (BenefitGrant, None, grant),
            (Decision, lambda i: kind[i] == "moving", lambda i: {
                "id": grants + i, "case_id": i, "sequence": 2, "kind": "moving_confirmation", "application_id": i,
                "grant_id": i, "supersedes_decision_id": None, "params": {}, "facts": {"costs": list(MOVING_COSTS)},
                "result": {}, "rates_version": "bench", "code_version": "bench", "drafted_by": 1,
                "drafted_at": confirmed_at}),
            (DecisionReview, lambda i: kind[i] == "moving", lambda i: {
                "decision_id": grants + i, "outcome": "approved", "reviewed_by": 2, "reviewed_at": confirmed_at,
                "note": None}),
            (GrantPayee, lambda i: kind[i] != "new", lambda i: {
                "grant_id": i, "part": "moving_initial" if kind[i] == "moving" else "rent", "payee_id": i,
                "assigned_by": None, "assigned_at": now}),
        ]
        for model, keep, make in tables:
            for chunk in _chunks(make(i) for i in range(1, grants + 1) if keep is None or keep(i)):
                conn.execute(insert(model), chunk)
        for chunk in _chunks({"grant_id": i, "month": m, "amount_yen": _amount(i), "status": "scheduled",
                              "decision_id": i}
                             for i in range(1, grants + 1) if kind[i] != "moving"
                             for m in ("2025-04", "2025-05", "2025-06") if kind[i] == "rent" or m >= MONTH):
            conn.execute(insert(BenefitMonth), chunk)
        if engine.dialect.name == "postgresql":  # ids given explicitly: the sequences continue after them
            for table in ("agency", "app_user", "payee", "benefit_case", "application", "decision", "benefit_grant"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))")
    _analyze(engine)


def _analyze(engine: Engine) -> None:
    """What autovacuum does between two monthly runs (a month apart)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")


def last_month(engine: Engine, grants: int) -> None:
    """April through the production workflow (run, approve, export), then 1% of its transfers returned."""
    factory = make_session_factory(engine)
    clock = FixedClock.at_office_day(date(2025, 4, 1))
    preparer = Actor(user_id=2, username="finance", role="finance", clock=clock)
    approver = Actor(user_id=3, username="finance2", role="finance", clock=clock)
    with unit_of_work(factory) as session:
        report = wf.prepare_month(session, preparer, LAST_MONTH)
    assert report.batch_id is not None, report
    with unit_of_work(factory) as session:
        wf.approve_batch(session, approver, report.batch_id)
    with unit_of_work(factory) as session:
        wf.export_batch(session, preparer, report.batch_id)
    returned = shape(grants)["returned_last_month"]
    _analyze(engine)
    clock.set_office_day(date(2025, 4, 28))
    with unit_of_work(factory) as session:
        wf.import_returns(session, preparer, _returns_csv(session, report.batch_id, returned, step=97))


def _returns_csv(session: Any, batch_id: int, count: int, *, step: int = 1) -> bytes:
    """``count`` returned transfers of the batch (every ``step``-th customer code), as the bank's CSV."""
    transfers = session.execute(select(PaymentTransfer.customer_code, PaymentTransfer.amount_yen)
                                .where(PaymentTransfer.batch_id == batch_id)
                                .order_by(PaymentTransfer.customer_code)).all()
    picked = [t for n, t in enumerate(transfers) if n % step == 0][:count]
    if len(picked) < count:
        chosen = {c for c, _ in picked}
        picked += [t for t in transfers if t[0] not in chosen][:count - len(picked)]
    return ("batch_id,customer_code,amount_yen,reason_code,reason\r\n" + "".join(
        f"{batch_id},{code},{amount},NOACCT,口座なし\r\n" for code, amount in sorted(picked))).encode()


def seed_child(url: str, grants: int) -> None:
    """Subprocess: schema, bulk rows and last month (its memory is not the measured process's)."""
    upgrade(url)
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        seed(engine, grants)
        print(f"bench: seeded {grants} grants in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        started = time.perf_counter()
        last_month(engine, grants)
        print(f"bench: last month run, exported and 1% returned in {time.perf_counter() - started:.1f} s",
              file=sys.stderr, flush=True)
    finally:
        engine.dispose()


@contextmanager
def counted(engine: Engine, into: dict[str, int], name: str) -> Iterator[None]:
    """Count the SQL statements sent to the database while the block runs (into ``into[name]``)."""
    count = 0

    def before(*_args: Any) -> None:
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before)
        into[name] = count


def measure(url: str, grants: int) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", f"from service.bench_payments import seed_child; "
                           f"seed_child({url!r}, {grants})"], check=False, stderr=sys.stderr)
    if done.returncode != 0:
        raise RuntimeError("seeding failed")
    engine = make_engine(url)
    try:
        _analyze(engine)
        factory = make_session_factory(engine)
        clock = FixedClock.at_office_day(date.fromisoformat(f"{MONTH}-01"))  # before the pay date (PD18)
        preparer = Actor(user_id=2, username="finance", role="finance", clock=clock)
        approver = Actor(user_id=3, username="finance2", role="finance", clock=clock)
        timings: dict[str, Any] = {}
        statements: dict[str, int] = {}
        cpu_started, started = time.process_time(), time.perf_counter()
        with counted(engine, statements, "run"), unit_of_work(factory) as session:
            report = wf.prepare_month(session, preparer, MONTH)
        timings["run_s"] = round(time.perf_counter() - started, 2)
        assert report.batch_id is not None, report
        with counted(engine, statements, "approve"), unit_of_work(factory) as session:
            wf.approve_batch(session, approver, report.batch_id)
        timings["approve_s"] = round(time.perf_counter() - started - timings["run_s"], 2)
        with counted(engine, statements, "export"), unit_of_work(factory) as session:
            exported = wf.export_batch(session, preparer, report.batch_id)
        total = time.perf_counter() - started
        timings["export_s"] = round(total - timings["run_s"] - timings["approve_s"], 2)
        timings["cpu_s"] = round(time.process_time() - cpu_started, 2)
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        excluded: dict[str, int] = {}
        for item in report.excluded:
            excluded[item["reason_code"]] = excluded.get(item["reason_code"], 0) + 1
        timings.update(_cancel_and_returns(engine, factory, report.batch_id, preparer, statements))
        return {"value": round(total, 2), "unit": "s", "peak_rss_mib": round(peak_mib, 1),
                "shape": {**shape(grants), "note": "one payee per grant; new payees registered from intake in "
                          "the run; moving grants split agent/other (PD13); last month exported with 1% "
                          "returned (not yet fixed, so excluded again)"},
                "transfers": exported.record_count, "payments": report.payment_count, "total_yen": exported.total_yen,
                "excluded": excluded, "statements": statements, "target": "<= 30 s, <= 1024 MiB",
                **timings}
    finally:
        engine.dispose()


def _cancel_and_returns(engine: Engine, factory: Any, exported_batch: int, preparer: Actor,
                        statements: dict[str, int]) -> dict[str, Any]:
    """Issue 15: cancel a draft batch of every grant (the next month's run, not timed) and import returned
    transfers of the exported batch (10,000; 500 with --quick), each through the production workflow."""
    june = FixedClock.at_office_day(date(2025, 6, 2))
    finance = Actor(user_id=preparer.user_id, username=preparer.username, role="finance", clock=june)
    with unit_of_work(factory) as session:
        draft = wf.prepare_month(session, finance, "2025-06")
    assert draft.batch_id is not None
    _analyze(engine)  # a draft waits for approval for hours or days: autovacuum has seen it
    started = time.perf_counter()
    with counted(engine, statements, "cancel"), unit_of_work(factory) as session:
        wf.cancel_batch(session, finance, draft.batch_id, reason="bench")
    cancel_s = time.perf_counter() - started
    lines = 10_000 if draft.payment_count >= 50_000 else 500
    with unit_of_work(factory) as session:
        data = _returns_csv(session, exported_batch, lines)
    _analyze(engine)  # returns come days after export: autovacuum has analysed the ledger
    started = time.perf_counter()
    with counted(engine, statements, "returns_import"), unit_of_work(factory) as session:
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

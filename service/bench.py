"""``housing-benefit bench``: performance figures as one JSON object (progress on stderr).

Each figure is measured, never asserted in tests; the closing notes quote them.
"""

from __future__ import annotations

import asyncio
import functools
import json
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx

from calculations.contract import assess_payload
from calculations.rate_book import load_rate_book
from service.calendar import office_calendar

Figure = dict[str, Any]


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def mixed_cases(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Realistic rent and moving cases across the shipped municipalities (1 in 4 moving)."""
    rng = random.Random(seed)
    codes = ["131016", "131041", "131121", "141003", "011002", "402109"]
    destinations = ["131041", "132012", "011011", "402109", "271021", "472018"]
    cases = []
    for index in range(count):
        size = rng.randint(1, 5)
        household = [{"relationship": "applicant" if i == 0 else "child", "birth_date": "1980-05-01" if i == 0
                      else "2010-03-03", "student": i > 0,
                      "incomes": [{"kind": "wages", "amount_yen": rng.randrange(5_000, 250_000, 100),
                                   "commuting_allowance_yen": 3000}] if i < 2 else []} for i in range(size)]
        common = {"municipality_code": rng.choice(codes), "application_date": "2025-09-10",
                  "household": household, "assets_yen": rng.randrange(0, 1_200_000, 1000),
                  "declarations": {"hello_work_registered": True, "similar_benefit": False,
                                   "gang_member_in_household": False}}
        if index % 4 == 3:
            cases.append({"benefit": "moving", **common, "current_rent_yen": rng.randrange(30_000, 120_000, 500),
                          "destination": {"municipality_code": rng.choice(destinations)},
                          "income_drop": {"month": "2025-03", "cause": "job_loss", "main_earner": True},
                          "household_finance_review": {"move_needed": True, "cannot_fund": True},
                          "costs": [{"category": "agency_fee", "amount_yen": 66000},
                                    {"category": "removal", "amount_yen": rng.randrange(20_000, 150_000, 1000)},
                                    {"category": "deposit", "amount_yen": 60000}]})
        else:
            cases.append({"benefit": "rent", **common, "applicant_type": "at_risk",
                          "rent_yen": rng.randrange(30_000, 120_000, 500), "common_charges_yen": 3000,
                          "lease_initial_costs_paid_on": None,
                          "trigger": {"kind": "job_loss", "date": "2025-02-28", "cause": "dismissal",
                                      "main_earner": True, "job_search_blocked_days": 0},
                          "previous_receipt": None})
    return cases


def assess_per_second(quick: bool) -> Figure:
    """In-process assessments per second on one core (10,000 mixed cases)."""
    cases = mixed_cases(1_000 if quick else 10_000)
    rates, office = load_rate_book(), office_calendar()
    assess_payload(cases[0], rates, office)
    started = time.perf_counter()
    for case in cases:
        assess_payload(case, rates, office)
    elapsed = time.perf_counter() - started
    return {"value": round(len(cases) / elapsed), "unit": "assessments/s", "cases": len(cases)}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def assess_api_p99_ms(quick: bool) -> Figure:
    """p99 latency of POST /api/v1/assessments, 20 concurrent clients on loopback, uvicorn."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "service.bench_app:app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", "--no-access-log"], stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/api/v1/assessments"
        _wait_for(lambda: httpx.post(url, json={}, timeout=1.0).status_code == 422)
        cases = mixed_cases(200)
        requests = [_http_post(port, "/api/v1/assessments", json.dumps(case).encode()) for case in cases]
        per_client = 50 if quick else 250
        latencies = asyncio.run(_load(port, requests, clients=20, per_client=per_client))
        latencies.sort()
        p99 = latencies[max(int(len(latencies) * 0.99) - 1, 0)]
        return {"value": round(p99, 2), "unit": "ms", "requests": len(latencies), "clients": 20,
                "median_ms": round(statistics.median(latencies), 2)}
    finally:
        server.terminate()
        server.wait(timeout=10)


def _http_post(port: int, path: str, body: bytes) -> bytes:
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def _load(port: int, requests: list[bytes], *, clients: int, per_client: int) -> list[float]:
    """Closed-loop load: ``clients`` keep-alive connections, each sending ``per_client`` requests.

    A lean asyncio client, so that the client's own cost on this 2-core machine does not dominate
    the server's latency figure."""
    latencies: list[float] = []

    async def client(offset: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for i in range(per_client):
                started = time.perf_counter()
                writer.write(requests[(offset + i) % len(requests)])
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
                if not head.startswith(b"HTTP/1.1 200"):
                    raise RuntimeError(head.split(b"\r\n", 1)[0].decode())
                length = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length:")))
                await reader.readexactly(length)
                latencies.append((time.perf_counter() - started) * 1000)
        finally:
            writer.close()

    await asyncio.gather(*(client(n * 7) for n in range(clients)))
    return latencies


def _wait_for(ready: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not start")


def letters_per_second(quick: bool) -> Figure:
    """Letters issued per second on one core, as the outbox worker issues them (issue 13): exactly one letter
    → one PDF, from its stored JSON snapshot to stored bytes (snapshot parsed, content built, PDF rendered,
    SHA-256, row inserted). A mix of decision, refusal, moving-cost and 代理受領 letters from real
    assessments."""
    import sqlite3
    from datetime import UTC, datetime

    snapshots = letter_bench_snapshots(quick)
    created_at = datetime(2025, 9, 30, tzinfo=UTC)
    store = sqlite3.connect(":memory:")
    store.execute("CREATE TABLE letter (id INTEGER PRIMARY KEY, sha256 TEXT, pdf BLOB)")
    issue_bench_letter(store, snapshots[0], created_at)  # the process's font, once (the worker keeps it)
    started = time.perf_counter()
    cpu_started = time.process_time()
    for snapshot in snapshots:
        issue_bench_letter(store, snapshot, created_at)
    store.commit()
    elapsed = time.perf_counter() - started
    cpu_ms = (time.process_time() - cpu_started) * 1000 / len(snapshots)
    kinds = sorted({json.loads(snapshot)["input_type"] for snapshot in snapshots})
    return {"value": round(len(snapshots) / elapsed, 1), "unit": "letters/s", "letters": len(snapshots),
            "cpu_ms_per_letter": round(cpu_ms, 2),
            "per": "one letter, one PDF, snapshot to stored bytes", "input_types": kinds, "target": 50}


def issue_bench_letter(store: Any, snapshot: str, created_at: Any) -> None:
    """One letter as the worker issues it: the stored snapshot parsed, the content built, the PDF rendered,
    its SHA-256 taken and the bytes stored."""
    import hashlib

    from letters.pdf import render_pdf
    from letters.snapshot import build_from_snapshot

    pdf = render_pdf(build_from_snapshot(json.loads(snapshot)), created_at=created_at)
    store.execute("INSERT INTO letter (sha256, pdf) VALUES (?, ?)", (hashlib.sha256(pdf).hexdigest(), pdf))


def letter_bench_snapshots(quick: bool) -> list[str]:
    """The stored snapshots the letters figure issues: real assessments of mixed cases, their dated
    numbers (benefit-month cap, activity minimums, cost-cap multiple) from the rate book."""
    from datetime import date

    from letters import (
        ActivityMinimums,
        Addressee,
        DecisionLetterInput,
        MovingAllocation,
        MovingCostLine,
        MovingDecisionInput,
        PaymentRoute,
        ProxyNoticeEvent,
        ProxyPaymentNoticeInput,
        RefusalLetterInput,
    )
    from letters.snapshot import to_snapshot
    from service.letterhead import letterheads

    rates, office = load_rate_book(), office_calendar()
    heads = letterheads()
    day = date(2025, 9, 10)
    activity = ActivityMinimums(interviews_per_month=int(rates.parameter("monthly_interviews_min", day)),
                                hello_work_per_month=int(rates.parameter("monthly_hello_work_min", day)),
                                applications_per_week=int(rates.parameter("weekly_employer_applications_min", day)))
    max_months = int(rates.parameter("max_benefit_months", day))
    cap_multiple = int(rates.parameter("moving_cost_cap_multiplier", day))
    person, landlord = Addressee(name="山田　太郎"), Addressee(name="株式会社見本不動産", honorific="御中")
    inputs: list[Any] = []
    for index, case in enumerate(mixed_cases(100 if quick else 400, seed=11)):
        result = assess_payload(case, rates, office)
        head = heads[case["municipality_code"]].letterhead(f"7試第{index + 1}号")
        common: dict[str, Any] = {"letterhead": head, "addressee": person, "issued_on": date(2025, 9, 30),
                  "recipient_name": person.name, "case_number": f"{index:06d}",
                  "application_date": day, "decision_date": date(2025, 9, 30)}
        members = tuple(m["relationship"] for m in case["household"])
        if not result["eligible"]:
            inputs.append(RefusalLetterInput(
                **common, reasons=result["reasons"], trace=result["trace"], household_relationships=members,
                benefit=case["benefit"]))
        elif case["benefit"] == "moving":
            costs = tuple(MovingCostLine(category=c["category"], amount_yen=c["amount_yen"],
                                         eligible=c["category"] != "deposit") for c in case["costs"])
            allocations = tuple(MovingAllocation(payee_name=name, amount_yen=amount) for name, amount in
                                (("株式会社見本不動産", result["allocation"]["agent_yen"]),
                                 ("見本運送株式会社", result["allocation"]["other_yen"])) if amount)
            inputs.append(MovingDecisionInput(
                cost_cap_months=cap_multiple,
                **common, costs=costs, cost_cap_yen=result["cost_cap_yen"], allocations=allocations,
                trace=result["trace"], household_relationships=members))
        else:
            amount = result["amount_yen"]
            inputs.append(DecisionLetterInput(
                max_total_months=max_months, activity=activity,
                **common, first_month="2025-09", last_month="2025-11", monthly_amount_yen=amount,
                rent_yen=case["rent_yen"], payment=PaymentRoute(payee_name=landlord.name), trace=result["trace"],
                household_relationships=members))
            inputs.append(ProxyPaymentNoticeInput(
                letterhead=head, addressee=landlord, issued_on=date(2025, 9, 30), event=ProxyNoticeEvent.GRANT,
                tenant_name=person.name, case_number=f"{index:06d}", monthly_amount_yen=amount,
                first_month="2025-09", last_month="2025-11", rent_yen=case["rent_yen"]))
    return [json.dumps(to_snapshot(data), ensure_ascii=False) for data in inputs]


def payment_run_100k_seconds(quick: bool) -> Figure:
    """Run + approve + export of one benefit month at the shape finance runs (issue 15), through the
    production workflow functions the API calls: 100,000 grants (5,000 with --quick), one payee each,
    5% new payees registered from intake in the run, 2% confirmed moving grants (PD13 split), last
    month already exported with 1% of it returned (service.bench_payments). On PostgreSQL (a throwaway
    database) and SQLite (a temp file), each in its own subprocess (seeding in another), so that peak
    memory (ru_maxrss) is the measured path's. Statement counts per step are part of the figure.
    Target: at most 30 s and 1 GiB."""
    return _payment_children(quick)


def batch_cancel_100k_seconds(quick: bool) -> Figure:
    """Cancelling a draft batch of every grant (the next month's run: ~100,000 grant-months; ~5,000 with
    --quick), per database, through ``cancel_batch``. Target: at most 10 s."""
    return {kind: {"value": f["cancel_s"], "unit": "s", "payments": f["cancelled_payments"],
                   "statements": f["statements"]["cancel"],
                   "shape": "a draft batch of one month, one payment per grant (moving grants have none), "
                            "one payee per grant; reversed in one INSERT … SELECT; target <= 10 s"}
            if "cancel_s" in f else f
            for kind, f in _payment_children(quick).items()}


def returns_import_10k_seconds(quick: bool) -> Figure:
    """Importing 10,000 returned transfers (500 with --quick) of the exported month, per database, through
    ``import_returns``. Target: at most 5 s."""
    return {kind: {"value": f["returns_import_s"], "unit": "s", "lines": f["returns_lines"],
                   "reversed_payments": f["returns_reversed_payments"],
                   "statements": f["statements"]["returns_import"],
                   "shape": "one CSV of 10,000 lines (500 with --quick) of one exported batch of 100,000 "
                            "transfers (5,000), the ledger holding last month and its returns; target <= 5 s"}
            if "returns_import_s" in f else f
            for kind, f in _payment_children(quick).items()}


@functools.cache
def _payment_children(quick: bool) -> Figure:
    grants = 5_000 if quick else 100_000
    figures: Figure = {}
    for kind in ("postgresql", "sqlite"):
        progress(f"bench: payment run, {grants} grants on {kind} ...")
        done = subprocess.run(
            [sys.executable, "-c", f"from service.bench_payments import child; child({kind!r}, {grants})"],
            capture_output=True, text=True, check=False)
        sys.stderr.write(done.stderr)
        if done.returncode != 0:
            figures[kind] = {"error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
            continue
        figures[kind] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def lifecycle_cases_per_second(quick: bool) -> Figure:
    from service.bench_lifecycle import lifecycle_cases_per_second as measure

    return measure(quick)


def approval_p95_ms(quick: bool) -> Figure:
    from service.bench_lifecycle import approval_p95_ms as measure

    return measure(quick)


def work_queue_p95_ms(quick: bool) -> Figure:
    from service.bench_lifecycle import work_queue_p95_ms as measure

    return measure(quick)


def payment_list_xlsx_100k_seconds(quick: bool) -> Figure:
    """The people's 支払一覧 XLSX (支払一覧 + 振込先別合計 sheets, Japanese layout with a 合計 row) of
    100,000 payments to 100,000 payees, streamed into memory (issue 15 item 3; target at most 10 s).
    The frames are built as the export builds them; the database read is not timed."""
    import io

    import pandas as pd

    from payments import labels, reports
    from service.workflows.finance_reports import (
        PAYMENT_LIST_JA,
        PAYMENT_LIST_SHEET,
        TRANSFERS_JA,
        TRANSFERS_SHEET,
    )

    count = 10_000 if quick else 100_000
    rng = random.Random(11)
    banks = [("0001", "001"), ("0005", "001"), ("0009", "100"), ("0036", "251"), ("9900", "018")]
    rows = []
    for number in range(1, count + 1):
        bank, branch = banks[number % len(banks)]
        rows.append({"pay_date": "2026-12-25", "customer_code": number, "payee_name": f"株式会社青葉不動産{number}",
                     "bank_code": bank, "bank_name": labels.bank_name(bank), "branch_code": branch,
                     "branch_name": labels.branch_name(bank, branch), "account_type": "普通",
                     "account_number": f"{rng.randrange(10**7):07d}", "holder_name": f"ｶ)ｱｵﾊﾞﾌﾄﾞｳｻﾝ{number}",
                     "case_reference": f"HB-{number:07d}", "recipient_name": "山田 太郎", "benefit_month": "2026-12",
                     "subsidy": "家賃補助", "kind": "家賃（月額）", "amount_yen": rng.randrange(20_000, 80_000, 100),
                     "line_count": 1})

    def frame(columns: list[str]) -> pd.DataFrame:
        return pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype="int64" if c.endswith("_yen") or c in (
            "customer_code", "line_count") else "object") for c in columns}, columns=columns)

    lines, transfers = frame(list(PAYMENT_LIST_JA.headers)), frame(list(TRANSFERS_JA.headers))
    progress(f"bench: writing the 支払一覧 XLSX of {count:,} payments ...")
    started = time.perf_counter()
    buffer = io.BytesIO()
    reports.write_xlsx_sheets([reports.SheetSpec(PAYMENT_LIST_SHEET, lines, PAYMENT_LIST_JA),
                               reports.SheetSpec(TRANSFERS_SHEET, transfers, TRANSFERS_JA)], buffer)
    elapsed = time.perf_counter() - started
    return {"value": round(elapsed, 2), "unit": "s", "payments": count, "transfers": count,
            "bytes": len(buffer.getvalue()),
            "shape": "one payment per payee, 16 + 11 columns, two sheets, streamed in memory; target <= 10 s"}


def statements_per_second(quick: bool) -> Figure:
    """支払明細書 rendered and stored per second by the production path (issue 15 item 4): a batch exported
    through the workflow, its statements marked due as the export does (``statements.mark_due``), then the
    letter worker's step ``statements.work_statements`` (data and numbering once, render through the
    letters' layout and font cache, insert in committed chunks of 200) on a SQLite temp file seeded by
    service.bench_payments (one payee per grant). CPU time per statement is part of the figure.
    Target: at least 50."""
    import os
    import tempfile
    from datetime import date

    from sqlalchemy import select

    from service.bench_payments import last_month, seed
    from service.clock import FixedClock
    from service.db.migrate import upgrade
    from service.db.models_payments import PaymentBatch
    from service.db.session import make_engine, make_session_factory, unit_of_work
    from service.workflows.common import Actor
    from service.workflows.payments import statements as archive
    from service.workflows.payments.batches import load_batch

    grants = 40 if quick else 400
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{os.path.join(directory, 'statements.db')}"
        upgrade(url)
        engine = make_engine(url)
        try:
            progress(f"bench: seeding and exporting a batch of {grants} grants for the 支払明細書 ...")
            seed(engine, grants)
            last_month(engine, grants)
            factory = make_session_factory(engine)
            clock = FixedClock.at_office_day(date(2025, 4, 2))
            finance = Actor(user_id=2, username="finance", role="finance", clock=clock)
            with unit_of_work(factory) as session:
                batch_id = max(session.scalars(select(PaymentBatch.id)))
                load_batch(session, batch_id)
                due = archive.mark_due(session, finance, batch_id)
            warmup_s = _warm_statement_font()  # once per process: the worker in `serve` lives on
            progress(f"bench: rendering and storing {due} 支払明細書 (the letter worker's step) ...")
            cpu_started, started = time.process_time(), time.perf_counter()
            done = archive.work_statements(factory, clock=clock)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            with unit_of_work(factory) as session:
                state = archive.statement_progress(session, batch_id)
                size = sum(len(f.content) for f in archive._stored(session, batch_id))
        finally:
            engine.dispose()
    if done["failed"] or not state.complete:
        raise RuntimeError(f"the worker did not store every statement: {done}, {state.as_dict()}")
    return {"value": round(done["stored"] / elapsed, 1), "unit": "statements/s", "statements": done["stored"],
            "cpu_ms_per_statement": round(1000 * cpu / done["stored"], 2), "mean_bytes": size // done["stored"],
            "font_warmup_s": warmup_s,
            "shape": "one exported batch (SQLite temp file), one payee per grant (1 line each), through "
                     "mark_due + work_statements: render + SHA-256 + insert, committed per 200; the font is "
                     "prepared once per process before timing (font_warmup_s); target >= 50"}


def _warm_statement_font() -> float:
    """The letter worker's one-time font preparation (service.workflows.letters.warm_up_fonts), untimed,
    as the worker in ``serve`` does at start. Returns its seconds."""
    from service.workflows.letters import warm_up_fonts

    return warm_up_fonts()


BENCHMARKS: dict[str, Callable[[bool], Figure]] = {
    "assess_per_second": assess_per_second,
    "assess_api_p99_ms": assess_api_p99_ms,
    "lifecycle_cases_per_second": lifecycle_cases_per_second,
    "work_queue_p95_ms": work_queue_p95_ms,
    "approval_p95_ms": approval_p95_ms,
    "payment_run_100k_seconds": payment_run_100k_seconds,
    "batch_cancel_100k_seconds": batch_cancel_100k_seconds,
    "returns_import_10k_seconds": returns_import_10k_seconds,
    "letters_per_second": letters_per_second,
    "payment_list_xlsx_100k_seconds": payment_list_xlsx_100k_seconds,
    "statements_per_second": statements_per_second,
}


def calibration_ops_per_second() -> Figure:
    """A fixed pure-Python loop (integer arithmetic, a dict and a list), so that figures taken on machines
    of different speed (up to 3× apart) can be compared: divide a figure by this one."""
    best = 0.0
    for _ in range(3):
        started = time.perf_counter()
        total, seen, items = 0, {}, []
        for i in range(CALIBRATION_OPS):
            total = (total + i * 7) % 1_000_003
            seen[i & 1023] = total
            items.append(total & 255)
        elapsed = time.perf_counter() - started
        best = max(best, CALIBRATION_OPS / elapsed)
    return {"value": round(best), "unit": "loop iterations/s", "iterations": CALIBRATION_OPS}


CALIBRATION_OPS = 2_000_000


def run_benchmarks(*, quick: bool = False, only: set[str] | None = None) -> dict[str, Any]:
    progress("bench: calibration_ops_per_second ...")
    figures: dict[str, Any] = {"calibration_ops_per_second": calibration_ops_per_second()}
    progress(f"bench: calibration_ops_per_second = {figures['calibration_ops_per_second']}")
    for name, measure in BENCHMARKS.items():
        if only and name not in only:
            continue
        progress(f"bench: {name} ...")
        figures[name] = measure(quick)
        progress(f"bench: {name} = {figures[name]}")
    return figures

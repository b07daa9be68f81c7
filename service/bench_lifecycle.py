"""Lifecycle benchmarks: cases per second through intake and decision, and the work queue with
100,000 grants. Each runs on a throwaway PostgreSQL database (dropped afterwards)."""

from __future__ import annotations

import copy
import multiprocessing
import queue
import statistics
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from service.db.migrate import upgrade
from service.db.models import AppUser, BenefitCase, BenefitGrant, BenefitMonth, MonthlyReport
from service.db.session import make_engine, make_session_factory, unit_of_work
from service.demo import AGENT_KANDA, RENT_CONSENTS, applicant, rent_facts
from service.workflows.admin import create_user, get_or_create_agency
from service.workflows.applications import (
    Upload,
    create_application,
    required_documents,
    submit_application,
    upload_documents,
)
from service.workflows.common import Actor
from service.workflows.decisions import approve_decision, draft_decision
from service.workflows.work_queue import work_queue

#: Server processes (one per core) and requests in flight in each.
PROCESSES = 2
WORKERS = 2
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def throwaway_postgres(prefix: str) -> Iterator[str]:
    """A new PostgreSQL database for one benchmark, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _actors(factory: sessionmaker[Session]) -> dict[str, Actor]:
    with unit_of_work(factory) as session:
        agency = get_or_create_agency(session, "BENCH", "ベンチマーク相談支援機関")
        users = {role: create_user(session, f"bench-{role}", role, agency.id if role == "agency" else None)[0]
                 for role in ("agency", "clerk", "approver")}
        return {role: Actor(user_id=u.id, username=u.username, role=u.role, agency_id=u.agency_id)
                for role, u in users.items()}


def _one_case(factory: sessionmaker[Session], actors: dict[str, Actor], index: int) -> None:
    decision_id = _drafted_case(factory, actors, index)
    with unit_of_work(factory) as session:  # letters on (issue 13): the approval plans them, a worker renders
        approve_decision(session, actors["approver"], decision_id, issue_letters=True)


def _drafted_case(factory: sessionmaker[Session], actors: dict[str, Actor], index: int) -> int:
    """Create, upload, submit and draft a grant; the decision waiting for approval."""
    facts = rent_facts(application_date="2026-10-05", household=[applicant("1980-01-01", [
        {"kind": "wages", "amount_yen": 40000 + index % 50 * 1000}])], rent_yen=60000, assets_yen=100000,
        trigger_date="2026-08-31")
    intake = {"applicant": {"name": f"試験 {index}", "name_kana": "シケン", "address": "東京都千代田区"},
              "payee": copy.deepcopy(AGENT_KANDA), "emergency": True, "consents": RENT_CONSENTS}
    with unit_of_work(factory) as session:  # one request each, as through the API
        app, _ = create_application(session, actors["agency"], kind="initial", benefit="rent", case_id=None,
                                    facts=facts, intake=intake)
        app_id, case_id = app.id, app.case_id
    with unit_of_work(factory) as session:  # the wizard's document step: one form with the R85 files
        files = [Upload(kind, f"{kind}.pdf", "application/pdf", b"%PDF-1.4\n")
                 for kind in required_documents("initial", "rent", facts)]
        upload_documents(session, actors["agency"], case_id, files, application_id=app_id,
                         allowed_types=("application/pdf",), max_bytes=1 << 20)
    with unit_of_work(factory) as session:
        submit_application(session, actors["agency"], app_id)
    with unit_of_work(factory) as session:
        return int(draft_decision(session, actors["clerk"], case_id,
                                  {"kind": "grant", "application_id": app_id}).id)


def approval_p95_ms(quick: bool) -> dict[str, Any]:
    """p95 of one approval (決裁) with letters on, 4 approvers at once, on PostgreSQL (issue 13: the
    approval stores the letters' numbers and snapshots; rendering is the worker's, after commit)."""
    count = 40 if quick else 200
    with throwaway_postgres("hb_bench_approval") as url:
        upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        actors = _actors(factory)
        _one_case(factory, actors, 0)  # warm: imports, rate tables, statement caches
        drafts = [_drafted_case(factory, actors, index) for index in range(1, 2 * count + 1)]
        timings: dict[bool, list[float]] = {True: [], False: []}

        def approve(decision_id: int, letters: bool) -> None:
            started = time.perf_counter()
            with unit_of_work(factory) as session:
                approve_decision(session, actors["approver"], decision_id, issue_letters=letters)
            timings[letters].append((time.perf_counter() - started) * 1000)

        # the same load without letters first, for comparison on this machine
        for letters, batch in ((False, drafts[count:]), (True, drafts[:count])):
            with ThreadPoolExecutor(max_workers=4) as pool:
                list(pool.map(lambda decision_id, on=letters: approve(decision_id, on), batch))
        from service.db.models_letters import LetterPlan

        with unit_of_work(factory) as session:
            planned = len(session.scalars(select(LetterPlan.id)).all())
        engine.dispose()
    def p95(values: list[float]) -> float:
        values = sorted(values)
        return round(values[max(int(len(values) * 0.95) - 1, 0)], 1)

    return {"value": p95(timings[True]), "unit": "ms", "approvals": count, "approvers": 4,
            "letters_planned": planned, "median_ms": round(statistics.median(timings[True]), 1),
            "without_letters_p95_ms": p95(timings[False]), "target": 100}


def _worker(url: str, first: int, count: int, ready: Any, go: Any) -> None:
    """One server process: its own engine and pool, ``WORKERS`` requests at a time. Once up (imports,
    engine, users, a warm-up case per thread) it reports ``ready`` and waits for ``go``: the figure is
    the steady state of running servers, not their start."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        users = {u.role: u for u in session.scalars(select(AppUser).where(AppUser.username.like("bench-%")))}
    actors = {role: Actor(user_id=u.id, username=u.username, role=u.role, agency_id=u.agency_id)
              for role, u in users.items()}
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        # Warm-up, untimed: one case per thread (lazy imports, rate tables, mapper and statement caches,
        # the pool's connections), as in a server that has been up for a while. ~3 s of a 400-case run.
        list(pool.map(lambda index: _one_case(factory, actors, index),
                      range(1_000_000 + first, 1_000_000 + first + WORKERS)))
        ready.put(first)
        go.wait()
        list(pool.map(lambda index: _one_case(factory, actors, index), range(first, first + count)))
    engine.dispose()


def lifecycle_cases_per_second(quick: bool) -> dict[str, Any]:
    """Submit, assess, draft and approve, one transaction per step, on PostgreSQL; ``PROCESSES``
    server processes (one per core, as uvicorn workers) with ``WORKERS`` requests in flight each."""
    count = 40 if quick else 400
    with throwaway_postgres("hb_bench_lifecycle") as url:
        upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        _one_case(factory, _actors(factory), 0)
        engine.dispose()
        share = count // PROCESSES
        context = multiprocessing.get_context("spawn")
        # Timed from when every server process is up and warm (not interpreter start, imports, warm-up).
        ready, go = context.Queue(), context.Event()
        processes = [context.Process(target=_worker, args=(url, 1 + n * share, share, ready, go))
                     for n in range(PROCESSES)]
        for process in processes:
            process.start()
        up = 0
        while up < PROCESSES:
            try:
                ready.get(timeout=1)
                up += 1
            except queue.Empty:
                if any(process.exitcode is not None for process in processes):
                    go.set()
                    raise RuntimeError("a lifecycle worker failed to start") from None
        started = time.perf_counter()
        go.set()
        for process in processes:
            process.join()
        elapsed = time.perf_counter() - started
        if any(process.exitcode for process in processes):
            raise RuntimeError("a lifecycle worker failed")
    return {"value": round(share * PROCESSES / elapsed, 1), "unit": "cases/s", "cases": share * PROCESSES,
            "processes": PROCESSES, "threads_per_process": WORKERS,
            "steps": "create, 5 documents in one form (the wizard's step), submit, draft (assess), approve with "
                     "letters planned (issue 13); one transaction each"}


def seed_grants(url: str, count: int, month: str) -> None:
    """``count`` active rent grants in their period, bulk-inserted with SQLAlchemy Core."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    actors = _actors(factory)
    _one_case(factory, actors, 0)  # a real granted case; the bulk rows share its application and decision
    with unit_of_work(factory) as session:
        grant = session.scalars(select(BenefitGrant)).one()
        app_id, decision_id = grant.application_id, grant.decision_id
        agency_user = actors["agency"].user_id
        case = session.get(BenefitCase, grant.case_id)
        assert case is not None
        agency_id = case.agency_id
    chunk = 10_000
    months = ["2026-09", "2026-10", "2026-11"]
    with engine.begin() as connection:
        for start in range(0, count, chunk):
            size = min(chunk, count - start)
            case_ids = connection.execute(insert(BenefitCase).returning(BenefitCase.id), [
                {"agency_id": agency_id, "benefit": "rent", "status": "granted", "version": 1}
                for _ in range(size)]).scalars().all()
            grant_ids = connection.execute(insert(BenefitGrant).returning(BenefitGrant.id), [
                {"case_id": cid, "application_id": app_id, "decision_id": decision_id, "benefit": "rent",
                 "status": "active", "amount_yen": 53700, "first_month": months[0],
                 "period_last_month": months[(start + i) % 3] if (start + i) % 7 == 0 else "2027-01",
                 "extensions_used": (start + i) % 3} for i, cid in enumerate(case_ids)]).scalars().all()
            connection.execute(insert(BenefitMonth), [
                {"grant_id": gid, "month": m, "amount_yen": 53700, "status": "scheduled", "decision_id": decision_id}
                for gid in grant_ids for m in months])
            # Nine in ten households reported last month; the queue lists the rest (R51).
            connection.execute(insert(MonthlyReport), [
                {"case_id": cid, "grant_id": gid, "month": months[1], "interviews": 4, "hello_work_consultations": 2,
                 "employer_applications": 4, "evidence": [], "reasons": [], "submitted_by": agency_user}
                for i, (cid, gid) in enumerate(zip(case_ids, grant_ids, strict=True)) if i % 10])
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE")  # as autovacuum would after a bulk load
    engine.dispose()


def work_queue_p95_ms(quick: bool) -> dict[str, Any]:
    """p95 of the clerk's work queue for a month with 100,000 grants in the database."""
    count = 10_000 if quick else 100_000
    with throwaway_postgres("hb_bench_queue") as url:
        upgrade(url)
        seed_grants(url, count, "2026-11")
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with unit_of_work(factory) as session:
            clerk = Actor(user_id=None, username="bench-clerk", role="clerk")
            work_queue(session, clerk, "2026-11")
            timings = []
            for _ in range(40):
                started = time.perf_counter()
                work_queue(session, clerk, "2026-11")
                timings.append((time.perf_counter() - started) * 1000)
        engine.dispose()
    timings.sort()
    return {"value": round(timings[int(len(timings) * 0.95) - 1], 1), "unit": "ms", "grants": count,
            "median_ms": round(statistics.median(timings), 1)}

"""``housing-benefit bench``: performance figures as one JSON object (progress on stderr).

Each figure is measured, never asserted in tests; the closing notes quote them.
"""

from __future__ import annotations

import asyncio
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


BENCHMARKS: dict[str, Callable[[bool], Figure]] = {
    "assess_per_second": assess_per_second,
    "assess_api_p99_ms": assess_api_p99_ms,
}


def run_benchmarks(*, quick: bool = False, only: set[str] | None = None) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for name, measure in BENCHMARKS.items():
        if only and name not in only:
            continue
        progress(f"bench: {name} ...")
        figures[name] = measure(quick)
        progress(f"bench: {name} = {figures[name]}")
    return figures

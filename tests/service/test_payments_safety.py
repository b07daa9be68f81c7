"""Money safety (issues 11, 12, 15; PD31): transitions that cannot race, pay dates, one payee per account,
one case's bad data never stops the run, only due months paid, months paid only when money leaves,
set-based reversals."""

from __future__ import annotations

import copy
import threading
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from service_world import World
from sqlalchemy import event, func, select
from test_payments import at, granted, intake_with, run, with_second_finance

from service.clock import FixedClock
from service.db.models import Application, BenefitGrant, BenefitMonth
from service.db.models_payments import (
    GrantPayee,
    Payee,
    Payment,
    PaymentBatch,
    PaymentBatchEvent,
    PaymentFile,
    PaymentTransfer,
)
from service.db.session import make_engine, make_session_factory, unit_of_work
from service.errors import Conflict, DomainError
from service.workflows import payments as wf
from service.workflows.common import Actor

DAY = date(2025, 5, 20)


@pytest.fixture
def fin(world: World) -> World:
    at(world, DAY)
    return with_second_finance(world)


def _actor(world: World, name: str = "finance", day: date = DAY) -> Actor:
    return Actor(user_id=world.users[name], username=name, role="finance", clock=FixedClock.at_office_day(day))


def _factory(world: World) -> Any:
    return world.client.app.state.session_factory  # type: ignore[attr-defined]


def _clone_grants(world: World, grant_id: int, count: int, month: str = "2025-05", *,
                  own_payees: bool = False) -> list[int]:
    """``count`` more rent grants like ``grant_id`` (same case), each with one scheduled ``month``; paid to
    the original's payee, or each to a payee of its own (distinct accounts). Bulk-inserted: fast."""
    with unit_of_work(_factory(world)) as session:
        original = session.get(BenefitGrant, grant_id)
        assert original is not None
        payee_id = session.scalar(select(GrantPayee.payee_id).where(GrantPayee.grant_id == grant_id))
        base = session.get(Payee, payee_id)
        assert base is not None
        new_ids = []
        for _ in range(count):
            grant = BenefitGrant(case_id=original.case_id, application_id=original.application_id,
                                 decision_id=original.decision_id, benefit="rent", status="active",
                                 amount_yen=60000, first_month=month, extensions_used=0)
            session.add(grant)
            session.flush()
            session.add(BenefitMonth(grant_id=grant.id, month=month, amount_yen=60000, status="scheduled",
                                     decision_id=original.decision_id))
            target = base.id
            if own_payees:
                payee = Payee(kind=base.kind, name=base.name, holder_name=base.holder_name, bank_code=base.bank_code,
                              branch_code=base.branch_code, account_type=base.account_type,
                              account_number=f"{5000000 + grant.id:07d}", account_version=1)
                session.add(payee)
                session.flush()
                target = payee.id
            session.add(GrantPayee(grant_id=grant.id, part="rent", payee_id=target))
            new_ids.append(grant.id)
    return new_ids


def _first_grant_with_payee(world: World) -> int:
    """A granted case whose May is paid through a real run (so its intake payee is registered)."""
    _, grant_id = granted(world)
    return grant_id


# --- 1. the batch state machine cannot race -----------------------------------------------------

Step = Callable[[Any, Actor, int], Any]
STEPS: dict[str, tuple[Step, str]] = {
    "approve": (lambda s, a, b: wf.approve_batch(s, a, b), "finance2"),
    "export": (lambda s, a, b: wf.export_batch(s, a, b), "finance"),
    "cancel": (lambda s, a, b: wf.cancel_batch(s, a, b, reason="race"), "finance"),
    "settle": (lambda s, a, b: wf.settle_batch(s, a, b), "finance"),
}
#: Each pair fired at once, and what the batch must be before: exactly one of the two succeeds — except
#: approve + cancel, where approving then cancelling is a legal sequence (then both succeed, in that order).
PAIRS = [("approve", "cancel", "draft"), ("export", "cancel", "approved"), ("export", "export", "approved"),
         ("approve", "approve", "draft"), ("settle", "cancel", "exported"), ("settle", "settle", "exported")]


def _race(world: World, factory: Any, batch_id: int, first: str, second: str) -> list[Any]:
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def worker(name: str) -> None:
        step, who = STEPS[name]
        try:
            with unit_of_work(factory) as session:
                barrier.wait()
                step(session, _actor(world, who), batch_id)
            results.append((name, "ok"))
        except DomainError as error:
            results.append((name, error))
        except Exception as error:  # noqa: BLE001 - a 500 would be a failure of the test
            results.append((name, error))

    threads = [threading.Thread(target=worker, args=(n,)) for n in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_transitions_at_once_exactly_one_wins_and_nothing_is_paid_twice(fin: World, database_url: str) -> None:
    """Issue 15: export + cancel at once both succeeded (money to the bank twice). Each pair, 20 times."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the concurrency case runs on PostgreSQL")
    grant_id = _first_grant_with_payee(fin)
    run(fin, "2025-05")  # registers the intake payee
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    outcomes: Counter[str] = Counter()
    try:
        for first, second, before in PAIRS:
            for _trial in range(20):
                _clone_grants(fin, grant_id, 1)
                with unit_of_work(factory) as session:
                    report = wf.prepare_month(session, _actor(fin), "2025-05")
                batch_id = report.batch_id
                assert batch_id is not None
                for step in {"draft": [], "approved": ["approve"], "exported": ["approve", "export"]}[before]:
                    with unit_of_work(factory) as session:
                        STEPS[step][0](session, _actor(fin, STEPS[step][1]), batch_id)
                results = _race(fin, factory, batch_id, first, second)
                wins = [name for name, r in results if r == "ok"]
                losses = [r for _, r in results if r != "ok"]
                assert all(isinstance(r, Conflict) for r in losses), results  # 409, never a 500
                with unit_of_work(factory) as session:
                    status = wf.batch_status(session, batch_id)
                    events = [e.event for e in session.scalars(
                        select(PaymentBatchEvent).where(PaymentBatchEvent.batch_id == batch_id)
                        .order_by(PaymentBatchEvent.id))]
                if len(wins) == 2:  # only approve, then cancel (serially: the lock made the second wait)
                    assert (first, second) == ("approve", "cancel") and events[-2:] == ["approved", "cancelled"]
                    wins = ["both"]
                assert len(wins) == 1, (first, second, results)
                outcomes[f"{first}+{second}:{wins[0]}"] += 1
                with unit_of_work(factory) as session:
                    has_file = session.scalar(select(PaymentFile.id).where(PaymentFile.batch_id == batch_id))
                    assert status != "cancelled" or has_file is None  # never a cancelled batch with a file
                    if status == "cancelled":
                        with pytest.raises(Conflict):
                            wf.download_file(session, _actor(fin), batch_id)
        # A later run pays nothing that is already paid or in an open batch.
        with unit_of_work(factory) as session:
            wf.prepare_month(session, _actor(fin), "2025-05")
    finally:
        engine.dispose()
    with unit_of_work(_factory(fin)) as session:
        exported = set(session.scalars(select(PaymentFile.batch_id)))
        live = wf.live_payment_filter()
        keys = Counter((g, m, p) for g, m, p in session.execute(
            select(Payment.grant_id, Payment.benefit_month, Payment.part).where(live)))
        assert max(keys.values()) == 1  # never two live payments for one grant-month
        in_files = Counter((g, m, p) for g, m, p in session.execute(
            select(Payment.grant_id, Payment.benefit_month, Payment.part)
            .where(Payment.kind == "payment", Payment.batch_id.in_(exported))))
        assert max(in_files.values()) == 1  # no grant-month in two exported files
        cancelled_with_file = [b for b in exported if wf.batch_status(session, b) == "cancelled"]
        assert cancelled_with_file == []
    assert sum(outcomes.values()) == 20 * len(PAIRS)
    assert outcomes["settle+cancel:settle"] == 20  # an exported batch is never cancelled (PD31)
    assert outcomes["export+cancel:export"] + outcomes["export+cancel:cancel"] == 20


# --- transitions, downloads, pay dates ----------------------------------------------------------


def test_downloading_never_changes_a_batch_and_a_cancelled_batch_has_no_file(fin: World) -> None:
    granted(fin)
    batch_id = run(fin, "2025-05")["batch_id"]
    url = f"/api/v1/payment-batches/{batch_id}"
    fin.post("finance2", f"{url}/approve", 200)
    r = fin.get("finance", f"{url}/file", 409)  # GET …/file used to export the batch
    assert r.json()["error"]["code"] == "not_exported"
    assert fin.get("finance", url, 200).json()["status"] == "approved"
    fin.post("finance", f"{url}/cancel", 200, json={"reason": "wrong month"})
    r = fin.get("finance", f"{url}/file", 409)
    assert r.json()["error"]["code"] == "batch_cancelled" and "取り消" in r.json()["error"]["message"]
    r = fin.post("finance", f"{url}/export", 409)
    assert r.json()["error"]["code"] == "batch_state" and r.json()["error"]["field"] == "batch_id"


def test_an_exported_batch_is_never_cancelled_and_is_exported_once(fin: World) -> None:
    granted(fin)
    batch_id = run(fin, "2025-05")["batch_id"]
    url = f"/api/v1/payment-batches/{batch_id}"
    fin.post("finance2", f"{url}/approve", 200)
    fin.post("finance", f"{url}/export", 200)
    r = fin.post("finance", f"{url}/cancel", 409)
    assert r.json()["error"]["code"] == "batch_state" and "返還請求" in r.json()["error"]["message"]
    assert fin.post("finance", f"{url}/export", 409).json()["error"]["code"] == "batch_state"
    assert fin.get("finance", url, 200).json()["status"] == "exported"
    fin.post("finance", f"{url}/settle", 200)
    assert fin.post("finance", f"{url}/cancel", 409).json()["error"]["code"] == "batch_state"


def test_export_refuses_a_pay_date_in_the_past_and_finance_chooses_the_next_bank_day(fin: World) -> None:
    """Issue 15: a May batch exported in November was written with May's date."""
    granted(fin)
    batch_id = run(fin, "2025-05")["batch_id"]  # pay date 2025-05-23 (PD18)
    url = f"/api/v1/payment-batches/{batch_id}"
    fin.post("finance2", f"{url}/approve", 200)
    at(fin, date(2025, 5, 24))  # a Saturday: the pay date has passed
    r = fin.post("finance", f"{url}/export", 422)
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("pay_date_past", "pay_date")
    assert "次の銀行営業日（2025-05-26）" in error["message"]
    for bad, code in (("2025-05-23", "pay_date_past"), ("2025-05-25", "pay_date_not_business_day"),
                      ("2025-07-21", "pay_date_not_business_day"), ("2027-05-26", "pay_date_too_late")):
        r = fin.post("finance", f"{url}/export", 422, json={"pay_date": bad})  # 07-21: 海の日
        assert (r.json()["error"]["code"], r.json()["error"]["field"]) == (code, "pay_date"), bad
    assert fin.get("finance", url, 200).json()["status"] == "approved"
    fin.post("finance", f"{url}/export", 200, json={"pay_date": "2025-05-26"})
    from payments.zengin import parse_transfer_file

    parsed = parse_transfer_file(fin.get("finance", f"{url}/file", 200).content)
    assert parsed.transfer_mmdd == "0526"
    batch = fin.get("finance", url, 200).json()
    assert (batch["pay_date"], batch["scheduled_pay_date"]) == ("2025-05-26", "2025-05-23")
    rows = fin.get("finance", f"{url}/statements", 200).json()
    assert rows[0]["pay_date"] == "2025-05-26"


# --- one account is one payee --------------------------------------------------------------------

PAYEE = {"kind": "agent", "name": "株式会社テスト不動産", "holder_name": "カ)テストフドウサン", "bank_code": "0001",
         "branch_code": "001", "account_type": "ordinary", "account_number": "1234567"}


def test_one_account_is_one_payee(fin: World) -> None:
    first = fin.post("finance", "/api/v1/payees", 201, json=PAYEE).json()
    again = fin.post("finance", "/api/v1/payees", 200, json=PAYEE).json()  # merged: the same record
    assert again["id"] == first["id"]
    r = fin.post("finance", "/api/v1/payees", 409, json={**PAYEE, "holder_name": "ヤマダタロウ", "kind": "landlord"})
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("account_registered", "account_number")
    assert f"#{first['id']}" in error["message"] and error["details"][0]["payee_id"] == first["id"]
    other = fin.post("finance", "/api/v1/payees", 201, json={**PAYEE, "account_number": "7777777"}).json()
    r = fin.client.patch(f"/api/v1/payees/{other['id']}", headers=fin.h("finance"), json={"account_number": "1234567"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "account_registered"
    assert len(fin.get("finance", "/api/v1/payees", 200).json()) == 2


def test_intake_payees_reuse_the_registered_account_and_legacy_duplicates_never_block_the_export(
        fin: World) -> None:
    registered = fin.post("finance", "/api/v1/payees", 201, json={**PAYEE, "name": "テスト不動産（本店）"}).json()
    _, grant_a = granted(fin)  # its intake names the registered account: the run reuses that payee
    _, grant_b = granted(fin, intake_with(account_number="2345678"))
    with unit_of_work(_factory(fin)) as session:  # a second record of the same account (legacy data)
        duplicate = Payee(kind="agent", name="重複", holder_name=PAYEE["holder_name"], bank_code="0001",
                          branch_code="001", account_type="1", account_number="1234567", account_version=1)
        session.add(duplicate)
        session.flush()
        session.add(GrantPayee(grant_id=grant_b, part="rent", payee_id=duplicate.id))
    report = run(fin, "2025-05")
    # One transfer to the account (the file never holds one account twice with the same amount).
    assert (report["payment_count"], report["transfer_count"], report["excluded"]) == (2, 1, [])
    with unit_of_work(_factory(fin)) as session:
        assert session.scalar(select(GrantPayee.payee_id).where(GrantPayee.grant_id == grant_a)) == registered["id"]
        assert session.scalar(select(func.count()).select_from(Payee)) == 2  # no new payee for the account
    fin.post("finance2", f"/api/v1/payment-batches/{report['batch_id']}/approve", 200)
    fin.post("finance", f"/api/v1/payment-batches/{report['batch_id']}/export", 200)


# --- one case's bad data never stops the run (issue 12) ------------------------------------------


def test_a_landlord_name_longer_than_200_characters_leaves_that_case_out_and_pays_the_others(fin: World) -> None:
    good_case, good_grant = granted(fin)
    bad_case, bad_grant = granted(fin, intake_with(account_number="7654321"))
    with unit_of_work(_factory(fin)) as session:  # legacy data: the intake limits came later
        grant = session.get(BenefitGrant, bad_grant)
        assert grant is not None
        app = session.get(Application, grant.application_id)
        assert app is not None
        intake = copy.deepcopy(app.intake)
        intake["payee"]["name"] = "長" * 250
        app.intake = intake
    report = run(fin, "2025-05")
    assert report["payment_count"] == 1 and report["total_yen"] == 60000
    (excluded,) = report["excluded"]
    assert (excluded["case_id"], excluded["reason_code"]) == (bad_case, "payee_invalid")
    assert "200" in excluded["reason"] and "250" in excluded["reason"]
    statuses = {g: fin.clock(g)["months"][0]["status"] for g in (good_grant, bad_grant)}
    assert statuses == {good_grant: "in_batch", bad_grant: "scheduled"}
    assert good_case != bad_case


# --- only what is due (issue 11) -----------------------------------------------------------------


@pytest.mark.parametrize(("today", "month", "code"), [
    (date(2025, 5, 20), "2025-06", "month_not_due"),   # June's pay date is not the next one yet
    (date(2025, 5, 20), "2099-12", "month_not_due"),
    (date(2025, 5, 20), "0000-01", "out_of_range"),   # refused at the boundary or by the run, never a 500
    (date(2025, 5, 20), "2150-01", "out_of_range"),
    (date(2025, 5, 20), "2020-01", "month_out_of_range"),   # before the rate tables
])
def test_a_run_only_pays_months_that_are_due(fin: World, today: date, month: str, code: str) -> None:
    granted(fin)
    at(fin, today)
    r = fin.post("finance", "/api/v1/payment-runs", 422, json={"benefit_month": month})
    error = r.json()["error"]
    assert error["field"] == "benefit_month" and error["message_ja"] != "処理できませんでした。入力内容を確認してください。"
    if code == "out_of_range":
        assert error["code"] in ("validation_error", "month_out_of_range"), error
    else:
        assert error["code"] == code


def test_the_next_pay_cycle_is_the_limit(fin: World) -> None:
    assert wf.latest_payable_month(date(2025, 5, 23)) == "2025-05"  # pay day itself
    assert wf.latest_payable_month(date(2025, 5, 24)) == "2025-06"
    assert wf.latest_payable_month(date(2026, 11, 29)) == "2026-12"
    _, grant_id = granted(fin)
    at(fin, date(2025, 5, 24))
    report = run(fin, "2025-06")  # May and June; July is not due
    assert report["payment_count"] == 2
    assert [m["status"] for m in fin.clock(grant_id)["months"]] == ["in_batch", "in_batch", "scheduled"]


# --- PD31: paid when the money leaves ------------------------------------------------------------


def test_a_month_is_in_batch_until_export_paid_after_and_settled_when_the_bank_confirms(fin: World) -> None:
    _, grant_id = granted(fin)
    batch_id = run(fin, "2025-05")["batch_id"]
    assert fin.clock(grant_id)["months"][0]["status"] == "in_batch"
    url = f"/api/v1/payment-batches/{batch_id}"
    fin.post("finance2", f"{url}/approve", 200)
    assert fin.clock(grant_id)["months"][0]["status"] == "in_batch"
    fin.post("finance", f"{url}/export", 200)
    assert fin.clock(grant_id)["months"][0]["status"] == "paid"
    fin.post("finance", f"{url}/settle", 200)
    assert fin.clock(grant_id)["months"][0]["status"] == "settled"
    assert fin.post("finance", f"/api/v1/grants/{grant_id}/months/2025-05/paid").status_code in (404, 405)


def test_a_stop_on_months_still_in_a_draft_batch_claims_nothing_and_the_batch_cannot_be_exported(
        fin: World) -> None:
    from calculations.stops import STOP_EVIDENCE, StopCause

    case_id, grant_id = granted(fin)
    at(fin, date(2025, 7, 1))
    batch_id = run(fin, "2025-07")["batch_id"]  # May to July, not exported
    fin.decide(case_id, {"kind": "stop", "grant_id": grant_id, "cause": "income_over_limit", "event_date": "2025-05-20",
                         "evidence": [{"kind": k, "note": "記録"} for k in STOP_EVIDENCE[StopCause.income_over_limit]]})
    r = fin.post("clerk", f"/api/v1/cases/{case_id}/decisions", json={
        "kind": "repayment", "grant_id": grant_id, "repayment_cause": "recipient_error"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "nothing_to_repay"  # no money left
    fin.post("finance2", f"/api/v1/payment-batches/{batch_id}/approve", 200)
    r = fin.post("finance", f"/api/v1/payment-batches/{batch_id}/export", 409)
    assert r.json()["error"]["code"] == "batch_stale" and "2025-06" in r.json()["error"]["message"]
    fin.post("finance", f"/api/v1/payment-batches/{batch_id}/cancel", 200)
    again = run(fin, "2025-07")  # only May is still due
    assert again["payment_count"] == 1


# --- set-based (issue 15) ------------------------------------------------------------------------


def _count_statements(engine: Any, work: Callable[[], Any]) -> int:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_cancelling_and_importing_returns_take_a_constant_number_of_statements(fin: World) -> None:
    """Issue 15: cancelling 20,000 grants took 379 s (per-row reversals)."""
    _, grant_id = granted(fin)
    report = run(fin, "2025-05")  # registers the intake payee of the real grant
    fin.post("finance", f"/api/v1/payment-batches/{report['batch_id']}/cancel", 200)
    counts: dict[str, list[int]] = {"cancel": [], "returns": []}
    factory = _factory(fin)
    engine = fin.client.app.state.engine  # type: ignore[attr-defined]
    for size, month in ((50, "2025-05"), (500, "2025-05")):
        _clone_grants(fin, grant_id, size, own_payees=True)
        with unit_of_work(factory) as session:
            batch_id = wf.prepare_month(session, _actor(fin), month).batch_id
        assert batch_id is not None

        def cancel(batch: int = batch_id) -> None:
            with unit_of_work(factory) as session:
                wf.cancel_batch(session, _actor(fin), batch)

        counts["cancel"].append(_count_statements(engine, cancel))
        with unit_of_work(factory) as session:
            reversed_rows = session.scalar(select(func.count()).select_from(Payment)
                                           .where(Payment.kind == "reversal", Payment.batch_id == batch_id))
            assert reversed_rows == session.scalar(select(PaymentBatch.payment_count)
                                                   .where(PaymentBatch.id == batch_id))
        # Pay them for real, then the bank returns every transfer.
        with unit_of_work(factory) as session:
            batch_id = wf.prepare_month(session, _actor(fin), month).batch_id
        assert batch_id is not None
        with unit_of_work(factory) as session:
            wf.approve_batch(session, _actor(fin, "finance2"), batch_id)
        with unit_of_work(factory) as session:
            wf.export_batch(session, _actor(fin), batch_id)
        with unit_of_work(factory) as session:
            transfers = session.execute(select(PaymentTransfer.customer_code, PaymentTransfer.amount_yen)
                                        .where(PaymentTransfer.batch_id == batch_id)).all()
        csv = "batch_id,customer_code,amount_yen,reason_code,reason\r\n" + "".join(
            f"{batch_id},{code},{amount},NOACCT,口座なし\r\n" for code, amount in transfers)
        result: list[Any] = []

        def import_returns(data: bytes = csv.encode(), result: list[Any] = result) -> None:
            with unit_of_work(factory) as session:
                result.append(wf.import_returns(session, _actor(fin), data))

        counts["returns"].append(_count_statements(engine, import_returns))
        assert result[0].imported == len(transfers) and result[0].reversed_payments == len(transfers)
        with unit_of_work(factory) as session:
            still_paid = session.scalar(select(func.count()).select_from(BenefitMonth)
                                        .where(BenefitMonth.status == "paid"))
            assert still_paid == 0  # every returned month is due again
    assert counts["cancel"][0] == counts["cancel"][1], counts
    assert counts["returns"][0] == counts["returns"][1], counts


def _empty_database(database_url: str, sqlite_template: Any, tmp_path: Any, name: str) -> str:
    """A fresh migrated database for one size: a copy of the SQLite template, or PostgreSQL emptied."""
    if database_url.startswith("sqlite"):
        import shutil

        path = tmp_path / f"{name}.db"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    from sqlalchemy import text

    from service.db.models import Base

    engine = make_engine(database_url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # the append-only triggers
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return database_url


def test_the_month_at_its_real_shape_takes_a_constant_number_of_statements(
        database_url: str, sqlite_template: Any, tmp_path: Any) -> None:
    """Issue 15: the run (new payees from intake, due moving grants split by PD13, last month's returns),
    the export, cancelling a draft and importing returns each send the same number of statements to the
    database for 100 grants as for 400 — no per-row query anywhere (counted with before_cursor_execute)."""
    from service.bench_payments import LAST_MONTH, MONTH, _returns_csv, counted, last_month, seed, shape

    counts: list[dict[str, int]] = []
    for grants in (100, 400):
        url = _empty_database(database_url, sqlite_template, tmp_path, f"shape{grants}")
        engine = make_engine(url)
        try:
            seed(engine, grants)
            last_month(engine, grants)
            factory = make_session_factory(engine)
            clock = FixedClock.at_office_day(date(2025, 5, 1))
            finance = Actor(user_id=2, username="finance", role="finance", clock=clock)
            second = Actor(user_id=3, username="finance2", role="finance", clock=clock)
            seen: dict[str, int] = {}
            with counted(engine, seen, "run"), unit_of_work(factory) as session:
                report = wf.prepare_month(session, finance, MONTH)
            layout = shape(grants)
            # Every grant's May is paid (the new payees registered from intake, the moving grants paid to
            # their agent); last month's returned months stay out until their account is fixed.
            assert report.payment_count == report.transfer_count == grants, report
            assert [x["reason_code"] for x in report.excluded] == ["returned_not_payable"] * layout["returned_last_month"]
            assert {x["benefit_month"] for x in report.excluded} == {LAST_MONTH}
            assert report.batch_id is not None
            with unit_of_work(factory) as session:
                wf.approve_batch(session, second, report.batch_id)
                moving = session.scalar(select(func.count()).select_from(Payment).where(
                    Payment.batch_id == report.batch_id, Payment.subsidy == "moving"))
            assert moving == layout["moving_grants"] * 2  # agent's initial costs and the removal (PD13)
            with counted(engine, seen, "export"), unit_of_work(factory) as session:
                wf.export_batch(session, finance, report.batch_id)
            clock.set_office_day(date(2025, 6, 2))
            with unit_of_work(factory) as session:
                draft = wf.prepare_month(session, finance, "2025-06").batch_id
            assert draft is not None
            with counted(engine, seen, "cancel"), unit_of_work(factory) as session:
                wf.cancel_batch(session, finance, draft)
            with unit_of_work(factory) as session:
                data = _returns_csv(session, report.batch_id, grants // 10)
            with counted(engine, seen, "returns_import"), unit_of_work(factory) as session:
                assert wf.import_returns(session, finance, data).imported == grants // 10
            counts.append(seen)
        finally:
            engine.dispose()
    assert counts[0] == counts[1], counts

"""The payment ledger's shared steps (issue 4, issue 15): set-based writes and reads every payments module uses.

Bulk inserts (``COPY`` on PostgreSQL), id lists as one array parameter, reversal rows as one
INSERT … SELECT, rent months marked paid or released in one UPDATE each, and the ledger of one grant.
Never paying twice is enforced by the database (see :mod:`service.db.models_payments`). Workflows never
commit.
"""

from __future__ import annotations

import functools
import gc
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import (
    ARRAY,
    DateTime,
    Integer,
    String,
    and_,
    any_,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased

from service.db.models import (
    AuditEvent,
    BenefitGrant,
    BenefitMonth,
    JsonType,
)
from service.db.models_payments import (
    Payment,
)
from service.workflows.common import Actor, require_role

FINANCE = "finance"
CANCELLED_REASON = "batch_cancelled"


def case_reference(case_id: int) -> str:
    """The case number printed on statements and exports (sorts like the number)."""
    return f"HB-{case_id:07d}"


_P = ParamSpec("_P")
_R = TypeVar("_R")
_gc_pause = threading.Lock()
_gc_pausing = 0
_gc_was_enabled = False


def without_gc_pauses(step: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run a month-sized step (the run, the export: issue 15) with Python's cyclic garbage collector
    paused.

    The step builds a few hundred thousand small acyclic objects (rows, entitlements, records) that live
    until it returns; every collection of the oldest generation while they pile up walks all of them
    again (over a second of CPU for 100,000 grants, for nothing to free). Reference counting still frees
    everything as usual; the collector is enabled again, as it was, when the last step running at the
    same time ends (and then collects any cycle made meanwhile)."""

    @functools.wraps(step)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        global _gc_pausing, _gc_was_enabled
        with _gc_pause:
            if _gc_pausing == 0:
                _gc_was_enabled = gc.isenabled()
                gc.disable()
            _gc_pausing += 1
        try:
            return step(*args, **kwargs)
        finally:
            with _gc_pause:
                _gc_pausing -= 1
                if _gc_pausing == 0 and _gc_was_enabled:
                    gc.enable()

    return paused


def live_payment_filter() -> Any:
    reversal = aliased(Payment)
    return and_(Payment.kind == "payment", ~exists().where(reversal.reverses_payment_id == Payment.id))


def bulk_insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Set-based insert in the session's transaction: ``COPY`` on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    columns = list(rows[0])
    values = itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(
            f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        write = copy.write_row
        for row in rows:
            found = values(row)
            if any(type(value) is dict for value in found):  # JSON columns (few rows hold one)
                found = [json.dumps(value) if type(value) is dict else value for value in found]
            write(found)


def mark_months_paid(session: Session, batch_id: int) -> None:
    """PD31: the rent months of an exported batch are paid (money has left). Until export they stay
    ``scheduled`` in the clock and show ``in_batch`` (:func:`ledger_month_statuses`). One statement."""
    session.execute(
        update(BenefitMonth)
        .where(BenefitMonth.status == "scheduled",
               exists().where(Payment.batch_id == batch_id, Payment.kind == "payment", Payment.part == "rent",
                              Payment.grant_id == BenefitMonth.grant_id, Payment.benefit_month == BenefitMonth.month))
        .values(status="paid")
        .execution_options(synchronize_session=False)
    )


def release_months(session: Session, batch_ids: Sequence[int]) -> None:
    """Paid rent months of these batches whose payment was reversed (returned) are due again — unless a
    stop has removed them meanwhile (PD9). One statement, whatever the number of months (issue 15)."""
    if not batch_ids:
        return
    reversal, live = aliased(Payment), aliased(Payment)
    reversed_here = exists().where(
        reversal.kind == "reversal", reversal.part == "rent", reversal.batch_id.in_(batch_ids),
        reversal.grant_id == BenefitMonth.grant_id, reversal.benefit_month == BenefitMonth.month)
    still_paid = exists().where(
        live.kind == "payment", live.part == "rent", live.grant_id == BenefitMonth.grant_id,
        live.benefit_month == BenefitMonth.month,
        ~exists().where(reversal.reverses_payment_id == live.id))
    stop_month = (select(BenefitGrant.stop_first_unpaid_month).where(BenefitGrant.id == BenefitMonth.grant_id)
                  .scalar_subquery())
    session.execute(
        update(BenefitMonth)
        .where(BenefitMonth.status == "paid", reversed_here, ~still_paid)
        .values(status=case((and_(stop_month.is_not(None), BenefitMonth.month >= stop_month), "cancelled"),
                            else_="scheduled"))
        .execution_options(synchronize_session=False)
    )


def reversal_select(now: Any, user_id: int | None, reason_code: Any, reason: Any, *where: Any) -> Any:
    """Reversal rows for every live payment matching ``where``, as an INSERT … SELECT source."""
    reversal = aliased(Payment)
    return select(
        literal("reversal"), Payment.batch_id, Payment.payee_id, Payment.grant_id, Payment.case_id,
        Payment.benefit_month, Payment.part, Payment.subsidy, -Payment.amount_yen, Payment.id,
        reason_code, reason, literal(user_id, Integer), literal(now, DateTime(timezone=True)),
    ).where(Payment.kind == "payment", ~exists().where(reversal.reverses_payment_id == Payment.id), *where)


REVERSAL_COLUMNS = ("kind", "batch_id", "payee_id", "grant_id", "case_id", "benefit_month", "part", "subsidy",
                     "amount_yen", "reverses_payment_id", "reason_code", "reason", "created_by", "created_at")


def any_id(session: Session, column: Any, ids: Iterable[int]) -> Any:
    """``column IN ids`` for many ids: one array parameter on PostgreSQL (``= ANY``: no limit on the
    number of bind parameters, one plan whatever the count), an IN list elsewhere."""
    values = sorted(set(ids))
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(values, ARRAY(Integer)))
    if len(values) > 10_000:  # SQLite allows 32,766 bind variables: one JSON parameter instead
        table = func.json_each(literal(json.dumps(values), String)).table_valued("value")
        return column.in_(select(table.c.value))
    return column.in_(values)


def audit_reversals(session: Session, actor: Actor, batch_ids: Sequence[int], now: Any, code: str) -> None:
    """One ``payment.reverse`` audit event per case touched: one INSERT … SELECT in the database (the
    case ids never travel to Python and back; issue 15)."""
    cases = (select(Payment.case_id).distinct()
             .where(Payment.kind == "reversal", any_id(session, Payment.batch_id, batch_ids), Payment.created_at == now)
             .subquery())
    detail = {"reason_code": code, "batch_ids": list(batch_ids)}
    session.execute(insert(AuditEvent).from_select(
        ["at", "user_id", "username", "role", "action", "case_id", "target", "detail", "client_ip"],
        select(literal(now, DateTime(timezone=True)), literal(actor.user_id, Integer),
               literal(actor.username, String), literal(actor.role, String), literal("payment.reverse", String),
               cases.c.case_id, literal("case:", String) + cast(cases.c.case_id, String),
               literal(detail, JsonType), literal(actor.client_ip, String))
        .order_by(cases.c.case_id)))


def grant_payments(session: Session, actor: Actor, grant_id: int) -> list[dict[str, Any]]:
    """The ledger of one grant (payments and reversals), oldest first."""
    require_role(actor, FINANCE)
    rows = session.scalars(select(Payment).where(Payment.grant_id == grant_id).order_by(Payment.id)).all()
    return [{"id": r.id, "kind": r.kind, "batch_id": r.batch_id, "payee_id": r.payee_id,
             "benefit_month": r.benefit_month, "part": r.part, "amount_yen": r.amount_yen,
             "reverses_payment_id": r.reverses_payment_id, "replaces_reversal_id": r.replaces_reversal_id,
             "reason_code": r.reason_code, "reason": r.reason} for r in rows]

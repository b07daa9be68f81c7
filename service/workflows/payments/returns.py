"""Returned transfers (振込不能・組戻し): the bank's CSV becomes reversal rows (issue 4, issue 15).

All lines or none; a line imported before is skipped. The months of a returned transfer are payable
again once the payee's account is fixed (or another payee is assigned). Set-based: a constant number of
statements per batch named in the file.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    exists,
    select,
)
from sqlalchemy.orm import Session, aliased

from payments.returns import parse_returns_csv
from service.db.models_payments import (
    Payment,
    PaymentReturn,
    PaymentTransfer,
)
from service.errors import InvalidRequest
from service.security import contains_individual_number
from service.workflows.common import Actor, audit, require_role
from service.workflows.payments.batches import batch_statuses
from service.workflows.payments.ledger import FINANCE, any_id, audit_reversals, bulk_insert, release_months


def _reverse_returned(session: Session, actor: Actor, now: Any,
                      returned: dict[tuple[int, int], tuple[str, str]]) -> list[int]:
    """Reverse every live payment of the returned transfers (batch, payee) with the bank's reason: one read
    per batch (by the (batch, payee) index, never a join on the returns just inserted, which the planner
    cannot estimate) and one bulk insert (issue 15). The reversed amounts (negative yen)."""
    by_batch: dict[int, list[int]] = defaultdict(list)
    for batch_id, payee_id in returned:
        by_batch[batch_id].append(payee_id)
    reversal = aliased(Payment)
    rows: list[dict[str, Any]] = []
    for batch_id, payee_ids in sorted(by_batch.items()):
        for p in session.execute(
                select(Payment.id, Payment.payee_id, Payment.grant_id, Payment.case_id, Payment.benefit_month,
                       Payment.part, Payment.subsidy, Payment.amount_yen)
                .where(Payment.batch_id == batch_id, any_id(session, Payment.payee_id, payee_ids),
                       Payment.kind == "payment", ~exists().where(reversal.reverses_payment_id == Payment.id))
                .order_by(Payment.id)):
            code, reason = returned[(batch_id, p.payee_id)]
            rows.append({"kind": "reversal", "batch_id": batch_id, "payee_id": p.payee_id, "grant_id": p.grant_id,
                         "case_id": p.case_id, "benefit_month": p.benefit_month, "part": p.part,
                         "subsidy": p.subsidy, "amount_yen": -int(p.amount_yen), "reverses_payment_id": p.id,
                         "reason_code": code, "reason": reason, "created_by": actor.user_id, "created_at": now})
    session.flush()
    bulk_insert(session, Payment.__table__, rows)
    return [row["amount_yen"] for row in rows]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnsReport:
    imported: int
    already_imported: int
    reversed_payments: int
    reversed_yen: int


def _refuse_individual_numbers(rows: Any) -> None:
    """The 不能事由 is typed by a bank clerk and stored: a 個人番号 in it refuses the whole file (番号法 §19/§20),
    naming the line, as every other typed field of the service does."""
    for row in rows:
        if contains_individual_number(row.reason) or contains_individual_number(row.reason_code):
            raise InvalidRequest(f"line {row.line}: a 個人番号 (My Number) must never be sent or stored",
                                 code="individual_number", field=f"line {row.line}: reason")


def import_returns(session: Session, actor: Actor, data: bytes) -> ReturnsReport:
    """Import returned transfers (payments.returns CSV). Nothing is imported unless every line is
    good; a line imported before is skipped (idempotent). Set-based: a constant number of statements
    per batch named in the file, whatever the number of lines (issue 15)."""
    require_role(actor, FINANCE)
    parsed = parse_returns_csv(data)
    _refuse_individual_numbers(parsed.rows)
    problems: list[dict[str, Any]] = [{"line": p.line, "field": p.field, "message": p.message}
                                      for p in parsed.problems]
    pairs = sorted({(row.batch_id, row.customer_code) for row in parsed.rows})
    transfers: dict[tuple[int, int], tuple[int, int]] = {}
    imported: set[tuple[int, int]] = set()
    codes_by_batch: dict[int, list[int]] = defaultdict(list)
    for batch_id, code in pairs:
        codes_by_batch[batch_id].append(code)
    for batch_id, codes in codes_by_batch.items():  # two reads per batch named in the file
        for code, payee_id, amount in session.execute(
                select(PaymentTransfer.customer_code, PaymentTransfer.payee_id, PaymentTransfer.amount_yen)
                .where(PaymentTransfer.batch_id == batch_id, any_id(session, PaymentTransfer.customer_code, codes))):
            transfers[(batch_id, code)] = (payee_id, int(amount))
        imported.update((batch_id, c) for c in session.scalars(
            select(PaymentReturn.customer_code)
            .where(PaymentReturn.batch_id == batch_id, any_id(session, PaymentReturn.customer_code, codes))))
    statuses = batch_statuses(session, {b for b, _ in pairs}) if pairs else {}
    todo: list[tuple[Any, int]] = []
    already = 0
    for row in parsed.rows:
        key = (row.batch_id, row.customer_code)
        found = transfers.get(key)
        if found is None:
            problems.append({"line": row.line, "field": "customer_code",
                             "message": f"支払バッチ #{row.batch_id} に振込番号 {row.customer_code} の振込はありません。"})
            continue
        if statuses.get(row.batch_id) not in ("exported", "settled"):
            problems.append({"line": row.line, "field": "batch_id",
                             "message": f"支払バッチ #{row.batch_id} は全銀ファイルを出力していません。"})
            continue
        if row.amount_yen != found[1]:
            problems.append({"line": row.line, "field": "amount_yen",
                             "message": f"この振込の金額は {found[1]:,}円です（{row.amount_yen:,}円ではありません）。"})
            continue
        if key in imported:
            already += 1
            continue
        imported.add(key)
        todo.append((row, found[0]))
    if problems:
        first = problems[0]
        raise InvalidRequest(f"{first['line']}行目: {first['message']}（取り込んでいません）", code="returns_invalid",
                             field=first["field"], details=problems)
    now = actor.clock.now()
    bulk_insert(session, PaymentReturn.__table__, [
        {"batch_id": row.batch_id, "customer_code": row.customer_code, "payee_id": payee_id,
         "amount_yen": row.amount_yen, "reason_code": row.reason_code, "reason": row.reason,
         "imported_by": actor.user_id, "imported_at": now} for row, payee_id in todo])
    batch_ids = sorted({row.batch_id for row, _ in todo})
    count = amount = 0
    if batch_ids:
        amounts = _reverse_returned(session, actor, now, {(row.batch_id, payee_id): (row.reason_code, row.reason)
                                                          for row, payee_id in todo})
        count, amount = len(amounts), sum(amounts)
        release_months(session, batch_ids)
        audit_reversals(session, actor, batch_ids, now, "returned")
    audit(session, actor, "payment.returns_import", detail={"imported": len(todo), "already_imported": already,
                                                            "reversed_payments": int(count)})
    return ReturnsReport(imported=len(todo), already_imported=already, reversed_payments=int(count),
                         reversed_yen=-int(amount))

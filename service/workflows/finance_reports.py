"""Finance exports (pandas, via ``payments.reports``) and the monthly statistics for the national report.

Every money column is an ``int64`` of yen, checked before writing (architecture.md §4.5).
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from payments import reports
from payments.bank_calendar import parse_benefit_month
from service.db.models import Application, Decision, DecisionReview
from service.db.models_payments import Payment, PaymentBatch, PaymentBatchEvent
from service.errors import InvalidRequest
from service.workflows.common import Actor, audit, require_role
from service.workflows.payments import FINANCE, batch_payment_rows, load_batch
from service.workflows.receivables import receivables


def payment_list_bytes(session: Session, actor: Actor, batch_id: int, fmt: str = "csv") -> bytes:
    """The batch's payment list as CSV (UTF-8 with BOM) or XLSX."""
    require_role(actor, FINANCE)
    frame = reports.payment_list_frame(batch_payment_rows(session, batch_id))
    audit(session, actor, "finance.export", target=f"payment_batch:{batch_id}", detail={"file": f"payments.{fmt}"})
    return _bytes(frame, fmt)


def _bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "xlsx":
        reports.write_xlsx(frame, buffer)
    else:
        reports.write_csv(frame, buffer)
    return buffer.getvalue()


def month_payment_rows(session: Session, benefit_month: str) -> list[dict[str, Any]]:
    """Live payments (not reversed, not in a cancelled batch) of the batches of a benefit month."""
    from service.workflows.payments import _live_payment_filter, case_reference

    cancelled = select(PaymentBatchEvent.batch_id).where(PaymentBatchEvent.event == "cancelled")
    rows = session.execute(
        select(Payment.payee_id, Payment.case_id, Payment.grant_id, Payment.benefit_month, Payment.subsidy,
               Payment.part, Payment.amount_yen)
        .join(PaymentBatch, PaymentBatch.id == Payment.batch_id)
        .where(PaymentBatch.benefit_month == benefit_month, PaymentBatch.id.not_in(cancelled),
               _live_payment_filter())
        .order_by(Payment.id)
    ).all()
    return [{"payee_id": str(p), "case_id": c, "case_reference": case_reference(c), "grant_id": g,
             "benefit_month": m, "subsidy": s, "kind": k, "amount_yen": int(a)} for p, c, g, m, s, k, a in rows]


def receivables_frame(session: Session, actor: Actor) -> pd.DataFrame:
    claims = receivables(session, actor)
    frame = reports.receivables_frame([{"debtor": r.debtor, "claimed_yen": r.claimed_yen,
                                        "received_yen": r.received_yen} for r in claims])
    frame.insert(0, "case_reference", [r.case_reference for r in claims])
    frame.insert(0, "claim_id", [r.claim_id for r in claims])
    frame["cause"] = [r.cause for r in claims]
    frame["overdue_yen"] = pd.Series([r.overdue_yen for r in claims], dtype="int64")
    frame["refund_due_yen"] = pd.Series([r.refund_due_yen for r in claims], dtype="int64")  # a corrected claim
    reports.assert_integer_money(frame)
    return frame


def export_finance_files(session: Session, actor: Actor, batch_id: int, directory: Path | str) -> list[Path]:
    """Write the batch's finance files into ``directory``: the payment list (CSV + XLSX), the month's
    totals by payee and by subsidy, and the receivables (CSV + XLSX). Returns the paths written."""
    require_role(actor, FINANCE)
    batch = load_batch(session, batch_id)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{batch.benefit_month}_batch{batch.id:06d}"
    payment_list = reports.payment_list_frame(batch_payment_rows(session, batch_id))
    month_rows = month_payment_rows(session, batch.benefit_month)
    frames: list[tuple[str, pd.DataFrame]] = [
        (f"payments_{stem}.csv", payment_list),
        (f"payments_{stem}.xlsx", payment_list),
        (f"totals_by_payee_{batch.benefit_month}.csv", reports.monthly_totals_by_payee(month_rows)),
        (f"totals_by_subsidy_{batch.benefit_month}.csv", reports.monthly_totals_by_subsidy(month_rows)),
        ("receivables.csv", receivables_frame(session, actor)),
        ("receivables.xlsx", receivables_frame(session, actor)),
    ]
    written = []
    for name, frame in frames:
        path = out / name
        if name.endswith(".xlsx"):
            reports.write_xlsx(frame, path)
        else:
            reports.write_csv(frame, path)
        written.append(path)
    audit(session, actor, "finance.export", target=f"payment_batch:{batch.id}",
          detail={"files": [p.name for p in written]})
    return written


def _month_bounds(month: str) -> tuple[datetime, datetime]:
    try:
        year, number = parse_benefit_month(month)
    except ValueError as error:
        raise InvalidRequest(str(error), field="month") from error
    start = datetime(year, number, 1, tzinfo=UTC)
    end = datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=UTC)
    return start, end


def monthly_statistics(session: Session, actor: Actor, month: str) -> pd.DataFrame:
    """The national-report figures of a month: applications, decisions by kind, payments (count and
    yen, by subsidy; returns separately), stops by cause. Columns: month, section, item, count, amount_yen."""
    require_role(actor, FINANCE)
    start, end = _month_bounds(month)
    rows: list[dict[str, Any]] = []

    def add(section: str, item: str, count: int, amount: int = 0) -> None:
        rows.append({"month": month, "section": section, "item": item, "count": int(count), "amount_yen": int(amount)})

    for benefit, kind, count in session.execute(
        select(Application.benefit, Application.kind, func.count())
        .where(Application.submitted_at >= start, Application.submitted_at < end)
        .group_by(Application.benefit, Application.kind).order_by(Application.benefit, Application.kind)
    ).all():
        add("applications", f"{benefit}.{kind}", count)
    approved = (select(Decision.kind, Decision.params)
                .join(DecisionReview, DecisionReview.decision_id == Decision.id)
                .where(DecisionReview.outcome == "approved", DecisionReview.reviewed_at >= start,
                       DecisionReview.reviewed_at < end))
    decisions = session.execute(approved).all()
    for kind, count in sorted(Counter(kind for kind, _ in decisions).items()):
        add("decisions", kind, count)
    for cause, count in sorted(Counter(str(p.get("cause")) for k, p in decisions if k == "stop").items()):
        add("stops", cause, count)
    cancelled = select(PaymentBatchEvent.batch_id).where(PaymentBatchEvent.event == "cancelled")
    for subsidy, kind, count, amount in session.execute(
        select(Payment.subsidy, Payment.kind, func.count(), func.coalesce(func.sum(Payment.amount_yen), 0))
        .join(PaymentBatch, PaymentBatch.id == Payment.batch_id)
        .where(PaymentBatch.benefit_month == month, PaymentBatch.id.not_in(cancelled))
        .group_by(Payment.subsidy, Payment.kind).order_by(Payment.subsidy, Payment.kind)
    ).all():
        add("payments" if kind == "payment" else "returned", subsidy, count, abs(int(amount)))
    frame = pd.DataFrame(rows, columns=["month", "section", "item", "count", "amount_yen"])
    frame["count"] = frame["count"].astype("int64")
    frame["amount_yen"] = frame["amount_yen"].astype("int64")
    reports.assert_integer_money(frame)
    return frame


def monthly_statistics_csv(session: Session, actor: Actor, month: str) -> bytes:
    frame = monthly_statistics(session, actor, month)
    audit(session, actor, "statistics.export", target=f"month:{month}")
    return _bytes(frame, "csv")

"""Finance exports (pandas, via ``payments.reports``), the batch's transfer list, and the monthly
statistics for the national report.

Every money column is an ``int64`` of yen, checked before writing (architecture.md §4.5).

The 支払一覧 comes in two layouts (README «Finance exports»): ``ja`` for people (Japanese headers and
labels, the account of each transfer, a 合計 row, Japanese sheet names) and ``machine`` for
integrations (the English column ids and codes of :data:`payments.reports.PAYMENT_LIST_COLUMNS`,
kept stable). Both are audited reads of personal data.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from payments import labels, reports
from payments.bank_calendar import parse_benefit_month
from service.db.models import Application, AppUser, BenefitGrant, Decision, DecisionReview
from service.db.models_payments import Payment, PaymentBatch, PaymentBatchEvent, PaymentTransfer
from service.errors import InvalidRequest
from service.workflows.common import Actor, audit, require_role
from service.workflows.payments import FINANCE, batch_dict, batch_payment_rows, case_reference, load_batch
from service.workflows.receivables import receivables

LAYOUTS = ("ja", "machine")

#: The people's 支払一覧: column id → Japanese header (one row per ledger payment).
PAYMENT_LIST_JA = reports.Layout(headers={
    "pay_date": "振込指定日", "customer_code": "振込番号（顧客コード）", "payee_name": "支払先",
    "bank_code": "金融機関コード", "bank_name": "金融機関名", "branch_code": "支店コード", "branch_name": "支店名",
    "account_type": "預金種目", "account_number": "口座番号", "holder_name": "口座名義（カナ）",
    "case_reference": "ケース番号", "recipient_name": "受給者氏名", "benefit_month": "支給対象月",
    "subsidy": "補助の種類", "kind": "内訳", "amount_yen": "金額（円）"}, total_label="合計（{count}件）")

#: The people's per-transfer sheet (one row per 振込 = one data record of the 全銀 file).
TRANSFERS_JA = reports.Layout(headers={
    "customer_code": "振込番号（顧客コード）", "payee_name": "支払先", "bank_code": "金融機関コード",
    "bank_name": "金融機関名", "branch_code": "支店コード", "branch_name": "支店名", "account_type": "預金種目",
    "account_number": "口座番号", "holder_name": "口座名義（カナ）", "line_count": "支払件数",
    "amount_yen": "振込金額（円）"}, total_label="合計（{count}件）")

PAYMENT_LIST_SHEET = "支払一覧"
TRANSFERS_SHEET = "振込先別合計"


def _check_layout(layout: str) -> None:
    if layout not in LAYOUTS:
        raise InvalidRequest(f"layout must be one of {', '.join(LAYOUTS)}", field="layout")


def payment_list_bytes(session: Session, actor: Actor, batch_id: int, fmt: str = "csv",
                       layout: str = "machine") -> bytes:
    """The batch's payment list as CSV (UTF-8 with BOM) or XLSX, in the ``ja`` or ``machine`` layout."""
    require_role(actor, FINANCE)
    _check_layout(layout)
    if fmt not in ("csv", "xlsx"):
        raise InvalidRequest("format must be csv or xlsx", field="format")
    buffer = io.BytesIO()
    created = load_batch(session, batch_id).created_at  # the workbook's date: the batch's, never the clock
    if layout == "machine":
        frame = reports.payment_list_frame(batch_payment_rows(session, batch_id) + _machine_refund_rows(session, batch_id))
        if fmt == "xlsx":
            reports.write_xlsx(frame, buffer, created=created)
        else:
            reports.write_csv(frame, buffer)
    else:
        lines = payment_list_ja_frame(session, batch_id)
        if fmt == "xlsx":
            reports.write_xlsx_sheets([
                reports.SheetSpec(PAYMENT_LIST_SHEET, lines, PAYMENT_LIST_JA),
                reports.SheetSpec(TRANSFERS_SHEET, transfers_ja_frame(session, batch_id), TRANSFERS_JA)], buffer,
                created=created)
        else:
            reports.write_csv(lines, buffer, layout=PAYMENT_LIST_JA)
    audit(session, actor, "finance.export", target=f"payment_batch:{batch_id}",
          detail={"file": f"payments.{fmt}", "layout": layout})
    return buffer.getvalue()


def _bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "xlsx":
        reports.write_xlsx(frame, buffer)
    else:
        reports.write_csv(frame, buffer)
    return buffer.getvalue()


def _machine_refund_rows(session: Session, batch_id: int) -> list[dict[str, Any]]:
    """Refunds (還付) paid in the batch, as machine rows (``subsidy`` and ``kind`` ``refund``, no month), so
    the list adds up to the file."""
    from service.workflows.payments.refunds import batch_refund_lines

    batch = load_batch(session, batch_id)
    names = dict(session.execute(select(PaymentTransfer.customer_code, PaymentTransfer.payee_name)
                                 .where(PaymentTransfer.batch_id == batch_id)).all())
    return [{"payee_name": names.get(r["customer_code"], ""), "pay_date": batch.pay_date.isoformat(),
             "payee_id": str(r["payee_id"]), "case_id": r["case_id"], "case_reference": case_reference(r["case_id"]),
             "grant_id": r["grant_id"], "benefit_month": "", "subsidy": "refund", "kind": "refund",
             "amount_yen": r["amount_yen"]} for r in batch_refund_lines(session, batch_id)]


def _applicant_name() -> Any:
    return Application.intake["applicant"]["name"].as_string()


def _line_rows(session: Session, batch_id: int, *, customer_codes: tuple[int, int] | None = None) -> list[Any]:
    """The batch's ledger payments with the transfer (account snapshot of the run) and the applicant's
    name, in file order (customer code), then case, month and part."""
    stmt = (
        select(PaymentTransfer.customer_code, PaymentTransfer.payee_id, PaymentTransfer.payee_name,
               PaymentTransfer.bank_code, PaymentTransfer.branch_code, PaymentTransfer.account_type,
               PaymentTransfer.account_number, PaymentTransfer.holder_name, Payment.case_id, Payment.grant_id,
               Payment.benefit_month, Payment.subsidy, Payment.part, Payment.amount_yen,
               _applicant_name().label("recipient_name"))
        .join(PaymentTransfer, and_(PaymentTransfer.batch_id == Payment.batch_id,
                                    PaymentTransfer.payee_id == Payment.payee_id))
        .join(BenefitGrant, BenefitGrant.id == Payment.grant_id)
        .join(Application, Application.id == BenefitGrant.application_id)
        .where(Payment.batch_id == batch_id, Payment.kind == "payment")
        .order_by(PaymentTransfer.customer_code, Payment.case_id, Payment.benefit_month, Payment.part, Payment.id))
    if customer_codes is not None:
        stmt = stmt.where(PaymentTransfer.customer_code.between(*customer_codes))
    return list(session.execute(stmt).all())


def payment_list_ja_frame(session: Session, batch_id: int) -> pd.DataFrame:
    """The 支払一覧 for people: one row per payment with the transfer's account and Japanese labels."""
    batch = load_batch(session, batch_id)
    pay_date = batch.pay_date.isoformat()
    rows = [{
        "pay_date": pay_date, "customer_code": int(r.customer_code), "payee_name": r.payee_name,
        "bank_code": r.bank_code, "bank_name": labels.bank_name(r.bank_code), "branch_code": r.branch_code,
        "branch_name": labels.branch_name(r.bank_code, r.branch_code),
        "account_type": labels.label(labels.ACCOUNT_TYPE, r.account_type), "account_number": r.account_number,
        "holder_name": r.holder_name, "case_reference": case_reference(r.case_id),
        "recipient_name": r.recipient_name or "", "benefit_month": r.benefit_month,
        "subsidy": labels.label(labels.SUBSIDY, r.subsidy), "kind": labels.label(labels.PART, r.part),
        "amount_yen": int(r.amount_yen)} for r in _line_rows(session, batch_id)]
    rows += _ja_refund_rows(session, batch_id, pay_date)
    rows.sort(key=lambda row: row["customer_code"])  # stable: file order, then the ledger's order
    return _typed_frame(rows, list(PAYMENT_LIST_JA.headers), ints=("customer_code",))


def _ja_refund_rows(session: Session, batch_id: int, pay_date: str) -> list[dict[str, Any]]:
    from service.workflows.payments.refunds import batch_refund_lines

    refunds = batch_refund_lines(session, batch_id)
    if not refunds:
        return []
    transfers = {t.customer_code: t for t in session.scalars(
        select(PaymentTransfer).where(PaymentTransfer.batch_id == batch_id,
                                      PaymentTransfer.customer_code.in_([r["customer_code"] for r in refunds])))}
    rows = []
    for r in refunds:
        t = transfers[r["customer_code"]]
        rows.append({
            "pay_date": pay_date, "customer_code": t.customer_code, "payee_name": t.payee_name,
            "bank_code": t.bank_code, "bank_name": labels.bank_name(t.bank_code), "branch_code": t.branch_code,
            "branch_name": labels.branch_name(t.bank_code, t.branch_code),
            "account_type": labels.label(labels.ACCOUNT_TYPE, t.account_type), "account_number": t.account_number,
            "holder_name": t.holder_name, "case_reference": case_reference(r["case_id"]),
            "recipient_name": r["recipient_name"], "benefit_month": "",
            "subsidy": labels.label(labels.SUBSIDY, "refund"), "kind": labels.label(labels.PART, "refund"),
            "amount_yen": r["amount_yen"]})
    return rows


def transfers_ja_frame(session: Session, batch_id: int) -> pd.DataFrame:
    """One row per transfer (data record of the file), with its account and amount."""
    transfers = session.scalars(select(PaymentTransfer).where(PaymentTransfer.batch_id == batch_id)
                                .order_by(PaymentTransfer.customer_code)).all()
    rows = [{
        "customer_code": t.customer_code, "payee_name": t.payee_name, "bank_code": t.bank_code,
        "bank_name": labels.bank_name(t.bank_code), "branch_code": t.branch_code,
        "branch_name": labels.branch_name(t.bank_code, t.branch_code),
        "account_type": labels.label(labels.ACCOUNT_TYPE, t.account_type), "account_number": t.account_number,
        "holder_name": t.holder_name, "line_count": t.line_count, "amount_yen": int(t.amount_yen)}
        for t in transfers]
    return _typed_frame(rows, list(TRANSFERS_JA.headers), ints=("customer_code", "line_count"))


def _typed_frame(rows: list[dict[str, Any]], columns: list[str], ints: tuple[str, ...] = ()) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series([r[name] for r in rows],
                                          dtype="int64" if name.endswith("_yen") or name in ints else "object")
                          for name in columns}, columns=columns)
    reports.assert_integer_money(frame)
    return frame


# --- the batch's transfers, for the screen and the API (before approval) -------------------------

TRANSFER_PAGE = 200


def batch_transfers(session: Session, actor: Actor, batch_id: int, *, limit: int = TRANSFER_PAGE,
                    offset: int = 0) -> dict[str, Any]:
    """Every transfer of a batch as the approver checks it (issue 14 item 3, PD17): payee, bank and
    branch names beside the codes, the account number masked, the cases (applicants' names) and
    months with their amounts; totals of the whole batch. Paged by transfer (``limit``/``offset``);
    an audited read of personal data."""
    require_role(actor, FINANCE)
    batch = load_batch(session, batch_id)
    if limit < 1 or limit > 1000:
        raise InvalidRequest("limit must be 1 to 1000", field="limit")
    if offset < 0:
        raise InvalidRequest("offset must be 0 or more", field="offset")
    transfers = session.scalars(select(PaymentTransfer).where(PaymentTransfer.batch_id == batch_id)
                                .order_by(PaymentTransfer.customer_code).limit(limit).offset(offset)).all()
    by_code: dict[int, dict[str, Any]] = {}
    for t in transfers:
        by_code[t.customer_code] = {
            "customer_code": t.customer_code, "payee_id": t.payee_id, "payee_name": t.payee_name,
            "bank_code": t.bank_code, "bank_name": labels.bank_name(t.bank_code),
            "branch_code": t.branch_code, "branch_name": labels.branch_name(t.bank_code, t.branch_code),
            "account_type": t.account_type, "account_type_label": labels.label(labels.ACCOUNT_TYPE, t.account_type),
            "account_number_masked": labels.mask_account_number(t.account_number), "holder_name": t.holder_name,
            "new_code": t.new_code, "amount_yen": int(t.amount_yen), "line_count": t.line_count, "lines": []}
    if by_code:
        for r in _line_rows(session, batch_id, customer_codes=(min(by_code), max(by_code))):
            if r.customer_code in by_code:
                by_code[r.customer_code]["lines"].append({
                    "case_id": r.case_id, "case_reference": case_reference(r.case_id),
                    "recipient_name": r.recipient_name or "", "grant_id": r.grant_id,
                    "benefit_month": r.benefit_month, "subsidy": r.subsidy,
                    "subsidy_label": labels.label(labels.SUBSIDY, r.subsidy), "part": r.part,
                    "part_label": labels.label(labels.PART, r.part), "amount_yen": int(r.amount_yen)})
    from service.workflows.payments.refunds import batch_refund_lines

    refunds = batch_refund_lines(session, batch_id)
    for r in refunds:
        if r["customer_code"] in by_code:
            by_code[r["customer_code"]]["lines"].append({
                "case_id": r["case_id"], "case_reference": case_reference(r["case_id"]),
                "recipient_name": r["recipient_name"], "grant_id": r["grant_id"], "benefit_month": "",
                "subsidy": "refund", "subsidy_label": labels.label(labels.SUBSIDY, "refund"), "part": "refund",
                "part_label": labels.label(labels.PART, "refund"), "amount_yen": r["amount_yen"],
                "refund_order_id": r["order_id"]})
    by_subsidy = {subsidy: {"payment_count": int(count), "amount_yen": int(amount)}
                  for subsidy, count, amount in session.execute(
                      select(Payment.subsidy, func.count(), func.coalesce(func.sum(Payment.amount_yen), 0))
                      .where(Payment.batch_id == batch_id, Payment.kind == "payment")
                      .group_by(Payment.subsidy).order_by(Payment.subsidy)).all()}
    if refunds:
        by_subsidy["refund"] = {"payment_count": len(refunds), "amount_yen": sum(r["amount_yen"] for r in refunds)}
    ledger_total = sum(v["amount_yen"] for v in by_subsidy.values())
    audit(session, actor, "payment_batch.transfers_read", target=f"payment_batch:{batch.id}",
          detail={"offset": offset, "transfers": len(by_code)})
    return {"batch": batch_view(session, batch), "limit": limit, "offset": offset,
            "transfer_count": batch.transfer_count, "payment_count": batch.payment_count,
            "total_yen": batch.total_yen, "by_subsidy": by_subsidy,
            "totals_agree": ledger_total == batch.total_yen,
            "transfers": [by_code[code] for code in sorted(by_code)]}


def user_names(session: Session, user_ids: set[int | None]) -> dict[int, str]:
    """Who did it, by name (the user's login name), for histories."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    rows = session.execute(select(AppUser.id, AppUser.username).where(AppUser.id.in_(ids))).all()
    return {int(uid): str(name) for uid, name in rows}


def batch_view(session: Session, batch: PaymentBatch) -> dict[str, Any]:
    """``batch_dict`` with people's names: who prepared it and who did each event."""
    view = batch_dict(session, batch)
    names = user_names(session, {view["prepared_by"], *(e["user_id"] for e in view["events"])})
    view["prepared_by_name"] = names.get(view["prepared_by"] or 0, "")
    for event in view["events"]:
        event["user_name"] = names.get(event["user_id"] or 0, "システム" if event["user_id"] is None else "")
    return view


def month_payment_rows(session: Session, benefit_month: str) -> list[dict[str, Any]]:
    """Live payments (not reversed, not in a cancelled batch) of the batches of a benefit month."""
    from service.workflows.payments import case_reference, live_payment_filter

    cancelled = select(PaymentBatchEvent.batch_id).where(PaymentBatchEvent.event == "cancelled")
    rows = session.execute(
        select(Payment.payee_id, Payment.case_id, Payment.grant_id, Payment.benefit_month, Payment.subsidy,
               Payment.part, Payment.amount_yen)
        .join(PaymentBatch, PaymentBatch.id == Payment.batch_id)
        .where(PaymentBatch.benefit_month == benefit_month, PaymentBatch.id.not_in(cancelled),
               live_payment_filter())
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
    """Write the batch's finance files into ``directory``: the payment list (CSV + XLSX, the machine
    layout; ``payment_list_ja_*`` the people's layout), the month's totals by payee and by subsidy, and
    the receivables (CSV + XLSX). Returns the paths written."""
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
        (f"payment_list_ja_{stem}.csv", payment_list_ja_frame(session, batch_id)),
        (f"totals_by_payee_{batch.benefit_month}.csv", reports.monthly_totals_by_payee(month_rows)),
        (f"totals_by_subsidy_{batch.benefit_month}.csv", reports.monthly_totals_by_subsidy(month_rows)),
        ("receivables.csv", receivables_frame(session, actor)),
        ("receivables.xlsx", receivables_frame(session, actor)),
    ]
    written = []
    for name, frame in frames:
        path = out / name
        layout = PAYMENT_LIST_JA if name.startswith("payment_list_ja_") else None
        if name.endswith(".xlsx"):
            reports.write_xlsx(frame, path, created=batch.created_at)
        else:
            reports.write_csv(frame, path, layout=layout)
        written.append(path)
    ja_xlsx = out / f"payment_list_ja_{stem}.xlsx"
    reports.write_xlsx_sheets([
        reports.SheetSpec(PAYMENT_LIST_SHEET, payment_list_ja_frame(session, batch_id), PAYMENT_LIST_JA),
        reports.SheetSpec(TRANSFERS_SHEET, transfers_ja_frame(session, batch_id), TRANSFERS_JA)], ja_xlsx,
        created=batch.created_at)
    written.append(ja_xlsx)
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

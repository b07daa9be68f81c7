"""The batch state machine (PD17, PD31, issue 15): approve, export (the 全銀 file), settle, cancel.

Every transition names the batch's latest event, which only one transition can do (and on PostgreSQL
the batch is locked for the transaction): two transitions at once never both succeed, the loser gets
409. An exported batch is never cancelled; its file is stored byte for byte with its SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    String,
    Text,
    and_,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from payments.bank_calendar import is_bank_business_day, next_bank_business_day
from payments.payees import Payee as PayeeData
from payments.payees import transfer_for_payee
from payments.zengin import NewCode, TransferFileError, render_transfer_file
from payments.zengin_validator import validate_transfer_file
from service.db.models import (
    BenefitMonth,
)
from service.db.models_payments import (
    Payee,
    Payment,
    PaymentBatch,
    PaymentBatchEvent,
    PaymentFile,
    PaymentTransfer,
)
from service.errors import Conflict, Forbidden, InvalidRequest, NotFound, RuleViolation
from service.payments_config import OriginatorSettings, get_originator_settings
from service.workflows.common import Actor, audit, require_role
from service.workflows.payments.ledger import (
    CANCELLED_REASON,
    FINANCE,
    REVERSAL_COLUMNS,
    audit_reversals,
    case_reference,
    live_payment_filter,
    mark_months_paid,
    reversal_select,
    without_gc_pauses,
)


def ledger_month_statuses(session: Session, grant_id: int) -> dict[str, str]:
    """PD31 as the clock shows it: a rent month whose live payment is in an open batch (draft or
    approved) is ``in_batch``; one in a settled batch is ``settled`` (else the clock's own status)."""
    rows = session.execute(
        select(Payment.benefit_month, Payment.batch_id)
        .where(Payment.grant_id == grant_id, Payment.part == "rent", live_payment_filter())).all()
    if not rows:
        return {}
    statuses = batch_statuses(session, {batch_id for _, batch_id in rows})
    shown = {"draft": "in_batch", "approved": "in_batch", "settled": "settled"}
    return {month: shown[statuses[batch_id]] for month, batch_id in rows if statuses[batch_id] in shown}


#: PostgreSQL advisory lock namespace of batch transitions ("HBPB"); the second key is the batch id.
BATCH_LOCK_NAMESPACE = 0x48425042
#: What each transition needs the batch to be (PD31: an exported batch is never cancelled).
TRANSITIONS = {"approved": ("draft",), "exported": ("approved",), "settled": ("exported",),
               "cancelled": ("draft", "approved")}
_STATUS_JA = {"draft": "決裁待ち", "approved": "決裁済み", "exported": "全銀ファイル出力済み", "settled": "振込完了",
              "cancelled": "取消済み"}
_EVENT_JA = {"approved": "決裁", "exported": "全銀ファイル出力", "settled": "振込完了の記録", "cancelled": "取消"}


def load_batch(session: Session, batch_id: int) -> PaymentBatch:
    batch = session.get(PaymentBatch, batch_id)
    if batch is None:
        raise NotFound(f"payment batch {batch_id} not found", field="batch_id")
    return batch


def _latest_event(session: Session, batch_id: int) -> tuple[int | None, str]:
    row = session.execute(select(PaymentBatchEvent.id, PaymentBatchEvent.event)
                          .where(PaymentBatchEvent.batch_id == batch_id)
                          .order_by(PaymentBatchEvent.id.desc()).limit(1)).first()
    if row is None:
        return None, "draft"
    return int(row[0]), "draft" if row[1] == "created" else str(row[1])


def batch_status(session: Session, batch_id: int) -> str:
    return _latest_event(session, batch_id)[1]


def batch_statuses(session: Session, batch_ids: Iterable[int]) -> dict[int, str]:
    """The status of many batches in one read."""
    ids = sorted(set(batch_ids))
    latest = (select(PaymentBatchEvent.batch_id, func.max(PaymentBatchEvent.id).label("event_id"))
              .where(PaymentBatchEvent.batch_id.in_(ids)).group_by(PaymentBatchEvent.batch_id).subquery())
    rows = session.execute(select(PaymentBatchEvent.batch_id, PaymentBatchEvent.event)
                           .join(latest, latest.c.event_id == PaymentBatchEvent.id)).all()
    found = {int(b): ("draft" if e == "created" else str(e)) for b, e in rows}
    return {b: found.get(b, "draft") for b in ids}


def effective_pay_date(session: Session, batch: PaymentBatch) -> date:
    """The 振込指定日 in the file: the one finance chose at export, else the PD18 date of the run."""
    detail = session.scalar(select(PaymentBatchEvent.detail).where(PaymentBatchEvent.batch_id == batch.id,
                                                                   PaymentBatchEvent.event == "exported"))
    chosen = (detail or {}).get("pay_date")
    return date.fromisoformat(chosen) if chosen else batch.pay_date


def batch_dict(session: Session, batch: PaymentBatch) -> dict[str, Any]:
    events = session.scalars(select(PaymentBatchEvent).where(PaymentBatchEvent.batch_id == batch.id)
                             .order_by(PaymentBatchEvent.id)).all()
    file = session.execute(
        select(PaymentFile.filename, PaymentFile.sha256, PaymentFile.record_count, PaymentFile.total_yen)
        .where(PaymentFile.batch_id == batch.id)).first()
    status = "draft"
    chosen: str | None = None
    for e in events:
        status = "draft" if e.event == "created" else e.event
        if e.event == "exported":
            chosen = (e.detail or {}).get("pay_date")
    return {"id": batch.id, "benefit_month": batch.benefit_month, "run_number": batch.run_number,
            "pay_date": chosen or batch.pay_date.isoformat(), "scheduled_pay_date": batch.pay_date.isoformat(),
            "status": status,
            "payment_count": batch.payment_count, "transfer_count": batch.transfer_count,
            "total_yen": batch.total_yen, "prepared_by": batch.prepared_by,
            "excluded": batch.report.get("excluded", []),
            "events": [{"event": e.event, "user_id": e.user_id, "at": e.at.isoformat(), "detail": e.detail}
                       for e in events],
            "file": None if file is None or status == "cancelled" else {
                "filename": file.filename, "sha256": file.sha256, "record_count": file.record_count,
                "total_yen": file.total_yen}}


def list_batches(session: Session, actor: Actor, *, benefit_month: str | None = None) -> list[dict[str, Any]]:
    require_role(actor, FINANCE)
    stmt = select(PaymentBatch).order_by(PaymentBatch.id)
    if benefit_month is not None:
        stmt = stmt.where(PaymentBatch.benefit_month == benefit_month)
    return [batch_dict(session, b) for b in session.scalars(stmt)]


def get_batch(session: Session, actor: Actor, batch_id: int) -> dict[str, Any]:
    require_role(actor, FINANCE)
    return batch_dict(session, load_batch(session, batch_id))


@dataclass(frozen=True, slots=True)
class _Transition:
    batch: PaymentBatch
    event: str
    previous_event_id: int | None


def _begin(session: Session, batch_id: int, event: str) -> _Transition:
    """Start a transition (PD31, issue 15): on PostgreSQL the batch is locked for the rest of the
    transaction (a second transition waits, then sees the new state and gets 409); everywhere the new
    event names the current latest one, which the database lets only one event do."""
    batch = load_batch(session, batch_id)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:namespace, :batch)"),
                        {"namespace": BATCH_LOCK_NAMESPACE, "batch": batch.id})
    previous_id, status = _latest_event(session, batch.id)
    allowed = TRANSITIONS[event]
    if status not in allowed:
        hint = "（振込済みの資金は返還請求または組戻しで回収します）" if event == "cancelled" and status in (
            "exported", "settled") else ""
        raise Conflict(f"支払バッチ #{batch.id} は{_STATUS_JA.get(status, status)}のため{_EVENT_JA[event]}できません"
                       f"{hint}。画面を再読み込みしてください。(payment batch {batch.id} is {status}; "
                       f"this needs {' or '.join(allowed)})", code="batch_state", field="batch_id")
    return _Transition(batch, event, previous_id)


def _finish(session: Session, actor: Actor, step: _Transition, detail: dict[str, Any]) -> None:
    """Record the transition's event (it names the state it leaves; only one event can)."""
    session.add(PaymentBatchEvent(batch_id=step.batch.id, event=step.event, user_id=actor.user_id,
                                  at=actor.clock.now(), detail=detail, previous_event_id=step.previous_event_id))
    try:
        session.flush()
    except IntegrityError as error:
        raise Conflict(f"支払バッチ #{step.batch.id} は他の職員が同時に更新しました。画面を再読み込みしてください。"
                       f"(payment batch {step.batch.id} was changed by someone else just now)",
                       code="concurrent_modification", field="batch_id") from error
    audit(session, actor, f"payment_batch.{step.event}", target=f"payment_batch:{step.batch.id}", detail=detail)


def approve_batch(session: Session, actor: Actor, batch_id: int) -> PaymentBatch:
    """決裁 of a draft batch by a finance user who did not prepare it (PD17)."""
    require_role(actor, FINANCE)
    step = _begin(session, batch_id, "approved")
    batch = step.batch
    if batch.prepared_by == actor.user_id:
        raise Forbidden("the person who prepared a payment batch cannot approve it (PD17)", code="two_person_rule")
    _finish(session, actor, step, {"payment_count": batch.payment_count, "total_yen": batch.total_yen})
    return batch


@dataclass(frozen=True, slots=True)
class ExportedFile:
    content: bytes
    sha256: str
    filename: str
    record_count: int = 0
    total_yen: int = 0


def check_pay_date(actor: Actor, chosen: date) -> None:
    """A 振込指定日 is a bank business day, not before the office's today (issue 15), and within a year
    (the file holds only MMDD)."""
    today = actor.clock.today()
    if chosen < today:
        nearest = next_bank_business_day(today)
        raise InvalidRequest(f"振込指定日 {chosen.isoformat()} は過ぎています（本日 {today.isoformat()}）。"
                             f"次の銀行営業日（{nearest.isoformat()}）以降の日を振込指定日に指定して出力してください。"
                             f"(pay date {chosen} is in the past; choose {nearest} or later)",
                             code="pay_date_past", field="pay_date")
    if not is_bank_business_day(chosen):
        raise InvalidRequest(f"振込指定日 {chosen.isoformat()} は銀行の休業日です。"
                             f"{next_bank_business_day(chosen).isoformat()} など銀行営業日を指定してください。",
                             code="pay_date_not_business_day", field="pay_date")
    if chosen > today + timedelta(days=365):
        raise InvalidRequest(f"振込指定日 {chosen.isoformat()} は1年以上先です。", code="pay_date_too_late",
                             field="pay_date")


def suggested_pay_date(actor: Actor, scheduled: date) -> date:
    """The 振込指定日 to offer finance: the run's PD18 date, or the next bank business day once it passed."""
    return max(scheduled, next_bank_business_day(actor.clock.today()))


@without_gc_pauses
def export_batch(session: Session, actor: Actor, batch_id: int, *, pay_date: date | None = None,
                 settings: OriginatorSettings | None = None) -> ExportedFile:
    """Write the approved batch's 総合振込 file (zengin.md), once: the bytes are stored with their SHA-256
    and the batch is exported (PD31: its months are paid). ``pay_date`` is finance's 振込指定日 (default
    the run's PD18 date); it must be a bank business day, not in the past. A second export is a 409;
    :func:`download_file` returns the stored bytes."""
    require_role(actor, FINANCE)
    step = _begin(session, batch_id, "exported")
    batch = step.batch
    chosen = pay_date or batch.pay_date
    check_pay_date(actor, chosen)
    _refuse_stale(session, batch)
    settings = settings or get_originator_settings()
    t = PaymentTransfer
    rows = session.execute(select(t.payee_id, t.payee_name, t.holder_name, t.bank_code, t.branch_code,
                                  t.account_type, t.account_number, t.amount_yen, t.customer_code, t.new_code)
                           .where(t.batch_id == batch.id).order_by(t.customer_code)).all()
    try:
        transfers = [
            transfer_for_payee(
                PayeeData(payee_id=str(t.payee_id), name=t.payee_name, holder_name=t.holder_name,
                          bank_code=t.bank_code, branch_code=t.branch_code, account_type=t.account_type,
                          account_number=t.account_number),
                amount_yen=t.amount_yen, customer_code_1=t.customer_code, new_code=NewCode(t.new_code))
            for t in rows]
        content = render_transfer_file(settings.originator(), chosen, transfers)
    except (TransferFileError, ValueError) as error:
        raise RuleViolation(f"the file cannot be written: {error}", code="transfer_file_error",
                            field=getattr(error, "field", None)) from error
    errors = validate_transfer_file(content)
    if errors:  # pragma: no cover - the renderer and the validator agree (tests)
        raise RuleViolation("the file fails validation: " + "; ".join(errors[:5]), code="transfer_file_invalid")
    total = sum(t.amount_yen for t in rows)
    if len(rows) != batch.transfer_count or total != batch.total_yen:
        raise RuleViolation("control totals differ from the approved batch", code="control_totals")
    digest = hashlib.sha256(content).hexdigest()
    filename = f"zengin_{batch.benefit_month}_batch{batch.id:06d}.txt"
    session.add(PaymentFile(batch_id=batch.id, filename=filename, content=content, sha256=digest,
                            record_count=len(rows), total_yen=total, exported_by=actor.user_id,
                            exported_at=actor.clock.now()))
    try:
        session.flush()
    except IntegrityError as error:
        raise Conflict(f"支払バッチ #{batch.id} は他の職員が出力中です。再読み込みしてダウンロードしてください。",
                       code="concurrent_modification", field="batch_id") from error
    _finish(session, actor, step, {"sha256": digest, "record_count": len(rows), "total_yen": total,
                                   "filename": filename, "pay_date": chosen.isoformat()})
    mark_months_paid(session, batch.id)
    return ExportedFile(content, digest, filename, len(rows), total)


def _refuse_stale(session: Session, batch: PaymentBatch) -> None:
    """A rent month of the batch that a stop or an interruption has taken out since the run is never
    paid: the batch is refused (cancel it and run the month again). One read."""
    stale = session.execute(
        select(Payment.case_id, Payment.benefit_month, BenefitMonth.status)
        .join(BenefitMonth, and_(BenefitMonth.grant_id == Payment.grant_id, BenefitMonth.month == Payment.benefit_month))
        .where(Payment.batch_id == batch.id, Payment.kind == "payment", Payment.part == "rent",
               BenefitMonth.status != "scheduled")
        .order_by(Payment.case_id, Payment.benefit_month).limit(20)).all()
    if stale:
        listed = ", ".join(f"{case_reference(c)} {m}（{s}）" for c, m, s in stale)
        raise Conflict(f"支払バッチ #{batch.id} には、作成後に支給中止・中断された月が含まれています: {listed}。"
                       "このバッチを取り消し、支払処理をやり直してください。", code="batch_stale", field="batch_id",
                       details=[{"case_reference": case_reference(c), "benefit_month": m, "status": s}
                                for c, m, s in stale])


def download_file(session: Session, actor: Actor, batch_id: int) -> ExportedFile:
    """The stored 総合振込 file, byte for byte. Reading never changes the batch; a batch not exported has
    no file, and a cancelled batch's file is never handed out (409)."""
    require_role(actor, FINANCE)
    batch = load_batch(session, batch_id)
    status = batch_status(session, batch.id)
    if status == "cancelled":
        raise Conflict(f"支払バッチ #{batch.id} は取り消されています。全銀ファイルはダウンロードできません。",
                       code="batch_cancelled", field="batch_id")
    stored = session.scalar(select(PaymentFile).where(PaymentFile.batch_id == batch.id))
    if status not in ("exported", "settled") or stored is None:
        raise Conflict(f"支払バッチ #{batch.id} はまだ全銀ファイルを出力していません（{_STATUS_JA.get(status, status)}）。"
                       "決裁後に「全銀ファイルを出力」してください。", code="not_exported", field="batch_id")
    audit(session, actor, "payment_file.download", target=f"payment_batch:{batch.id}",
          detail={"sha256": stored.sha256})
    return ExportedFile(stored.content, stored.sha256, stored.filename, stored.record_count, stored.total_yen)


def settle_batch(session: Session, actor: Actor, batch_id: int) -> PaymentBatch:
    """The bank has executed the batch (returns may still come in)."""
    require_role(actor, FINANCE)
    step = _begin(session, batch_id, "settled")
    _finish(session, actor, step, {})
    return step.batch


def cancel_batch(session: Session, actor: Actor, batch_id: int, *, reason: str = "") -> PaymentBatch:
    """Withdraw a batch before export: every payment is reversed and its months are due again. An
    exported batch is never cancelled (PD31): its money comes back through returns or claims."""
    require_role(actor, FINANCE)
    step = _begin(session, batch_id, "cancelled")
    _finish(session, actor, step, {"reason": reason})  # claims the transition before the work
    _reverse_batch(session, actor, step.batch.id, CANCELLED_REASON, reason or "batch cancelled before export")
    return step.batch


def _reverse_batch(session: Session, actor: Actor, batch_id: int, code: str, reason: str) -> None:
    """Reverse every live payment of a cancelled batch: a constant number of statements (issue 15)."""
    now = actor.clock.now()
    session.flush()
    session.execute(insert(Payment).from_select(
        REVERSAL_COLUMNS,
        reversal_select(now, actor.user_id, literal(code, String), literal(reason, Text), Payment.batch_id == batch_id)))
    audit_reversals(session, actor, [batch_id], now, code)


def batch_payment_rows(session: Session, batch_id: int) -> list[dict[str, Any]]:
    """The batch's ledger payments (one row per payment; moving parts separately), for exports."""
    batch = load_batch(session, batch_id)
    rows = session.execute(
        select(Payment.payee_id, Payee.name, Payment.case_id, Payment.grant_id, Payment.benefit_month,
               Payment.subsidy, Payment.part, Payment.amount_yen)
        .join(Payee, Payee.id == Payment.payee_id)
        .where(Payment.batch_id == batch_id, Payment.kind == "payment")
        .order_by(Payment.payee_id, Payment.case_id, Payment.benefit_month, Payment.grant_id, Payment.part)
    ).all()
    paid_on = effective_pay_date(session, batch).isoformat()
    return [{"payee_name": name, "pay_date": paid_on, "payee_id": str(payee_id),
             "case_id": case_id, "case_reference": case_reference(case_id), "grant_id": grant_id,
             "benefit_month": month, "subsidy": subsidy, "kind": part, "amount_yen": int(amount)}
            for payee_id, name, case_id, grant_id, month, subsidy, part, amount in rows]

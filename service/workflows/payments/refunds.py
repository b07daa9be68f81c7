"""Refunds (還付) paid by transfer (PD9, issue 15 item 5).

A recipient who paid back more than a corrected claim (or a withdrawn one) now asks for is owed the
difference: ``refund_due_yen`` of :mod:`service.workflows.receivables`. A finance user drafts a refund
order for the whole amount to the recipient's account (a payee of kind ``recipient``); another finance
user approves it (PD17); the next monthly run puts it into its batch as one more transfer
(:func:`refunds_for_run`, :func:`record_batched`), so it goes through the batch's own 決裁 and the 全銀
file. The receivable closes once the transfer is exported; a cancelled batch makes the order due again
in the next run, and so does a returned transfer once the recipient's account is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from payments.payees import check_payee
from service.db.models_finance import RefundOrder, RefundOrderEvent
from service.db.models_payments import Payee, PaymentBatchEvent, PaymentReturn
from service.errors import Conflict, Forbidden, InvalidRequest, NotFound, RuleViolation
from service.workflows.common import Actor, audit, require_role

FINANCE = "finance"


def _status(session: Session, order_id: int) -> tuple[str, int | None]:
    """(status, batch): drafted, approved (due in the next run), batched (in a live batch), paid
    (exported), cancelled."""
    events = session.execute(select(RefundOrderEvent.event, RefundOrderEvent.batch_id, RefundOrderEvent.customer_code)
                             .where(RefundOrderEvent.order_id == order_id).order_by(RefundOrderEvent.id)).all()
    kinds = {e for e, _, _ in events}
    if "cancelled" in kinds:
        return "cancelled", None
    if "approved" not in kinds:
        return "drafted", None
    batched = [(b, c) for e, b, c in events if e == "batched"]
    if not batched:
        return "approved", None
    batch_id, code = batched[-1]
    assert batch_id is not None
    batch_events = set(session.scalars(select(PaymentBatchEvent.event).where(PaymentBatchEvent.batch_id == batch_id)))
    if "cancelled" in batch_events:
        return "approved", None
    returned = session.scalar(select(PaymentReturn.id).where(PaymentReturn.batch_id == batch_id,
                                                             PaymentReturn.customer_code == code))
    if returned is not None:
        return "approved", None
    return ("paid" if batch_events & {"exported", "settled"} else "batched"), batch_id


def order_dict(session: Session, order: RefundOrder) -> dict[str, Any]:
    status, batch_id = _status(session, order.id)
    return {"id": order.id, "claim_id": order.claim_id, "case_id": order.case_id, "grant_id": order.grant_id,
            "payee_id": order.payee_id, "amount_yen": int(order.amount_yen), "note": order.note,
            "drafted_by": order.drafted_by, "status": status, "batch_id": batch_id}


def refund_totals(session: Session, grant_id: int) -> tuple[int, int]:
    """(ordered, paid) yen of the grant's refund orders that are not cancelled."""
    ordered = paid = 0
    for order in session.scalars(select(RefundOrder).where(RefundOrder.grant_id == grant_id)):
        status, _ = _status(session, order.id)
        if status == "cancelled":
            continue
        ordered += int(order.amount_yen)
        paid += int(order.amount_yen) if status == "paid" else 0
    return ordered, paid


def draft_refund(session: Session, actor: Actor, claim_id: int, payee_id: int, note: str | None = None) -> RefundOrder:
    """A refund order for the claim's whole refund due, to the recipient's account (``payee_id``)."""
    require_role(actor, FINANCE)
    from service.workflows.receivables import receivable_of

    receivable = receivable_of(session, actor, claim_id)
    if receivable.refund_due_yen <= 0:
        raise RuleViolation(f"repayment claim {claim_id} has no refund due", code="no_refund_due", field="claim_id")
    payee = session.get(Payee, payee_id)
    if payee is None:
        raise NotFound(f"payee {payee_id} not found", field="payee_id")
    if payee.kind != "recipient":
        raise InvalidRequest("a refund is paid to the recipient's own account (a payee of kind recipient)",
                             code="refund_payee_kind", field="payee_id")
    order = RefundOrder(claim_id=receivable.claim_id, case_id=receivable.case_id, grant_id=receivable.grant_id,
                        payee_id=payee.id, amount_yen=receivable.refund_due_yen, note=note,
                        drafted_by=actor.user_id, drafted_at=actor.clock.now())
    session.add(order)
    session.flush()
    audit(session, actor, "refund.draft", case_id=order.case_id, target=f"refund_order:{order.id}",
          detail={"claim_id": order.claim_id, "amount_yen": int(order.amount_yen), "payee_id": payee.id})
    return order


def _load(session: Session, order_id: int) -> RefundOrder:
    order = session.get(RefundOrder, order_id)
    if order is None:
        raise NotFound(f"refund order {order_id} not found", field="order_id")
    return order


def _event(session: Session, actor: Actor, order: RefundOrder, event: str) -> None:
    session.add(RefundOrderEvent(order_id=order.id, event=event, user_id=actor.user_id, at=actor.clock.now()))
    try:
        session.flush()
    except IntegrityError as error:
        raise Conflict(f"refund order {order.id} is already {event}", code="concurrent_modification",
                       field="order_id") from error
    audit(session, actor, f"refund.{event}", case_id=order.case_id, target=f"refund_order:{order.id}",
          detail={"amount_yen": int(order.amount_yen)})


def approve_refund(session: Session, actor: Actor, order_id: int) -> RefundOrder:
    """決裁 of a refund order by a finance user who did not draft it (PD17)."""
    require_role(actor, FINANCE)
    order = _load(session, order_id)
    status, _ = _status(session, order.id)
    if status != "drafted":
        raise Conflict(f"refund order {order.id} is {status}; only a drafted order is approved",
                       code="refund_state", field="order_id")
    if order.drafted_by == actor.user_id:
        raise Forbidden("the person who drafted a refund cannot approve it (PD17)", code="two_person_rule")
    _event(session, actor, order, "approved")
    return order


def cancel_refund(session: Session, actor: Actor, order_id: int) -> RefundOrder:
    """Withdraw a refund order that is not in a live batch nor paid."""
    require_role(actor, FINANCE)
    order = _load(session, order_id)
    status, _ = _status(session, order.id)
    if status not in ("drafted", "approved"):
        raise Conflict(f"refund order {order.id} is {status}; it can no longer be cancelled",
                       code="refund_state", field="order_id")
    _event(session, actor, order, "cancelled")
    return order


def list_refunds(session: Session, actor: Actor) -> list[dict[str, Any]]:
    require_role(actor, FINANCE)
    return [order_dict(session, o) for o in session.scalars(select(RefundOrder).order_by(RefundOrder.id))]


# --- the run --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundTransfer:
    order_id: int
    payee: Payee
    amount_yen: int


def refunds_for_run(session: Session, *, skip_payee_ids: set[int]) -> tuple[list[RefundTransfer], list[dict[str, Any]]]:
    """Approved refund orders not in a live batch nor paid, as transfers for this run's batch; and the
    ones left out, with the reason (a payee with problems, or a payee the batch already pays)."""
    due: list[RefundTransfer] = []
    excluded: list[dict[str, Any]] = []
    approved = select(RefundOrderEvent.order_id).where(RefundOrderEvent.event == "approved")
    from service.workflows.payments.ledger import case_reference
    from service.workflows.payments.payees import payee_data

    for order in session.scalars(select(RefundOrder).where(RefundOrder.id.in_(approved)).order_by(RefundOrder.id)):
        if _status(session, order.id)[0] != "approved":
            continue
        payee = session.get(Payee, order.payee_id)
        assert payee is not None
        problems = check_payee(payee_data(payee))
        reason: tuple[str, str] | None = None
        if problems:
            reason = ("refund_payee_problem", "; ".join(p.message for p in problems))
        elif _returned_to_same_account(session, order.id, payee):
            reason = ("refund_returned", "the refund transfer came back: fix the recipient's account first")
        elif payee.id in skip_payee_ids or any(t.payee.id == payee.id for t in due):
            reason = ("refund_payee_in_batch", "the payee is paid in this batch already; the refund goes next run")
        if reason is not None:
            excluded.append({"case_id": order.case_id, "grant_id": order.grant_id, "refund_order_id": order.id,
                             "payee_id": payee.id, "amount_yen": int(order.amount_yen), "reason_code": reason[0],
                             "reason": reason[1], "benefit_month": "", "case_reference": case_reference(order.case_id)})
            continue
        due.append(RefundTransfer(order_id=order.id, payee=payee, amount_yen=int(order.amount_yen)))
    return due, excluded


def _returned_to_same_account(session: Session, order_id: int, payee: Payee) -> bool:
    """The order's last transfer came back (振込不能) and the payee's account has not changed since."""
    from service.db.models_payments import PaymentTransfer

    last = session.execute(select(RefundOrderEvent.batch_id, RefundOrderEvent.customer_code)
                           .where(RefundOrderEvent.order_id == order_id, RefundOrderEvent.event == "batched")
                           .order_by(RefundOrderEvent.id.desc()).limit(1)).first()
    if last is None:
        return False
    returned = session.scalar(select(PaymentReturn.id).where(PaymentReturn.batch_id == last.batch_id,
                                                             PaymentReturn.customer_code == last.customer_code))
    if returned is None:
        return False
    version = session.scalar(select(PaymentTransfer.account_version).where(
        PaymentTransfer.batch_id == last.batch_id, PaymentTransfer.customer_code == last.customer_code))
    return version is not None and payee.account_version <= version


def record_batched(session: Session, actor: Actor, batch_id: int, codes: dict[int, int]) -> None:
    """The refund orders (order id → customer code) are transfers of ``batch_id``."""
    now = actor.clock.now()
    for order_id, code in codes.items():
        session.add(RefundOrderEvent(order_id=order_id, event="batched", batch_id=batch_id, customer_code=code,
                                     user_id=actor.user_id, at=now))
    session.flush()
    if codes:
        audit(session, actor, "refund.batched", target=f"payment_batch:{batch_id}",
              detail={"refund_orders": sorted(codes)})


def batch_refund_lines(session: Session, batch_id: int) -> list[dict[str, Any]]:
    """The refunds paid by transfers of ``batch_id``: order, transfer (customer code), case, amount and the
    recipient's name, for the batch's transfer list and the 支払一覧."""
    from service.db.models import Application, BenefitGrant

    rows = session.execute(
        select(RefundOrder.id, RefundOrderEvent.customer_code, RefundOrder.payee_id, RefundOrder.case_id,
               RefundOrder.grant_id, RefundOrder.amount_yen,
               Application.intake["applicant"]["name"].as_string())
        .join(RefundOrderEvent, RefundOrderEvent.order_id == RefundOrder.id)
        .join(BenefitGrant, BenefitGrant.id == RefundOrder.grant_id)
        .join(Application, Application.id == BenefitGrant.application_id)
        .where(RefundOrderEvent.batch_id == batch_id, RefundOrderEvent.event == "batched")
        .order_by(RefundOrderEvent.customer_code)).all()
    return [{"order_id": o, "customer_code": int(c or 0), "payee_id": p, "case_id": case, "grant_id": g,
             "amount_yen": int(a), "recipient_name": name or ""} for o, c, p, case, g, a, name in rows]

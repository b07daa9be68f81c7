"""Repayment receivables (返還金, PD9): claims from stops, instalment plans, money received, balances.

A claim is a ``repayment_claim`` row (written by the approved repayment decision). A claim whose
decision a later approved decision supersedes is no longer owed (the correction's claim is).
Plans and receipts are append-only: a new plan version replaces the previous one; a wrong
receipt is corrected by a negative receipt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from service.db.models import BenefitMonth, Decision, DecisionReview, RepaymentClaim
from service.db.models_payments import Payment, RepaymentPlan, RepaymentReceipt
from service.errors import InvalidRequest, NotFound, RuleViolation
from service.workflows.common import Actor, audit, require_role
from service.workflows.payments.ledger import FINANCE, case_reference


@dataclass(frozen=True, slots=True, kw_only=True)
class Receivable:
    claim_id: int
    case_id: int
    case_reference: str
    grant_id: int
    debtor: str
    cause: str
    claimed_yen: int
    received_yen: int
    balance_yen: int
    #: Paid back beyond what is now claimed (a correction lowered or withdrew the claim) and not yet in a
    #: refund order: to refund (service.workflows.payments.refunds).
    refund_due_yen: int
    #: The claim was withdrawn by a correction; the row stays while money received is to be refunded.
    withdrawn: bool
    due_to_date_yen: int
    overdue_yen: int
    next_due_date: str | None
    plan: tuple[dict[str, Any], ...]
    #: The 納期限 printed on the 返還請求書: the day the claim was decided plus the letterhead's days.
    payment_due_on: str | None = None
    #: In refund orders (not cancelled), and of those already paid by an exported transfer.
    refund_ordered_yen: int = 0
    refunded_yen: int = 0

    @property
    def refund_in_progress_yen(self) -> int:
        return self.refund_ordered_yen - self.refunded_yen


def _in_force() -> Any:
    return ~exists().where(
        Decision.supersedes_decision_id == RepaymentClaim.decision_id,
        exists().where(DecisionReview.decision_id == Decision.id, DecisionReview.outcome == "approved"),
    )


def claims_to_correct(session: Session, *, limit: int = 200) -> list[dict[str, Any]]:
    """Claims in force with a claimed month that is no longer paid: its transfer came back (振込不能・
    組戻し) after the claim was decided, so the recipient owes less (PD9). A clerk drafts the correction
    (a repayment decision superseding the claim); nothing changes by itself."""
    # Only a claim whose grant saw a returned transfer can have lost a paid month: the few candidates
    # are found in SQL, their months checked here (a claimed month was paid when claimed, PD31, so one
    # no longer paid came back since; no comparison of the two records' clocks).
    reversed_since = exists().where(Payment.grant_id == RepaymentClaim.grant_id, Payment.kind == "reversal",
                                    Payment.reason_code != "batch_cancelled")
    claims = session.scalars(select(RepaymentClaim).where(_in_force(), reversed_since)
                             .order_by(RepaymentClaim.id).limit(limit)).all()
    if not claims:
        return []
    unpaid = set(session.execute(select(BenefitMonth.grant_id, BenefitMonth.month).where(
        BenefitMonth.grant_id.in_({c.grant_id for c in claims}), BenefitMonth.status != "paid")).all())
    found = []
    for claim in claims:
        returned = [m["month"] for m in claim.months if (claim.grant_id, m["month"]) in unpaid]
        if returned:
            found.append({"claim_id": claim.id, "case_id": claim.case_id, "grant_id": claim.grant_id,
                          "decision_id": claim.decision_id, "claimed_yen": claim.amount_yen,
                          "months_no_longer_paid": returned})
    return found[:limit]


def _claim(session: Session, claim_id: int) -> tuple[RepaymentClaim, bool]:
    """The claim in force, or the last claim of a withdrawn chain (``True``: only refunds go there)."""
    claim = session.get(RepaymentClaim, claim_id)
    if claim is not None and session.scalar(select(RepaymentClaim.id).where(RepaymentClaim.id == claim_id,
                                                                            _in_force())) is not None:
        return claim, False
    if claim is not None and claim.id in _withdrawn_claim_ids(session, grant_id=claim.grant_id):
        return claim, True
    raise NotFound(f"repayment claim {claim_id} not found (or superseded)", field="claim_id")


def _withdrawn_claim_ids(session: Session, *, grant_id: int | None = None) -> set[int]:
    """The last claim of each grant whose claims were all superseded (withdrawn by a correction with
    nothing left to repay)."""
    stmt = select(RepaymentClaim.grant_id, func.max(RepaymentClaim.id)).group_by(RepaymentClaim.grant_id)
    if grant_id is not None:
        stmt = stmt.where(RepaymentClaim.grant_id == grant_id)
    live = select(RepaymentClaim.grant_id).where(_in_force())
    return {last for _grant, last in session.execute(stmt.where(RepaymentClaim.grant_id.not_in(live))).all()}


def _received(session: Session, claim: RepaymentClaim) -> int:
    """Received against the grant's claim, its superseded versions included: a corrected claim keeps
    what the recipient has already paid back."""
    return int(session.scalar(
        select(func.coalesce(func.sum(RepaymentReceipt.amount_yen), 0))
        .join(RepaymentClaim, RepaymentClaim.id == RepaymentReceipt.claim_id)
        .where(RepaymentClaim.grant_id == claim.grant_id)) or 0)


def _plan(session: Session, claim_id: int) -> list[dict[str, Any]]:
    plan = session.scalar(select(RepaymentPlan).where(RepaymentPlan.claim_id == claim_id)
                          .order_by(RepaymentPlan.version.desc()).limit(1))
    return list(plan.instalments) if plan is not None else []


def set_repayment_plan(session: Session, actor: Actor, claim_id: int,
                       instalments: list[tuple[date, int]]) -> list[dict[str, Any]]:
    """An instalment plan (分割納付) for the claim: due dates in order, amounts summing to the claim."""
    require_role(actor, FINANCE)
    claim, withdrawn = _claim(session, claim_id)
    if withdrawn:
        raise RuleViolation(f"repayment claim {claim.id} was withdrawn; there is nothing to pay in instalments",
                            code="claim_withdrawn", field="claim_id")
    if not instalments:
        raise InvalidRequest("a plan needs at least one instalment", field="instalments")
    dates = [d for d, _ in instalments]
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        raise InvalidRequest("due dates must be distinct and in order", field="instalments")
    for index, (_, amount) in enumerate(instalments):
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise InvalidRequest("each instalment is a positive number of yen", field=f"instalments.{index}.amount_yen")
    total = sum(a for _, a in instalments)
    if total != claim.amount_yen:
        raise RuleViolation(f"the instalments sum to {total} yen, the claim is {claim.amount_yen} yen",
                            code="plan_total", field="instalments")
    version = int(session.scalar(select(func.coalesce(func.max(RepaymentPlan.version), 0))
                                 .where(RepaymentPlan.claim_id == claim.id)) or 0) + 1
    rows = [{"due_date": d.isoformat(), "amount_yen": a} for d, a in instalments]
    session.add(RepaymentPlan(claim_id=claim.id, version=version, instalments=rows, created_by=actor.user_id,
                              created_at=actor.clock.now()))
    session.flush()
    audit(session, actor, "repayment.plan", case_id=claim.case_id, target=f"repayment_claim:{claim.id}",
          detail={"version": version, "instalments": len(rows), "total_yen": total})
    return rows


def record_repayment(session: Session, actor: Actor, claim_id: int, amount_yen: int, received_on: date,
                     note: str | None = None) -> Receivable:
    """Money received against a claim; never more than the balance. A negative amount corrects a receipt."""
    require_role(actor, FINANCE)
    claim, withdrawn = _claim(session, claim_id)
    if isinstance(amount_yen, bool) or not isinstance(amount_yen, int) or amount_yen == 0:
        raise InvalidRequest("amount_yen must be a non-zero integer", field="amount_yen")
    received = _received(session, claim)
    claimed = 0 if withdrawn else claim.amount_yen
    if amount_yen > 0 and received + amount_yen > claimed:
        raise RuleViolation(f"the balance is {max(claimed - received, 0)} yen; {amount_yen} is more",
                            code="overpayment", field="amount_yen")
    if received + amount_yen < 0:
        raise RuleViolation("a correction cannot exceed what was received", code="negative_balance",
                            field="amount_yen")
    session.add(RepaymentReceipt(claim_id=claim.id, amount_yen=amount_yen, received_on=received_on, note=note,
                                 recorded_by=actor.user_id, recorded_at=actor.clock.now()))
    session.flush()
    audit(session, actor, "repayment.receipt", case_id=claim.case_id, target=f"repayment_claim:{claim.id}",
          detail={"amount_yen": amount_yen, "received_on": received_on.isoformat()})
    return _receivable(session, claim, actor.clock.today(), withdrawn=withdrawn)


def payment_due_on(session: Session, claim: RepaymentClaim) -> date | None:
    """The 納期限 of the 返還請求書 (the letter's own rule): the office day the repayment decision was
    approved plus the deciding municipality's ``repayment_due_days``."""
    from service.calendar import office_date
    from service.db.models import Application, BenefitGrant
    from service.letterhead import UnknownMunicipality, municipality_letterhead

    approved_at = session.scalar(select(DecisionReview.reviewed_at).where(
        DecisionReview.decision_id == claim.decision_id, DecisionReview.outcome == "approved"))
    if approved_at is None:
        return None
    code = session.scalar(select(Application.facts).join(BenefitGrant, BenefitGrant.application_id == Application.id)
                          .where(BenefitGrant.id == claim.grant_id))
    try:
        days = municipality_letterhead(str((code or {}).get("municipality_code"))).repayment_due_days
    except UnknownMunicipality:
        days = 30
    return office_date(approved_at) + timedelta(days=days)


def _receivable(session: Session, claim: RepaymentClaim, today: date, *, withdrawn: bool = False) -> Receivable:
    """What is owed on ``today``. Money falls due only after its 納期限 (the printed date itself is still in
    time): the letter's date without a plan, each instalment's date with one."""
    received = _received(session, claim)
    claimed = 0 if withdrawn else claim.amount_yen
    plan = [] if withdrawn else _plan(session, claim.id)
    due_on = payment_due_on(session, claim)
    if plan:
        due = sum(int(i["amount_yen"]) for i in plan if i["due_date"] < today.isoformat())
    else:
        due = claimed if due_on is None or today > due_on else 0
    cumulative = 0
    next_due = None
    for item in plan:
        cumulative += int(item["amount_yen"])
        if cumulative > received:
            next_due = str(item["due_date"])
            break
    from service.workflows.payments.refunds import refund_totals

    ordered, refunded = refund_totals(session, claim.grant_id) if received > claimed else (0, 0)
    return Receivable(claim_id=claim.id, case_id=claim.case_id, case_reference=case_reference(claim.case_id),
                      grant_id=claim.grant_id, debtor=claim.debtor, cause=claim.cause, claimed_yen=claimed,
                      received_yen=received, balance_yen=max(claimed - received, 0),
                      refund_due_yen=max(received - claimed - ordered, 0), withdrawn=withdrawn, due_to_date_yen=due,
                      overdue_yen=max(due - received, 0), next_due_date=next_due or (
                          due_on.isoformat() if due_on is not None and not plan and claimed > received else None),
                      plan=tuple(plan), payment_due_on=due_on.isoformat() if due_on is not None else None,
                      refund_ordered_yen=ordered, refunded_yen=refunded)


def receivable_of(session: Session, actor: Actor, claim_id: int, *, today: date | None = None) -> Receivable:
    """One claim's receivable (a claim in force, or the last claim of a withdrawn chain)."""
    require_role(actor, FINANCE)
    claim, withdrawn = _claim(session, claim_id)
    return _receivable(session, claim, today or actor.clock.today(), withdrawn=withdrawn)


def receivables(session: Session, actor: Actor, *, today: date | None = None,
                open_only: bool = False) -> list[Receivable]:
    """Every claim in force with what was received and what is still owed, and withdrawn claims with
    money still to refund."""
    require_role(actor, FINANCE)
    day = today or actor.clock.today()
    claims = session.scalars(select(RepaymentClaim).where(_in_force()).order_by(RepaymentClaim.id)).all()
    result = [_receivable(session, c, day) for c in claims]
    withdrawn = _withdrawn_claim_ids(session)
    if withdrawn:
        for claim in session.scalars(select(RepaymentClaim).where(RepaymentClaim.id.in_(withdrawn))
                                     .order_by(RepaymentClaim.id)):
            row = _receivable(session, claim, day, withdrawn=True)
            if row.refund_due_yen or row.refund_in_progress_yen:
                result.append(row)
    result.sort(key=lambda r: r.claim_id)
    return ([r for r in result if r.balance_yen > 0 or r.refund_due_yen > 0 or r.refund_in_progress_yen > 0]
            if open_only else result)


def receivable_dict(r: Receivable) -> dict[str, Any]:
    return {"claim_id": r.claim_id, "case_id": r.case_id, "case_reference": r.case_reference,
            "grant_id": r.grant_id, "debtor": r.debtor, "cause": r.cause, "claimed_yen": r.claimed_yen,
            "received_yen": r.received_yen, "balance_yen": r.balance_yen, "refund_due_yen": r.refund_due_yen,
            "withdrawn": r.withdrawn, "due_to_date_yen": r.due_to_date_yen,
            "overdue_yen": r.overdue_yen, "next_due_date": r.next_due_date, "plan": list(r.plan),
            "payment_due_on": r.payment_due_on,
            "refund_ordered_yen": r.refund_ordered_yen, "refunded_yen": r.refunded_yen,
            "refund_in_progress_yen": r.refund_in_progress_yen}

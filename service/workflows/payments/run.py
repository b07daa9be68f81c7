"""The monthly run (R45, PD13, PD18, PD19): one draft batch of everything due, or none.

Set-based reads of what is due (rent months from ``benefit_month``, confirmed moving grants split by
PD13), :func:`payments.payees.check_payee` on every payee, :func:`payments.schedule.plan_month` and
:func:`~payments.schedule.group_by_payee`, then bulk inserts of one batch, its transfers and its ledger
rows, in the caller's transaction. A bad payee leaves its cases out (listed in the report); rerunning
adds nothing. On PostgreSQL runs are serialised by a transaction-scoped advisory lock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    and_,
    exists,
    func,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from payments.bank_calendar import parse_benefit_month, pay_date
from payments.payees import PayeeProblem
from payments.schedule import (
    Entitlement,
    Exclusion,
    MonthPlan,
    ReturnedInstalment,
    ScheduleError,
    group_by_payee,
    plan_month,
    split_moving_payment,
)
from payments.zengin import NewCode
from service import rules
from service.db.models import (
    BenefitGrant,
    BenefitMonth,
    Decision,
    DecisionReview,
)
from service.db.models_payments import (
    GrantPayee,
    Payee,
    Payment,
    PaymentBatch,
    PaymentBatchEvent,
    PaymentTransfer,
)
from service.errors import Conflict, InvalidRequest, RuleViolation
from service.payments_config import OriginatorSettings, get_originator_settings
from service.workflows.common import Actor, audit, require_role
from service.workflows.payments.ledger import (
    CANCELLED_REASON,
    FINANCE,
    any_id,
    bulk_insert,
    case_reference,
    live_payment_filter,
    without_gc_pauses,
)
from service.workflows.payments.payees import (
    ACCOUNT_FIELDS,
    PAYEE_ROW_COLUMNS,
    duplicate_accounts,
    ensure_intake_payees,
    payee_problems,
)

#: Advisory lock key serialising monthly runs on PostgreSQL ("HBPAYRUN").
RUN_LOCK_KEY = 0x484250415952554E


@dataclass(frozen=True, slots=True, kw_only=True)
class RunReport:
    """What a monthly run did: the batch (if any) and every instalment left out, with the reason."""

    benefit_month: str
    pay_date: str
    batch_id: int | None
    payment_count: int
    transfer_count: int
    total_yen: int
    excluded: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"benefit_month": self.benefit_month, "pay_date": self.pay_date, "batch_id": self.batch_id,
                "payment_count": self.payment_count, "transfer_count": self.transfer_count,
                "total_yen": self.total_yen, "excluded": list(self.excluded)}


@dataclass(slots=True)
class _Due:
    """Everything the run needs, read set-based."""

    entitlements: list[Entitlement] = field(default_factory=list)
    settled: set[tuple[int, str, str]] = field(default_factory=set)
    returned: list[ReturnedInstalment] = field(default_factory=list)
    #: (grant, month, payee) → [(part, amount)] for moving instalments split into ledger rows.
    moving_parts: dict[tuple[int, str, str], list[tuple[str, int]]] = field(default_factory=dict)
    #: (grant, month, part) → the open reversal a new payment replaces.
    open_reversals: dict[tuple[int, str, str], int] = field(default_factory=dict)
    extra_exclusions: list[Exclusion] = field(default_factory=list)
    payee_ids: set[int] = field(default_factory=set)
    #: payee id → the payee holding the same account with the lowest id (legacy duplicates, issue 15).
    canonical: dict[int, int] = field(default_factory=dict)

    def payee(self, payee_id: int) -> int:
        return self.canonical.get(payee_id, payee_id)


def municipality_pay_date(benefit_month: str, settings: OriginatorSettings | None = None) -> date:
    """PD18: the municipality's ``pay_day`` of the month, on the previous bank business day if closed."""
    from calculations.rate_book import load_rate_book

    code = (settings or get_originator_settings()).municipality_code
    return pay_date(benefit_month, load_rate_book().settings(code).pay_day)


#: Benefit months a run may name (a typo like 0000-01 is a 422, never a 500).
FIRST_RUN_YEAR, LAST_RUN_YEAR = 2000, 2099


def latest_payable_month(today: date, settings: OriginatorSettings | None = None) -> str:
    """The next pay cycle (issue 11): the benefit month whose pay date (PD18) is the first on or after
    ``today``. A run may pay it and earlier months, never a later one (a month is never paid before
    it is due)."""
    month = f"{today.year:04d}-{today.month:02d}"
    return month if municipality_pay_date(month, settings) >= today else rules.add_months(month, 1)


def _check_run_month(actor: Actor, benefit_month: str, settings: OriginatorSettings | None) -> date:
    """The run's month is well-formed, in the rate tables, and due (issue 11, issue 12); its pay date."""
    try:
        year, _ = parse_benefit_month(benefit_month)
        if not FIRST_RUN_YEAR <= year <= LAST_RUN_YEAR:
            raise ValueError(f"benefit_month {benefit_month!r} is outside {FIRST_RUN_YEAR}-{LAST_RUN_YEAR}")
        rules.period_rules(benefit_month)
        paid_on = municipality_pay_date(benefit_month, settings)
    except (ValueError, KeyError, LookupError) as error:
        raise InvalidRequest(f"支給月 {benefit_month} は支払処理できません（対象の年月ではありません）: {error}",
                             code="month_out_of_range", field="benefit_month") from error
    latest = latest_payable_month(actor.clock.today(), settings)
    if benefit_month > latest:
        raise InvalidRequest(f"支給月 {benefit_month} はまだ支払期日前です。支払処理できるのは {latest} 分まで"
                             f"です（次回の振込日までの月）。（benefit month {benefit_month} is not due before "
                             f"{latest})", code="month_not_due", field="benefit_month")
    return paid_on


def _lock_runs(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RUN_LOCK_KEY})


@without_gc_pauses
def prepare_month(session: Session, actor: Actor, benefit_month: str, *,
                  settings: OriginatorSettings | None = None) -> RunReport:
    """The monthly run for ``benefit_month`` (R45, PD13, PD18, PD19): one draft batch, or none.

    Pays every rent month due up to ``benefit_month`` at its current amount (arrears included:
    months left out earlier because of a payee problem, returned transfers whose payee was fixed)
    and every confirmed moving grant, split by payee (PD13). Cancelled (stopped) and interrupted
    months are never due, nor a 10th month, nor a month after the next pay cycle (issue 11).
    One case's bad data (a payee the check or the 全銀 rendering refuses, an intake payee the
    database cannot hold) leaves that case out with its reason; a rules or data error stops the run.
    Idempotent; all in the caller's transaction.
    """
    require_role(actor, FINANCE)
    paid_on = _check_run_month(actor, benefit_month, settings)
    _lock_runs(session)
    due = _read_due(session, actor, benefit_month)
    # Rows, not ORM objects; each payee is checked once (a payee paid for several grants too).
    payees: dict[int, Any] = {p.id: p for p in session.execute(
        select(*PAYEE_ROW_COLUMNS).where(any_id(session, Payee.id, due.payee_ids)))}
    problems: dict[str, list[PayeeProblem]] = {str(pid): payee_problems(p) for pid, p in payees.items()}
    try:
        plan = plan_month(due.entitlements, due.settled, problems, returned=due.returned, up_to_month=benefit_month)
    except ScheduleError as error:
        raise RuleViolation(f"the run stops: {error}", code="schedule_error", field="benefit_month") from error
    refunds, refunds_excluded = _refunds_for_run(session, plan, payees)
    excluded = tuple(_exclusion_dict(x) for x in sorted(
        [*plan.excluded, *due.extra_exclusions], key=lambda x: (x.case_id, x.benefit_month, x.grant_id)))
    excluded += tuple(refunds_excluded)
    if not plan.instalments and not refunds:
        audit(session, actor, "payment.run", target=f"month:{benefit_month}",
              detail={"batch_id": None, "excluded": len(excluded)})
        return RunReport(benefit_month=benefit_month, pay_date=paid_on.isoformat(), batch_id=None,
                         payment_count=0, transfer_count=0, total_yen=0, excluded=excluded)
    batch = _write_batch(session, actor, benefit_month, paid_on, plan, due, payees, excluded, refunds)
    return RunReport(benefit_month=benefit_month, pay_date=paid_on.isoformat(), batch_id=batch.id,
                     payment_count=batch.payment_count, transfer_count=batch.transfer_count,
                     total_yen=batch.total_yen, excluded=excluded)


def _refunds_for_run(session: Session, plan: MonthPlan, payees: dict[int, Any]) -> tuple[list[Any], list[Any]]:
    """Approved refund orders (還付, PD9) paid as more transfers of this run's batch (service.workflows.payments.refunds)."""
    from service.workflows.payments.refunds import refunds_for_run

    refunds, excluded = refunds_for_run(session, skip_payee_ids={int(i.payee_id) for i in plan.instalments})
    for refund in refunds:
        payees.setdefault(refund.payee.id, refund.payee)
    return refunds, excluded


def _exclusion_dict(x: Exclusion) -> dict[str, Any]:
    return {"case_id": x.case_id, "case_reference": case_reference(x.case_id), "grant_id": x.grant_id,
            "benefit_month": x.benefit_month, "payee_id": int(x.payee_id) if x.payee_id.isdigit() else None,
            "amount_yen": x.amount_yen, "reason_code": x.reason_code, "reason": x.reason}


def _moving_unpaid_grants() -> Any:
    """Confirmed moving grants whose live payments do not yet reach the confirmed amount (a paid grant
    is never read again: issue 15)."""
    paid = (select(func.coalesce(func.sum(Payment.amount_yen), 0))
            .where(Payment.grant_id == BenefitGrant.id, live_payment_filter()).scalar_subquery())
    return and_(BenefitGrant.benefit == "moving", BenefitGrant.status == "confirmed", paid < BenefitGrant.amount_yen)


def _read_due(session: Session, actor: Actor, month: str) -> _Due:
    due = _Due()
    # Grants with something due and no payee yet take the intake payee (a handful per month).
    rent_due = and_(BenefitMonth.status == "scheduled", BenefitMonth.month <= month)
    missing = session.scalars(
        select(BenefitMonth.grant_id).distinct()
        .outerjoin(GrantPayee, and_(GrantPayee.grant_id == BenefitMonth.grant_id, GrantPayee.part == "rent"))
        .where(rent_due, GrantPayee.payee_id.is_(None))
    ).all()
    moving = session.execute(
        select(BenefitGrant.id, BenefitGrant.case_id, BenefitGrant.amount_yen).where(_moving_unpaid_grants())
    ).all()
    moving_ids = [g for g, *_ in moving]
    moving_missing = set(moving_ids) - set(session.scalars(
        select(GrantPayee.grant_id).where(any_id(session, GrantPayee.grant_id, moving_ids),
                                          GrantPayee.part == "moving_initial")))
    intake_problems = ensure_intake_payees(session, actor, [*missing, *moving_missing])
    due.canonical = duplicate_accounts(session)

    # Open reversals (returned or cancelled, not yet re-paid), with the account they went to.
    replacement = aliased(Payment)
    open_rows = session.execute(
        select(Payment.id, Payment.grant_id, Payment.benefit_month, Payment.part, Payment.payee_id,
               Payment.reason_code, Payment.reason, PaymentTransfer.account_version)
        .join(PaymentTransfer, and_(PaymentTransfer.batch_id == Payment.batch_id,
                                    PaymentTransfer.payee_id == Payment.payee_id))
        .where(Payment.kind == "reversal", ~exists().where(replacement.replaces_reversal_id == Payment.id))
    ).all()
    returned_by_key: dict[tuple[int, str, str], Any] = {}
    for row in open_rows:
        key = (row.grant_id, row.benefit_month, row.part)
        due.open_reversals[key] = row.id
        if row.reason_code != CANCELLED_REASON:
            returned_by_key[key] = row
    versions: dict[int, int] = {}
    if returned_by_key:
        ids = {r.payee_id for r in returned_by_key.values()}
        versions = dict(session.execute(select(Payee.id, Payee.account_version).where(any_id(session, Payee.id, ids))).all())

    def returned(key: tuple[int, str, str], payee_id: int) -> None:
        row = returned_by_key.get(key)
        if row is not None:
            # Another account (not merely another record of the same account), or the account changed.
            fixed = payee_id != due.payee(row.payee_id) or versions.get(row.payee_id, 0) > row.account_version
            due.returned.append(ReturnedInstalment(grant_id=key[0], benefit_month=key[1], payee_id=str(payee_id),
                                                   payable_again=fixed, reason=f"{row.reason_code} {row.reason}"))

    # Rent: one instalment per scheduled month up to this one, at its current amount.
    rows = session.execute(
        select(BenefitMonth.grant_id, BenefitMonth.month, BenefitMonth.amount_yen, BenefitGrant.case_id,
               GrantPayee.payee_id)
        .join(BenefitGrant, BenefitGrant.id == BenefitMonth.grant_id)
        .outerjoin(GrantPayee, and_(GrantPayee.grant_id == BenefitMonth.grant_id, GrantPayee.part == "rent"))
        .where(rent_due, BenefitGrant.benefit == "rent")
        .order_by(BenefitMonth.grant_id, BenefitMonth.month)
    ).all()
    due_grants = select(BenefitMonth.grant_id).where(rent_due).scalar_subquery()
    paid_counts = dict(session.execute(
        select(BenefitMonth.grant_id, func.count()).where(BenefitMonth.status == "paid",
                                                          BenefitMonth.grant_id.in_(due_grants))
        .group_by(BenefitMonth.grant_id)).all())
    live = live_payment_filter()
    settled_rent: set[tuple[int, str]] = {(g, m) for g, m in session.execute(
        select(Payment.grant_id, Payment.benefit_month)
        .join(BenefitMonth, and_(BenefitMonth.grant_id == Payment.grant_id, BenefitMonth.month == Payment.benefit_month))
        .where(rent_due, Payment.part == "rent", live))}
    counted: dict[int, int] = defaultdict(int)
    max_months = rules.period_rules(month).max_months  # R38, in force in the month run
    for grant_id, bm, amount, case_id, payee_id in rows:
        counted[grant_id] += 1
        if paid_counts.get(grant_id, 0) + counted[grant_id] > max_months:  # PD7: never a month beyond the cap
            due.extra_exclusions.append(Exclusion(case_id=case_id, grant_id=grant_id, benefit_month=bm,
                                                  payee_id=str(payee_id or ""), amount_yen=amount,
                                                  reason_code="nine_month_cap",
                                                  reason=f"never more than {max_months} paid months (PD7)"))
            continue
        if payee_id is None:
            due.extra_exclusions.append(_no_payee(case_id, grant_id, bm, amount, intake_problems.get(grant_id)))
            continue
        payee_id = due.payee(payee_id)
        due.payee_ids.add(payee_id)
        due.entitlements.append(Entitlement(grant_id=grant_id, case_id=case_id, benefit_month=bm, amount_yen=amount,
                                            payee_id=str(payee_id), subsidy="rent", kind="rent",
                                            case_reference=case_reference(case_id)))
        if (grant_id, bm) in settled_rent:
            due.settled.add((grant_id, bm, str(payee_id)))
        returned((grant_id, bm, "rent"), payee_id)

    _moving_due(session, due, month, moving, returned, intake_problems)
    return due


def _no_payee(case_id: int, grant_id: int, month: str, amount: int, problem: str | None = None) -> Exclusion:
    if problem:
        return Exclusion(case_id=case_id, grant_id=grant_id, benefit_month=month, payee_id="", amount_yen=amount,
                         reason_code="payee_invalid", reason=f"{problem}。支払先を登録して割り当ててください")
    return Exclusion(case_id=case_id, grant_id=grant_id, benefit_month=month, payee_id="", amount_yen=amount,
                     reason_code="payee_missing", reason="no payee (intake payee incomplete): assign one")


def _moving_due(session: Session, due: _Due, month: str, moving: Sequence[Any], returned: Any,
                intake_problems: dict[int, str]) -> None:
    """Moving: a confirmed grant, split between the agent and the other payee (PD13). Set-based: one read
    each of the confirmations, the payees and the parts already paid, for every unpaid grant at once."""
    ids = [grant_id for grant_id, *_ in moving]
    if not ids:
        return
    confirmations: dict[int, Any] = {}
    for grant_id, facts, reviewed_at in session.execute(
        select(Decision.grant_id, Decision.facts, DecisionReview.reviewed_at)
        .join(DecisionReview, DecisionReview.decision_id == Decision.id)
        .where(any_id(session, Decision.grant_id, ids), Decision.kind == "moving_confirmation",
               DecisionReview.outcome == "approved")
        .order_by(Decision.id)
    ).all():
        confirmations[grant_id] = (facts, reviewed_at)  # the latest wins
    grant_payees: dict[int, dict[str, int]] = defaultdict(dict)
    for grant_id, part, payee_id in session.execute(
            select(GrantPayee.grant_id, GrantPayee.part, GrantPayee.payee_id).where(any_id(session, GrantPayee.grant_id, ids))):
        grant_payees[grant_id][part] = payee_id
    paid_parts: dict[int, set[str]] = defaultdict(set)
    for grant_id, part in session.execute(
            select(Payment.grant_id, Payment.part).where(any_id(session, Payment.grant_id, ids), live_payment_filter())):
        paid_parts[grant_id].add(part)
    for grant_id, case_id, amount in moving:
        if grant_id not in confirmations:
            continue
        facts, reviewed_at = confirmations[grant_id]
        key_month = reviewed_at.strftime("%Y-%m")
        if key_month > month:
            continue
        costs: dict[str, int] = defaultdict(int)
        for item in (facts or {}).get("costs", []):
            costs[str(item["category"])] += int(item["amount_yen"])
        payees = grant_payees.get(grant_id, {})
        agent = payees.get("moving_initial")
        if agent is None:
            due.extra_exclusions.append(_no_payee(case_id, grant_id, key_month, amount, intake_problems.get(grant_id)))
            continue
        agent, other = due.payee(agent), due.payee(payees.get("moving_other", agent))
        try:
            parts = split_moving_payment(costs, amount, "moving_initial", "moving_other")
        except ScheduleError as error:
            raise RuleViolation(f"moving grant {grant_id}: {error}", code="schedule_error",
                                field="grant_id") from error
        by_payee: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for share in parts:
            if share.payee_id not in paid_parts[grant_id]:
                by_payee[agent if share.payee_id == "moving_initial" else other].append(
                    (share.payee_id, share.amount_yen))
        for payee_id, shares in by_payee.items():
            due.payee_ids.add(payee_id)
            due.moving_parts[(grant_id, key_month, str(payee_id))] = shares
            due.entitlements.append(Entitlement(grant_id=grant_id, case_id=case_id, benefit_month=key_month,
                                                amount_yen=sum(a for _, a in shares), payee_id=str(payee_id),
                                                subsidy="moving", kind="+".join(p for p, _ in shares),
                                                case_reference=case_reference(case_id)))
            for part_name, _ in shares:
                returned((grant_id, key_month, part_name), payee_id)


def _new_codes(session: Session, payee_ids: Iterable[int], payees: dict[int, Any]) -> dict[int, str]:
    """新規コード per payee: 1 for a first transfer, 2 after an account change, else 0 (zengin.md §1.5)."""
    cancelled = select(PaymentBatchEvent.batch_id).where(PaymentBatchEvent.event == "cancelled")
    last = (select(PaymentTransfer.payee_id, func.max(PaymentTransfer.account_version).label("version"))
            .where(PaymentTransfer.batch_id.not_in(cancelled)).group_by(PaymentTransfer.payee_id))
    previous: dict[int, int] = {int(p): int(v) for p, v in session.execute(last).all()}
    codes = {}
    for payee_id in payee_ids:
        before = previous.get(payee_id)
        codes[payee_id] = (NewCode.FIRST if before is None
                           else NewCode.CHANGED if before != payees[payee_id].account_version else NewCode.OTHER).value
    return codes


def _write_batch(session: Session, actor: Actor, month: str, paid_on: date, plan: MonthPlan, due: _Due,
                 payees: dict[int, Any], excluded: tuple[dict[str, Any], ...],
                 refunds: Sequence[Any] = ()) -> PaymentBatch:
    transfers = group_by_payee(plan.instalments)
    refund_yen = sum(r.amount_yen for r in refunds)
    run_number = int(session.scalar(select(func.coalesce(func.max(PaymentBatch.run_number), 0))
                                    .where(PaymentBatch.benefit_month == month)) or 0) + 1
    now = actor.clock.now()
    batch = PaymentBatch(benefit_month=month, run_number=run_number, pay_date=paid_on,
                         payment_count=len(plan.instalments) + len(refunds),
                         transfer_count=len(transfers) + len(refunds),
                         total_yen=plan.total_yen + refund_yen, report={"excluded": list(excluded)},
                         prepared_by=actor.user_id, created_at=now)
    session.add(batch)
    try:
        session.flush()
    except IntegrityError as error:
        raise Conflict(f"another payment run for {month} is in progress; reload and try again",
                       code="run_in_progress", field="benefit_month") from error
    session.add(PaymentBatchEvent(batch_id=batch.id, event="created", user_id=actor.user_id, at=now,
                                  detail={"payment_count": batch.payment_count, "total_yen": batch.total_yen}))
    codes = _new_codes(session, [*(int(t.payee_id) for t in transfers), *(r.payee.id for r in refunds)], payees)
    transfer_rows = []
    for number, transfer in enumerate(transfers, start=1):
        payee = payees[int(transfer.payee_id)]
        transfer_rows.append({
            "batch_id": batch.id, "payee_id": payee.id, "customer_code": number, "amount_yen": transfer.amount_yen,
            "line_count": len(transfer.lines), "new_code": codes[payee.id], "account_version": payee.account_version,
            "payee_name": payee.name, **{k: getattr(payee, k) for k in ACCOUNT_FIELDS}})
    refund_codes = {}
    for number, refund in enumerate(refunds, start=len(transfers) + 1):  # 還付: one transfer each
        refund_codes[refund.order_id] = number
        transfer_rows.append({
            "batch_id": batch.id, "payee_id": refund.payee.id, "customer_code": number,
            "amount_yen": refund.amount_yen, "line_count": 1, "new_code": codes[refund.payee.id],
            "account_version": refund.payee.account_version, "payee_name": refund.payee.name,
            **{k: getattr(refund.payee, k) for k in ACCOUNT_FIELDS}})
    payment_rows = []
    for item in plan.instalments:
        shares = due.moving_parts.get(item.key) if item.subsidy == "moving" else None
        for part, amount in shares or [("rent", item.amount_yen)]:
            payment_rows.append({
                "kind": "payment", "batch_id": batch.id, "payee_id": int(item.payee_id), "grant_id": item.grant_id,
                "case_id": item.case_id, "benefit_month": item.benefit_month, "part": part,
                "subsidy": item.subsidy, "amount_yen": amount,
                "reverses_payment_id": None,
                "replaces_reversal_id": due.open_reversals.get((item.grant_id, item.benefit_month, part)),
                "reason_code": "reissue" if item.reissue else None, "reason": None,
                "created_by": actor.user_id, "created_at": now})
    try:
        bulk_insert(session, PaymentTransfer.__table__, transfer_rows)
        bulk_insert(session, Payment.__table__, payment_rows)
    except IntegrityError as error:
        raise Conflict(f"benefit month {month}: an instalment is already paid or being paid by another run "
                       "(never paid twice); reload and try again", code="already_paid",
                       field="benefit_month") from error
    if refund_codes:
        from service.workflows.payments.refunds import record_batched

        record_batched(session, actor, batch.id, refund_codes)
    audit(session, actor, "payment.run", target=f"payment_batch:{batch.id}",
          detail={"benefit_month": month, "batch_id": batch.id, "payment_count": batch.payment_count,
                  "total_yen": batch.total_yen, "excluded": len(excluded)})
    return batch

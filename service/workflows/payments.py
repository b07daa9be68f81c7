"""Payments (issue 4): payees, the monthly run, batches, the 全銀 export, returned transfers, statements.

The pure core (``payments``) decides; this module reads and writes the database around it:

* :func:`prepare_month` — the monthly run: set-based reads of what is due (rent months from
  ``benefit_month``, confirmed moving grants split by PD13), :func:`payments.payees.check_payee` on
  every payee, :func:`payments.schedule.plan_month` and :func:`~payments.schedule.group_by_payee`,
  then bulk inserts of one batch, its transfers and its ledger rows, in the caller's transaction.
  A bad payee leaves its cases out (listed in the report); rerunning adds nothing.
* :func:`approve_batch` (a second finance user, PD17), :func:`export_batch` (the file, stored byte
  for byte with its SHA-256), :func:`settle_batch`, :func:`cancel_batch` (before export only).
* :func:`import_returns` — returned transfers (振込不能・組戻し) become reversal rows; the months are
  payable again once the payee's account is fixed (or another payee is assigned).
* :func:`remittance_statements` — the 支払明細 per payee, as data for the letters.

Never paying twice is enforced by the database (see :mod:`service.db.models_payments`); on
PostgreSQL runs are also serialised by a transaction-scoped advisory lock, so a second run started
at the same time waits and then finds nothing to do. Workflows never commit.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ARRAY,
    DateTime,
    Integer,
    String,
    Text,
    and_,
    any_,
    case,
    exists,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, aliased

from payments.bank_calendar import is_bank_business_day, next_bank_business_day, parse_benefit_month, pay_date
from payments.payees import Payee as PayeeData
from payments.payees import PayeeProblem, check_payee, transfer_for_payee
from payments.returns import parse_returns_csv
from payments.schedule import (
    Entitlement,
    Exclusion,
    Instalment,
    MonthPlan,
    ReturnedInstalment,
    ScheduleError,
    group_by_payee,
    plan_month,
    split_moving_payment,
)
from payments.zengin import NewCode, TransferFileError, render_transfer_file
from payments.zengin_validator import validate_transfer_file
from service import rules
from service.db.models import (
    Application,
    AuditEvent,
    BenefitGrant,
    BenefitMonth,
    Decision,
    DecisionReview,
)
from service.db.models_payments import (
    GrantPayee,
    Payee,
    PayeeAccount,
    Payment,
    PaymentBatch,
    PaymentBatchEvent,
    PaymentFile,
    PaymentReturn,
    PaymentTransfer,
)
from service.errors import Conflict, Forbidden, InvalidRequest, NotFound, RuleViolation
from service.payments_config import OriginatorSettings, get_originator_settings
from service.workflows.common import Actor, audit, require_role

FINANCE = "finance"
CANCELLED_REASON = "batch_cancelled"
ACCOUNT_TYPES = {"ordinary": "1", "current": "2", "savings": "4", "1": "1", "2": "2", "4": "4", "9": "9"}
PAYEE_KINDS = ("landlord", "agent", "removal_company", "recipient")
ACCOUNT_FIELDS = ("holder_name", "bank_code", "branch_code", "account_type", "account_number")
#: What identifies a bank account: one account is one payee (issue 15).
ACCOUNT_KEY_FIELDS = ("bank_code", "branch_code", "account_type", "account_number")
#: Column widths of the payee table (a longer intake value excludes the grant, never fails the run).
PAYEE_FIELD_MAX = {"name": 200, "holder_name": 100, "corporate_number": 13}
#: Advisory lock key serialising monthly runs on PostgreSQL ("HBPAYRUN").
RUN_LOCK_KEY = 0x484250415952554E


def case_reference(case_id: int) -> str:
    """The case number printed on statements and exports (sorts like the number)."""
    return f"HB-{case_id:07d}"


# --- payees -------------------------------------------------------------------------------------


def payee_data(payee: Payee) -> PayeeData:
    return PayeeData(payee_id=str(payee.id), name=payee.name, holder_name=payee.holder_name,
                     bank_code=payee.bank_code, branch_code=payee.branch_code,
                     account_type=payee.account_type, account_number=payee.account_number,
                     corporate_number=payee.corporate_number)


def payee_dict(payee: Payee, problems: Sequence[PayeeProblem] | None = None) -> dict[str, Any]:
    found = check_payee(payee_data(payee)) if problems is None else problems
    return {"id": payee.id, "kind": payee.kind, "name": payee.name, "corporate_number": payee.corporate_number,
            "holder_name": payee.holder_name, "bank_code": payee.bank_code, "branch_code": payee.branch_code,
            "account_type": payee.account_type, "account_number": payee.account_number,
            "account_version": payee.account_version,
            "problems": [{"field": p.field, "code": p.code, "message": p.message} for p in found]}


def _clean_payee_fields(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: v for k, v in values.items() if v is not None}
    if "account_type" in cleaned:
        kind = ACCOUNT_TYPES.get(str(cleaned["account_type"]))
        if kind is None:
            raise InvalidRequest("account_type must be ordinary, current, savings (or 1, 2, 4, 9)",
                                 field="account_type")
        cleaned["account_type"] = kind
    if "kind" in cleaned and cleaned["kind"] not in PAYEE_KINDS:
        raise InvalidRequest(f"kind must be one of {', '.join(PAYEE_KINDS)}", field="kind")
    for name, width in (("bank_code", 4), ("branch_code", 3)):
        value = cleaned.get(name)
        if value is not None and (not str(value).isascii() or not str(value).isdigit() or len(value) != width):
            raise InvalidRequest(f"{name} must be {width} digits", field=name)
    number = cleaned.get("account_number")
    if number is not None and (not number.isascii() or not number.isdigit() or not 1 <= len(number) <= 7):
        raise InvalidRequest("account_number must have 1 to 7 digits", field="account_number")
    return cleaned


def create_payee(session: Session, actor: Actor, values: dict[str, Any]) -> Payee:
    """Register a payee. It is stored even with problems (they are reported, and keep it out of batches).

    One account is one payee (issue 15): an account already registered returns that payee when the
    holder name and kind match (a merge, nothing new is stored), and is refused with 409 naming the
    other payee otherwise."""
    return register_payee(session, actor, values)[0]


def register_payee(session: Session, actor: Actor, values: dict[str, Any]) -> tuple[Payee, bool]:
    """:func:`create_payee`, telling whether a new payee was stored (False: the existing one)."""
    require_role(actor, FINANCE)
    cleaned = _required_payee_fields(values)
    existing = _payee_with_account(session, cleaned)
    if existing is None:
        return _create_payee(session, actor, cleaned), True
    if existing.holder_name == cleaned["holder_name"] and existing.kind == cleaned["kind"]:
        audit(session, actor, "payee.merge", target=f"payee:{existing.id}", detail={"kind": existing.kind})
        return existing, False
    raise _account_taken(existing)


def _account_taken(existing: Payee) -> Conflict:
    return Conflict(f"この口座は既に支払先 #{existing.id}（{existing.name}）として登録されています。"
                    f"口座名義・種別が異なるため新しい支払先は登録できません。支払先 #{existing.id} を確認・修正してください"
                    f"（payee {existing.id} already holds this account）",
                    code="account_registered", field="account_number",
                    details=[{"payee_id": existing.id, "name": existing.name}])


def _payee_with_account(session: Session, cleaned: dict[str, Any], *, other_than: int | None = None) -> Payee | None:
    """The (oldest) payee holding this bank account (bank, branch, type, number)."""
    stmt = select(Payee).where(*(getattr(Payee, k) == cleaned[k] for k in ACCOUNT_KEY_FIELDS))
    if other_than is not None:
        stmt = stmt.where(Payee.id != other_than)
    return session.scalar(stmt.order_by(Payee.id).limit(1))


def _required_payee_fields(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = _clean_payee_fields(values)
    for name in ("kind", "name", *ACCOUNT_FIELDS):
        if not cleaned.get(name):
            raise InvalidRequest(f"{name} is required", code="missing_field", field=name)
    return cleaned


def _create_payee(session: Session, actor: Actor, cleaned: dict[str, Any]) -> Payee:
    now = actor.clock.now()
    payee = Payee(kind=cleaned["kind"], name=cleaned["name"], corporate_number=cleaned.get("corporate_number"),
                  account_version=1, created_at=now, updated_at=now,
                  **{k: cleaned[k] for k in ACCOUNT_FIELDS})
    session.add(payee)
    session.flush()
    _record_account(session, actor, payee)
    audit(session, actor, "payee.create", target=f"payee:{payee.id}", detail={"kind": payee.kind})
    return payee


def _record_account(session: Session, actor: Actor, payee: Payee) -> None:
    session.add(PayeeAccount(payee_id=payee.id, version=payee.account_version, recorded_by=actor.user_id,
                             recorded_at=actor.clock.now(), **{k: getattr(payee, k) for k in ACCOUNT_FIELDS}))


def load_payee(session: Session, payee_id: int) -> Payee:
    payee = session.get(Payee, payee_id)
    if payee is None:
        raise NotFound(f"payee {payee_id} not found", field="payee_id")
    return payee


def update_payee(session: Session, actor: Actor, payee_id: int, changes: dict[str, Any]) -> Payee:
    """Change a payee. A changed account is a new account version: the next transfer carries
    新規コード 2, and transfers returned to the old account become payable again."""
    require_role(actor, FINANCE)
    payee = load_payee(session, payee_id)
    cleaned = _clean_payee_fields(changes)
    account_changed = any(k in cleaned and cleaned[k] != getattr(payee, k) for k in ACCOUNT_FIELDS)
    if any(k in cleaned and cleaned[k] != getattr(payee, k) for k in ACCOUNT_KEY_FIELDS):
        target = {k: cleaned.get(k, getattr(payee, k)) for k in ACCOUNT_KEY_FIELDS}
        other = _payee_with_account(session, target, other_than=payee.id)
        if other is not None:  # one account is one payee (issue 15)
            raise _account_taken(other)
    for key, value in cleaned.items():
        if key in ("kind", "name", "corporate_number", *ACCOUNT_FIELDS):
            setattr(payee, key, value)
    payee.updated_at = actor.clock.now()
    if account_changed:
        payee.account_version += 1
        _record_account(session, actor, payee)
    session.flush()
    audit(session, actor, "payee.update", target=f"payee:{payee.id}",
          detail={"fields": sorted(cleaned), "account_changed": account_changed,
                  "account_version": payee.account_version})
    return payee


def list_payees(session: Session, actor: Actor, *, limit: int = 200, offset: int = 0) -> list[Payee]:
    require_role(actor, FINANCE)
    return list(session.scalars(select(Payee).order_by(Payee.id).limit(limit).offset(offset)))


def assign_grant_payee(session: Session, actor: Actor, grant_id: int, part: str, payee_id: int) -> GrantPayee:
    """Who is paid for a grant (``rent``, ``moving_initial`` or ``moving_other``)."""
    require_role(actor, FINANCE)
    grant = session.get(BenefitGrant, grant_id)
    if grant is None:
        raise NotFound(f"grant {grant_id} not found", field="grant_id")
    expected = ("rent",) if grant.benefit == "rent" else ("moving_initial", "moving_other")
    if part not in expected:
        raise InvalidRequest(f"a {grant.benefit} grant has payee parts {', '.join(expected)}", field="part")
    load_payee(session, payee_id)
    row = session.get(GrantPayee, (grant_id, part))
    if row is None:
        row = GrantPayee(grant_id=grant_id, part=part, payee_id=payee_id, assigned_by=actor.user_id,
                         assigned_at=actor.clock.now())
        session.add(row)
    else:
        row.payee_id, row.assigned_by, row.assigned_at = payee_id, actor.user_id, actor.clock.now()
    session.flush()
    audit(session, actor, "grant_payee.assign", case_id=grant.case_id, target=f"grant:{grant_id}:{part}",
          detail={"payee_id": payee_id})
    return row


#: Grants that can still be paid, and the payee parts each benefit needs (PD13).
_PAYABLE = {"rent": (("active", "interrupted"), ("rent",)),
            "moving": (("awaiting_move_report", "confirmed"), ("moving_initial",))}


def grants_missing_payees(session: Session, actor: Actor, *, limit: int = 200) -> list[dict[str, Any]]:
    """Grants that can still be paid with no payee for a part they need and an intake payee the run cannot
    register (incomplete or malformed): the finance screen's list to assign from, with what the agency
    wrote at intake (R45)."""
    require_role(actor, FINANCE)
    found: list[dict[str, Any]] = []
    for benefit, (statuses, parts) in _PAYABLE.items():
        for part in parts:
            rows = session.execute(
                select(BenefitGrant.id, BenefitGrant.case_id, BenefitGrant.status, Application.intake)
                .join(Application, Application.id == BenefitGrant.application_id)
                .where(BenefitGrant.benefit == benefit, BenefitGrant.status.in_(statuses),
                       ~exists().where(GrantPayee.grant_id == BenefitGrant.id, GrantPayee.part == part))
                .order_by(BenefitGrant.id).limit(limit)).all()
            for grant_id, case_id, status, intake in rows:
                if part in ("rent", "moving_initial") and _intake_payee_fields(intake or {}) is not None:
                    continue  # the next run registers the intake payee by itself
                named = (intake or {}).get("payee") or {}
                found.append({"grant_id": grant_id, "case_id": case_id, "case_reference": case_reference(case_id),
                              "benefit": benefit, "status": status, "part": part,
                              "intake_payee_name": str(named.get("name") or ""),
                              "intake_account": " ".join(str(named.get(k) or "") for k in
                                                         ("bank_code", "branch_code", "account_number")).strip()})
    found.sort(key=lambda row: (row["grant_id"], row["part"]))
    return found[:limit]


def _intake_payee_fields(intake: dict[str, Any]) -> dict[str, Any] | None:
    """The payee named at intake as payee fields, or None when it is incomplete or malformed."""
    cleaned, _problem = _intake_payee(intake)
    return cleaned


def _intake_payee(intake: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The intake payee's fields, or None and what is wrong with them (for the run report)."""
    raw = intake.get("payee") or {}
    values = {"kind": raw.get("payee_kind"), "name": raw.get("name"), "corporate_number": raw.get("corporate_number"),
              "holder_name": raw.get("holder_kana"), "bank_code": raw.get("bank_code"),
              "branch_code": raw.get("branch_code"), "account_type": raw.get("account_type"),
              "account_number": raw.get("account_number")}
    if any(v is not None and not isinstance(v, str) for v in values.values()):
        return None, "申請時の支払先の項目の形式が正しくありません"
    try:
        cleaned = _clean_payee_fields(values)
    except InvalidRequest as error:
        return None, f"申請時の支払先の {error.field} が正しくありません"
    missing = [k for k in ("kind", "name", *ACCOUNT_FIELDS) if not cleaned.get(k)]
    if missing:
        return None, f"申請時の支払先に {', '.join(missing)} がありません"
    for name, width in PAYEE_FIELD_MAX.items():
        if len(str(cleaned.get(name) or "")) > width:
            return None, f"申請時の支払先の {name} が {width} 文字を超えています（{len(str(cleaned[name]))} 文字）"
    return cleaned, ""


def _ensure_intake_payees(session: Session, actor: Actor, grant_ids: Iterable[int]) -> dict[int, str]:
    """Grants without a payee get the one named at intake (R45), reusing the payee that already holds the
    same account (one account is one payee). Returns, per grant whose intake payee cannot be registered,
    the reason (shown in the run report; the grant is left out, the run goes on)."""
    ids = sorted(set(grant_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(BenefitGrant.id, BenefitGrant.benefit, BenefitGrant.case_id, Application.intake)
        .join(Application, Application.id == BenefitGrant.application_id)
        .where(any_id(session, BenefitGrant.id, ids))
    ).all()
    wanted: dict[int, tuple[str, int, dict[str, Any]]] = {}
    reasons: dict[int, str] = {}
    for grant_id, benefit, case_id, intake in rows:
        cleaned, problem = _intake_payee(intake or {})
        if cleaned is None:
            reasons[grant_id] = problem
            continue
        wanted[grant_id] = ("rent" if benefit == "rent" else "moving_initial", case_id, cleaned)
    if not wanted:
        return reasons
    # The payees already holding these accounts, in one read.
    keys = {tuple(c[k] for k in ACCOUNT_KEY_FIELDS) for _, _, c in wanted.values()}
    by_account: dict[tuple[Any, ...], int] = {}
    for held in session.execute(select(Payee.id, *(getattr(Payee, k) for k in ACCOUNT_KEY_FIELDS))
                                .where(Payee.account_number.in_({k[3] for k in keys}))
                                .order_by(Payee.id.desc())):
        by_account[tuple(held[1:])] = int(held[0])  # the oldest wins
    assigned = {(g, p) for g, p in session.execute(select(GrantPayee.grant_id, GrantPayee.part)
                                                   .where(any_id(session, GrantPayee.grant_id, wanted)))}
    todo = {g: w for g, w in wanted.items() if (g, w[0]) not in assigned}
    new_accounts: dict[tuple[Any, ...], dict[str, Any]] = {}
    for _part, _case_id, cleaned in todo.values():
        key = tuple(cleaned[k] for k in ACCOUNT_KEY_FIELDS)
        if key not in by_account:
            new_accounts.setdefault(key, cleaned)
    by_account.update(_create_payees(session, actor, new_accounts, reasons, todo))
    now = actor.clock.now()
    assigned_rows: list[tuple[int, str, int, int]] = [(grant_id, part, case_id, by_account[tuple(cleaned[k] for k in ACCOUNT_KEY_FIELDS)])
            for grant_id, (part, case_id, cleaned) in todo.items() if grant_id not in reasons]
    session.flush()
    _bulk_insert(session, GrantPayee.__table__, [
        {"grant_id": g, "part": part, "payee_id": payee_id, "assigned_by": actor.user_id, "assigned_at": now}
        for g, part, _, payee_id in assigned_rows])
    _bulk_insert(session, AuditEvent.__table__, [
        {"at": now, "user_id": actor.user_id, "username": actor.username, "role": actor.role,
         "action": "grant_payee.assign", "case_id": case_id, "target": f"grant:{g}:{part}",
         "detail": {"payee_id": payee_id, "source": "intake"}, "client_ip": actor.client_ip}
        for g, part, case_id, payee_id in assigned_rows])
    return reasons


def _create_payees(session: Session, actor: Actor, accounts: dict[tuple[Any, ...], dict[str, Any]],
                   reasons: dict[int, str], todo: dict[int, tuple[str, int, dict[str, Any]]]
                   ) -> dict[tuple[Any, ...], int]:
    """Register the intake payees of new accounts: one INSERT … RETURNING for all of them, with their
    account versions and audit events (issue 15: a constant number of statements). Should the database
    refuse one (data the checks let through), each is tried alone so that only its grants are left out
    (their reason in ``reasons``) and the run goes on."""
    if not accounts:
        return {}
    try:
        with session.begin_nested():
            return dict(zip(accounts, _insert_payees(session, actor, list(accounts.values())), strict=True))
    except DBAPIError:
        pass
    created: dict[tuple[Any, ...], int] = {}
    for key, cleaned in accounts.items():
        try:
            with session.begin_nested():
                created[key] = _insert_payees(session, actor, [cleaned])[0]
        except DBAPIError as error:  # data the database refuses: these grants are left out, the run goes on
            for grant_id, (_part, _case, values) in todo.items():
                if tuple(values[k] for k in ACCOUNT_KEY_FIELDS) == key:
                    reasons[grant_id] = f"申請時の支払先を登録できません: {type(error.orig).__name__}"
    return created


def _insert_payees(session: Session, actor: Actor, accounts: list[dict[str, Any]]) -> list[int]:
    """Insert payees (account version 1) with their account history and audit events; their ids in order."""
    now = actor.clock.now()
    ids = [int(i) for i in session.scalars(
        insert(Payee).returning(Payee.id, sort_by_parameter_order=True),
        [{"kind": c["kind"], "name": c["name"], "corporate_number": c.get("corporate_number"), "account_version": 1,
          "created_at": now, "updated_at": now, **{k: c[k] for k in ACCOUNT_FIELDS}} for c in accounts])]
    session.execute(insert(PayeeAccount), [
        {"payee_id": payee_id, "version": 1, "recorded_by": actor.user_id, "recorded_at": now,
         **{k: c[k] for k in ACCOUNT_FIELDS}} for payee_id, c in zip(ids, accounts, strict=True)])
    session.execute(insert(AuditEvent), [
        {"at": now, "user_id": actor.user_id, "username": actor.username, "role": actor.role,
         "action": "payee.create", "case_id": None, "target": f"payee:{payee_id}",
         "detail": {"kind": c["kind"]}, "client_ip": actor.client_ip}
        for payee_id, c in zip(ids, accounts, strict=True)])
    return ids


# --- the monthly run -----------------------------------------------------------------------------


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
    payees = {p.id: p for p in session.scalars(select(Payee).where(any_id(session, Payee.id, due.payee_ids)))}
    problems: dict[str, list[PayeeProblem]] = {str(pid): _payee_problems(p) for pid, p in payees.items()}
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


def _payee_problems(payee: Payee) -> list[PayeeProblem]:
    """What keeps a payee out of the file: :func:`check_payee`, a name longer than the file's record
    holds, and anything the 全銀 rendering refuses (issue 12: one payee never stops the run)."""
    data = payee_data(payee)
    found = list(check_payee(data))
    for name, width in PAYEE_FIELD_MAX.items():
        value = getattr(payee, name) or ""
        if len(value) > width:
            found.append(PayeeProblem(field=name, code="too_long",
                                      message=f"{name} は {width} 文字までです（{len(value)} 文字）"))
    if not found:
        try:
            transfer_for_payee(data, amount_yen=1, customer_code_1=1)
        except (TransferFileError, ValueError) as error:
            found.append(PayeeProblem(field=getattr(error, "field", None) or "payee", code="zengin_refused",
                                      message=f"全銀ファイルに書けません: {error}"))
    return found


def _refunds_for_run(session: Session, plan: MonthPlan, payees: dict[int, Payee]) -> tuple[list[Any], list[Any]]:
    """Approved refund orders (還付, PD9) paid as more transfers of this run's batch (service.workflows.refunds)."""
    from service.workflows.refunds import refunds_for_run

    refunds, excluded = refunds_for_run(session, skip_payee_ids={int(i.payee_id) for i in plan.instalments})
    for refund in refunds:
        payees.setdefault(refund.payee.id, refund.payee)
    return refunds, excluded


def _exclusion_dict(x: Exclusion) -> dict[str, Any]:
    return {"case_id": x.case_id, "case_reference": case_reference(x.case_id), "grant_id": x.grant_id,
            "benefit_month": x.benefit_month, "payee_id": int(x.payee_id) if x.payee_id.isdigit() else None,
            "amount_yen": x.amount_yen, "reason_code": x.reason_code, "reason": x.reason}


def _live_payment_filter() -> Any:
    reversal = aliased(Payment)
    return and_(Payment.kind == "payment", ~exists().where(reversal.reverses_payment_id == Payment.id))


def _duplicate_accounts(session: Session) -> dict[int, int]:
    """Payees sharing an account with an older payee → that older payee (legacy duplicates: one account
    is one payee, so the run pays the oldest record and the file never holds one account twice)."""
    other = aliased(Payee)
    rows = session.execute(
        select(Payee.id, func.min(other.id))
        .join(other, and_(*(getattr(other, k) == getattr(Payee, k) for k in ACCOUNT_KEY_FIELDS), other.id < Payee.id))
        .group_by(Payee.id)).all()
    return {int(pid): int(first) for pid, first in rows}


def _moving_unpaid_grants() -> Any:
    """Confirmed moving grants whose live payments do not yet reach the confirmed amount (a paid grant
    is never read again: issue 15)."""
    paid = (select(func.coalesce(func.sum(Payment.amount_yen), 0))
            .where(Payment.grant_id == BenefitGrant.id, _live_payment_filter()).scalar_subquery())
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
    intake_problems = _ensure_intake_payees(session, actor, [*missing, *moving_missing])
    due.canonical = _duplicate_accounts(session)

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
    live = _live_payment_filter()
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
            select(Payment.grant_id, Payment.part).where(any_id(session, Payment.grant_id, ids), _live_payment_filter())):
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


def _new_codes(session: Session, payee_ids: Iterable[int], payees: dict[int, Payee]) -> dict[int, str]:
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
                 payees: dict[int, Payee], excluded: tuple[dict[str, Any], ...],
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
        _bulk_insert(session, PaymentTransfer.__table__, transfer_rows)
        _bulk_insert(session, Payment.__table__, payment_rows)
    except IntegrityError as error:
        raise Conflict(f"benefit month {month}: an instalment is already paid or being paid by another run "
                       "(never paid twice); reload and try again", code="already_paid",
                       field="benefit_month") from error
    if refund_codes:
        from service.workflows.refunds import record_batched

        record_batched(session, actor, batch.id, refund_codes)
    audit(session, actor, "payment.run", target=f"payment_batch:{batch.id}",
          detail={"benefit_month": month, "batch_id": batch.id, "payment_count": batch.payment_count,
                  "total_yen": batch.total_yen, "excluded": len(excluded)})
    return batch


def _bulk_insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Set-based insert in the session's transaction: ``COPY`` on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    columns = list(rows[0])
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(
            f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in (row[name] for name in columns)])


def _mark_months_paid(session: Session, batch_id: int) -> None:
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


def _release_months(session: Session, batch_ids: Sequence[int]) -> None:
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


def ledger_month_statuses(session: Session, grant_id: int) -> dict[str, str]:
    """PD31 as the clock shows it: a rent month whose live payment is in an open batch (draft or
    approved) is ``in_batch``; one in a settled batch is ``settled`` (else the clock's own status)."""
    rows = session.execute(
        select(Payment.benefit_month, Payment.batch_id)
        .where(Payment.grant_id == grant_id, Payment.part == "rent", _live_payment_filter())).all()
    if not rows:
        return {}
    statuses = _batch_statuses(session, {batch_id for _, batch_id in rows})
    shown = {"draft": "in_batch", "approved": "in_batch", "settled": "settled"}
    return {month: shown[statuses[batch_id]] for month, batch_id in rows if statuses[batch_id] in shown}


# --- batches -------------------------------------------------------------------------------------

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


def _batch_statuses(session: Session, batch_ids: Iterable[int]) -> dict[int, str]:
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
    rows = session.scalars(select(PaymentTransfer).where(PaymentTransfer.batch_id == batch.id)
                           .order_by(PaymentTransfer.customer_code)).all()
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
    _mark_months_paid(session, batch.id)
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


def _reversal_select(now: Any, user_id: int | None, reason_code: Any, reason: Any, *where: Any) -> Any:
    """Reversal rows for every live payment matching ``where``, as an INSERT … SELECT source."""
    reversal = aliased(Payment)
    return select(
        literal("reversal"), Payment.batch_id, Payment.payee_id, Payment.grant_id, Payment.case_id,
        Payment.benefit_month, Payment.part, Payment.subsidy, -Payment.amount_yen, Payment.id,
        reason_code, reason, literal(user_id, Integer), literal(now, DateTime(timezone=True)),
    ).where(Payment.kind == "payment", ~exists().where(reversal.reverses_payment_id == Payment.id), *where)


_REVERSAL_COLUMNS = ("kind", "batch_id", "payee_id", "grant_id", "case_id", "benefit_month", "part", "subsidy",
                     "amount_yen", "reverses_payment_id", "reason_code", "reason", "created_by", "created_at")


def _reverse_batch(session: Session, actor: Actor, batch_id: int, code: str, reason: str) -> None:
    """Reverse every live payment of a cancelled batch: a constant number of statements (issue 15)."""
    now = actor.clock.now()
    session.flush()
    session.execute(insert(Payment).from_select(
        _REVERSAL_COLUMNS,
        _reversal_select(now, actor.user_id, literal(code, String), literal(reason, Text), Payment.batch_id == batch_id)))
    _audit_reversals(session, actor, [batch_id], now, code)


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
    _bulk_insert(session, Payment.__table__, rows)
    return [row["amount_yen"] for row in rows]


def any_id(session: Session, column: Any, ids: Iterable[int]) -> Any:
    """``column IN ids`` for many ids: one array parameter on PostgreSQL (``= ANY``: no limit on the
    number of bind parameters, one plan whatever the count), an IN list elsewhere."""
    values = sorted(set(ids))
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(values, ARRAY(Integer)))
    return column.in_(values)


def _audit_reversals(session: Session, actor: Actor, batch_ids: Sequence[int], now: Any, code: str) -> None:
    """One ``payment.reverse`` audit event per case touched, written in one statement."""
    case_ids = session.scalars(select(Payment.case_id).distinct()
                               .where(Payment.kind == "reversal", Payment.batch_id.in_(batch_ids),
                                      Payment.created_at == now)).all()
    _bulk_insert(session, AuditEvent.__table__, [
        {"at": now, "user_id": actor.user_id, "username": actor.username, "role": actor.role,
         "action": "payment.reverse", "case_id": case_id, "target": f"case:{case_id}",
         "detail": {"reason_code": code, "batch_ids": list(batch_ids)}, "client_ip": actor.client_ip}
        for case_id in sorted(case_ids)])


# --- returned transfers --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnsReport:
    imported: int
    already_imported: int
    reversed_payments: int
    reversed_yen: int


def import_returns(session: Session, actor: Actor, data: bytes) -> ReturnsReport:
    """Import returned transfers (payments.returns CSV). Nothing is imported unless every line is
    good; a line imported before is skipped (idempotent). Set-based: a constant number of statements
    per batch named in the file, whatever the number of lines (issue 15)."""
    require_role(actor, FINANCE)
    parsed = parse_returns_csv(data)
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
    statuses = _batch_statuses(session, {b for b, _ in pairs}) if pairs else {}
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
    _bulk_insert(session, PaymentReturn.__table__, [
        {"batch_id": row.batch_id, "customer_code": row.customer_code, "payee_id": payee_id,
         "amount_yen": row.amount_yen, "reason_code": row.reason_code, "reason": row.reason,
         "imported_by": actor.user_id, "imported_at": now} for row, payee_id in todo])
    batch_ids = sorted({row.batch_id for row, _ in todo})
    count = amount = 0
    if batch_ids:
        amounts = _reverse_returned(session, actor, now, {(row.batch_id, payee_id): (row.reason_code, row.reason)
                                                          for row, payee_id in todo})
        count, amount = len(amounts), sum(amounts)
        _release_months(session, batch_ids)
        _audit_reversals(session, actor, batch_ids, now, "returned")
    audit(session, actor, "payment.returns_import", detail={"imported": len(todo), "already_imported": already,
                                                            "reversed_payments": int(count)})
    return ReturnsReport(imported=len(todo), already_imported=already, reversed_payments=int(count),
                         reversed_yen=-int(amount))


# --- ledger views, statements --------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True, kw_only=True)
class StatementLine:
    case_reference: str
    recipient_name: str
    benefit_month: str
    amount_yen: int
    subsidy: str
    kind: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RemittanceStatement:
    """支払明細 for one payee of one batch: who was paid for which tenants and months (R45)."""

    batch_id: int
    pay_date: str
    payee: dict[str, Any]
    lines: tuple[StatementLine, ...]
    total_yen: int


def remittance_statements(session: Session, actor: Actor, batch_id: int) -> list[RemittanceStatement]:
    """The 支払明細 of every payee in the batch, as data for the letters (recipients' names: audited)."""
    require_role(actor, FINANCE)
    batch = load_batch(session, batch_id)
    rows = session.execute(
        select(Payment.grant_id, Payment.case_id, Payment.benefit_month, Payment.payee_id, Payment.subsidy,
               func.sum(Payment.amount_yen), Application.intake)
        .join(BenefitGrant, BenefitGrant.id == Payment.grant_id)
        .join(Application, Application.id == BenefitGrant.application_id)
        .where(Payment.batch_id == batch_id, Payment.kind == "payment")
        .group_by(Payment.grant_id, Payment.case_id, Payment.benefit_month, Payment.payee_id, Payment.subsidy,
                  Application.id, Application.intake)
    ).all()
    names: dict[int, str] = {}
    instalments = []
    for grant_id, case_id, month, payee_id, subsidy, amount, intake in rows:
        names[case_id] = str(((intake or {}).get("applicant") or {}).get("name") or "")
        instalments.append(Instalment(grant_id=grant_id, case_id=case_id, case_reference=case_reference(case_id),
                                      benefit_month=month, amount_yen=int(amount), payee_id=str(payee_id),
                                      subsidy=subsidy, kind="monthly_rent" if subsidy == "rent" else "moving"))
    transfers = {t.payee_id: t for t in session.scalars(select(PaymentTransfer)
                                                        .where(PaymentTransfer.batch_id == batch_id))}
    paid_on = effective_pay_date(session, batch).isoformat()
    statements = []
    for grouped in group_by_payee(instalments):
        t = transfers[int(grouped.payee_id)]
        statements.append(RemittanceStatement(
            batch_id=batch.id, pay_date=paid_on,
            payee={"id": t.payee_id, "name": t.payee_name, "bank_code": t.bank_code, "branch_code": t.branch_code,
                   "account_type": t.account_type, "account_number": t.account_number,
                   "holder_name": t.holder_name, "customer_code": t.customer_code},
            lines=tuple(StatementLine(case_reference=line.case_reference, recipient_name=names[line.case_id],
                                      benefit_month=line.benefit_month, amount_yen=line.amount_yen,
                                      subsidy=line.subsidy, kind=line.kind) for line in grouped.lines),
            total_yen=grouped.amount_yen))
    audit(session, actor, "payment_statement.read", target=f"payment_batch:{batch.id}",
          detail={"payees": len(statements)})
    return statements


def grant_payments(session: Session, actor: Actor, grant_id: int) -> list[dict[str, Any]]:
    """The ledger of one grant (payments and reversals), oldest first."""
    require_role(actor, FINANCE)
    rows = session.scalars(select(Payment).where(Payment.grant_id == grant_id).order_by(Payment.id)).all()
    return [{"id": r.id, "kind": r.kind, "batch_id": r.batch_id, "payee_id": r.payee_id,
             "benefit_month": r.benefit_month, "part": r.part, "amount_yen": r.amount_yen,
             "reverses_payment_id": r.reverses_payment_id, "replaces_reversal_id": r.replaces_reversal_id,
             "reason_code": r.reason_code, "reason": r.reason} for r in rows]

"""Payees (振込先, R45): registration, one account one payee, grant assignments and intake payees.

A payee is stored even with problems (reported, and keeping it out of batches); an account already
registered is the same payee (issue 15). The monthly run registers the payee named at intake for a
grant without one (:func:`ensure_intake_payees`), all of them in a constant number of statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    and_,
    exists,
    func,
    insert,
    select,
)
from sqlalchemy.engine import Row
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, aliased

from payments.payees import Payee as PayeeData
from payments.payees import PayeeProblem, check_payee, checked_transfer
from payments.zengin import TransferFileError
from service.db.models import (
    Application,
    AuditEvent,
    BenefitGrant,
)
from service.db.models_payments import (
    GrantPayee,
    Payee,
    PayeeAccount,
)
from service.errors import Conflict, InvalidRequest, NotFound
from service.workflows.common import Actor, audit, require_role
from service.workflows.payments.ledger import FINANCE, any_id, bulk_insert, case_reference

ACCOUNT_TYPES = {"ordinary": "1", "current": "2", "savings": "4", "1": "1", "2": "2", "4": "4", "9": "9"}
PAYEE_KINDS = ("landlord", "agent", "removal_company", "recipient")
ACCOUNT_FIELDS = ("holder_name", "bank_code", "branch_code", "account_type", "account_number")
#: What identifies a bank account: one account is one payee (issue 15).
ACCOUNT_KEY_FIELDS = ("bank_code", "branch_code", "account_type", "account_number")
#: Column widths of the payee table (a longer intake value excludes the grant, never fails the run).
PAYEE_FIELD_MAX = {"name": 200, "holder_name": 100, "corporate_number": 13}


#: The payee columns the run and the file need, read as rows (no ORM object per payee: issue 15).
PAYEE_ROW_COLUMNS = (Payee.id, Payee.name, Payee.corporate_number, *(getattr(Payee, k) for k in ACCOUNT_FIELDS),
                     Payee.account_version)


def payee_data(payee: Payee | Row[Any]) -> PayeeData:
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


def ensure_intake_payees(session: Session, actor: Actor, grant_ids: Iterable[int]) -> dict[int, str]:
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
    bulk_insert(session, GrantPayee.__table__, [
        {"grant_id": g, "part": part, "payee_id": payee_id, "assigned_by": actor.user_id, "assigned_at": now}
        for g, part, _, payee_id in assigned_rows])
    bulk_insert(session, AuditEvent.__table__, [
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
    session.execute(insert(Payee), [
        {"kind": c["kind"], "name": c["name"], "corporate_number": c.get("corporate_number"), "account_version": 1,
         "created_at": now, "updated_at": now, **{k: c[k] for k in ACCOUNT_FIELDS}} for c in accounts])
    # Their ids, read back by account (one read; INSERT … RETURNING in order is row by row on SQLite).
    by_account: dict[tuple[Any, ...], int] = {}
    for held in session.execute(select(Payee.id, *(getattr(Payee, k) for k in ACCOUNT_KEY_FIELDS))
                                .where(Payee.account_number.in_({c["account_number"] for c in accounts}))
                                .order_by(Payee.id.desc())):
        by_account[tuple(held[1:])] = int(held[0])  # the oldest wins
    ids = [by_account[tuple(c[k] for k in ACCOUNT_KEY_FIELDS)] for c in accounts]
    session.execute(insert(PayeeAccount), [
        {"payee_id": payee_id, "version": 1, "recorded_by": actor.user_id, "recorded_at": now,
         **{k: c[k] for k in ACCOUNT_FIELDS}} for payee_id, c in zip(ids, accounts, strict=True)])
    session.execute(insert(AuditEvent), [
        {"at": now, "user_id": actor.user_id, "username": actor.username, "role": actor.role,
         "action": "payee.create", "case_id": None, "target": f"payee:{payee_id}",
         "detail": {"kind": c["kind"]}, "client_ip": actor.client_ip}
        for payee_id, c in zip(ids, accounts, strict=True)])
    return ids


def payee_problems(payee: Payee | Row[Any]) -> list[PayeeProblem]:
    """What keeps a payee out of the file: :func:`check_payee`, a name longer than the file's record
    holds, and anything the 全銀 rendering refuses (issue 12: one payee never stops the run). Each check
    runs once (:func:`checked_transfer`: the check and the record in one pass, issue 15). ``payee`` is
    the model or a row of its columns (the run reads rows, not objects)."""
    data = payee_data(payee)
    refused: Exception | None = None
    try:
        checked, _transfer = checked_transfer(data, amount_yen=1, customer_code_1=1)
    except (TransferFileError, ValueError) as error:
        checked, refused = [], error
    found = list(checked)
    for name, width in PAYEE_FIELD_MAX.items():
        value = getattr(payee, name) or ""
        if len(value) > width:
            found.append(PayeeProblem(field=name, code="too_long",
                                      message=f"{name} は {width} 文字までです（{len(value)} 文字）"))
    if refused is not None and not found:
        found.append(PayeeProblem(field=getattr(refused, "field", None) or "payee", code="zengin_refused",
                                  message=f"全銀ファイルに書けません: {refused}"))
    return found


def duplicate_accounts(session: Session) -> dict[int, int]:
    """Payees sharing an account with an older payee → that older payee (legacy duplicates: one account
    is one payee, so the run pays the oldest record and the file never holds one account twice)."""
    other = aliased(Payee)
    rows = session.execute(
        select(Payee.id, func.min(other.id))
        .join(other, and_(*(getattr(other, k) == getattr(Payee, k) for k in ACCOUNT_KEY_FIELDS), other.id < Payee.id))
        .group_by(Payee.id)).all()
    return {int(pid): int(first) for pid, first in rows}

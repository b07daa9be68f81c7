"""支払明細 (remittance statements, R45, issue 15 item 4): the data per payee, rendered once and archived.

:func:`remittance_statements` gives the statement of every payee of a batch as data for the letters.
支払明細書 (remittance statements) rendered once and archived (issue 15 item 4).

At export the statements of the batch are rendered (one PDF per payee, by the letters' renderer) and
stored with their SHA-256 in the append-only ``payment_statement`` table; every download returns the
stored bytes, never a new rendering. A batch exported before this existed, or whose rendering failed
at export, is rendered on its first download and stored then — once: two first downloads at the same
moment collide on the unique (batch, number) and the loser is told to retry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from payments.schedule import (
    Instalment,
    group_by_payee,
)
from service.db.models import (
    Application,
    BenefitGrant,
)
from service.db.models_finance import PaymentStatement
from service.db.models_payments import (
    Payment,
    PaymentTransfer,
)
from service.errors import Conflict
from service.workflows.common import Actor, audit, require_role
from service.workflows.payments.batches import effective_pay_date, load_batch
from service.workflows.payments.ledger import FINANCE, case_reference


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

@dataclass(frozen=True, slots=True, kw_only=True)
class StoredStatement:
    number: int
    payee_id: int | None
    payee_name: str
    total_yen: int
    sha256: str
    content: bytes


def _stored(session: Session, batch_id: int) -> list[StoredStatement]:
    rows = session.scalars(select(PaymentStatement).where(PaymentStatement.batch_id == batch_id)
                           .order_by(PaymentStatement.number)).all()
    return [StoredStatement(number=r.number, payee_id=r.payee_id, payee_name=r.payee_name, total_yen=int(r.total_yen),
                            sha256=r.sha256, content=bytes(r.content)) for r in rows]


def archive_statements(session: Session, actor: Actor, batch_id: int) -> list[StoredStatement]:
    """Render the batch's statements and store them, unless they are stored already (then: those)."""
    require_role(actor, FINANCE)
    load_batch(session, batch_id)
    stored = _stored(session, batch_id)
    if stored:
        return stored
    from service.workflows import letters

    pdfs = letters.remittance_statement_pdfs(session, actor, batch_id)  # refuses a batch not exported
    data = remittance_statements(session, actor, batch_id)
    if len(data) != len(pdfs):  # pragma: no cover - both come from the same ledger in one transaction
        raise Conflict("the statements changed while they were rendered", field="batch_id")
    now = actor.clock.now()
    for number, ((name, pdf), statement) in enumerate(zip(pdfs, data, strict=True), start=1):
        session.add(PaymentStatement(batch_id=batch_id, number=number, payee_id=int(statement.payee["id"]),
                                     payee_name=name, total_yen=statement.total_yen, content=pdf,
                                     sha256=hashlib.sha256(pdf).hexdigest(), created_by=actor.user_id,
                                     created_at=now))
    try:
        session.flush()
    except IntegrityError as error:
        raise Conflict(f"the statements of batch {batch_id} are being stored by someone else; try again",
                       code="concurrent_modification", field="batch_id") from error
    audit(session, actor, "payment_statement.archive", target=f"payment_batch:{batch_id}",
          detail={"statements": len(pdfs)})
    return _stored(session, batch_id)


def archive_at_export(session: Session, actor: Actor, batch_id: int) -> int:
    """Called right after a successful export, in its transaction: render and store the statements.
    A rendering failure never undoes the export (a savepoint); the first download renders them then.
    Returns how many statements were stored (0 on failure)."""
    try:
        with session.begin_nested():
            return len(archive_statements(session, actor, batch_id))
    except Exception as error:  # noqa: BLE001 - the bank file matters more than its statements
        audit(session, actor, "payment_statement.archive_failed", target=f"payment_batch:{batch_id}",
              detail={"error": type(error).__name__})
        return 0


def statement_files(session: Session, actor: Actor, batch_id: int) -> list[StoredStatement]:
    """The batch's statements as stored (rendered and stored first if they never were). Audited."""
    files = archive_statements(session, actor, batch_id)
    audit(session, actor, "payment_statement.download", target=f"payment_batch:{batch_id}",
          detail={"statements": len(files), "sha256": [f.sha256 for f in files][:50]})
    return files

"""支払明細 (remittance statements, R45, issue 15 item 4): the data per payee, rendered once and archived.

:func:`remittance_statements` gives the statement of every payee of a batch as data for the letters.

The export never renders: in its transaction it only records that the batch's statements are ``due``
(:func:`mark_due`, a ``payment_statement_event``). After its commit the letter worker
(:func:`work_statements`, called by ``work_letters``: the thread in ``serve`` and ``housing-benefit letters
work``) computes the statements and their numbering once per batch, then renders them through the
letters' layout and font cache and stores them in chunks of :data:`CHUNK_SIZE`, each chunk committed, so
a worker killed mid-batch resumes where it stopped; the unique (batch, number) of the append-only
``payment_statement`` table refuses a second copy. A failure is recorded (``failed`` event) and shown on
the batch until the statements are complete. Downloads return the stored bytes; when a few are missing
(a batch exported before this, a small batch not reached yet) the download renders them, when many
are missing it answers 409 ``statements_pending`` naming how many are ready — never a partial list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    distinct,
    exists,
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
from service.db.models_finance import PaymentStatement, PaymentStatementEvent
from service.db.models_payments import (
    Payment,
    PaymentTransfer,
)
from service.errors import Conflict, NotFound
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


#: Statements rendered and stored per transaction by the worker (a kill loses at most one chunk's work).
CHUNK_SIZE = 200
#: At most this many missing statements are rendered inside a download request; more: 409, the worker does it.
RENDER_IN_REQUEST_AT_MOST = 200


class StatementsPending(Conflict):
    """The batch's statements are still being rendered by the worker (409)."""

    code = "statements_pending"


@dataclass(frozen=True, slots=True, kw_only=True)
class StatementProgress:
    """How many of a batch's statements are stored, of how many, and the last rendering failure."""

    batch_id: int
    expected: int
    stored: int
    due: bool
    failure: dict[str, Any] | None

    @property
    def complete(self) -> bool:
        return self.stored >= self.expected

    def as_dict(self) -> dict[str, Any]:
        return {"batch_id": self.batch_id, "expected": self.expected, "stored": self.stored,
                "complete": self.complete, "failure": self.failure}


def _stored(session: Session, batch_id: int) -> list[StoredStatement]:
    rows = session.scalars(select(PaymentStatement).where(PaymentStatement.batch_id == batch_id)
                           .order_by(PaymentStatement.number)).all()
    return [StoredStatement(number=r.number, payee_id=r.payee_id, payee_name=r.payee_name, total_yen=int(r.total_yen),
                            sha256=r.sha256, content=bytes(r.content)) for r in rows]


def _stored_numbers(session: Session, batch_id: int) -> set[int]:
    return set(session.scalars(select(PaymentStatement.number).where(PaymentStatement.batch_id == batch_id)))


def expected_count(session: Session, batch_id: int) -> int:
    """How many statements the batch has: one per payee paid in it (refund-only transfers have none)."""
    return int(session.scalar(select(func.count(distinct(Payment.payee_id)))
                              .where(Payment.batch_id == batch_id, Payment.kind == "payment")) or 0)


def mark_due(session: Session, actor: Actor, batch_id: int) -> int:
    """At export, in its transaction: record that the batch's statements are due; the letter worker
    renders them after the commit. Renders nothing. Returns how many statements are due."""
    expected = expected_count(session, batch_id)
    if expected:
        session.add(PaymentStatementEvent(batch_id=batch_id, event="due", expected=expected,
                                          user_id=actor.user_id, at=actor.clock.now()))
    return expected


def _last_failure(session: Session, batch_id: int) -> PaymentStatementEvent | None:
    return session.scalar(select(PaymentStatementEvent).where(
        PaymentStatementEvent.batch_id == batch_id, PaymentStatementEvent.event == "failed")
        .order_by(PaymentStatementEvent.id.desc()).limit(1))


def statement_progress(session: Session, batch_id: int) -> StatementProgress:
    """Stored of expected, and the last failure while incomplete (shown on the batch and in the API)."""
    due = session.scalar(select(PaymentStatementEvent.expected).where(
        PaymentStatementEvent.batch_id == batch_id, PaymentStatementEvent.event == "due"))
    expected = int(due) if due is not None else expected_count(session, batch_id)
    stored = int(session.scalar(select(func.count()).select_from(PaymentStatement)
                                .where(PaymentStatement.batch_id == batch_id)) or 0)
    failure = None
    if stored < expected:
        last = _last_failure(session, batch_id)
        if last is not None:
            failure = {"code": last.error_code, "message": last.error_message, "at": last.at.isoformat()}
    return StatementProgress(batch_id=batch_id, expected=expected, stored=stored, due=due is not None,
                             failure=failure)


def _store(session: Session, actor: Actor, batch_id: int, numbered: list[tuple[int, RemittanceStatement]]) -> int:
    """Render ``numbered`` and insert them (flushed: a collision raises IntegrityError here)."""
    from service.workflows import letters

    if not numbered:
        return 0
    now = actor.clock.now()
    totals = dict(numbered)
    for number, name, pdf in letters.render_remittance_statements(session, batch_id, numbered):
        statement = totals[number]
        session.add(PaymentStatement(batch_id=batch_id, number=number, payee_id=int(statement.payee["id"]),
                                     payee_name=name, total_yen=statement.total_yen, content=pdf,
                                     sha256=hashlib.sha256(pdf).hexdigest(), created_by=actor.user_id,
                                     created_at=now))
    session.flush()
    audit(session, actor, "payment_statement.archive", target=f"payment_batch:{batch_id}",
          detail={"statements": len(numbered), "first": numbered[0][0], "last": numbered[-1][0]})
    return len(numbered)


def _pending(session: Session, batch_id: int, progress: StatementProgress) -> StatementsPending:
    return StatementsPending(
        f"the statements of batch {batch_id} are being prepared: {progress.stored} of {progress.expected} "
        "are ready; download them when all are", field="batch_id",
        details=[{"batch_id": batch_id, "stored": progress.stored, "expected": progress.expected}])


def archive_statements(session: Session, actor: Actor, batch_id: int) -> list[StoredStatement]:
    """The batch's statements as stored. When a few are missing (at most :data:`RENDER_IN_REQUEST_AT_MOST`:
    a small batch the worker has not reached, a batch exported before the worker existed) they are rendered
    and stored here; when more are missing: 409 ``statements_pending`` — never an incomplete list."""
    require_role(actor, FINANCE)
    load_batch(session, batch_id)
    from service.workflows import letters

    letters.export_time(session, batch_id)  # refuses a batch not exported
    progress = statement_progress(session, batch_id)
    if progress.complete:
        return _stored(session, batch_id)
    if progress.expected - progress.stored > RENDER_IN_REQUEST_AT_MOST:
        raise _pending(session, batch_id, progress)
    stored = _stored_numbers(session, batch_id)
    missing = [(number, statement) for number, statement
               in enumerate(remittance_statements(session, actor, batch_id), start=1) if number not in stored]
    try:
        with session.begin_nested():
            _store(session, actor, batch_id, missing)
    except IntegrityError as error:  # the worker (or another download) stored some at the same moment
        raise StatementsPending(f"the statements of batch {batch_id} are being stored right now; try again",
                                field="batch_id", details=[{"batch_id": batch_id}]) from error
    return _stored(session, batch_id)


def statement_files(session: Session, actor: Actor, batch_id: int) -> list[StoredStatement]:
    """The batch's statements as stored (the few missing rendered first). Audited."""
    files = archive_statements(session, actor, batch_id)
    audit(session, actor, "payment_statement.download", target=f"payment_batch:{batch_id}",
          detail={"statements": len(files), "sha256": [f.sha256 for f in files][:50]})
    return files


def _ready_to_read(session: Session, actor: Actor, batch_id: int) -> None:
    """Before a read of stored statements: finance only, the batch exists, and the few missing are
    rendered first (or 409 ``statements_pending``; a batch not exported is refused as such)."""
    require_role(actor, FINANCE)
    load_batch(session, batch_id)
    if not statement_progress(session, batch_id).complete:
        archive_statements(session, actor, batch_id)


def _refuse_unexported(session: Session, batch_id: int) -> None:
    from service.workflows import letters

    letters.export_time(session, batch_id)  # a batch not exported: its own refusal, not "no statement"


def statement_index(session: Session, actor: Actor, batch_id: int) -> list[dict[str, Any]]:
    """The batch's statements as stored, without their PDFs: number, payee, total and SHA-256 of each (the
    few missing rendered first, as for the download). Audited as a read of the batch's statements."""
    _ready_to_read(session, actor, batch_id)
    rows = session.execute(select(PaymentStatement.number, PaymentStatement.payee_id, PaymentStatement.payee_name,
                                  PaymentStatement.total_yen, PaymentStatement.sha256)
                           .where(PaymentStatement.batch_id == batch_id).order_by(PaymentStatement.number)).all()
    if not rows:
        _refuse_unexported(session, batch_id)
    audit(session, actor, "payment_statement.list", target=f"payment_batch:{batch_id}",
          detail={"statements": len(rows)})
    return [{"number": int(number), "payee_id": payee_id, "payee_name": name, "total_yen": int(total),
             "sha256": sha256} for number, payee_id, name, total, sha256 in rows]


def statement_file(session: Session, actor: Actor, batch_id: int, number: int) -> StoredStatement:
    """One statement as stored, read alone (a batch of 10,000 payees is not loaded to send one PDF); the
    few missing are rendered first, as for the whole batch. Audited."""
    _ready_to_read(session, actor, batch_id)
    row = session.scalar(select(PaymentStatement).where(PaymentStatement.batch_id == batch_id,
                                                        PaymentStatement.number == number))
    if row is None:
        _refuse_unexported(session, batch_id)
        raise NotFound(f"batch {batch_id} has no statement {number}", field="number")
    audit(session, actor, "payment_statement.download", target=f"payment_batch:{batch_id}",
          detail={"statements": 1, "number": number, "sha256": [row.sha256]})
    return StoredStatement(number=row.number, payee_id=row.payee_id, payee_name=row.payee_name,
                           total_yen=int(row.total_yen), sha256=row.sha256, content=bytes(row.content))


# --- the worker ----------------------------------------------------------------------------------------


def statement_worker_actor(clock: Any = None) -> Actor:
    """The letter worker, acting as the system with the finance role the statements' data needs."""
    from service.clock import SystemClock

    return Actor(user_id=None, username="letter-worker", role=FINANCE, clock=clock or SystemClock())


def pending_batches(session: Session) -> list[tuple[int, int]]:
    """(batch, expected) of every batch whose statements are due and not all stored: one indexed query
    (the worker stores in ascending number, so the last number is stored only when all are)."""
    last_stored = exists().where(PaymentStatement.batch_id == PaymentStatementEvent.batch_id,
                                 PaymentStatement.number == PaymentStatementEvent.expected)
    rows = session.execute(select(PaymentStatementEvent.batch_id, PaymentStatementEvent.expected)
                           .where(PaymentStatementEvent.event == "due", ~last_stored)
                           .order_by(PaymentStatementEvent.id)).all()
    return [(int(batch_id), int(expected or 0)) for batch_id, expected in rows]


def _retry_due(session: Session, batch_id: int, now: Any) -> bool:
    from service.workflows.letters import RETRY_AFTER, as_utc

    failures = list(session.scalars(select(PaymentStatementEvent.at).where(
        PaymentStatementEvent.batch_id == batch_id, PaymentStatementEvent.event == "failed")))
    if not failures:
        return True
    wait = RETRY_AFTER[min(len(failures), len(RETRY_AFTER) - 1)]
    return bool(as_utc(now) >= max(as_utc(at) for at in failures) + wait)


def _record_failure(session: Session, actor: Actor, batch_id: int, error: BaseException) -> None:
    from service.workflows.letters import _error_code, _error_text

    code, message = _error_code(error)[:60], _error_text(error)[:1000]
    session.add(PaymentStatementEvent(batch_id=batch_id, event="failed", error_code=code, error_message=message,
                                      user_id=actor.user_id, at=actor.clock.now()))
    audit(session, actor, "payment_statement.archive_failed", target=f"payment_batch:{batch_id}",
          detail={"code": code, "message": message[:500]})


def _work_batch(session_factory: Any, actor: Actor, batch_id: int, expected: int, chunk_size: int,
                after_chunk: Callable[[int, int], None] | None) -> int:
    from service.db.session import unit_of_work

    with unit_of_work(session_factory) as session:  # the data and numbering, once per batch
        data = remittance_statements(session, actor, batch_id)
        stored = _stored_numbers(session, batch_id)
    if len(data) != expected:
        raise Conflict(f"batch {batch_id} has {len(data)} statements, {expected} were due at export",
                       field="batch_id")
    missing = [(number, statement) for number, statement in enumerate(data, start=1) if number not in stored]
    done = 0
    for start in range(0, len(missing), chunk_size):
        chunk = missing[start:start + chunk_size]
        try:
            with unit_of_work(session_factory) as session:
                done += _store(session, actor, batch_id, chunk)
        except IntegrityError:  # a download stored some of them meanwhile: store the others
            with unit_of_work(session_factory) as session:
                now_stored = set(session.scalars(select(PaymentStatement.number).where(
                    PaymentStatement.batch_id == batch_id,
                    PaymentStatement.number.in_([number for number, _ in chunk]))))
                done += _store(session, actor, batch_id, [(n, s) for n, s in chunk if n not in now_stored])
        if after_chunk is not None:
            after_chunk(batch_id, done)
    return done


def work_statements(session_factory: Any, *, clock: Any = None, chunk_size: int = CHUNK_SIZE,
                    after_chunk: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Render and store the due statements of every pending batch (the letter worker's second step).
    A failing batch is recorded and retried later; the other batches go on."""
    from sqlalchemy.exc import OperationalError

    from service.db.session import unit_of_work

    actor = statement_worker_actor(clock)
    counts = {"stored": 0, "failed": 0}
    with unit_of_work(session_factory) as session:
        now = actor.clock.now()
        pending = [(b, e) for b, e in pending_batches(session) if _retry_due(session, b, now)]
    for batch_id, expected in pending:
        try:
            counts["stored"] += _work_batch(session_factory, actor, batch_id, expected, chunk_size, after_chunk)
        except OperationalError:
            raise  # the database itself is unavailable: stop, the statements stay due
        except Exception as error:  # noqa: BLE001 - any failure is recorded and shown, never lost
            with unit_of_work(session_factory) as session:
                _record_failure(session, actor, batch_id, error)
            counts["failed"] += 1
    return counts

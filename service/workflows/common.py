"""What every use case needs: the acting person, the audit log, case access and the case lock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.attributes import set_committed_value

from service.clock import SYSTEM_CLOCK, OfficeClock
from service.db.models import AuditEvent, BenefitCase
from service.errors import ConcurrentModification, Forbidden, NotFound


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int | None
    username: str
    role: str
    agency_id: int | None = None
    client_ip: str | None = None
    #: The office clock (service.clock): every workflow reads "now" and "today" from here, never
    #: from the wall clock, so tests and the demo's scenario clock decide the time.
    clock: OfficeClock = field(default=SYSTEM_CLOCK, compare=False, repr=False)

    @classmethod
    def system(cls, clock: OfficeClock = SYSTEM_CLOCK) -> Actor:
        return cls(user_id=None, username="system", role="system", clock=clock)


def require_role(actor: Actor, *roles: str) -> None:
    if actor.role not in roles and actor.role != "system":
        raise Forbidden(f"role {actor.role!r} may not do this (needs {' or '.join(roles)})", code="forbidden")


def audit(
    session: Session,
    actor: Actor,
    action: str,
    *,
    case_id: int | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(
            user_id=actor.user_id,
            username=actor.username,
            role=actor.role,
            action=action,
            case_id=case_id,
            target=target,
            detail=detail or {},
            client_ip=actor.client_ip,
            at=actor.clock.now(),
        )
    )


_HELD = "workflows.held"


def hold(session: Session, obj: Any) -> None:
    """Keep ``obj`` in the identity map until the transaction ends. The identity map only holds
    unchanged objects weakly, so a case or application that a step looks up and then lets go of would
    be SELECTed again by the next step of the same transaction (five uploads → five case SELECTs)."""
    session.info.setdefault(_HELD, set()).add(obj)


@event.listens_for(Session, "after_transaction_end")
def _release_held(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction: the next one loads afresh
        session.info.pop(_HELD, None)


def load_case(session: Session, actor: Actor, case_id: int) -> BenefitCase:
    """The case, or 404 — also when an agency asks for another agency's case."""
    case = session.get(BenefitCase, case_id)
    if case is None or (actor.role == "agency" and case.agency_id != actor.agency_id):
        raise NotFound(f"case {case_id} not found", field="case_id")
    hold(session, case)
    return case


def bump_case_version(session: Session, case: BenefitCase, expected: int | None, now: datetime) -> int:
    """Take the case for this action: exactly one of two concurrent actions wins (409 for the other)."""
    seen = case.version if expected is None else expected
    if expected is not None and expected != case.version:
        raise ConcurrentModification(
            f"case {case.id} was changed by someone else (version {case.version}, you saw {expected});"
            " reload the case and try again",
            field="case_version",
        )
    result = session.execute(
        update(BenefitCase)
        .where(BenefitCase.id == case.id, BenefitCase.version == seen)
        .values(version=seen + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise ConcurrentModification(
            f"case {case.id} is being changed by someone else right now; reload the case and try again",
            field="case_version",
        )
    # The row is what we saw plus this bump (every change to a case bumps its version): set the new
    # values as loaded state instead of SELECTing the row again.
    set_committed_value(case, "version", seen + 1)
    set_committed_value(case, "updated_at", now)
    return seen + 1

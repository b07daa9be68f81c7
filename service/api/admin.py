"""Administration under /api/v1 (role ``admin``): agencies, users, API tokens, the audit log.

Deactivating a user ends their screen sessions and API tokens at once; a password reset ends their
screen sessions; tokens are issued with an expiry, listed and revoked (issue 12)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from service.db.models import AppUser
from service.deps import ActorDep, SessionDep
from service.errors import Conflict
from service.schemas.misc import (
    AgencyCreate,
    AgencyOut,
    AuditEventOut,
    MeOut,
    PasswordResetIn,
    TokenIssued,
    TokenIssueIn,
    TokenOut,
    UserCreate,
    UserCreated,
    UserOut,
)
from service.workflows import admin
from service.workflows.common import audit, require_role

router = APIRouter(tags=["admin"])


def _user_out(user: AppUser) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "role": user.role, "agency_id": user.agency_id,
            "active": user.active}


@router.get("/me", response_model=MeOut)
def me(actor: ActorDep) -> dict[str, Any]:
    return {"id": actor.user_id, "username": actor.username, "role": actor.role, "agency_id": actor.agency_id}


@router.post("/agencies", status_code=201, response_model=AgencyOut)
def create_agency(body: AgencyCreate, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    require_role(actor, "admin")
    agency = admin.create_agency(session, body.code, body.name)
    audit(session, actor, "agency.create", target=f"agency:{agency.id}")
    return {"id": agency.id, "code": agency.code, "name": agency.name}


@router.get("/users", response_model=list[UserOut])
def list_users(actor: ActorDep, session: SessionDep) -> list[dict[str, Any]]:
    require_role(actor, "admin")
    return [_user_out(u) for u in session.scalars(select(AppUser).order_by(AppUser.id))]


@router.post("/users", status_code=201, response_model=UserCreated)
def create_user(body: UserCreate, request: Request, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """A user and its first API token (shown once; it expires after ``HB_API_TOKEN_DAYS``)."""
    require_role(actor, "admin")
    from datetime import timedelta

    days = request.app.state.settings.api_token_days
    user, token = admin.create_user(session, body.username, body.role, body.agency_id, body.password,
                                    token_expires_at=actor.clock.now() + timedelta(days=days))
    audit(session, actor, "user.create", target=f"user:{user.id}", detail={"role": user.role})
    return {**_user_out(user), "token": token}


@router.post("/users/{user_id}/deactivate", response_model=UserOut)
def deactivate_user(user_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """The user can no longer sign in or call the API: sessions and tokens end now."""
    require_role(actor, "admin")
    if user_id == actor.user_id:
        raise Conflict("an administrator cannot deactivate themselves", code="self_deactivation", field="user_id")
    user = admin.deactivate_user(session, admin.load_user(session, user_id), now=actor.clock.now())
    audit(session, actor, "user.deactivate", target=f"user:{user.id}")
    return _user_out(user)


@router.post("/users/{user_id}/password", response_model=UserOut)
def reset_password(user_id: int, body: PasswordResetIn, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """A new screen password (12+ characters, not a common one); the user's sessions end."""
    require_role(actor, "admin")
    user = admin.reset_password(session, admin.load_user(session, user_id), body.password, now=actor.clock.now())
    audit(session, actor, "user.password_reset", target=f"user:{user.id}")
    return _user_out(user)


@router.get("/users/{user_id}/tokens", response_model=list[TokenOut])
def list_tokens(user_id: int, actor: ActorDep, session: SessionDep) -> list[dict[str, Any]]:
    require_role(actor, "admin")
    now = actor.clock.now()
    return [admin.token_dict(t, now) for t in admin.list_api_tokens(session, admin.load_user(session, user_id))]


@router.post("/users/{user_id}/tokens", status_code=201, response_model=TokenIssued)
def issue_token(user_id: int, body: TokenIssueIn, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """A new API token for the user (an integrator's system), living ``days`` days; shown once."""
    require_role(actor, "admin")
    now = actor.clock.now()
    row, token = admin.issue_api_token(session, admin.load_user(session, user_id), now=now, days=body.days,
                                       label=body.label, created_by=actor.user_id)
    audit(session, actor, "token.issue", target=f"user:{user_id}", detail={"token_id": row.id, "days": body.days})
    return {**admin.token_dict(row, now), "token": token}


@router.post("/tokens/{token_id}/revoke", response_model=TokenOut)
def revoke_token(token_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    require_role(actor, "admin")
    now = actor.clock.now()
    row = admin.revoke_api_token(session, token_id, now=now)
    audit(session, actor, "token.revoke", target=f"user:{row.user_id}", detail={"token_id": row.id})
    return admin.token_dict(row, now)


@router.get("/audit", response_model=list[AuditEventOut])
def audit_log(actor: ActorDep, session: SessionDep, case_id: int | None = None,
              limit: int = Query(default=200, ge=1, le=1000)) -> list[dict[str, Any]]:
    from service.db.models import AuditEvent

    require_role(actor, "admin")
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if case_id is not None:
        stmt = stmt.where(AuditEvent.case_id == case_id)
    return [{"id": e.id, "at": e.at, "user_id": e.user_id, "username": e.username, "role": e.role,
             "action": e.action, "case_id": e.case_id, "target": e.target, "detail": e.detail,
             "client_ip": e.client_ip} for e in session.scalars(stmt)]

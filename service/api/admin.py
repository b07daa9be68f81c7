from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from service.deps import ActorDep, SessionDep
from service.schemas.misc import AgencyCreate, UserCreate
from service.workflows import admin
from service.workflows.common import audit, require_role

router = APIRouter(tags=["admin"])


@router.get("/me")
def me(actor: ActorDep) -> dict[str, Any]:
    return {"id": actor.user_id, "username": actor.username, "role": actor.role, "agency_id": actor.agency_id}


@router.post("/agencies", status_code=201)
def create_agency(body: AgencyCreate, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    require_role(actor, "admin")
    agency = admin.create_agency(session, body.code, body.name)
    audit(session, actor, "agency.create", target=f"agency:{agency.id}")
    return {"id": agency.id, "code": agency.code, "name": agency.name}


@router.post("/users", status_code=201)
def create_user(body: UserCreate, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    require_role(actor, "admin")
    user, token = admin.create_user(session, body.username, body.role, body.agency_id, body.password)
    audit(session, actor, "user.create", target=f"user:{user.id}", detail={"role": user.role})
    return {"id": user.id, "username": user.username, "role": user.role, "agency_id": user.agency_id,
            "token": token}


@router.get("/audit")
def audit_log(actor: ActorDep, session: SessionDep, case_id: int | None = None,
              limit: int = Query(default=200, ge=1, le=1000)) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from service.db.models import AuditEvent

    require_role(actor, "admin")
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if case_id is not None:
        stmt = stmt.where(AuditEvent.case_id == case_id)
    return [{"id": e.id, "at": e.at.isoformat(), "user_id": e.user_id, "username": e.username, "role": e.role,
             "action": e.action, "case_id": e.case_id, "target": e.target, "detail": e.detail,
             "client_ip": e.client_ip} for e in session.scalars(stmt)]

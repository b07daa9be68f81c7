"""Request dependencies: one session per request (committed before the response), the current user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from service.clock import SYSTEM_CLOCK, OfficeClock
from service.db.session import unit_of_work
from service.errors import Unauthorized
from service.workflows.admin import authenticate
from service.workflows.common import Actor


def office_clock(request: Request) -> OfficeClock:
    """The office clock of this app (``app.state.office_clock``; tests and the demo set their own)."""
    clock: OfficeClock | None = getattr(request.app.state, "office_clock", None)
    return clock if clock is not None else SYSTEM_CLOCK


def get_session(request: Request) -> Iterator[Session]:
    with unit_of_work(request.app.state.session_factory) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


#: Declares bearer authentication in the OpenAPI document (every operation that needs an actor);
#: the check itself is ``get_actor`` (our 401 JSON error, not FastAPI's).
bearer_scheme = HTTPBearer(auto_error=False, scheme_name="bearerAuth",
                           description="An API token: an administrator issues it (POST /api/v1/users/{id}/tokens, "
                                       "the screen ユーザー, or `housing-benefit admin token`).")


def get_actor(request: Request, session: SessionDep,
              _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)] = None) -> Actor:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send 'Authorization: Bearer <token>'", field="Authorization")
    user = authenticate(session, token.strip(), office_clock(request).now())
    return Actor(user_id=user.id, username=user.username, role=user.role, agency_id=user.agency_id,
                 client_ip=request.client.host if request.client else None, clock=office_clock(request))


ActorDep = Annotated[Actor, Depends(get_actor)]

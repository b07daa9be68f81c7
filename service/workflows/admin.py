"""Users and agencies (admin), token authentication."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.models import Agency, AppUser
from service.errors import Conflict, InvalidRequest, Unauthorized
from service.security import ROLES, hash_password, hash_token, new_token


def create_agency(session: Session, code: str, name: str) -> Agency:
    if session.scalar(select(Agency).where(Agency.code == code)) is not None:
        raise Conflict(f"agency {code!r} exists", code="agency_exists", field="code")
    agency = Agency(code=code, name=name)
    session.add(agency)
    session.flush()
    return agency


def get_or_create_agency(session: Session, code: str, name: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == code))
    return agency if agency is not None else create_agency(session, code, name)


def create_user(
    session: Session,
    username: str,
    role: str,
    agency_id: int | None = None,
    password: str | None = None,
    *,
    token: str | None = None,
) -> tuple[AppUser, str]:
    """Create a user; returns the user and its API token (shown once, stored only as sha256)."""
    if role not in ROLES:
        raise InvalidRequest(f"unknown role {role!r}", field="role")
    if role == "agency" and agency_id is None:
        raise InvalidRequest("an agency user needs agency_id", field="agency_id")
    if role != "agency" and agency_id is not None:
        raise InvalidRequest("only agency users belong to an agency", field="agency_id")
    if agency_id is not None and session.get(Agency, agency_id) is None:
        raise InvalidRequest(f"agency {agency_id} not found", field="agency_id")
    if session.scalar(select(AppUser).where(AppUser.username == username)) is not None:
        raise Conflict(f"user {username!r} exists", code="user_exists", field="username")
    token = token or new_token()
    user = AppUser(
        username=username,
        role=role,
        agency_id=agency_id,
        password_hash=hash_password(password) if password else None,
        token_hash=hash_token(token),
        active=True,
    )
    session.add(user)
    session.flush()
    return user, token


def authenticate(session: Session, token: str) -> AppUser:
    user = session.scalar(select(AppUser).where(AppUser.token_hash == hash_token(token)))
    if user is None or not user.active:
        raise Unauthorized("invalid or missing API token")
    return user


def issue_token(session: Session, username: str) -> str:
    """Give an existing user a new API token (the old one stops working); returns it once."""
    user = session.scalar(select(AppUser).where(AppUser.username == username))
    if user is None:
        raise InvalidRequest(f"user {username!r} not found", field="username")
    token = new_token()
    user.token_hash = hash_token(token)
    session.flush()
    return token

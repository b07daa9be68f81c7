"""Users and agencies (admin), API tokens, token authentication (issue 12).

An administrator creates users, deactivates them (their screen sessions and API tokens end at once),
resets passwords (the user's sessions end) and issues, lists and revokes API tokens, each with an
expiry. One password policy (``service.security.password_problem``) serves the API, the screens and
the CLI. Tokens are stored as sha256 only (``api_token``) and shown once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.clock import SYSTEM_CLOCK, OfficeClock
from service.db.models import Agency, ApiToken, AppUser
from service.errors import Conflict, InvalidRequest, NotFound, Unauthorized
from service.security import ROLES, hash_password, hash_token, new_token, password_problem


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


def check_password(password: str, username: str | None = None) -> None:
    """The one password policy (12+ characters, not a common password): 422 naming ``password``."""
    problem = password_problem(password, username)
    if problem is not None:
        raise InvalidRequest(problem, code="weak_password", field="password")


def create_user(
    session: Session,
    username: str,
    role: str,
    agency_id: int | None = None,
    password: str | None = None,
    *,
    token: str | None = None,
    token_expires_at: datetime | None = None,
    enforce_policy: bool = True,
) -> tuple[AppUser, str]:
    """Create a user; returns the user and its first API token (shown once, stored only as sha256).

    ``enforce_policy=False`` is for the demo's fictional users only (their password is in the README).
    """
    if role not in ROLES:
        raise InvalidRequest(f"unknown role {role!r}", field="role")
    if role == "agency" and agency_id is None:
        raise InvalidRequest("an agency user needs agency_id", field="agency_id")
    if role != "agency" and agency_id is not None:
        raise InvalidRequest("only agency users belong to an agency", field="agency_id")
    if agency_id is not None and session.get(Agency, agency_id) is None:
        raise InvalidRequest(f"agency {agency_id} not found", field="agency_id")
    if password is not None and enforce_policy:
        check_password(password, username)
    if session.scalar(select(AppUser).where(AppUser.username == username)) is not None:
        raise Conflict(f"user {username!r} exists", code="user_exists", field="username")
    token = token or new_token()
    user = AppUser(
        username=username,
        role=role,
        agency_id=agency_id,
        password_hash=hash_password(password) if password else None,
        # The legacy column keeps a hash nobody holds a token for; tokens live in api_token.
        token_hash=hash_token(new_token()),
        active=True,
    )
    session.add(user)
    session.flush()
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), label="initial",
                         expires_at=token_expires_at))
    session.flush()
    return user, token


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment  # SQLite: naive UTC


def authenticate(session: Session, token: str, now: datetime | None = None) -> AppUser:
    """The active user of a live token (not revoked, not expired at ``now``), else 401."""
    # One SELECT per request: the token and its user together.
    found = session.execute(select(ApiToken, AppUser).join(AppUser, AppUser.id == ApiToken.user_id)
                            .where(ApiToken.token_hash == hash_token(token))).first()
    row, user = (found[0], found[1]) if found is not None else (None, None)
    if row is None or user is None or not user.active or row.revoked_at is not None:
        raise Unauthorized("invalid or missing API token")
    if row.expires_at is not None and now is not None and _aware(row.expires_at) <= now:
        raise Unauthorized("the API token has expired; ask an administrator for a new one")
    return user


def load_user(session: Session, user_id: int) -> AppUser:
    user = session.get(AppUser, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found", field="user_id")
    return user


def issue_api_token(session: Session, user: AppUser, *, now: datetime, days: int, label: str = "",
                    created_by: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user`` living ``days`` days; returned once (the database keeps its hash)."""
    if not 1 <= days <= 730:
        raise InvalidRequest("a token lives 1 to 730 days", field="days")
    if not user.active:
        raise Conflict(f"user {user.username!r} is deactivated", code="user_inactive", field="user_id")
    token = new_token()
    row = ApiToken(user_id=user.id, token_hash=hash_token(token), label=label[:100], created_at=now,
                   expires_at=now + timedelta(days=days), created_by=created_by)
    session.add(row)
    session.flush()
    return row, token


def list_api_tokens(session: Session, user: AppUser) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_api_token(session: Session, token_id: int, *, now: datetime) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"token {token_id} not found", field="token_id")
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()
    return row


def token_dict(row: ApiToken, now: datetime) -> dict[str, object]:
    expired = row.expires_at is not None and _aware(row.expires_at) <= now
    return {"id": row.id, "user_id": row.user_id, "label": row.label, "created_at": _aware(row.created_at),
            "expires_at": _aware(row.expires_at) if row.expires_at else None,
            "revoked_at": _aware(row.revoked_at) if row.revoked_at else None,
            "status": "revoked" if row.revoked_at is not None else "expired" if expired else "active"}


def deactivate_user(session: Session, user: AppUser, *, now: datetime) -> AppUser:
    """The user can no longer sign in; their screen sessions and every API token end now."""
    user.active = False
    user.sessions_revoked_at = now
    for row in list_api_tokens(session, user):
        if row.revoked_at is None:
            row.revoked_at = now
    session.flush()
    return user


def reset_password(session: Session, user: AppUser, password: str, *, now: datetime) -> AppUser:
    """A new password (the policy applies); every screen session of the user ends."""
    check_password(password, user.username)
    user.password_hash = hash_password(password)
    user.sessions_revoked_at = now
    session.flush()
    return user


def issue_token(session: Session, username: str, clock: OfficeClock = SYSTEM_CLOCK) -> str:
    """Give an existing user a new API token without expiry (the demo and the CLI); returns it once.

    Every earlier token of the user is revoked."""
    user = session.scalar(select(AppUser).where(AppUser.username == username))
    if user is None:
        raise InvalidRequest(f"user {username!r} not found", field="username")
    now = clock.now()
    for row in list_api_tokens(session, user):
        if row.revoked_at is None:
            row.revoked_at = now
    token = new_token()
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), label="issued"))
    session.flush()
    return token

"""Browser sessions for the screens: a signed cookie, CSRF tokens, lockout and the idle timeout.

* The cookie holds ``{"uid", "csrf", "iat", "seen", "flash"}`` as base64 JSON signed with HMAC-SHA256
  (``HB_WEB_SECRET``; a random per-process key when unset, which only suits a single process). It is
  ``HttpOnly`` and ``SameSite=Lax`` (``Secure`` behind HTTPS).
* Every POST carries the session's CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``).
* Five failed logins for a user name within 15 minutes lock it for 15 minutes. The attempts are read
  from the append-only audit log (``web.login_failed`` / ``web.login``), so a restart does not reset them.
* A session unused for 30 minutes is over: the next request goes back to the login page.
* Logging out records the moment on the user: every session begun before it (another tab, a copied
  cookie) is over too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Request, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db.models import AppUser, AuditEvent
from service.deps import office_clock
from service.security import verify_password
from service.workflows.common import Actor, audit

log = logging.getLogger(__name__)

COOKIE_NAME = "hb_session"
IDLE_TIMEOUT = timedelta(minutes=30)
LOCKOUT_ATTEMPTS = 5
LOCKOUT_WINDOW = timedelta(minutes=15)

_process_secret = secrets.token_bytes(32)


def _secret(request: Request) -> bytes:
    settings = getattr(request.app.state, "settings", None)
    configured = getattr(settings, "web_secret", None)
    if configured:
        return str(configured).encode("utf-8")
    return _process_secret


def now(request: Request) -> datetime:
    """The clock of the screens (tests set ``app.state.web_clock`` to move it)."""
    clock = getattr(request.app.state, "web_clock", None)
    return clock() if clock is not None else office_clock(request).now()


@dataclass
class WebSession:
    uid: int | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    iat: float = 0.0
    seen: float = 0.0
    flash: list[dict[str, str]] = field(default_factory=list)
    expired: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"uid": self.uid, "csrf": self.csrf, "iat": self.iat, "seen": self.seen, "flash": self.flash}


def sign(secret: bytes, data: dict[str, Any]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode("utf-8")).decode("ascii")
    mac = hmac.new(secret, payload.encode("ascii"), hashlib.sha256).hexdigest()
    return f"{payload}.{mac}"


def unsign(secret: bytes, value: str) -> dict[str, Any] | None:
    payload, _, mac = value.rpartition(".")
    if not payload or not mac:
        return None
    expected = hmac.new(secret, payload.encode("ascii", "replace"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, mac):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def load_session(request: Request) -> WebSession:
    """The request's session (cached on ``request.state``); an idle one comes back logged out."""
    cached = getattr(request.state, "web_session", None)
    if isinstance(cached, WebSession):
        return cached
    sess = WebSession()
    raw = request.cookies.get(COOKIE_NAME)
    data = unsign(_secret(request), raw) if raw else None
    if data is not None:
        sess = WebSession(uid=data.get("uid"), csrf=str(data.get("csrf") or sess.csrf),
                          iat=float(data.get("iat") or 0), seen=float(data.get("seen") or 0),
                          flash=list(data.get("flash") or []))
        current = now(request).timestamp()
        if sess.uid is not None and current - sess.seen > IDLE_TIMEOUT.total_seconds():
            sess = WebSession(expired=True, flash=[{"kind": "info", "text":
                              "30分間操作がなかったため、ログアウトしました。もう一度ログインしてください。"}])
        elif sess.uid is not None:
            sess.seen = current
    request.state.web_session = sess
    return sess


def save_session(request: Request, response: Response) -> None:
    sess = load_session(request)
    secure = request.url.scheme == "https"
    response.set_cookie(COOKIE_NAME, sign(_secret(request), sess.to_json()), httponly=True, samesite="lax",
                        secure=secure, path="/")


def flash(request: Request, text: str, kind: str = "info") -> None:
    load_session(request).flash.append({"kind": kind, "text": text})


def pop_flashes(request: Request) -> list[dict[str, str]]:
    sess = load_session(request)
    messages, sess.flash = sess.flash, []
    return messages


def csrf_ok(request: Request, submitted: str | None) -> bool:
    token = load_session(request).csrf
    return bool(submitted) and hmac.compare_digest(token, str(submitted))


# --- login ---------------------------------------------------------------------------------------


def _failures_since(session: Session, username: str, since: datetime) -> int:
    last_success = session.scalar(select(func.max(AuditEvent.at)).where(
        AuditEvent.action == "web.login", AuditEvent.username == username))
    start = since
    if last_success is not None:
        if last_success.tzinfo is None:
            last_success = last_success.replace(tzinfo=UTC)
        start = max(since, last_success)
    return int(session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "web.login_failed", AuditEvent.username == username,
        AuditEvent.at > start)) or 0)


def is_locked(session: Session, username: str, at: datetime) -> bool:
    return _failures_since(session, username, at - LOCKOUT_WINDOW) >= LOCKOUT_ATTEMPTS


class LoginRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def login(session: Session, request: Request, username: str, password: str) -> AppUser:
    """Check the password; on success the session gets the user and a fresh CSRF token."""
    username = username.strip()[:100]
    ip = request.client.host if request.client else None
    at = now(request)
    anonymous = Actor(user_id=None, username=username, role="anonymous", client_ip=ip)
    if is_locked(session, username, at):
        audit(session, anonymous, "web.login_locked", target=f"user:{username}")
        raise LoginRefused("ログインに続けて5回失敗したため、このユーザーは15分間ロックされています。"
                           "時間をおいてから再度お試しください。")
    user = session.scalar(select(AppUser).where(AppUser.username == username))
    ok = (user is not None and user.active and user.password_hash is not None
          and verify_password(user.password_hash, password))
    if not ok or user is None:
        session.add(AuditEvent(user_id=user.id if user else None, username=username, role=None,
                               action="web.login_failed", target=f"user:{username}", detail={}, client_ip=ip,
                               at=at))
        left = LOCKOUT_ATTEMPTS - _failures_since(session, username, at - LOCKOUT_WINDOW)
        if left <= 0:
            raise LoginRefused("ログインに続けて5回失敗したため、このユーザーは15分間ロックされています。"
                               "時間をおいてから再度お試しください。")
        raise LoginRefused(f"ユーザー名またはパスワードが正しくありません（あと{left}回失敗するとロックされます）。")
    session.add(AuditEvent(user_id=user.id, username=user.username, role=user.role, action="web.login",
                           target=f"user:{user.id}", detail={}, client_ip=ip, at=at))
    sess = load_session(request)
    sess.uid = user.id
    sess.csrf = secrets.token_urlsafe(24)
    sess.iat = sess.seen = at.timestamp()
    sess.expired = False
    return user


def logout(session: Session, request: Request, actor: Actor) -> None:
    """Ends this session and, on the server, every session of the user begun before now."""
    audit(session, actor, "web.logout", target=f"user:{actor.user_id}")
    user = session.get(AppUser, actor.user_id) if actor.user_id is not None else None
    if user is not None:
        user.sessions_revoked_at = now(request)
    sess = load_session(request)
    sess.uid = None
    sess.csrf = secrets.token_urlsafe(24)
    sess.flash = [{"kind": "info", "text": "ログアウトしました。"}]


def _revoked(user: AppUser, sess: WebSession) -> bool:
    """The user logged out (anywhere) after this session began."""
    revoked = user.sessions_revoked_at
    if revoked is None:
        return False
    aware = revoked.replace(tzinfo=UTC) if revoked.tzinfo is None else revoked  # SQLite: naive UTC
    return sess.iat < aware.timestamp()


def current_actor(session: Session, request: Request) -> Actor | None:
    sess = load_session(request)
    if sess.uid is None:
        return None
    user = session.get(AppUser, sess.uid)
    if user is None or not user.active or _revoked(user, sess):
        sess.uid = None
        return None
    return Actor(user_id=user.id, username=user.username, role=user.role, agency_id=user.agency_id,
                 client_ip=request.client.host if request.client else None, clock=office_clock(request))

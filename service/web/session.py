"""Browser sessions for the screens: a signed cookie, CSRF tokens, lockout and the idle timeout.

* The cookie holds ``{"uid", "csrf", "iat", "seen", "flash"}`` as base64 JSON signed with HMAC-SHA256
  (``HB_WEB_SECRET``; a random per-process key when unset, which only suits a single process). It is
  ``HttpOnly`` and ``SameSite=Lax`` (``Secure`` behind HTTPS).
* Every POST carries the session's CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``).
* Five failed logins for a user name *from one client (IP)* within 15 minutes lock that pair for 15
  minutes: a stranger elsewhere cannot lock the clerk out of her own desk (issue 12). Every client is
  also throttled over all user names: from its tenth failure in 15 minutes it waits, doubling from 30
  seconds up to 15 minutes, before the next try (password guessing across accounts). The attempts are
  read from the append-only audit log (``web.login_failed`` / ``web.login``), so a restart does not
  reset them.
* An unknown user name costs the same argon2 verification as a known one (a dummy hash), so the
  answer's timing does not tell which names exist.
* A session unused for 30 minutes is over: the next request goes back to the login page; so is one
  older than ``HB_SESSION_MAX_HOURS`` (10 by default) however active. The cookie is ``Secure`` in
  production.
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
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import Request, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.calendar import JST
from service.db.models import AppUser, AuditEvent
from service.deps import office_clock
from service.security import verify_password_or_dummy
from service.workflows.common import Actor, audit

log = logging.getLogger(__name__)

COOKIE_NAME = "hb_session"
IDLE_TIMEOUT = timedelta(minutes=30)
LOCKOUT_ATTEMPTS = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
CLIENT_FREE_FAILURES = 10
CLIENT_BACKOFF_START = timedelta(seconds=30)

_process_secret = secrets.token_bytes(32)


def _secret(request: Request) -> bytes:
    settings = getattr(request.app.state, "settings", None)
    configured = getattr(settings, "web_secret", None)
    if configured:
        value = configured.get_secret_value() if hasattr(configured, "get_secret_value") else str(configured)
        return str(value).encode("utf-8")
    return _process_secret


def now(request: Request) -> datetime:
    """The clock of the screens (tests set ``app.state.web_clock`` to move it)."""
    clock = getattr(request.app.state, "web_clock", None)
    return clock() if clock is not None else office_clock(request).now()


def today(request: Request) -> date:
    """The office's calendar day (JST) of the screens' clock: a UTC date would still be yesterday in
    Tokyo until 09:00."""
    moment = now(request)
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(JST).date()


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
        elif sess.uid is not None and current - sess.iat > _max_age_seconds(request):
            sess = WebSession(expired=True, flash=[{"kind": "info", "text":
                              "ログインから一定時間が経過したため、ログアウトしました。もう一度ログインしてください。"}])
        elif sess.uid is not None:
            sess.seen = current
    request.state.web_session = sess
    return sess


def _max_age_seconds(request: Request) -> float:
    settings = getattr(request.app.state, "settings", None)
    return float(getattr(settings, "session_max_hours", 10.0)) * 3600


def save_session(request: Request, response: Response) -> None:
    sess = load_session(request)
    settings = getattr(request.app.state, "settings", None)
    secure = request.url.scheme == "https" or getattr(settings, "environment", "") == "production"
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


def _failures_since(session: Session, since: datetime, *, username: str | None = None,
                    client_ip: str | None = None) -> tuple[int, datetime | None]:
    """Failed logins after ``since`` (and after the last success of the same name/client), and the last."""
    success = select(func.max(AuditEvent.at)).where(AuditEvent.action == "web.login")
    failed = select(func.count(), func.max(AuditEvent.at)).select_from(AuditEvent).where(
        AuditEvent.action == "web.login_failed")
    if username is not None:
        success = success.where(AuditEvent.username == username)
        failed = failed.where(AuditEvent.username == username)
    success = success.where(AuditEvent.client_ip.is_(None) if client_ip is None
                            else AuditEvent.client_ip == client_ip)
    failed = failed.where(AuditEvent.client_ip.is_(None) if client_ip is None
                          else AuditEvent.client_ip == client_ip)
    start = since
    last_success = session.scalar(success)
    if last_success is not None and username is not None:
        start = max(since, _aware(last_success))
    count, last = session.execute(failed.where(AuditEvent.at > start)).one()
    return int(count or 0), _aware(last) if last is not None else None


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment  # SQLite: naive UTC


def is_locked(session: Session, username: str, at: datetime, client_ip: str | None = None) -> bool:
    """Five failures for this name from this client within 15 minutes (another client is not locked)."""
    count, _ = _failures_since(session, at - LOCKOUT_WINDOW, username=username, client_ip=client_ip)
    return count >= LOCKOUT_ATTEMPTS


def client_wait(session: Session, client_ip: str | None, at: datetime) -> timedelta:
    """How long this client must wait before its next try (zero below ``CLIENT_FREE_FAILURES``)."""
    count, last = _failures_since(session, at - LOCKOUT_WINDOW, client_ip=client_ip)
    if count < CLIENT_FREE_FAILURES or last is None:
        return timedelta(0)
    backoff = min(LOCKOUT_WINDOW, CLIENT_BACKOFF_START * 2 ** (count - CLIENT_FREE_FAILURES))
    wait: timedelta = max(timedelta(0), last + backoff - at)
    return wait


class LoginRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


LOCKED_TEXT = ("ログインに続けて5回失敗したため、この端末からのこのユーザーのログインは15分間ロックされています。"
               "時間をおいてから再度お試しください。")


def login(session: Session, request: Request, username: str, password: str) -> AppUser:
    """Check the password; on success the session gets the user and a fresh CSRF token."""
    username = username.strip()[:100]
    ip = request.client.host if request.client else None
    at = now(request)
    anonymous = Actor(user_id=None, username=username, role="anonymous", client_ip=ip)
    wait = client_wait(session, ip, at)
    if wait > timedelta(0):
        audit(session, anonymous, "web.login_throttled", target=f"user:{username}")
        raise LoginRefused(f"ログインの失敗が続いたため、この端末からのログインを一時的に止めています。"
                           f"{max(1, int(wait.total_seconds()))}秒ほど待ってから再度お試しください。")
    if is_locked(session, username, at, ip):
        audit(session, anonymous, "web.login_locked", target=f"user:{username}")
        raise LoginRefused(LOCKED_TEXT)
    user = session.scalar(select(AppUser).where(AppUser.username == username))
    # The same argon2 work whether or not the name exists (a dummy hash otherwise): equal timing.
    verified = verify_password_or_dummy(user.password_hash if user is not None else None, password)
    ok = verified and user is not None and user.active
    if not ok or user is None:
        session.add(AuditEvent(user_id=user.id if user else None, username=username, role=None,
                               action="web.login_failed", target=f"user:{username}", detail={}, client_ip=ip,
                               at=at))
        session.flush()
        count, _ = _failures_since(session, at - LOCKOUT_WINDOW, username=username, client_ip=ip)
        left = LOCKOUT_ATTEMPTS - count
        if left <= 0:
            raise LoginRefused(LOCKED_TEXT)
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

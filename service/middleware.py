"""Two ASGI middlewares every request passes (issue 12): the request guard and the security headers.

``RequestGuard`` (pure ASGI, so that it sees the body as it streams):

* a body cap per route: multipart uploads ``HB_MAX_UPLOAD_BYTES`` (+ the multipart framing; a screen
  form may carry ``SCREEN_FILES_PER_FORM`` files; the API's document upload several files, four times
  the cap together, each file held to the cap by ``service.api.uploads`` as it streams), the 振込不能 returns file 5 MiB, anything else
  (JSON, forms) 1 MiB. A declared ``Content-Length`` over the cap is refused before a byte is read;
  a streamed body is refused as soon as the count passes the cap (413), and nothing more is read;
* JSON nested deeper than ``MAX_JSON_DEPTH`` is refused (400) before it is parsed (a parser's
  recursion must never become a 500);
* the 個人番号 guard over every JSON string and object key and every urlencoded form field and name
  (``service.security.find_individual_number``): 422 ``individual_number`` naming the field; the
  screens get the same refusal as a Japanese page. Multipart forms are checked where they are
  parsed (``service.web.core.checked_form``, ``service.workflows.applications.upload_documents``).

``SecurityHeaders``: CSP (self only, no inline script), frame-ancestors 'none' / X-Frame-Options DENY,
nosniff, Referrer-Policy no-referrer on every response; ``Cache-Control: no-store`` on every API
response (they carry personal data).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from service.api.uploads import max_upload_total_bytes
from service.security import find_individual_number

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

JSON_BODY_LIMIT = 1024 * 1024
RETURNS_FILE_LIMIT = 5 * 1024 * 1024
MULTIPART_OVERHEAD = 64 * 1024
SCREEN_FILES_PER_FORM = 8
MAX_JSON_DEPTH = 32
#: Fields that are never stored as text (a password is hashed, the CSRF token is compared): a random
#: password that happens to contain 12 digits with a valid check digit is not refused.
GUARD_EXEMPT_FIELDS = frozenset({"password", "new_password", "password_confirm", "csrf_token"})
API_PREFIX = "/api/"
_API_DOCUMENTS = re.compile(r"/api/v1/cases/[^/]+/documents")
_DOCS_PATHS = ("/docs", "/redoc", "/docs/oauth2-redirect")

MESSAGES_JA = {
    "individual_number": "個人番号（マイナンバー）と思われる12桁の番号が含まれています。個人番号は入力・送信しないでください。",
    "payload_too_large": "送信されたデータが大きすぎます。",
    "too_deeply_nested": "送信されたデータの入れ子が深すぎます。",
}


class _BodyTooLarge(Exception):
    pass


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text nests arrays/objects deeper than ``limit`` (strings are skipped)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    stripped = re.sub(rb'"(?:[^"\\]|\\.)*"', b"", body)
    for match in re.finditer(rb"[\[\]{}]", stripped):
        depth += 1 if match.group() in (b"[", b"{") else -1
        if depth > limit:
            return True
    return False


def guard_form_fields(items: list[tuple[str, str]]) -> str | None:
    """The first form field (name or value) that holds a 個人番号, or None."""
    for name, value in items:
        if name in GUARD_EXEMPT_FIELDS:
            continue
        field = find_individual_number({name: value})
        if field is not None:
            return name
    return None


def _without_exempt(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_exempt(v) for k, v in value.items() if k not in GUARD_EXEMPT_FIELDS}
    if isinstance(value, list):
        return [_without_exempt(v) for v in value]
    return value


class RequestGuard:
    def __init__(self, app: ASGIApp, max_upload_bytes: int) -> None:
        self.app = app
        self.max_upload_bytes = max_upload_bytes

    def limit_for(self, path: str, content_type: str) -> int:
        """The body cap of a route (bytes)."""
        if content_type.startswith("multipart/"):
            if path == "/api/v1/payment-returns" or path == "/finance/returns":
                return RETURNS_FILE_LIMIT + MULTIPART_OVERHEAD
            if _API_DOCUMENTS.fullmatch(path):  # several files in one form (service.api.uploads)
                return max_upload_total_bytes(self.max_upload_bytes) + MULTIPART_OVERHEAD
            if path.startswith(API_PREFIX):
                return self.max_upload_bytes + MULTIPART_OVERHEAD
            return self.max_upload_bytes * SCREEN_FILES_PER_FORM + MULTIPART_OVERHEAD
        return JSON_BODY_LIMIT

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        content_type = _header(scope, b"content-type").split(";")[0].strip().lower()
        limit = self.limit_for(path, content_type)
        declared = _header(scope, b"content-length")
        if declared.isdecimal() and int(declared) > limit:
            await _refuse(scope, send, 413, "payload_too_large",
                          f"the request body is larger than {limit} bytes", "body")
            return
        if content_type.startswith("multipart/"):
            await self._stream(scope, receive, send, limit)
            return
        try:
            body = await _read_body(receive, limit)
        except _BodyTooLarge:
            await _refuse(scope, send, 413, "payload_too_large", f"the request body is larger than {limit} bytes",
                          "body")
            return
        refusal = self._inspect(body, content_type)
        if refusal is not None:
            await _refuse(scope, send, *refusal)
            return
        await self.app(scope, _replay(body, receive), send)

    def _inspect(self, body: bytes, content_type: str) -> tuple[int, str, str, str] | None:
        if not body:
            return None
        if content_type in ("", "application/json") or content_type.endswith("+json"):
            if json_depth_exceeds(body):
                return (400, "too_deeply_nested", f"JSON nested deeper than {MAX_JSON_DEPTH} levels", "body")
            try:
                data = json.loads(body)
            except (ValueError, RecursionError):
                return None  # the route answers malformed JSON itself
            field = find_individual_number(_without_exempt(data))
        elif content_type == "application/x-www-form-urlencoded":
            try:
                items = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
            except (UnicodeDecodeError, ValueError):
                return None
            field = guard_form_fields(items)
        else:
            return None
        if field is None:
            return None
        return (422, "individual_number", f"a 個人番号 (My Number) must never be sent or stored: {field}", field)

    async def _stream(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Pass the body through, counting; past the cap answer 413 and make the app see a disconnect."""
        state = {"read": 0, "refused": False, "started": False}

        async def counted() -> Message:
            if state["refused"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["read"] += len(message.get("body", b""))
                if state["read"] > limit:
                    state["refused"] = True
                    if not state["started"]:
                        state["started"] = True
                        await _refuse(scope, send, 413, "payload_too_large",
                                      f"the upload is larger than {limit} bytes", "file")
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if state["refused"]:
                return  # the 413 is already on its way; the app's own answer is dropped
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, counted, guarded_send)
        except Exception:
            if not state["refused"]:
                raise


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge()
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refuse(scope: Scope, send: Send, status: int, code: str, message: str, field: str | None) -> None:
    """The refusal: the API's JSON error, or a Japanese page for the screens."""
    path = str(scope.get("path", ""))
    if path.startswith(API_PREFIX) or path == "/openapi.json":
        payload = json.dumps({"error": {"code": code, "message": message, "field": field,
                                        "message_ja": MESSAGES_JA.get(code)}}, ensure_ascii=False)
        body, media = payload.encode("utf-8"), b"application/json"
    else:
        from html import escape

        from service.web.labels import field_label

        label = field_label(field or "")
        where = f"（項目: {escape(label)}）" if field and field != "body" else ""
        text = MESSAGES_JA.get(code, "送信内容を受け付けられませんでした。")
        body = ("<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>受け付けられませんでした</title>"
                "<link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main class=\"container\">"
                f"<h1>受け付けられませんでした</h1><p class=\"error\">{escape(text)}{where}</p>"
                "<p>ブラウザの「戻る」で入力画面に戻り、内容を直してから送信してください。</p></main></body></html>"
                ).encode()
        media = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", media), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body, "more_body": False})


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
COMMON_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in (b"x-frame-options", b"x-content-type-options", b"referrer-policy")]
                headers.extend(COMMON_HEADERS)
                if not path.startswith(_DOCS_PATHS):  # Swagger UI (development only) runs inline script
                    headers.append((b"content-security-policy", CSP.encode()))
                if path.startswith(API_PREFIX) or path == "/openapi.json":
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                    headers.append((b"pragma", b"no-cache"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)

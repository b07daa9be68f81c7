"""Service-layer errors; each becomes ``{"error": {"code", "message", "field"}}`` (architecture 4.9)."""

from __future__ import annotations

from datetime import date
from typing import Any


class DomainError(Exception):
    """Base of the service's expected failures; ``status_code`` is the HTTP status the API answers."""

    status_code = 400
    code = "domain_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message, "field": self.field}
        if self.details is not None:
            body["details"] = self.details
        return {"error": body}


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class ConcurrentModification(Conflict):
    code = "concurrent_modification"


class InvalidRequest(DomainError):
    """The request is well-formed but its content cannot be accepted (422)."""

    status_code = 422
    code = "invalid"


class IncompleteApplication(InvalidRequest):
    code = "incomplete_application"


class RuleViolation(DomainError):
    """A rule forbids the requested step (e.g. a late extension granted, a stop without evidence)."""

    status_code = 409
    code = "rule_violation"


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(DomainError):
    status_code = 415
    code = "unsupported_media_type"


def parse_date(value: str, field: str) -> date:
    """An ISO date from a request, or a 422 naming ``field`` (the schemas check only the shape)."""
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise InvalidRequest(f"{value!r} is not a date", field=field) from error

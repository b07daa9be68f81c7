from typing import Any

ERROR_SCHEMA: dict[str, Any] = {
    "content": {"application/json": {"schema": {
        "type": "object",
        "properties": {"error": {"type": "object", "properties": {
            "code": {"type": "string"}, "message": {"type": "string"},
            "field": {"type": ["string", "null"]}}}}}}}
}

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": text, **ERROR_SCHEMA}
    for status, text in (
        (400, "Malformed request"), (401, "No valid token"), (403, "Role not allowed"),
        (404, "Not found (or another agency's case)"), (409, "Conflict with the case's state"),
        (422, "Invalid input"),
    )
}

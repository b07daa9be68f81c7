"""``POST /api/v1/assessments`` (contracts.md §1): a 試算 / 審査 that never writes to the database."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from calculations.contract import assess_payload
from calculations.errors import InvalidInput
from calculations.rate_book import load_rate_book
from service.calendar import office_calendar
from service.schemas.responses import AssessmentOut

router = APIRouter(prefix="/api/v1", tags=["assessments"])

_ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}}}},
}


def assess_json(body: bytes) -> tuple[int, dict[str, Any]]:
    """Assess a raw JSON body; returns (HTTP status, response object). Shared with the CLI."""
    from service.middleware import MAX_JSON_DEPTH, json_depth_exceeds

    if json_depth_exceeds(body):  # the CLI path too: a parser's recursion never becomes a traceback
        return 400, {"error": {"code": "too_deeply_nested", "field": "body",
                               "message": f"JSON nested deeper than {MAX_JSON_DEPTH} levels"}}
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        return 422, {"error": {"code": "invalid_json", "message": f"the body is not JSON: {error}", "field": "body"}}
    except RecursionError:
        return 400, {"error": {"code": "too_deeply_nested", "message": "JSON nested too deeply", "field": "body"}}
    try:
        return 200, assess_payload(payload, load_rate_book(), office_calendar())
    except InvalidInput as invalid:
        return 422, {"error": invalid.as_dict()}


@router.post(
    "/assessments",
    summary="Assess a rent or moving-cost case (試算・審査); writes nothing",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "description": "contracts.md §1 input",
            "required": ["benefit", "municipality_code", "application_date", "household", "assets_yen",
                         "declarations"]}}}},
    },
    # The body is written by assess_payload itself (contracts.md §1, byte for byte): the model only
    # documents it, FastAPI never re-serialises the answer.
    response_model=None,
    responses={200: {"model": AssessmentOut, "description": "The assessment (contracts.md §1 output)"},
               422: {"description": "Input that cannot be assessed",
                     "content": {"application/json": {"schema": _ERROR_SCHEMA}}}},
)
async def create_assessment(request: Request) -> JSONResponse:
    status, content = assess_json(await request.body())
    return JSONResponse(content, status_code=status)

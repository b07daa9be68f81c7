"""Letters: a case's letters, a letter's PDF (the stored bytes), issuing a decision's letters, print runs.

Agencies read their own cases' letters to the recipient (the landlord and 社協 copies are the
municipality's correspondence); clerks and approvers read all and issue. Every read is audited.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Response

from service.deps import ActorDep, SessionDep
from service.schemas.responses import LetterOut, LetterPlanStatusOut
from service.workflows import letters as wf

router = APIRouter(tags=["letters"])

PDF_RESPONSE: dict[int | str, dict[str, Any]] = {200: {
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}, "description": "The PDF"}}


def _pdf(data: bytes, filename: str, sha256: str | None = None) -> Response:
    headers = {"Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}",
               "Cache-Control": "no-store"}
    if sha256:
        headers["X-Content-SHA256"] = sha256
    return Response(content=data, media_type="application/pdf", headers=headers)


@router.get("/cases/{case_id}/letters", response_model=list[LetterOut])
def list_letters(case_id: int, actor: ActorDep, session: SessionDep) -> list[dict[str, Any]]:
    return [wf.letter_dict(letter) for letter in wf.list_case_letters(session, actor, case_id)]


@router.post("/decisions/{decision_id}/letters", response_model=list[LetterOut])
def issue_letters(decision_id: int, actor: ActorDep, session: SessionDep) -> list[dict[str, Any]]:
    """Issue every letter the approved decision needs (idempotent: a second call adds nothing)."""
    return [wf.letter_dict(letter) for letter in wf.issue_letters_for_decision(session, actor, decision_id)]


@router.get("/cases/{case_id}/letter-plans", response_model=list[LetterPlanStatusOut])
def case_letter_plans(case_id: int, actor: ActorDep, session: SessionDep) -> list[dict[str, Any]]:
    """Every planned letter of the case with its status: pending, issued or failed (issue 13)."""
    wf.list_case_letters(session, actor, case_id)  # the same access rules and audit as the letters
    rows = wf.case_letter_statuses(session, case_id)
    return rows if actor.role != "agency" else [row for row in rows if row["addressee_kind"] == "recipient"]


@router.post("/letter-plans/{plan_id}/retry", response_model=LetterPlanStatusOut)
def retry_letter(plan_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """A clerk asks for another try of a failed letter; the worker renders it again."""
    return wf.retry_letter(session, actor, plan_id)


@router.get("/letters/print-run", response_class=Response, responses=PDF_RESPONSE)
def print_run(actor: ActorDep, session: SessionDep, day: date = Query(...)) -> Response:
    """All letters issued on ``day`` (the date printed on them) as one PDF with a cover list."""
    return _pdf(wf.print_run(session, actor, day), f"print-run-{day.isoformat()}.pdf")


@router.get("/letters/{letter_id}", response_model=LetterOut)
def get_letter(letter_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    return wf.letter_dict(wf.read_letter(session, actor, letter_id))


@router.get("/letters/{letter_id}/pdf", response_class=Response, responses=PDF_RESPONSE)
def download_letter(letter_id: int, actor: ActorDep, session: SessionDep) -> Response:
    """The stored PDF, byte for byte (a reprint is never a re-render)."""
    letter = wf.read_letter(session, actor, letter_id)
    return _pdf(bytes(letter.pdf), f"{letter.document_number}.pdf", letter.sha256)

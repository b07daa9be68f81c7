"""Letters to view and print, through ``service.workflows.letters`` (reads are audited there)."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from service.deps import SessionDep
from service.errors import DomainError
from service.web.core import PostedForm, WebActor, error_text, redirect, refuse, render, require
from service.web.session import flash, today

router = APIRouter(include_in_schema=False)


def _pdf(data: bytes, filename: str) -> Response:
    return Response(content=data, media_type="application/pdf", headers={
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}", "Cache-Control": "no-store"})


@router.get("/cases/{case_id}/letters", response_class=HTMLResponse)
def case_letters(request: Request, session: SessionDep, actor: WebActor, case_id: int) -> Response:
    require(actor, "agency", "clerk", "approver")
    from service.workflows import grants
    from service.workflows import letters as wf

    try:
        rows = [wf.letter_dict(letter) for letter in wf.list_case_letters(session, actor, case_id)]
    except DomainError as exc:
        return render(request, "error.html", {"title": "通知書", "message": error_text(exc)},
                      status_code=exc.status_code)
    decisions = []
    if actor.role in ("clerk", "approver"):
        view = grants.case_view(session, actor, case_id)
        have = {r["decision_id"] for r in rows}
        decisions = [d for d in view["decisions"] if d["status"] in ("approved", "superseded")
                     and d["id"] not in have]
    waiting = [row for row in wf.case_letter_statuses(session, case_id) if row["status"] != "issued"
               and (actor.role != "agency" or row["addressee_kind"] == "recipient")]
    return render(request, "letters.html", {"case_id": case_id, "letters": rows, "unissued": decisions,
                                            "waiting": waiting,
                                            "today": today(request).isoformat()})


@router.post("/decisions/{decision_id}/letters", response_class=HTMLResponse)
def issue(request: Request, session: SessionDep, actor: WebActor, form: PostedForm, decision_id: int) -> Response:
    require(actor, "clerk", "approver")
    from service.workflows import letters as wf

    case_id = str(form.get("case_id") or "")
    try:
        issued = wf.issue_letters_for_decision(session, actor, decision_id)
    except DomainError as exc:
        return refuse(request, session, exc, f"/cases/{case_id}/letters")
    flash(request, f"通知書 {len(issued)} 通を発行しました。", "success")
    return redirect(request, f"/cases/{case_id}/letters")


@router.get("/letters/print-run")
def print_run(request: Request, session: SessionDep, actor: WebActor, day: str = "") -> Response:
    require(actor, "clerk", "approver")
    from service.workflows import letters as wf

    try:
        when = date.fromisoformat(day)
        data = wf.print_run(session, actor, when)
    except ValueError:
        flash(request, "日付を 2025-05-12 の形式で指定してください。", "error")
        return redirect(request, "/queue")
    except DomainError as exc:
        flash(request, error_text(exc), "error")
        return redirect(request, "/queue")
    return _pdf(data, f"print-run-{when.isoformat()}.pdf")


@router.get("/letters/{letter_id}.pdf")
def letter_pdf(request: Request, session: SessionDep, actor: WebActor, letter_id: int) -> Response:
    require(actor, "agency", "clerk", "approver")
    from service.workflows import letters as wf

    try:
        letter = wf.read_letter(session, actor, letter_id)
    except DomainError as exc:
        return render(request, "error.html", {"title": "通知書が見つかりません", "message": error_text(exc)},
                      status_code=exc.status_code)
    return _pdf(bytes(letter.pdf), f"{letter.document_number}.pdf")

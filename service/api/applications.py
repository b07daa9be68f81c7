from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, Request, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from pydantic import StringConstraints

from service.api.uploads import API_FILES_PER_REQUEST, DocumentUploadRoute
from service.deps import ActorDep, SessionDep
from service.errors import InvalidRequest, parse_date
from service.schemas.applications import (
    ApplicationCreate,
    ApplicationReturnIn,
    ApplicationUpdate,
    CoordinationMeetingIn,
    dump_facts,
    dump_intake,
)
from service.schemas.responses import ApplicationDetailOut, ApplicationOut, DocumentOut, DocumentsOut
from service.security import find_individual_number
from service.workflows import applications as wf
from service.workflows.grants import application_dict, document_dict

router = APIRouter(tags=["applications"])


def _refuse_individual_number(request_body: dict[str, Any]) -> None:
    field = find_individual_number(request_body)
    if field is not None:
        raise InvalidRequest("a 個人番号 (My Number) must never be sent or stored", code="individual_number",
                             field=field)


@router.post("/applications", status_code=201, response_model=ApplicationOut,
             responses={200: {"model": ApplicationOut,
                              "description": "The same Idempotency-Key again: the application created then"}})
def create_application(
    body: ApplicationCreate,
    actor: ActorDep,
    session: SessionDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> dict[str, Any]:
    """A draft application (new case unless ``case_id``). Same Idempotency-Key → same application."""
    facts, intake = dump_facts(body.facts), dump_intake(body.intake)
    _refuse_individual_number({"facts": facts, "intake": intake})
    app, created = wf.create_application(session, actor, kind=body.kind, benefit=body.benefit,
                                         case_id=body.case_id, facts=facts, intake=intake,
                                         idempotency_key=idempotency_key)
    if not created:
        response.status_code = 200
    return application_dict(session, app, created_now=created)


@router.get("/applications/{application_id}", response_model=ApplicationDetailOut)
def get_application(application_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    app = wf.read_application(session, actor, application_id)
    out = application_dict(session, app)
    out["missing_items"] = wf.missing_items(session, app) if app.status == "draft" else []
    return out


@router.patch("/applications/{application_id}", response_model=ApplicationOut)
def update_application(application_id: int, body: ApplicationUpdate, actor: ActorDep,
                       session: SessionDep) -> dict[str, Any]:
    facts = dump_facts(body.facts) if body.facts is not None else None
    intake = dump_intake(body.intake) if body.intake is not None else None
    _refuse_individual_number({"facts": facts, "intake": intake})
    app = wf.update_application(session, actor, application_id, facts=facts, intake=intake)
    return application_dict(session, app)


@router.post("/applications/{application_id}/submit", response_model=ApplicationOut)
def submit_application(application_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """Submit; an incomplete application is refused (422) with every missing item in ``details``."""
    app = wf.submit_application(session, actor, application_id)
    return application_dict(session, app)


@router.post("/applications/{application_id}/return", response_model=ApplicationOut)
def return_application(application_id: int, body: ApplicationReturnIn, actor: ActorDep,
                       session: SessionDep) -> dict[str, Any]:
    """The office returns a submitted application to its agency with a reason; the agency edits and
    submits it again."""
    app = wf.return_application(session, actor, application_id, reason=body.reason)
    return application_dict(session, app)


@router.post("/applications/{application_id}/coordination-meeting", response_model=ApplicationOut)
def coordination_meeting(application_id: int, body: CoordinationMeetingIn, actor: ActorDep,
                         session: SessionDep) -> dict[str, Any]:
    """The clerk records the 支援調整会議 date of the plan (R87) or the emergency path (R88)."""
    meeting = parse_date(body.meeting_date, "meeting_date") if body.meeting_date is not None else None
    app = wf.record_coordination_meeting(session, actor, application_id, meeting_date=meeting,
                                         emergency=bool(body.emergency))
    return application_dict(session, app)


def upload_document(
    request: Request,
    case_id: int,
    actor: ActorDep,
    session: SessionDep,
    kind: Annotated[str | None, Form(max_length=50, description="the R85 kind of ``file`` (one file)")] = None,
    file: Annotated[UploadFile | None, File(description="one file (with ``kind``)")] = None,
    kinds: Annotated[list[Annotated[str, StringConstraints(max_length=50)]] | None,
                     Form(max_length=API_FILES_PER_REQUEST,
                          description="the R85 kind of each of ``files``, in the same order")] = None,
    files: Annotated[list[UploadFile] | None,
                     File(max_length=API_FILES_PER_REQUEST,
                          description="several files in one request (the wizard's document step), each with "
                                      "its kind in ``kinds``")] = None,
    application_id: Annotated[int | None, Form()] = None,
) -> dict[str, Any]:
    """Store uploaded documents (R85): one file (``kind`` + ``file``; the answer is the document) or
    several (``kinds`` + ``files`` paired in order, as the wizard's document step sends them; the answer
    lists the documents). A file is at most ``HB_MAX_UPLOAD_BYTES``, the files of one request together at
    most four times that, and at most ``API_FILES_PER_REQUEST``; all are refused while the body streams.
    Every file is checked before any is stored; errors name the field (``files[2]``, ``kinds[2]``)."""
    settings = request.app.state.settings
    limits = {"max_bytes": settings.max_upload_bytes, "allowed_types": tuple(settings.allowed_upload_types)}
    if files is None and kinds is None:
        missing = [name for name, value in (("kind", kind), ("file", file)) if value is None]
        if missing:
            raise RequestValidationError([{"type": "missing", "loc": ("body", name), "msg": "Field required",
                                           "input": None} for name in missing])
        assert kind is not None and file is not None
        doc = wf.upload_document(
            session, actor, case_id, kind=kind, filename=file.filename or "upload",
            content_type=(file.content_type or "").split(";")[0].strip(),
            content=file.file.read(settings.max_upload_bytes + 1), application_id=application_id, **limits)
        return document_dict(doc)
    if kind is not None or file is not None:
        raise InvalidRequest("send either kind and file (one document) or kinds and files (several), not both",
                             field="file" if file is not None else "kind")
    if not files:
        raise InvalidRequest("files: at least one file is required", field="files")
    if kinds is None or len(kinds) != len(files):
        raise InvalidRequest(f"kinds: one kind for each of the {len(files)} files, in the same order",
                             field="kinds")
    uploads = [wf.Upload(kind_i, upload.filename or "upload", (upload.content_type or "").split(";")[0].strip(),
                         upload.file.read(settings.max_upload_bytes + 1))
               for kind_i, upload in zip(kinds, files, strict=True)]
    docs = wf.upload_documents(session, actor, case_id, uploads, application_id=application_id,
                               indexed_fields=True, **limits)
    return {"documents": [document_dict(doc) for doc in docs]}


router.add_api_route(
    "/cases/{case_id}/documents", upload_document, methods=["POST"], status_code=201,
    response_model=DocumentOut | DocumentsOut, route_class_override=DocumentUploadRoute,
    responses={201: {"description": "The stored document (``file``), or ``{\"documents\": [...]}`` "
                                    "(``files``)"}})

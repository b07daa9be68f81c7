"""Intake by a support agency: drafts, documents, submission (R85–R88)."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import rules
from service.db.models import Application, BenefitCase, Decision, DecisionReview, Document
from service.errors import Conflict, DomainError, IncompleteApplication, InvalidRequest, NotFound
from service.workflows import case_search
from service.workflows.common import Actor, audit, hold, load_case, require_role

#: R86 explanations each applicant consents to before intake.
REQUIRED_CONSENTS: dict[str, tuple[str, ...]] = {
    "rent": (
        "repayment_if_false",
        "no_gang_members",
        "job_search_requirements",
        "stop_cases",
        "extension_conditions",
        "initial_costs_not_covered",
        "partial_rent_over_ceiling",
    ),
    "moving": (
        "repayment_if_false",
        "no_gang_members",
        "refusal_if_no_improvement",
        "deposit_and_advance_rent_excluded",
        "partial_over_cap",
    ),
}

#: Consents asked at intake that an application may go without: copies of the decisions to the
#: 社会福祉協議会 (R57, R84), the key the letters read (``letters.COUNCIL_CONSENT``).
OPTIONAL_CONSENTS: tuple[str, ...] = ("share_with_council",)

PAYEE_FIELDS = ("payee_kind", "name", "bank_code", "branch_code", "account_type", "account_number",
                "holder_kana")


def required_documents(kind: str, benefit: str, facts: dict[str, Any]) -> tuple[str, ...]:
    """The R85 checklist for an application."""
    if kind == "extension":
        return ("income_evidence", "hello_work_registration")
    if kind == "change":
        return ("change_evidence", "income_evidence")
    if benefit == "moving":
        return ("identity", "income_drop_proof", "income_evidence", "bank_book_copies",
                "dwelling_status_notice", "cost_estimates")
    trigger = facts.get("trigger") or {}
    proof = "reduced_work_proof" if trigger.get("kind") == "reduced_work" else "job_loss_proof"
    return ("identity", proof, "income_evidence", "bank_book_copies", "dwelling_status_notice")


def _missing_facts(facts: dict[str, Any], benefit: str) -> list[str]:
    missing: list[str] = []

    def need(obj: dict[str, Any], key: str, path: str, nullable: bool = False) -> None:
        if key not in obj or (obj[key] is None and not nullable):
            missing.append(path)

    for key in ("benefit", "municipality_code", "application_date", "assets_yen"):
        need(facts, key, key)
    household = facts.get("household")
    if not household:
        missing.append("household")
    else:
        for index, member in enumerate(household):
            for key in ("relationship", "birth_date", "student"):
                need(member, key, f"household.{index}.{key}")
    declarations = facts.get("declarations")
    if declarations is None:
        missing.append("declarations")
    else:
        keys: tuple[str, ...] = ("similar_benefit", "gang_member_in_household")
        if benefit == "rent":
            keys = ("hello_work_registered", *keys)
        for key in keys:
            need(declarations, key, f"declarations.{key}")
    if benefit == "rent":
        for key in ("applicant_type", "rent_yen", "common_charges_yen"):
            need(facts, key, key)
        trigger = facts.get("trigger")
        if trigger is None:
            missing.append("trigger")
        else:
            for key in ("kind", "cause", "main_earner", "job_search_blocked_days"):
                need(trigger, key, f"trigger.{key}")
            if trigger.get("kind") != "reduced_work":
                need(trigger, "date", "trigger.date")
    else:
        for key in ("current_rent_yen", "destination", "costs"):
            need(facts, key, key)
        for key, subkeys in (("income_drop", ("month", "cause", "main_earner")),
                             ("household_finance_review", ("move_needed", "cannot_fund"))):
            sub = facts.get(key)
            if sub is None:
                missing.append(key)
            else:
                for subkey in subkeys:
                    need(sub, subkey, f"{key}.{subkey}")
    return missing


def contract_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """The facts with the contract's nullable keys present (``null`` when not given)."""
    out = copy.deepcopy(facts)
    if out.get("benefit") == "rent":
        out.setdefault("lease_initial_costs_paid_on", None)
        out.setdefault("previous_receipt", None)
        trigger = out.get("trigger")
        if isinstance(trigger, dict):
            trigger.setdefault("date", None)
    return out


def assessable_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Facts for ``assess``. A homeless applicant without a lease yet is assessed provisionally with the
    application date as the day the initial costs are paid; the grant after the 住居確保報告書 reassesses."""
    out = contract_facts(facts)
    if out.get("benefit") == "rent" and out.get("applicant_type") == "homeless":
        if out.get("lease_initial_costs_paid_on") is None:
            out["lease_initial_costs_paid_on"] = out.get("application_date")
    return out


def approved_decisions(session: Session, case_id: int) -> list[Decision]:
    stmt = (
        select(Decision)
        .join(DecisionReview, DecisionReview.decision_id == Decision.id)
        .where(Decision.case_id == case_id, DecisionReview.outcome == "approved")
        .order_by(Decision.sequence)
    )
    return list(session.scalars(stmt))


def _latest_facts(session: Session, case_id: int) -> dict[str, Any]:
    for decision in reversed(approved_decisions(session, case_id)):
        if decision.facts:
            return copy.deepcopy(decision.facts)
    app = session.scalar(
        select(Application).where(Application.case_id == case_id, Application.status != "draft")
        .order_by(Application.id.desc())
    )
    return copy.deepcopy(app.facts) if app else {}


def _carried_intake(session: Session, case_id: int) -> dict[str, Any]:
    """PD30: the applicant and the payee carry over from the case's granted application unless changed."""
    app = session.scalar(select(Application).where(Application.case_id == case_id, Application.kind == "initial",
                                                   Application.status != "draft")
                         .order_by(Application.id.desc()))
    if app is None:
        return {}
    return {k: copy.deepcopy(app.intake[k]) for k in ("applicant", "payee") if app.intake.get(k)}


def create_application(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    benefit: str | None,
    case_id: int | None,
    facts: dict[str, Any],
    intake: dict[str, Any],
    idempotency_key: str | None = None,
) -> tuple[Application, bool]:
    """A draft application (a new case for an initial one unless ``case_id``). Returns (app, created).

    A retry with the same idempotency key returns the first application and creates nothing.
    """
    require_role(actor, "agency")
    if actor.agency_id is None:
        raise InvalidRequest("agency user without agency", field="agency_id")
    if idempotency_key is not None:
        existing = session.scalar(
            select(Application).where(
                Application.agency_id == actor.agency_id, Application.idempotency_key == idempotency_key
            )
        )
        if existing is not None:
            return existing, False
    if idempotency_key is None:  # NULL keys never collide (unique over agency and key): no savepoint
        app = _insert_application(session, actor, kind, benefit, case_id, facts, intake, None)
    else:
        try:
            with session.begin_nested():  # the new case too: a lost race leaves no orphan case behind
                app = _insert_application(session, actor, kind, benefit, case_id, facts, intake, idempotency_key)
        except IntegrityError as exc:
            # Two requests with one key at once: the other committed first (PostgreSQL waits on the
            # unique index until it does), so this request answers with its application.
            winner = session.scalar(select(Application).where(
                Application.agency_id == actor.agency_id, Application.idempotency_key == idempotency_key))
            if winner is None:
                raise Conflict("an application with this Idempotency-Key is being created",
                               field="Idempotency-Key") from exc
            return winner, False
    audit(session, actor, "application.create", case_id=app.case_id, target=f"application:{app.id}",
          detail={"kind": kind, "benefit": app.benefit})
    return app, True


def _insert_application(
    session: Session, actor: Actor, kind: str, benefit: str | None, case_id: int | None,
    facts: dict[str, Any], intake: dict[str, Any], idempotency_key: str | None,
) -> Application:
    """The application row, and a new case for an initial application without ``case_id``."""
    assert actor.agency_id is not None
    if case_id is not None:
        case = load_case(session, actor, case_id)
        benefit = benefit or case.benefit
        if kind != "initial":
            facts = {**_latest_facts(session, case.id), **facts}
            intake = {**_carried_intake(session, case.id), **intake}
    else:
        if kind != "initial":
            raise InvalidRequest(f"a {kind} application needs case_id", field="case_id")
        benefit = benefit or facts.get("benefit")
        if benefit not in ("rent", "moving"):
            raise IncompleteApplication("benefit is required (rent or moving)", field="benefit")
        case = BenefitCase(agency_id=actor.agency_id, benefit=benefit, status="open", version=1)
        case_search.refresh_case(case, intake)  # the search key goes in with the row: no UPDATE after
        session.add(case)
        session.flush()
    assert benefit is not None
    facts = {**facts, "benefit": benefit}
    app = Application(
        case_id=case.id,
        agency_id=case.agency_id,
        kind=kind,
        benefit=benefit,
        status="draft",
        facts=facts,
        intake=intake,
        idempotency_key=idempotency_key,
        created_by=actor.user_id,
    )
    session.add(app)
    if case_id is not None:
        case_search.refresh_case(case, intake)
    session.flush()
    return app


def load_application(session: Session, actor: Actor, application_id: int) -> Application:
    app = session.get(Application, application_id)
    if app is None or (actor.role == "agency" and app.agency_id != actor.agency_id):
        raise NotFound(f"application {application_id} not found", field="application_id")
    hold(session, app)
    return app


def read_application(session: Session, actor: Actor, application_id: int) -> Application:
    require_role(actor, "agency", "clerk", "approver")
    app = load_application(session, actor, application_id)
    audit(session, actor, "application.read", case_id=app.case_id, target=f"application:{app.id}")
    return app


def update_application(
    session: Session, actor: Actor, application_id: int, *, facts: dict[str, Any] | None,
    intake: dict[str, Any] | None,
) -> Application:
    require_role(actor, "agency")
    app = load_application(session, actor, application_id)
    if app.status != "draft":
        raise Conflict(f"application {app.id} is {app.status}; only a draft can be changed", code="not_draft")
    if facts is not None:
        app.facts = {**app.facts, **facts, "benefit": app.benefit}
    if intake is not None:
        app.intake = {**app.intake, **intake}
        case = session.get(BenefitCase, app.case_id)
        if case is not None:
            case_search.refresh_case(case, app.intake)
    audit(session, actor, "application.update", case_id=app.case_id, target=f"application:{app.id}",
          detail={"fields": sorted([*(facts or {}), *(intake or {})])})
    return app


def documents_of(session: Session, case_id: int, application_id: int | None = None) -> list[Document]:
    stmt = select(Document).where(Document.case_id == case_id)
    if application_id is not None:
        stmt = stmt.where(Document.application_id == application_id)
    return list(session.scalars(stmt.order_by(Document.id)))


@dataclass(frozen=True, slots=True)
class Upload:
    """One file to store: its R85 checklist kind, name, type and bytes."""

    kind: str
    filename: str
    content_type: str
    content: bytes


def upload_document(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    kind: str,
    filename: str,
    content_type: str,
    content: bytes,
    application_id: int | None,
    max_bytes: int,
    allowed_types: tuple[str, ...],
) -> Document:
    """One uploaded file (the API's ``POST /cases/{id}/documents``)."""
    (doc,) = upload_documents(session, actor, case_id, [Upload(kind, filename, content_type, content)],
                              application_id=application_id, max_bytes=max_bytes, allowed_types=allowed_types)
    return doc


def _checked_upload(upload: Upload, max_bytes: int, allowed_types: tuple[str, ...]) -> str:
    """Refuse what must not be stored (issue 12); returns the cleaned file name.

    The kind and the file name never carry a 個人番号; the content's first bytes must be those of the
    declared type (a script renamed .pdf is refused); the name loses control and bidi characters."""
    from service.errors import PayloadTooLarge, UnsupportedMediaType
    from service.security import clean_filename, contains_individual_number, content_matches_type

    if not upload.kind or len(upload.kind) > 50:
        raise InvalidRequest("document kind is required (at most 50 characters)", field="kind")
    for field, text in (("kind", upload.kind), ("filename", upload.filename)):
        if contains_individual_number(text):
            raise InvalidRequest("a 個人番号 (My Number) must never be sent or stored", code="individual_number",
                                 field=field)
    if upload.content_type not in allowed_types:
        raise UnsupportedMediaType(f"content type {upload.content_type!r} not accepted; use one of "
                                   f"{', '.join(allowed_types)}", field="file")
    if len(upload.content) > max_bytes:
        raise PayloadTooLarge(f"file is larger than {max_bytes} bytes", field="file")
    if not upload.content:
        raise InvalidRequest("file is empty", field="file")
    if not content_matches_type(upload.content, upload.content_type):
        raise UnsupportedMediaType(f"the file's content is not {upload.content_type}", code="content_mismatch",
                                   field="file")
    name = clean_filename(upload.filename or "upload")
    if not name:
        raise InvalidRequest("the file name has no readable characters; rename the file", field="filename")
    return name


def upload_documents(
    session: Session,
    actor: Actor,
    case_id: int,
    uploads: list[Upload],
    *,
    application_id: int | None,
    max_bytes: int,
    allowed_types: tuple[str, ...],
    indexed_fields: bool = False,
) -> list[Document]:
    """Files of one form (the wizard's document step, the API's ``files``), stored with SHA-256, size and
    type (R85). Every file is checked before any is stored; they are written together, each with its audit
    entry. With ``indexed_fields`` an error names the file as the API form does (``files[2]``, ``kinds[2]``,
    ``files[2].filename``)."""

    require_role(actor, "agency", "clerk")
    case = load_case(session, actor, case_id)
    if application_id is not None:
        app = load_application(session, actor, application_id)
        if app.case_id != case.id:
            raise InvalidRequest("the application belongs to another case", field="application_id")
    names = []
    for index, upload in enumerate(uploads):
        try:
            names.append(_checked_upload(upload, max_bytes, allowed_types))
        except DomainError as refused:
            if indexed_fields:
                refused.field = {"kind": f"kinds[{index}]", "file": f"files[{index}]",
                                 "filename": f"files[{index}].filename"}.get(refused.field or "", refused.field)
            raise
    now = actor.clock.now()
    docs = [Document(case_id=case.id, application_id=application_id, kind=upload.kind,
                     filename=name, content_type=upload.content_type,
                     size_bytes=len(upload.content), sha256=hashlib.sha256(upload.content).hexdigest(),
                     content=upload.content, uploaded_by=actor.user_id, uploaded_at=now)
            for upload, name in zip(uploads, names, strict=True)]
    session.add_all(docs)
    session.flush()  # one INSERT for the files: the audit entries name their ids
    for doc in docs:
        audit(session, actor, "document.upload", case_id=case.id, target=f"document:{doc.id}",
              detail={"kind": doc.kind, "sha256": doc.sha256, "size_bytes": doc.size_bytes})
    return docs


def missing_items(session: Session, app: Application) -> list[dict[str, str]]:
    """Every item that keeps the application from being submitted."""
    items: list[dict[str, str]] = []
    for field in _missing_facts(app.facts, app.benefit):
        items.append({"field": f"facts.{field}", "message": "required"})
    intake = app.intake
    if app.kind == "initial":
        consents = intake.get("consents") or {}
        for consent in REQUIRED_CONSENTS[app.benefit]:
            if consents.get(consent) is not True:
                items.append({"field": f"intake.consents.{consent}", "message": "consent (R86) not given"})
        payee = intake.get("payee") or {}
        for field in PAYEE_FIELDS:
            if not payee.get(field):
                items.append({"field": f"intake.payee.{field}", "message": "required"})
        items.extend(_unknown_account(payee))
        applicant = intake.get("applicant") or {}
        for field in ("name", "name_kana"):
            if not applicant.get(field):
                items.append({"field": f"intake.applicant.{field}", "message": "required"})
        plan = intake.get("plan") or {}
        if intake.get("emergency") is None:
            items.append({"field": "intake.emergency", "message": "state whether this is an emergency (R88)"})
        elif intake.get("emergency") is False and not plan.get("plan_date"):
            items.append({"field": "intake.plan.plan_date", "message": "the support plan date (R87) is "
                          "required unless the emergency flag (R88) is set"})
    present = set(session.scalars(select(Document.kind).distinct().where(
        Document.case_id == app.case_id, Document.application_id == app.id)))
    exempt = intake.get("document_exemptions") or {}
    for kind in required_documents(app.kind, app.benefit, app.facts):
        if kind not in present and kind not in exempt:
            items.append({"field": f"documents.{kind}", "message": "document (R85) not uploaded"})
    return items


def _unknown_account(payee: dict[str, Any]) -> list[dict[str, str]]:
    """A bank or branch code zengin-code does not know (a draft saved before codes were checked)."""
    from payments.bank_codes import bank_name, branch_name

    bank, branch = payee.get("bank_code"), payee.get("branch_code")
    if bank and bank_name(str(bank)) is None:
        return [{"field": "intake.payee.bank_code", "message": "unknown"}]
    if bank and branch and branch_name(str(bank), str(branch)) is None:
        return [{"field": "intake.payee.branch_code", "message": "unknown"}]
    return []


def submit_application(session: Session, actor: Actor, application_id: int) -> Application:
    """Submit a draft: refused with every missing item listed; repeating a submission changes nothing."""
    require_role(actor, "agency")
    app = load_application(session, actor, application_id)
    if app.status != "draft":
        return app
    items = missing_items(session, app)
    if items:
        raise IncompleteApplication(
            f"the application is incomplete: {len(items)} missing item(s)",
            field=items[0]["field"],
            details=items,
        )
    purpose = "extension" if app.kind == "extension" else "initial"
    facts = app.facts
    if app.kind == "extension":
        # PD30: an extension is applied for on the day it is submitted (the office clock); the deadline
        # (PD6) is checked against that day, never against a date typed in the form.
        facts = {**facts, "application_date": actor.clock.today().isoformat()}
    rules.assess(assessable_facts(facts), purpose=purpose)  # input errors → 422 naming the field
    app.facts = contract_facts(facts)
    app.status = "submitted"
    app.returned_reason = None
    app.submitted_by = actor.user_id
    app.submitted_at = actor.clock.now()
    from service.workflows.households import household_key, key_of

    app.household_key = household_key(app.facts, app.intake) if app.kind == "initial" else key_of(session, app)
    audit(session, actor, "application.submit", case_id=app.case_id, target=f"application:{app.id}")
    return app


def _waiting_for_decision(session: Session, app: Application) -> None:
    """Only a submitted application no decision has been approved on may be changed by the office."""
    decided = session.scalar(select(Decision.id).join(DecisionReview, DecisionReview.decision_id == Decision.id)
                             .where(Decision.application_id == app.id, DecisionReview.outcome == "approved")
                             .limit(1))
    if app.status != "submitted" or decided is not None:
        raise Conflict(f"application {app.id} is {app.status}; only a submitted application waiting for a "
                       "decision can be changed by the office", code="application_not_returnable",
                       field="application_id")


def return_application(session: Session, actor: Actor, application_id: int, *, reason: str) -> Application:
    """The office returns a submitted application to its agency with the reason (差戻し); the agency edits
    it as a draft and submits it again. A decision drafted on it becomes stale (the case version moves)."""
    from service.workflows.common import bump_case_version

    require_role(actor, "clerk")
    app = load_application(session, actor, application_id)
    if not reason.strip():
        raise InvalidRequest("a returned application needs the reason", field="reason")
    _waiting_for_decision(session, app)
    bump_case_version(session, load_case(session, actor, app.case_id), None, actor.clock.now())
    app.status = "draft"
    app.returned_reason = reason.strip()
    audit(session, actor, "application.return", case_id=app.case_id, target=f"application:{app.id}",
          detail={"reason": app.returned_reason})
    return app


def record_coordination_meeting(session: Session, actor: Actor, application_id: int, *,
                                meeting_date: Any = None, emergency: bool = False) -> Application:
    """The clerk records on the application the day its plan went through the 支援調整会議 (R87), or that
    it is decided in the emergency path before the plan (R88: reported to the meeting afterwards)."""
    from datetime import date as _date

    from service.workflows.common import bump_case_version

    require_role(actor, "clerk")
    app = load_application(session, actor, application_id)
    _waiting_for_decision(session, app)
    if (meeting_date is None) == (not emergency):
        raise InvalidRequest("give either the 支援調整会議 date or the emergency path", field="meeting_date")
    intake = copy.deepcopy(app.intake)
    if meeting_date is not None:
        assert isinstance(meeting_date, _date)
        if meeting_date > actor.clock.today():
            raise InvalidRequest(f"the meeting date {meeting_date} is after today ({actor.clock.today()})",
                                 field="meeting_date")
        intake["plan"] = {**(intake.get("plan") or {}), "coordination_meeting_date": meeting_date.isoformat()}
        intake["emergency"] = False
    else:
        intake["emergency"] = True
    app.intake = intake
    bump_case_version(session, load_case(session, actor, app.case_id), None, actor.clock.now())
    audit(session, actor, "application.coordination", case_id=app.case_id, target=f"application:{app.id}",
          detail={"meeting_date": meeting_date.isoformat() if meeting_date else None, "emergency": emergency})
    return app

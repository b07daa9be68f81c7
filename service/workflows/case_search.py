"""Finding people (issue 14): one normalised search key per case, and the case list with filters, sort
and paging shared by the screens (``/cases?q=``) and the API (``GET /api/v1/cases?q=``).

The key holds the applicant's name and kana, the phone number and the payee's name and account holder
as the latest application gives them, each passed through :func:`normalise` (NFKC, so full- and
half-width forms are one; hiragana as katakana; spaces and hyphens removed; case folded). A query is
normalised the same way and matched as a substring; a case number (``12``, ``#12``, ``ケース12``) also
matches the case itself. PostgreSQL answers the substring with a trigram index (migration 0010).

An agency sees only its own cases: the filter is applied here, before counting, so neither the rows
nor the total reveal another agency's cases.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import jaconv
from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from service.db.models import Agency, Application, BenefitCase, BenefitGrant, BenefitMonth
from service.errors import InvalidRequest
from service.workflows.common import Actor, audit, require_role

#: what a search ignores: spaces of every width, hyphens and dashes (phone numbers), the middle dot,
#: brackets and the key's own field separator. The long-vowel mark ー is part of a name and stays.
_IGNORED = re.compile(r"[\s\-‐‑‒–—―−・･.,、。()（）|]+")
_SEPARATOR = "|"
_CASE_NUMBER = re.compile(r"^(?:ケース)?(?:no\.?)?#?(\d{1,9})$")

#: the status filter: an application state (no grant yet) or a grant state.
APPLICATION_FILTERS = ("draft", "submitted", "refused")
GRANT_FILTERS = ("certified", "active", "interrupted", "awaiting_move_report", "confirmed", "stopped", "ended")
STATUS_FILTERS = APPLICATION_FILTERS + GRANT_FILTERS
SORTS = ("new", "old", "kana", "updated")


def normalise(text: str | None) -> str:
    """The searchable form of a name, kana or phone number: 「やまだ　たろう」, 「ﾔﾏﾀﾞ ﾀﾛｳ」 and
    「ヤマダタロウ」 are one; 「０３－１２３４」 is 「031234」."""
    if not text:
        return ""
    value = unicodedata.normalize("NFKC", text)
    value = jaconv.hira2kata(value).casefold()
    return _IGNORED.sub("", value)


def search_fields(intake: dict[str, Any]) -> tuple[str | None, str | None, str]:
    """(applicant name, applicant kana, search key) from an application's intake."""
    applicant: dict[str, Any] = intake["applicant"] if isinstance(intake.get("applicant"), dict) else {}
    payee: dict[str, Any] = intake["payee"] if isinstance(intake.get("payee"), dict) else {}
    name = _text(applicant.get("name"))
    kana = _text(applicant.get("name_kana"))
    parts = [name, kana, _text(applicant.get("phone")), _text(payee.get("name")), _text(payee.get("holder_kana"))]
    key = _SEPARATOR.join(normalise(p) for p in parts if p)
    return name, kana, key


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def refresh_case(case: BenefitCase, intake: dict[str, Any]) -> None:
    """Keep the case's name and key in step with an application's intake (a later application that
    leaves the applicant out keeps what the case had)."""
    name, kana, key = search_fields(intake)
    if name is None and kana is None and not key:
        return
    case.applicant_name = name or case.applicant_name
    case.applicant_kana = kana or case.applicant_kana
    case.search_key = key


@dataclass(frozen=True)
class CaseFilter:
    q: str = ""
    status: str | None = None
    agency_id: int | None = None
    month: str | None = None
    sort: str = "new"

    def checked(self) -> CaseFilter:
        if self.status is not None and self.status not in STATUS_FILTERS:
            raise InvalidRequest(f"unknown status filter {self.status!r}", field="status", code="invalid_filter")
        if self.sort not in SORTS:
            raise InvalidRequest(f"unknown sort {self.sort!r}", field="sort", code="invalid_filter")
        if self.month is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", self.month):
            raise InvalidRequest(f"{self.month!r} is not a month (YYYY-MM)", field="month", code="invalid_filter")
        if len(self.q) > 100:
            raise InvalidRequest("the search text is too long (100 characters at most)", field="q",
                                 code="invalid_filter")
        return self


def _filtered(actor: Actor, f: CaseFilter) -> Select[Any]:
    stmt = select(BenefitCase.id)
    if actor.role == "agency":  # an agency's own cases only, whatever it asks for
        stmt = stmt.where(BenefitCase.agency_id == actor.agency_id)
    elif f.agency_id is not None:
        stmt = stmt.where(BenefitCase.agency_id == f.agency_id)
    needle = normalise(f.q)
    if needle:
        number = _CASE_NUMBER.match(needle)
        by_key = BenefitCase.search_key.contains(needle, autoescape=True)
        stmt = stmt.where(or_(by_key, BenefitCase.id == int(number.group(1))) if number else by_key)
    if f.status in APPLICATION_FILTERS:
        stmt = stmt.where(
            exists().where(Application.case_id == BenefitCase.id, Application.status == f.status,
                           Application.kind == "initial"),
            ~exists().where(BenefitGrant.case_id == BenefitCase.id))
    elif f.status in GRANT_FILTERS:
        stmt = stmt.where(exists().where(BenefitGrant.case_id == BenefitCase.id, BenefitGrant.status == f.status))
    if f.month is not None:
        stmt = stmt.where(exists().where(
            BenefitGrant.case_id == BenefitCase.id, BenefitMonth.grant_id == BenefitGrant.id,
            BenefitMonth.month == f.month, BenefitMonth.status.in_(("scheduled", "paid", "interrupted"))))
    return stmt


_ORDER = {
    "new": (BenefitCase.id.desc(),),
    "old": (BenefitCase.id.asc(),),
    "kana": (BenefitCase.applicant_kana.is_(None), BenefitCase.applicant_kana.asc(), BenefitCase.id.asc()),
    "updated": (BenefitCase.updated_at.desc(), BenefitCase.id.desc()),
}


def search_cases(session: Session, actor: Actor, f: CaseFilter, *, limit: int = 50,
                 offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """One page of cases matching ``f`` and the number of all that match."""
    require_role(actor, "agency", "clerk", "approver")
    f = f.checked()
    ids_stmt = _filtered(actor, f)
    total = int(session.scalar(select(func.count()).select_from(ids_stmt.subquery())) or 0)
    page_ids = list(session.scalars(
        ids_stmt.order_by(*_ORDER[f.sort]).limit(limit).offset(offset)))
    rows = _rows(session, page_ids)
    if f.q:  # who searched for whom: the names shown are personal data, and reads are audited
        audit(session, actor, "case.search", detail={"q": f.q, "status": f.status, "month": f.month,
                                                     "count": total})
    return rows, total


def _rows(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    cases = {c.id: c for c in session.scalars(select(BenefitCase).where(BenefitCase.id.in_(ids)))}
    agencies = dict(session.execute(select(Agency.id, Agency.name)).all())
    apps: dict[int, Application] = {}
    for app in session.scalars(select(Application).where(Application.case_id.in_(ids)).order_by(Application.id)):
        apps[app.case_id] = app
    grants: dict[int, BenefitGrant] = {}
    for grant in session.scalars(select(BenefitGrant).where(BenefitGrant.case_id.in_(ids))
                                 .order_by(BenefitGrant.id)):
        grants[grant.case_id] = grant
    out = []
    for case_id in ids:
        case = cases[case_id]
        latest_app = apps.get(case_id)
        latest_grant = grants.get(case_id)
        out.append({
            "id": case.id, "agency_id": case.agency_id, "agency_name": agencies.get(case.agency_id),
            "benefit": case.benefit, "status": case.status, "version": case.version,
            "applicant_name": case.applicant_name, "applicant_kana": case.applicant_kana,
            "updated_at": case.updated_at,
            "application_id": latest_app.id if latest_app else None,
            "application_kind": latest_app.kind if latest_app else None,
            "application_status": latest_app.status if latest_app else None,
            "grant_status": latest_grant.status if latest_grant else None,
            "period_last_month": latest_grant.period_last_month if latest_grant else None,
            "amount_yen": latest_grant.amount_yen if latest_grant else None,
        })
    return out

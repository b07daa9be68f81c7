"""One benefit per household across cases (PD27) and rent and moving never in the same months (PD21).

A household is recognised by its named member: the applicant's name, normalised (NFKC, so full- and
half-width letters and kana fold together; katakana folded to hiragana; spaces removed; lower case),
and the applicant's birth date. Applications store only a digest of the two (``household_key``), so the
index never holds a readable name.
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

import jaconv
from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from service.db.models import Application, BenefitGrant, BenefitMonth
from service.errors import Conflict

#: Months whose benefit is decided and counted (R38): a cancelled or paused month pays nothing.
COUNTED_MONTHS = ("scheduled", "in_batch", "paid", "settled")
LIVE_RENT = ("active", "interrupted")


def normalised_name(name: str) -> str:
    """PD27: ``'山田　太郎'``, ``'山田 太郎'`` and ``'山田太郎'`` are one name; ``'ﾔﾏﾀﾞ ﾀﾛｳ'``, ``'ヤマダ タロウ'``
    and ``'やまだたろう'`` are one name."""
    folded = jaconv.kata2hira(unicodedata.normalize("NFKC", name))
    return "".join(folded.split()).casefold()


def household_key(facts: dict[str, Any], intake: dict[str, Any]) -> str | None:
    """The digest of the applicant's normalised name and birth date, or None when either is missing."""
    applicant = intake.get("applicant") or {}
    name = applicant.get("name") or applicant.get("name_kana")
    members = facts.get("household") or []
    birth = next((m.get("birth_date") for m in members if m.get("relationship") == "applicant"),
                 members[0].get("birth_date") if members else None)
    if not name or not birth:
        return None
    text = f"{normalised_name(str(name))}|{birth}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def key_of(session: Session, app: Application) -> str | None:
    """The household key of the application (its case's initial application for extensions and changes)."""
    if app.household_key is not None:
        return app.household_key
    initial = app
    if app.kind != "initial":
        found = session.scalar(select(Application).where(Application.case_id == app.case_id,
                                                         Application.kind == "initial")
                               .order_by(Application.id))
        initial = found or app
    return initial.household_key or household_key(initial.facts, initial.intake)


def _household_grants(key: str) -> Any:
    return (select(BenefitGrant).join(Application, Application.id == BenefitGrant.application_id)
            .where(Application.household_key == key))


def overlapping_rent_grants(session: Session, key: str | None, months: list[str], *,
                            exclude_grant_id: int | None = None,
                            exclude_case_id: int | None = None) -> list[BenefitGrant]:
    """Rent grants of the household with a counted month among ``months`` (PD27)."""
    if key is None or not months:
        return []
    stmt = _household_grants(key).where(
        BenefitGrant.benefit == "rent",
        exists().where(and_(BenefitMonth.grant_id == BenefitGrant.id, BenefitMonth.month.in_(months),
                            BenefitMonth.status.in_(COUNTED_MONTHS))))
    if exclude_grant_id is not None:
        stmt = stmt.where(BenefitGrant.id != exclude_grant_id)
    if exclude_case_id is not None:
        stmt = stmt.where(BenefitGrant.case_id != exclude_case_id)
    return list(session.scalars(stmt.order_by(BenefitGrant.id)))


def refuse_second_rent_grant(session: Session, key: str | None, case_id: int, months: list[str],
                             *, exclude_grant_id: int | None = None) -> None:
    """PD27: a rent grant whose months overlap a granted rent subsidy of the same household on another
    case is refused with 409 naming that case."""
    others = overlapping_rent_grants(session, key, months, exclude_grant_id=exclude_grant_id,
                                     exclude_case_id=case_id)
    if others:
        other = others[0]
        raise Conflict(f"the household already receives the rent subsidy for these months on case "
                       f"{other.case_id} (grant {other.id}); one benefit per household (PD27)",
                       code="household_already_granted", field="application_id")


def refuse_moving_during_rent(session: Session, key: str | None, case_id: int, month: str) -> None:
    """PD21: no moving subsidy in a month the household's rent subsidy runs (this case or another)."""
    stmt = (select(BenefitGrant).where(BenefitGrant.benefit == "rent", BenefitGrant.status.in_(LIVE_RENT),
                                       BenefitGrant.first_month <= month,
                                       BenefitGrant.period_last_month >= month))
    on_case = session.scalars(stmt.where(BenefitGrant.case_id == case_id)).first()
    running = on_case if on_case is not None or key is None else session.scalars(
        stmt.join(Application, Application.id == BenefitGrant.application_id)
        .where(Application.household_key == key)).first()
    if running is not None:
        raise Conflict(f"the household's rent subsidy (case {running.case_id}, grant {running.id}) runs in "
                       f"{month}: rent and moving are never granted for the same months (PD21)",
                       code="rent_running", field="application_id")


def household_matches(session: Session, key: str | None, case_id: int) -> list[dict[str, Any]]:
    """What the clerk sees before drafting (PD27): the household's grants on other cases."""
    if key is None:
        return []
    grants = session.scalars(_household_grants(key).where(BenefitGrant.case_id != case_id)
                             .order_by(BenefitGrant.id))
    return [{"case_id": g.case_id, "grant_id": g.id, "benefit": g.benefit, "status": g.status,
             "first_month": g.first_month, "period_last_month": g.period_last_month} for g in grants]

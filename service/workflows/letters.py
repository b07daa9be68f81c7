"""Issuing letters: every letter and notice an approved decision needs, archived with its PDF.

``issue_letters_for_decision`` plans the letters of a decision (:func:`plan_letters`), numbers each from
its municipality's 文書番号 series, renders it and stores it in ``letter`` (append-only) with its SHA-256.
Issuing twice creates nothing new; a reprint returns the stored bytes; a letter is never edited (a
correction is a new decision, hence new letters). The words are ``letters.content``'s; this module only
gathers the data from the decision, its application and its grant.

Which letters (rules.md R44, R57, R84, §14):

=======================  ====================================================================
decision kind            letters
=======================  ====================================================================
eligibility_certificate  支給対象者証明書 (homeless applicant, R44)
grant, regrant           支給決定通知書 (+ 支給対象者証明書 for an at-risk tenant, R44);
                         代理受領 notice to the landlord/agent (R45, R84)
refusal                  不支給決定通知書 (every unmet requirement)
extension                延長決定通知書; landlord notice (R57)
extension_refusal        延長不支給決定通知書 / 延長申請却下通知書; landlord notice (R57)
change                   変更決定通知書; landlord notice (R57)
stop                     支給中止通知書 (evidence, first month not paid, repayment); landlord notice
repayment                返還請求書
moving_grant             転居費用補助 支給決定通知書 (costs, cap, who is paid what)
=======================  ====================================================================

Every decision letter above (all but the certificate and the 返還請求書) is copied to the
社会福祉協議会 only when the application records the recipient's consent (``intake.consents.
share_with_council``: a 生活福祉資金 borrower agreeing to the copy, R57, R84). Interruptions,
resumptions and moving confirmations have no letter type yet: they issue nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, SessionTransaction

from calculations.moving import AGENT_CATEGORIES, ELIGIBLE_CATEGORIES
from letters import (
    ActivityMinimums,
    Addressee,
    ChangeDecisionInput,
    CouncilNoticeInput,
    DecisionLetterInput,
    EligibilityCertificateInput,
    ExtensionDecisionInput,
    ExtensionRefusalInput,
    InterruptionNoticeInput,
    LetterContent,
    Letterhead,
    LetterInputError,
    LetterType,
    MovingAllocation,
    MovingConfirmationInput,
    MovingCostLine,
    MovingDecisionInput,
    PaymentRoute,
    ProxyNoticeEvent,
    ProxyPaymentNoticeInput,
    RefusalLetterInput,
    RepaymentCause,
    RepaymentDemandInput,
    RepaymentMonth,
    RepaymentWithdrawalInput,
    ResumptionNoticeInput,
    StopCause,
    StopNoticeInput,
)
from letters.pdf import MissingGlyph, check_glyphs, render_pdf, render_print_run
from letters.snapshot import build_from_snapshot, build_letter, from_snapshot, to_snapshot
from letters.snapshot import template_version as wording_version
from payments.bank_calendar import pay_date
from service import rules
from service.calendar import JST
from service.db.models import (
    Application,
    BenefitGrant,
    BenefitMonth,
    Decision,
    DecisionReview,
    RepaymentClaim,
)
from service.db.models_letters import Letter, LetterEvent, LetterPlan, LetterSeries
from service.errors import Conflict, DomainError, InvalidRequest, NotFound, RuleViolation
from service.letterhead import MunicipalityLetterhead, UnknownMunicipality, fiscal_year, municipality_letterhead
from service.workflows.common import Actor, audit, load_case, require_role

COUNCIL_CONSENT = "share_with_council"
"""``intake.consents`` key: a 生活福祉資金 borrower's consent to copy decisions to the 社会福祉協議会."""

ISSUING_ROLES = ("clerk", "approver")
READING_ROLES = ("agency", "clerk", "approver")

_PAYEE_ACCOUNT_TYPES = {"ordinary": "普通", "current": "当座", "savings": "貯蓄"}

_EXTENSION_WORDING = {
    "nine_month_cap": "支給期間は通算の上限に達しているため、これを超えて延長することはできません。",
    "grant_not_active": "給付金の支給が継続していないため、支給期間を延長することはできません。",
}

_EVIDENCE_LABELS = {
    "monthly_activity_counts": "求職活動状況報告書（面談等・職業相談・応募の回数）",
    "interview_records": "自立相談支援機関の面談記録",
    "hello_work_confirmations": "公共職業安定所の職業相談の確認記録",
    "reminder_log": "指導・督促の記録",
    "employment_notification": "常用就職届",
    "pay_slips": "給与明細書等の収入を確認できる書類",
    "move_out_confirmation": "退去を確認できる書類",
    "false_statement_evidence": "申請内容が事実と異なることを確認できる書類",
    "police_confirmation": "警察への照会結果",
    "sentencing_record": "判決等を確認できる書類",
    "public_assistance_start_notice": "生活保護開始決定を確認できる書類",
    "death_record": "死亡を確認できる書類",
    "whereabouts_investigation_record": "所在調査の記録",
}


@dataclass(frozen=True, slots=True)
class PlannedLetter:
    """One letter a decision needs; ``build`` makes its content once its number is known."""

    letter_type: LetterType
    addressee_kind: str
    build: Callable[[Letterhead, Mapping[str, Any]], Any]
    """(letterhead with this letter's 文書番号, the inputs built before it by :attr:`key`) → the letter's
    input (a ``letters.content`` dataclass, stored as its snapshot)."""

    @property
    def key(self) -> str:
        return f"{self.letter_type.value}/{self.addressee_kind}"


@dataclass(frozen=True, slots=True)
class DecisionContext:
    """What a decision's letters are made of, loaded once."""

    decision: Decision
    approved_at: datetime
    issued_on: date
    application: Application
    """The initial application (the recipient, the payee, the consents)."""
    grant: BenefitGrant | None
    letterhead: MunicipalityLetterhead


@dataclass(frozen=True, slots=True)
class Approval:
    """What the approval transaction already holds for its letters, so that planning them reads nothing
    again: the approval's time and the grant the decision wrote (None: look it up)."""

    approved_at: datetime
    grant: BenefitGrant | None = None


# --- loading -------------------------------------------------------------------------------------------


def approval_time(session: Session, decision: Decision) -> datetime:
    """The approval timestamp (UTC) of an approved decision, or 409 when it is not approved."""
    review = session.scalar(select(DecisionReview).where(DecisionReview.decision_id == decision.id))
    if review is None or review.outcome != "approved":
        raise Conflict(f"decision {decision.id} is not approved; letters follow approval", code="not_approved",
                       field="decision_id")
    return as_utc(review.reviewed_at)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _context(session: Session, decision: Decision, approval: Approval | None = None) -> DecisionContext:
    approved_at = as_utc(approval.approved_at) if approval is not None else approval_time(session, decision)
    grant = (approval.grant if approval is not None and approval.grant is not None
             else session.get(BenefitGrant, decision.grant_id) if decision.grant_id is not None else None)
    app: Application | None = None
    if grant is not None:
        app = session.get(Application, grant.application_id)
    elif decision.application_id is not None:
        app = session.get(Application, decision.application_id)
        grant = session.scalar(select(BenefitGrant).where(BenefitGrant.application_id == decision.application_id))
    if app is None:
        raise InvalidRequest(f"decision {decision.id} has no application to address its letters from",
                             field="decision_id")
    code = str((decision.facts or {}).get("municipality_code") or app.facts.get("municipality_code") or "")
    try:
        letterhead = municipality_letterhead(code)
    except UnknownMunicipality as error:
        raise RuleViolation(str(error), code="no_letterhead", field="municipality_code") from error
    return DecisionContext(decision=decision, approved_at=approved_at, issued_on=approved_at.astimezone(JST).date(),
                           application=app, grant=grant, letterhead=letterhead)


# --- addressees and shared pieces ----------------------------------------------------------------------


def _recipient(ctx: DecisionContext) -> Addressee:
    applicant = ctx.application.intake.get("applicant") or {}
    name = str(applicant.get("name") or "").strip()
    if not name:
        raise InvalidRequest("the application has no applicant name to address the letter to",
                             field="intake.applicant.name")
    address = str(applicant.get("address") or "").strip()
    postal = _postal_code(applicant.get("postal_code") or ctx.application.intake.get("postal_code"))
    return Addressee(name=name, postal_code=postal, address_lines=(address,) if address else ())


def _postal_code(value: Any) -> str | None:
    """``'1000001'`` or ``'100-0001'`` → ``'100-0001'`` (intake's optional ``postal_code``); else None."""
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    return f"{digits[:3]}-{digits[3:]}" if len(digits) == 7 else None


def _recipient_name(ctx: DecisionContext) -> str:
    return _recipient(ctx).name


def _payee(ctx: DecisionContext) -> dict[str, Any]:
    payee = ctx.application.intake.get("payee") or {}
    if not str(payee.get("name") or "").strip():
        raise InvalidRequest("the application names no landlord/agent (payee) for the 代理受領 notice",
                             field="intake.payee.name")
    return dict(payee)


def _landlord(ctx: DecisionContext) -> Addressee:
    payee = _payee(ctx)
    corporate = bool(payee.get("corporate_number")) or payee.get("payee_kind") == "agent"
    address = str(payee.get("address") or "").strip()
    return Addressee(name=str(payee["name"]).strip(), honorific="御中" if corporate else "様",
                     postal_code=_postal_code(payee.get("postal_code")), address_lines=(address,) if address else ())


def bank_names(bank_code: str, branch_code: str) -> tuple[str, str]:
    """The bank's and branch's names from zengin-code (empty when the code is unknown)."""
    import zengin_code

    bank = zengin_code.Bank.all.get(str(bank_code))
    if bank is None:
        return "", ""
    branch = bank.branches.get(str(branch_code))
    return str(bank.name), str(branch.name) if branch is not None else ""


def _account_text(payee: Mapping[str, Any]) -> str:
    """e.g. ``みずほ（金融機関コード 0001）　東京営業部（支店コード 001）　普通 1234567　ｶ)ﾃｽﾄ``."""
    parts = []
    bank, branch = bank_names(str(payee.get("bank_code") or ""), str(payee.get("branch_code") or ""))
    if payee.get("bank_code"):
        parts.append(f"{bank}（金融機関コード {payee['bank_code']}）" if bank else f"金融機関コード {payee['bank_code']}")
    if payee.get("branch_code"):
        parts.append(f"{branch}（支店コード {payee['branch_code']}）" if branch
                     else f"支店コード {payee['branch_code']}")
    if payee.get("account_type") or payee.get("account_number"):
        kind = _PAYEE_ACCOUNT_TYPES.get(str(payee.get("account_type")), "")
        parts.append(f"{kind} {payee.get('account_number') or ''}".strip())
    if payee.get("holder_kana"):
        parts.append(str(payee["holder_kana"]))
    return "　".join(parts)


def _pay_day(ctx: DecisionContext) -> int:
    code = ctx.letterhead.code
    return int(rules.rate_book().settings(code).pay_day)


def first_pay_date(first_month: str, decided_on: date, pay_day: int) -> date:
    """PD28: the pay date (PD18) of the first payment run on or after the decision date; benefit months
    before it are paid in that run. Never a date before the decision."""
    month = first_month
    while pay_date(month, pay_day) < decided_on:
        month = rules.add_months(month, 1)
    return pay_date(month, pay_day)


def _payment(ctx: DecisionContext, first_month: str) -> PaymentRoute:
    payee = _payee(ctx)
    pay_day = _pay_day(ctx)
    return PaymentRoute(payee_name=str(payee["name"]), account_text=_account_text(payee),
                        first_pay_date=first_pay_date(first_month, ctx.issued_on, pay_day), pay_day_of_month=pay_day)


def _activity(month: str) -> ActivityMinimums:
    """R48: the monthly minimums in force in ``month`` (dated parameters of the rate book)."""
    book, day = rules.rate_book(), date.fromisoformat(f"{month}-01")
    return ActivityMinimums(interviews_per_month=book.parameter("monthly_interviews_min", day),
                            hello_work_per_month=book.parameter("monthly_hello_work_min", day),
                            applications_per_week=book.parameter("weekly_employer_applications_min", day))


def _dwelling(ctx: DecisionContext) -> str:
    """The rented dwelling as the landlord knows it: 所在地 and room (the applicant's address at intake;
    ``intake.dwelling`` when the application names it separately)."""
    intake = ctx.application.intake
    dwelling = intake.get("dwelling") or {}
    address = str(dwelling.get("address") or (intake.get("applicant") or {}).get("address") or "").strip()
    room = str(dwelling.get("room") or "").strip()
    return f"{address}　{room}".strip() if room else address


def _remitter_name() -> str:
    """振込依頼人名: how the transfer shows on the landlord's statement (the 全銀 委託者名)."""
    from service.payments_config import get_originator_settings

    return str(get_originator_settings().consignor_name)


def _case_number(ctx: DecisionContext) -> str:
    return f"{ctx.decision.case_id:06d}"


def _relationships(facts: Mapping[str, Any] | None) -> tuple[str, ...]:
    return tuple(str(member.get("relationship") or "") for member in (facts or {}).get("household") or [])


def _application_date(ctx: DecisionContext, app: Application | None = None) -> date:
    facts = (app or ctx.application).facts
    return date.fromisoformat(str(facts.get("application_date")))


def _trace(result: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
    return tuple(dict(step) for step in result.get("trace") or ())


def council_consent(app: Application) -> bool:
    """Whether the recipient consented to copies of decisions going to the 社会福祉協議会 (R57, R84)."""
    return (app.intake.get("consents") or {}).get(COUNCIL_CONSENT) is True


def _months_of_decision(session: Session, decision: Decision) -> list[str]:
    return list(session.scalars(select(BenefitMonth.month).where(BenefitMonth.decision_id == decision.id)
                                .order_by(BenefitMonth.month)))


# --- the plan per decision kind ------------------------------------------------------------------------


def plan_letters(session: Session, decision: Decision, ctx: DecisionContext | None = None) -> list[PlannedLetter]:
    """Every letter the approved ``decision`` needs, in issuing order (pure reads; renders nothing)."""
    ctx = ctx or _context(session, decision)
    kind = decision.kind
    planned: list[PlannedLetter]
    if kind == "eligibility_certificate":
        planned = [_certificate(ctx)]
    elif kind in ("grant", "regrant"):
        planned = _grant_letters(ctx)
    elif kind == "refusal":
        planned = [_refusal(ctx)]
    elif kind == "extension":
        planned = _extension_letters(session, ctx)
    elif kind == "extension_refusal":
        planned = _extension_refusal_letters(session, ctx)
    elif kind == "change":
        planned = _change_letters(ctx)
    elif kind == "stop":
        planned = _stop_letters(session, ctx)
    elif kind == "repayment":
        withdrawn = int(decision.result.get("amount_yen") or 0) == 0  # a correction left nothing to repay
        planned = [_repayment_withdrawal(session, ctx) if withdrawn else _repayment(session, ctx)]
    elif kind == "moving_grant":
        planned = [_moving(ctx)]
    elif kind in ("interruption", "resumption"):
        planned = _pause_letters(session, ctx)
    elif kind == "moving_confirmation":
        if int(decision.result.get("confirmed_amount_yen") or 0) == 0:
            return []  # nothing confirmed: no amount to notify (no letter type for it yet)
        planned = [_moving_confirmation(session, ctx)]
    else:  # pragma: no cover - every kind is planned above
        return []
    main = planned[0] if kind not in ("grant", "regrant") else next(
        p for p in planned if p.letter_type is LetterType.DECISION)
    if kind != "repayment" and kind != "eligibility_certificate" and council_consent(ctx.application):
        planned.append(_council(ctx, main))
    return planned


def _certificate(ctx: DecisionContext) -> PlannedLetter:
    result = ctx.decision.result
    facts = ctx.decision.facts or {}

    def build(head: Letterhead, _: Mapping[str, Any]) -> Any:
        return EligibilityCertificateInput(
            letterhead=head, addressee=_recipient(ctx), issued_on=ctx.issued_on,
            recipient_name=_recipient_name(ctx), case_number=_case_number(ctx),
            applicant_type="homeless" if facts.get("applicant_type") == "homeless" else "at_risk",
            household_size=int(result["household_size"]), rent_ceiling_yen=int(result["rent_ceiling_yen"]))

    return PlannedLetter(LetterType.ELIGIBILITY_CERTIFICATE, "recipient", build)


def _grant_letters(ctx: DecisionContext) -> list[PlannedLetter]:
    decision = ctx.decision
    result, facts = decision.result, decision.facts or {}
    amount = int(result["amount_yen"])
    first = str(result["first_benefit_month"])
    period = rules.period_rules(first)  # R37, R38: the grant's first month's dated parameters
    last = rules.add_months(first, period.period_months - 1)
    deadline = rules.extension_deadline(last)
    rent = int(facts.get("rent_yen") or 0)

    def decision_letter(head: Letterhead, _: Mapping[str, Any]) -> Any:
        return DecisionLetterInput(
            letterhead=head, addressee=_recipient(ctx), issued_on=ctx.issued_on,
            recipient_name=_recipient_name(ctx), case_number=_case_number(ctx),
            application_date=_application_date(ctx), decision_date=ctx.issued_on, first_month=first,
            last_month=last, monthly_amount_yen=amount, rent_yen=rent, payment=_payment(ctx, first),
            trace=_trace(result), max_total_months=period.max_months, activity=_activity(first),
            extension_deadline=deadline, household_relationships=_relationships(facts))

    def landlord_notice(head: Letterhead, _: Mapping[str, Any]) -> Any:
        payment = _payment(ctx, first)
        return ProxyPaymentNoticeInput(
            dwelling_text=_dwelling(ctx), remitter_name=_remitter_name(),
            letterhead=head, addressee=_landlord(ctx), issued_on=ctx.issued_on, event=ProxyNoticeEvent.GRANT,
            tenant_name=_recipient_name(ctx), case_number=_case_number(ctx), monthly_amount_yen=amount,
            first_month=first, last_month=last, first_pay_date=payment.first_pay_date,
            pay_day_of_month=payment.pay_day_of_month, rent_yen=rent)

    planned = [PlannedLetter(LetterType.DECISION, "recipient", decision_letter)]
    if facts.get("applicant_type") != "homeless":
        # R44: an at-risk tenant receives the certificate together with the decision notice.
        planned.append(_certificate(ctx))
    planned.append(PlannedLetter(LetterType.PROXY_PAYMENT_NOTICE, "landlord", landlord_notice))
    return planned


def _refusal(ctx: DecisionContext) -> PlannedLetter:
    decision = ctx.decision
    result = decision.result

    def build(head: Letterhead, _: Mapping[str, Any]) -> Any:
        return RefusalLetterInput(
            letterhead=head, addressee=_recipient(ctx), issued_on=ctx.issued_on,
            recipient_name=_recipient_name(ctx), case_number=_case_number(ctx),
            application_date=_application_date(ctx), decision_date=ctx.issued_on,
            reasons=tuple(result.get("reasons") or ()), trace=_trace(result),
            benefit="moving" if ctx.application.benefit == "moving" else "rent",
            household_relationships=_relationships(decision.facts))

    return PlannedLetter(LetterType.REFUSAL, "recipient", build)


def _this_application(session: Session, ctx: DecisionContext) -> Application:
    app = session.get(Application, ctx.decision.application_id) if ctx.decision.application_id else None
    return app or ctx.application


def _extension_letters(session: Session, ctx: DecisionContext) -> list[PlannedLetter]:
    decision, grant = ctx.decision, ctx.grant
    assert grant is not None
    result = decision.result
    months = _months_of_decision(session, decision)
    if not months:
        raise Conflict(f"the months of extension decision {decision.id} are no longer on the grant",
                       code="months_changed", field="decision_id")
    first, last = months[0], months[-1]
    amount = int(result["amount_yen"])
    earlier = session.scalar(
        select(func.count()).select_from(Decision).join(DecisionReview, DecisionReview.decision_id == Decision.id)
        .where(Decision.grant_id == grant.id, Decision.kind == "extension", DecisionReview.outcome == "approved",
               Decision.sequence < decision.sequence)) or 0
    number = int(earlier) + 1
    extension_app = _this_application(session, ctx)
    period = rules.period_rules(grant.first_month or first)  # the grant's own cap (R38, PD7)
    deadline = rules.extension_deadline(last) if number < period.max_extensions else None

    def letter(head: Letterhead, _: Mapping[str, Any]) -> Any:
        return ExtensionDecisionInput(
            letterhead=head, addressee=_recipient(ctx), issued_on=ctx.issued_on,
            recipient_name=_recipient_name(ctx), case_number=_case_number(ctx),
            application_date=_application_date(ctx, extension_app), decision_date=ctx.issued_on,
            extension_number=number, first_month=first, last_month=last, monthly_amount_yen=amount,
            months_paid_before=int(result.get("months_used") or period.period_months),
            max_total_months=period.max_months, max_extensions=period.max_extensions,
            activity=_activity(first), payment=_payment(ctx, first), trace=_trace(result),
            extension_deadline=deadline,
            household_relationships=_relationships(decision.facts))

    def notice(head: Letterhead, _: Mapping[str, Any]) -> Any:
        payment = _payment(ctx, first)
        return ProxyPaymentNoticeInput(
            dwelling_text=_dwelling(ctx), remitter_name=_remitter_name(),
            letterhead=head, addressee=_landlord(ctx), issued_on=ctx.issued_on,
            event=ProxyNoticeEvent.EXTENSION, tenant_name=_recipient_name(ctx), case_number=_case_number(ctx),
            monthly_amount_yen=amount, first_month=first, last_month=last,
            first_pay_date=payment.first_pay_date, pay_day_of_month=payment.pay_day_of_month,
            rent_yen=int((decision.facts or {}).get("rent_yen") or 0))

    return [PlannedLetter(LetterType.EXTENSION_DECISION, "recipient", letter),
            PlannedLetter(LetterType.PROXY_PAYMENT_NOTICE, "landlord", notice)]


def _extension_refusal_letters(session: Session, ctx: DecisionContext) -> list[PlannedLetter]:
    decision, grant = ctx.decision, ctx.grant
    assert grant is not None
    result = decision.result
    problems = list(result.get("extension_problems") or ())
    late = any(p.get("code") == "extension_late" for p in problems)
    reasons: list[dict[str, Any]] = []
    for problem in problems:
        if problem.get("code") == "extension_late":
            continue
        if problem.get("code") == "not_eligible" and problem.get("reasons"):
            reasons += [dict(r) for r in problem["reasons"]]
        else:
            reasons.append({"rule": str(problem.get("rule") or ""), "code": str(problem.get("code") or ""),
                            "message": str(problem.get("message") or "")})
    if not late and not reasons:
        reasons = [dict(r) for r in result.get("reasons") or ()] or [
            {"rule": "R39", "code": "not_eligible", "message": ""}]
    last_paid = grant.period_last_month
    if last_paid is None:
        raise Conflict("the grant has no period to end", code="no_period", field="grant_id")
    deadline = date.fromisoformat(result["deadline"]) if result.get("deadline") else None
    extension_app = _this_application(session, ctx)

    def letter(head: Letterhead, _: Mapping[str, Any]) -> Any:
        return ExtensionRefusalInput(
            letterhead=head, addressee=_recipient(ctx), issued_on=ctx.issued_on,
            recipient_name=_recipient_name(ctx), case_number=_case_number(ctx),
            application_date=_application_date(ctx, extension_app), decision_date=ctx.issued_on,
            last_paid_month=last_paid, late_application=late, extension_deadline=deadline,
            reasons=tuple(reasons), reason_wording=_EXTENSION_WORDING,
            household_relationships=_relationships(decision.facts))

    def notice(head: Letterhead, _: Mapping[str, Any]) -> Any:
        return ProxyPaymentNoticeInput(
            dwelling_text=_dwelling(ctx), remitter_name=_remitter_name(),
            letterhead=head, addressee=_landlord(ctx), issued_on=ctx.issued_on,
            event=ProxyNoticeEvent.EXTENSION_REFUSED, tenant_name=_recipient_name(ctx),
            case_number=_case_number(ctx), last_paid_month=last_paid)

    return [PlannedLetter(LetterType.EXTENSION_REFUSAL, "recipient", letter),
            PlannedLetter(LetterType.PROXY_PAYMENT_NOTICE, "landlord", notice)]


def _change_reason(ctx: DecisionContext) -> str:
    new, old = ctx.decision.facts or {}, ctx.application.facts
    reasons = []
    if new.get("rent_yen") != old.get("rent_yen"):
        reasons.append("家賃額の変更")
    if new.get("household") != old.get("household"):
        reasons.append("世帯の収入又は世帯員の変更")
    if not reasons:
        reasons.append("支給額の算定の基礎となる事項の変更")
    return "・".join(reasons)


def _change_letters(ctx: DecisionContext) -> list[PlannedLetter]:
    decision, grant = ctx.decision, ctx.grant
    assert grant is not None and grant.period_last_month is not None
    result = decision.result
    effective = str(result["effective_month"])
    last = grant.period_last_month
    old, new = int(result["previous_amount_yen"]), int(result["amount_yen"])

    def letter(head: Letterhead, _: Mapping[str, Any]) -> Any:
        app = ctx.application
        change_app_date = (decision.facts or app.facts).get("application_date")
        return ChangeDecisionInput(
            letterhead=head, addressee=_recipient(ctx), issued_on=ctx.issued_on,
            recipient_name=_recipient_name(ctx), case_number=_case_number(ctx),
            application_date=date.fromisoformat(str(change_app_date)), decision_date=ctx.issued_on,
            change_reason=_change_reason(ctx), old_monthly_amount_yen=old, new_monthly_amount_yen=new,
            effective_month=effective, last_month=max(last, effective), trace=_trace(result),
            household_relationships=_relationships(decision.facts))

    def notice(head: Letterhead, _: Mapping[str, Any]) -> Any:
        payment = _payment(ctx, effective)
        return ProxyPaymentNoticeInput(
            dwelling_text=_dwelling(ctx), remitter_name=_remitter_name(),
            letterhead=head, addressee=_landlord(ctx), issued_on=ctx.issued_on, event=ProxyNoticeEvent.CHANGE,
            tenant_name=_recipient_name(ctx), case_number=_case_number(ctx), monthly_amount_yen=new,
            old_monthly_amount_yen=old, first_month=effective, last_month=max(last, effective),
            first_pay_date=payment.first_pay_date, pay_day_of_month=payment.pay_day_of_month,
            rent_yen=int((decision.facts or {}).get("rent_yen") or 0))

    return [PlannedLetter(LetterType.CHANGE_DECISION, "recipient", letter),
            PlannedLetter(LetterType.PROXY_PAYMENT_NOTICE, "landlord", notice)]


def evidence_texts(evidence: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """The evidence relied on, in words: its kind's label, the clerk's note and the document number."""
    texts = []
    for item in evidence:
        text = _EVIDENCE_LABELS.get(str(item.get("kind")), str(item.get("kind")))
        if item.get("note"):
            text = f"{text}（{item['note']}）"
        if item.get("document_id") is not None:
            text = f"{text}［提出書類番号 {item['document_id']}］"
        texts.append(text)
    return tuple(texts)


def _stop_letters(session: Session, ctx: DecisionContext) -> list[PlannedLetter]:
    decision, grant = ctx.decision, ctx.grant
    assert grant is not None
    result, params = decision.result, decision.params
    first_unpaid = str(result["first_unpaid_month"])
    paid_after = set(result.get("paid_months_after_stop") or ())
    repayment = sum(int(m.amount_yen) for m in session.scalars(
        select(BenefitMonth).where(BenefitMonth.grant_id == grant.id, BenefitMonth.status == "paid"))
        if m.month in paid_after)
    evidence = evidence_texts(params.get("evidence") or ())
    event_on = str(result.get("event_date") or "")

    def letter(head: Letterhead, _: Mapping[str, Any]) -> Any:
        detail = f"事由の発生日：{_wareki(event_on)}" if event_on else ""
        return StopNoticeInput(
            letterhead=head, addressee=_recipient(ctx), issued_on=ctx.issued_on,
            recipient_name=_recipient_name(ctx), case_number=_case_number(ctx), decision_date=ctx.issued_on,
            cause=StopCause(str(result["cause"])), cause_detail=detail, evidence=evidence,
            first_unpaid_month=first_unpaid, repayment_yen=repayment)

    def notice(head: Letterhead, _: Mapping[str, Any]) -> Any:
        return ProxyPaymentNoticeInput(
            dwelling_text=_dwelling(ctx), remitter_name=_remitter_name(),
            letterhead=head, addressee=_landlord(ctx), issued_on=ctx.issued_on, event=ProxyNoticeEvent.STOP,
            tenant_name=_recipient_name(ctx), case_number=_case_number(ctx), first_unpaid_month=first_unpaid)

    return [PlannedLetter(LetterType.STOP_NOTICE, "recipient", letter),
            PlannedLetter(LetterType.PROXY_PAYMENT_NOTICE, "landlord", notice)]


#: R42: the interruption is for illness or injury (施行規則第12条第2項).
INTERRUPTION_REASON = "疾病又は負傷により、求職活動を行うことができない状態となったため"


def _pause_letters(session: Session, ctx: DecisionContext) -> list[PlannedLetter]:
    """支給中断決定通知書 or 支給再開決定通知書 (R42), with the months counted against the cap (PD7), and
    the landlord's notice that transfers pause or restart (R57, R84)."""
    decision, grant = ctx.decision, ctx.grant
    assert grant is not None
    months = session.scalars(select(BenefitMonth).where(BenefitMonth.grant_id == grant.id)
                             .order_by(BenefitMonth.month)).all()
    used = sum(1 for m in months if m.status in ("scheduled", "paid"))
    cap = rules.period_rules(grant.first_month or ctx.issued_on.strftime("%Y-%m")).max_months  # the grant's
    if decision.kind == "interruption":
        def pause(head: Letterhead, _: Mapping[str, Any]) -> Any:
            return InterruptionNoticeInput(
                letterhead=head, addressee=_recipient(ctx), issued_on=ctx.issued_on,
                recipient_name=_recipient_name(ctx), case_number=_case_number(ctx), decision_date=ctx.issued_on,
                first_interrupted_month=str(decision.params["effective_month"]), reason=INTERRUPTION_REASON,
                months_used=used, max_months=cap)

        def paused(head: Letterhead, _: Mapping[str, Any]) -> Any:
            return ProxyPaymentNoticeInput(
            dwelling_text=_dwelling(ctx), remitter_name=_remitter_name(),
                letterhead=head, addressee=_landlord(ctx), issued_on=ctx.issued_on,
                event=ProxyNoticeEvent.INTERRUPTION, tenant_name=_recipient_name(ctx),
                case_number=_case_number(ctx), first_unpaid_month=str(decision.params["effective_month"]))

        return [PlannedLetter(LetterType.INTERRUPTION_NOTICE, "recipient", pause),
                PlannedLetter(LetterType.PROXY_PAYMENT_NOTICE, "landlord", paused)]
    resumed = tuple(str(m) for m in decision.result.get("resumed_months") or ())
    amount = next((m.amount_yen for m in months if resumed and m.month == resumed[0]), grant.amount_yen)

    def resume(head: Letterhead, _: Mapping[str, Any]) -> Any:
        return ResumptionNoticeInput(
            letterhead=head, addressee=_recipient(ctx), issued_on=ctx.issued_on,
            recipient_name=_recipient_name(ctx), case_number=_case_number(ctx), decision_date=ctx.issued_on,
            resumed_months=resumed, monthly_amount_yen=int(amount), months_left=max(cap - used, 0),
            max_months=cap)

    def resumed_notice(head: Letterhead, _: Mapping[str, Any]) -> Any:
        payment = _payment(ctx, resumed[0])
        return ProxyPaymentNoticeInput(
            dwelling_text=_dwelling(ctx), remitter_name=_remitter_name(),
            letterhead=head, addressee=_landlord(ctx), issued_on=ctx.issued_on, event=ProxyNoticeEvent.RESUMPTION,
            tenant_name=_recipient_name(ctx), case_number=_case_number(ctx), monthly_amount_yen=int(amount),
            first_month=resumed[0], last_month=resumed[-1], first_pay_date=payment.first_pay_date,
            pay_day_of_month=payment.pay_day_of_month, rent_yen=int((decision.facts or {}).get("rent_yen") or 0))

    return [PlannedLetter(LetterType.RESUMPTION_NOTICE, "recipient", resume),
            PlannedLetter(LetterType.PROXY_PAYMENT_NOTICE, "landlord", resumed_notice)]


def _wareki(iso_day: str) -> str:
    from letters import to_wareki

    return to_wareki(date.fromisoformat(iso_day))


def repayment_due_date(issued_on: date, days: int) -> date:
    """The 納期限: ``days`` after the letter, moved to the next day the office is open (closed days:
    weekends, national holidays, 29 Dec–3 Jan, as for PD6), so it never falls on a closed day."""
    from service.calendar import office_calendar

    due, calendar = issued_on + timedelta(days=days), office_calendar()
    while calendar.is_closed(due):
        due += timedelta(days=1)
    return due


def _stop_notice_cited(session: Session, ctx: DecisionContext) -> tuple[str, date | None]:
    """The 文書番号 and date of the grant's 支給中止通知書 that the claim follows (planned or issued)."""
    if ctx.grant is None:
        return "", None
    row = session.execute(
        select(LetterPlan.document_number, LetterPlan.created_at).join(Decision, Decision.id == LetterPlan.decision_id)
        .where(Decision.grant_id == ctx.grant.id, LetterPlan.letter_type == LetterType.STOP_NOTICE.value)
        .order_by(LetterPlan.id.desc()).limit(1)).first()
    if row is None:
        return "", None
    return str(row[0]), as_utc(row[1]).astimezone(JST).date()


def _repayment(session: Session, ctx: DecisionContext) -> PlannedLetter:
    result = ctx.decision.result
    head_settings = ctx.letterhead
    months = tuple(RepaymentMonth(benefit_month=str(m["month"]), amount_yen=int(m["amount_yen"]))
                   for m in result.get("months") or ())
    stop_number, stopped_on = _stop_notice_cited(session, ctx)

    def build(head: Letterhead, _: Mapping[str, Any]) -> Any:
        return RepaymentDemandInput(
            letterhead=head, addressee=_recipient(ctx), issued_on=ctx.issued_on,
            recipient_name=_recipient_name(ctx), case_number=_case_number(ctx), decision_date=ctx.issued_on,
            cause=RepaymentCause(str(result["cause"])), amount_yen=int(result["amount_yen"]),
            due_date=repayment_due_date(ctx.issued_on, head_settings.repayment_due_days),
            payment_instructions=head_settings.repayment_payment_instructions, months=months,
            stop_document_number=stop_number, stop_decision_date=stopped_on)

    return PlannedLetter(LetterType.REPAYMENT_DEMAND, "recipient", build)


#: PD9: why a correction withdraws a claim (the clerk's note is internal and never printed).
WITHDRAWAL_REASON = "返還額を確認し直した結果、返還を求める給付金がないことが分かったため"


def _repayment_withdrawal(session: Session, ctx: DecisionContext) -> PlannedLetter:
    """返還請求取消通知書: the claim a correction withdrew, and what was already paid back (PD9)."""
    from service.db.models_payments import RepaymentReceipt

    decision = ctx.decision
    old = session.get(Decision, decision.supersedes_decision_id) if decision.supersedes_decision_id else None
    if old is None:
        raise Conflict(f"decision {decision.id} withdraws no claim", code="nothing_withdrawn", field="decision_id")
    refund = int(session.scalar(
        select(func.coalesce(func.sum(RepaymentReceipt.amount_yen), 0))
        .join(RepaymentClaim, RepaymentClaim.id == RepaymentReceipt.claim_id)
        .where(RepaymentClaim.grant_id == decision.grant_id)) or 0)

    def build(head: Letterhead, _: Mapping[str, Any]) -> Any:
        return RepaymentWithdrawalInput(
            letterhead=head, addressee=_recipient(ctx), issued_on=ctx.issued_on, recipient_name=_recipient_name(ctx),
            case_number=_case_number(ctx), decision_date=ctx.issued_on,
            withdrawn_amount_yen=int(old.result["amount_yen"]),
            reason=WITHDRAWAL_REASON, refund_yen=max(refund, 0))

    return PlannedLetter(LetterType.REPAYMENT_WITHDRAWAL, "recipient", build)


def _cost_cap_months(ctx: DecisionContext) -> int:
    """R78, PD13: the multiple of the destination's ceiling (dated ``moving_cost_cap_multiplier``)."""
    return int(rules.rate_book().parameter("moving_cost_cap_multiplier", _application_date(ctx)))


def _moving(ctx: DecisionContext) -> PlannedLetter:
    decision = ctx.decision
    result, facts = decision.result, decision.facts or {}
    costs = tuple(MovingCostLine(category=str(c["category"]), amount_yen=int(c["amount_yen"]),
                                 eligible=c["category"] in ELIGIBLE_CATEGORIES) for c in facts.get("costs") or ())
    trace = _trace(result)
    cap = next((int(s["value"]) for s in trace if s["step"] == "approved_cap_yen"),
               int(result.get("cost_cap_yen") or 0))
    allocation = result.get("allocation") or {}
    payee = ctx.application.intake.get("payee") or {}
    agent_name = str(payee.get("name") or "不動産媒介業者等")
    agent_account = _account_text(payee) if payee else ""
    has_agent_costs = any(c.category in AGENT_CATEGORIES for c in costs)

    def build(head: Letterhead, _: Mapping[str, Any]) -> Any:
        allocations = []
        if int(allocation.get("agent_yen") or 0):
            allocations.append(MovingAllocation(payee_name=agent_name, amount_yen=int(allocation["agent_yen"]),
                                                account_text=agent_account))
        if int(allocation.get("other_yen") or 0):
            other = "引越事業者等（領収書等の確認後に支払います）" if has_agent_costs else agent_name
            allocations.append(MovingAllocation(payee_name=other, amount_yen=int(allocation["other_yen"])))
        return MovingDecisionInput(
            letterhead=head, addressee=_recipient(ctx), issued_on=ctx.issued_on,
            recipient_name=_recipient_name(ctx), case_number=_case_number(ctx),
            application_date=_application_date(ctx), decision_date=ctx.issued_on, costs=costs,
            cost_cap_yen=cap, cost_cap_months=_cost_cap_months(ctx), allocations=tuple(allocations), trace=trace,
            household_relationships=_relationships(facts))

    return PlannedLetter(LetterType.MOVING_DECISION, "recipient", build)


def _moving_confirmation(session: Session, ctx: DecisionContext) -> PlannedLetter:
    """支給額確定通知書 (R81): the confirmed amount split as the payment run splits it (PD13, R79)."""
    from payments.schedule import split_moving_payment
    from service.db.models_payments import GrantPayee, Payee

    decision, grant = ctx.decision, ctx.grant
    assert grant is not None
    result, facts = decision.result, decision.facts or {}
    costs = tuple(MovingCostLine(category=str(c["category"]), amount_yen=int(c["amount_yen"]),
                                 eligible=c["category"] in ELIGIBLE_CATEGORIES) for c in facts.get("costs") or ())
    confirmed = int(result["confirmed_amount_yen"])
    spent: dict[str, int] = {}
    for line in costs:
        spent[line.category] = spent.get(line.category, 0) + line.amount_yen
    assigned = dict(session.execute(select(GrantPayee.part, Payee.name).join(Payee, Payee.id == GrantPayee.payee_id)
                                    .where(GrantPayee.grant_id == grant.id)).all())
    intake_payee = ctx.application.intake.get("payee") or {}
    agent = str(assigned.get("moving_initial") or intake_payee.get("name") or "不動産媒介業者等")
    other = str(assigned.get("moving_other") or agent)
    parts = split_moving_payment(spent, confirmed, "agent", "other" if other != agent else "agent")

    def build(head: Letterhead, _: Mapping[str, Any]) -> Any:
        # PD28: paid in the first payment run on or after the confirmation, never on a date before it.
        paid_on = first_pay_date(ctx.issued_on.strftime("%Y-%m"), ctx.issued_on, _pay_day(ctx))
        allocations = tuple(MovingAllocation(payee_name=agent if part.payee_id == "agent" else other,
                                             amount_yen=part.amount_yen, pay_date=paid_on) for part in parts)
        return MovingConfirmationInput(
            letterhead=head, addressee=_recipient(ctx), issued_on=ctx.issued_on,
            recipient_name=_recipient_name(ctx), case_number=_case_number(ctx), decision_date=ctx.issued_on,
            decided_amount_yen=int(result["decided_amount_yen"]), costs=costs, confirmed_amount_yen=confirmed,
            allocations=allocations)

    return PlannedLetter(LetterType.MOVING_CONFIRMATION, "recipient", build)


def _council(ctx: DecisionContext, main: PlannedLetter) -> PlannedLetter:
    """The 社協 notice: only the minimum (guide ch.7), and only with the consent on record (R57, R84)."""

    def build(head: Letterhead, built: Mapping[str, Any]) -> Any:
        main_input = built[main.key]
        try:
            title = build_letter(main_input).title
        except LetterInputError:
            title = f"住居確保給付金{LETTER_KIND_TEXT.get(main.letter_type, '決定')}通知書"
        first = str(getattr(main_input, "first_month", "") or "")
        last = str(getattr(main_input, "last_month", "") or "")
        return CouncilNoticeInput(
            letterhead=head, addressee=Addressee(name=ctx.letterhead.council_name, honorific="御中"),
            issued_on=ctx.issued_on, borrower_name=_recipient_name(ctx), decision_title=title,
            decision_document_number=main_input.letterhead.document_number, decision_date=ctx.issued_on,
            first_month=first if first and last else "", last_month=last if first and last else "",
            consent_on_record=council_consent(ctx.application))

    return PlannedLetter(LetterType.COUNCIL_NOTICE, "council", build)


LETTER_KIND_TEXT = {LetterType.DECISION: "支給決定", LetterType.REFUSAL: "不支給決定",
                    LetterType.EXTENSION_DECISION: "支給期間延長決定", LetterType.CHANGE_DECISION: "支給額変更決定",
                    LetterType.STOP_NOTICE: "支給中止", LetterType.MOVING_DECISION: "（転居費用補助）支給決定"}


# --- numbering and planning (in the approval transaction) ----------------------------------------------


def _take_serials(session: Session, municipality_code: str, year: int, count: int) -> list[int]:
    """The next ``count`` 文書番号 serials of the series in one statement (a row-locked counter, held until
    commit: concurrent approvals of the municipality wait their turn, so it is taken last)."""
    take = (update(LetterSeries)
            .where(LetterSeries.municipality_code == municipality_code, LetterSeries.fiscal_year == year)
            .values(last_serial=LetterSeries.last_serial + count)
            .returning(LetterSeries.last_serial)
            .execution_options(synchronize_session=False))
    last = session.execute(take).scalar_one_or_none()
    if last is None:  # the series' first letter of the 年度: create the counter (another may race us)
        values = {"municipality_code": municipality_code, "fiscal_year": year, "last_serial": 0}
        if session.get_bind().dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            session.execute(pg_insert(LetterSeries).values(**values).on_conflict_do_nothing())
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            session.execute(sqlite_insert(LetterSeries).values(**values).on_conflict_do_nothing())
        last = session.execute(take).scalar_one()
    last = int(last)
    return list(range(last - count + 1, last + 1))


def template_version(head: MunicipalityLetterhead) -> str:
    """The wording's hash (``letters.snapshot.template_version``) and the letterhead settings' version."""
    return f"{wording_version()}+letterhead-{head.version}"


def letters_of_decision(session: Session, decision_id: int) -> list[Letter]:
    return list(session.scalars(select(Letter).where(Letter.decision_id == decision_id).order_by(Letter.id)))


def plans_of_decision(session: Session, decision_id: int) -> list[LetterPlan]:
    return list(session.scalars(select(LetterPlan).where(LetterPlan.decision_id == decision_id)
                                .order_by(LetterPlan.id)))


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A decision's letters built and stored as snapshots with placeholder numbers, nothing written yet."""

    decision: Decision
    ctx: DecisionContext
    existing: list[LetterPlan]
    missing: list[PlannedLetter]
    snapshots: dict[str, dict[str, Any]]
    """By :attr:`PlannedLetter.key`: the snapshot whose 文書番号 is still the key's placeholder."""


def _placeholder(key: str) -> str:
    return f"\x00{key}"


def _prepare_letters(session: Session, decision_id: int, approval: Approval | None) -> _Prepared:
    """Reads and pure work only: every way the decision's data can fail to make its letters (no letterhead,
    no payee, an input the letters refuse, a snapshot that cannot be stored) fails here, before a serial
    is taken or a row written, so the caller needs no savepoint to keep the approval."""
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise NotFound(f"decision {decision_id} not found", field="decision_id")
    # Approved in this transaction: no letter of it can have been planned yet (no query for them).
    stored = [] if approval is not None else plans_of_decision(session, decision.id)
    existing = {f"{plan.letter_type}/{plan.addressee_kind}": plan for plan in stored}
    ctx = _context(session, decision, approval)
    planned = plan_letters(session, decision, ctx)
    missing = [plan for plan in planned if plan.key not in existing]
    head = ctx.letterhead
    built: dict[str, Any] = {}
    snapshots: dict[str, dict[str, Any]] = {}
    for plan in planned:
        if plan.key in existing:
            built[plan.key] = from_snapshot(existing[plan.key].snapshot)
            continue
        built[plan.key] = plan.build(head.letterhead(_placeholder(plan.key), letter_kind=plan.letter_type.value),
                                     built)
        snapshots[plan.key] = to_snapshot(built[plan.key])
    return _Prepared(decision=decision, ctx=ctx, existing=list(existing.values()), missing=missing,
                     snapshots=snapshots)


def _store_plans(session: Session, actor: Actor, prepared: _Prepared) -> list[LetterPlan]:
    """Take the serials (the series' row lock, held until commit) and write the plans and their audit."""
    if not prepared.missing:
        return prepared.existing
    decision, ctx, head = prepared.decision, prepared.ctx, prepared.ctx.letterhead
    year = fiscal_year(ctx.issued_on)
    keys = [plan.key for plan in prepared.missing]
    with session.no_autoflush:  # the approval's own rows go in with the plans: one flush at the end
        serials = dict(zip(keys, _take_serials(session, head.code, year, len(keys)), strict=True))
    numbers = {_placeholder(key): head.document_number(year, serial) for key, serial in serials.items()}
    rows: list[LetterPlan] = []
    for plan in prepared.missing:
        number = numbers[_placeholder(plan.key)]
        rows.append(LetterPlan(
            case_id=decision.case_id, decision_id=decision.id, letter_type=plan.letter_type.value,
            addressee_kind=plan.addressee_kind, municipality_code=head.code, fiscal_year=year,
            serial=serials[plan.key], document_number=number,
            snapshot=_numbered_snapshot(prepared.snapshots[plan.key], numbers),
            created_at=ctx.approved_at, planned_at=actor.clock.now(), planned_by=actor.user_id))
    session.add_all(rows)
    audit(session, actor, "letter.plan", case_id=decision.case_id, target=f"decision:{decision.id}",
          detail={"letters": [{"letter_type": row.letter_type, "addressee_kind": row.addressee_kind,
                               "document_number": row.document_number} for row in rows]})
    session.flush()
    session.info.setdefault(_PLANNED_NOW, set()).update(row.id for row in rows)
    return [*prepared.existing, *rows]


_PLANNED_NOW = "letters.planned_now"
"""``session.info`` key: ids of the plans written in the session's open transaction. No worker can have
rendered or failed them yet (they are not committed), so their status needs no query."""


@sqlalchemy_event.listens_for(Session, "after_transaction_end")
def _forget_planned_now(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PLANNED_NOW, None)


def plan_decision_letters(session: Session, actor: Actor, decision_id: int, *,
                          approval: Approval | None = None) -> list[LetterPlan]:
    """Number every letter the approved decision needs and store the snapshot of its input (issue 13).

    Idempotent: letters already planned keep their number and snapshot. Renders nothing; the worker
    (:func:`work_letters`) does, after commit. Raises a DomainError (or a LetterInputError) when the
    decision's data cannot make its letters (no letterhead, no payee …), before anything is written. The
    inputs are built first with placeholder numbers; the series is locked only for the numbers, the rows
    and the commit. ``approval``: called by the approval itself, which passes what it holds."""
    return _store_plans(session, actor, _prepare_letters(session, decision_id, approval))


def _numbered_snapshot(value: Any, numbers: Mapping[str, str]) -> Any:
    """The snapshot with each placeholder 文書番号 made real: the letter's own and, in the 社協 notice,
    the decision letter's it cites. A placeholder (NUL + key) is no text a letter can carry otherwise."""
    if isinstance(value, str):
        return numbers.get(value, value)
    if isinstance(value, dict):
        return {key: _numbered_snapshot(item, numbers) for key, item in value.items()}
    if isinstance(value, list):
        return [_numbered_snapshot(item, numbers) for item in value]
    return value


# --- the outbox: status, rendering, the worker -----------------------------------------------------------

MAX_ATTEMPTS = 3
"""Renders tried before a letter shows as failed (a clerk's retry allows as many again)."""
RETRY_AFTER = (timedelta(0), timedelta(seconds=30), timedelta(minutes=5))
"""Wait before the 1st, 2nd and 3rd try after failures (a passing fault, e.g. the database restarting)."""


@dataclass(frozen=True, slots=True)
class PlanStatus:
    """A planned letter's state: ``pending``, ``issued`` or ``failed`` (derived, never stored)."""

    plan: LetterPlan
    status: str
    letter_id: int | None
    attempts: int
    """Failed renders since the last retry."""
    last_error: str | None
    last_error_code: str | None
    """``missing_glyph``, ``letter_input`` or another code: what the clerk must correct (screens say it in Japanese)."""
    last_failed_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        plan = self.plan
        return {"plan_id": plan.id, "case_id": plan.case_id, "decision_id": plan.decision_id,
                "letter_type": plan.letter_type, "addressee_kind": plan.addressee_kind,
                "document_number": plan.document_number, "status": self.status, "letter_id": self.letter_id,
                "attempts": self.attempts, "error": self.last_error, "error_code": self.last_error_code}


def plan_statuses(session: Session, plans: Sequence[LetterPlan]) -> list[PlanStatus]:
    if not plans:
        return []
    planned_now = session.info.get(_PLANNED_NOW, set())
    if all(plan.id in planned_now for plan in plans):  # e.g. the approval's answer: pending, no query
        return [PlanStatus(plan=plan, status="pending", letter_id=None, attempts=0, last_error=None,
                           last_error_code=None, last_failed_at=None) for plan in plans]
    decision_ids = {plan.decision_id for plan in plans}
    issued = {(letter.decision_id, letter.letter_type, letter.addressee_kind): letter.id
              for letter in session.scalars(select(Letter).where(Letter.decision_id.in_(decision_ids)))}
    events: dict[int, list[LetterEvent]] = {}
    for event in session.scalars(select(LetterEvent).where(LetterEvent.plan_id.in_([p.id for p in plans]))
                                 .order_by(LetterEvent.id)):
        events.setdefault(event.plan_id, []).append(event)
    result = []
    for plan in plans:
        letter_id = issued.get((plan.decision_id, plan.letter_type, plan.addressee_kind))
        since_retry: list[LetterEvent] = []
        for event in events.get(plan.id, []):
            since_retry = [] if event.event == "retry" else [*since_retry, event]
        attempts = len(since_retry)
        last = since_retry[-1] if since_retry else None
        status = "issued" if letter_id is not None else "failed" if attempts >= MAX_ATTEMPTS else "pending"
        result.append(PlanStatus(plan=plan, status=status, letter_id=letter_id, attempts=attempts,
                                 last_error=last.error_message if last else None,
                                 last_error_code=last.error_code if last else None,
                                 last_failed_at=as_utc(last.at) if last else None))
    return result


def decision_letter_statuses(session: Session, decision_id: int) -> list[dict[str, Any]]:
    """The approval's response: every planned letter of the decision with its status."""
    return [status.as_dict() for status in plan_statuses(session, plans_of_decision(session, decision_id))]


def unissued_statuses(session: Session, *, limit: int = 500) -> list[PlanStatus]:
    """Planned letters not in the archive yet, oldest first."""
    issued = select(Letter.id).where(Letter.decision_id == LetterPlan.decision_id,
                                     Letter.letter_type == LetterPlan.letter_type,
                                     Letter.addressee_kind == LetterPlan.addressee_kind).exists()
    plans = list(session.scalars(select(LetterPlan).where(~issued).order_by(LetterPlan.id).limit(limit)))
    return plan_statuses(session, plans)


def failed_letters(session: Session, *, limit: int = 200) -> list[dict[str, Any]]:
    """The work queue's section: letters whose renders failed (a clerk corrects the data and retries).

    Only plans not in the archive that have a failed render on record are read (few: a failure is the
    exception), not every letter still pending, so the queue's cost does not grow with the worker's backlog."""
    issued = select(Letter.id).where(Letter.decision_id == LetterPlan.decision_id,
                                     Letter.letter_type == LetterPlan.letter_type,
                                     Letter.addressee_kind == LetterPlan.addressee_kind).exists()
    tried = select(LetterEvent.id).where(LetterEvent.plan_id == LetterPlan.id,
                                         LetterEvent.event == "failed").exists()
    plans = list(session.scalars(select(LetterPlan).where(tried, ~issued).order_by(LetterPlan.id)))
    return [status.as_dict() for status in plan_statuses(session, plans) if status.status == "failed"][:limit]


def _render(session: Session, actor: Actor, plan: LetterPlan,
            after_render: Callable[[LetterPlan], None] | None = None) -> Letter:
    """Render ``plan`` from its snapshot and put it in the archive (in the caller's transaction)."""
    content = build_from_snapshot(plan.snapshot)
    pdf = render_pdf(content, created_at=as_utc(plan.created_at))
    if after_render is not None:
        after_render(plan)  # tests: a crash between rendering and commit
    head = municipality_letterhead(plan.municipality_code)
    letter = Letter(
        case_id=plan.case_id, decision_id=plan.decision_id, letter_type=plan.letter_type,
        addressee_kind=plan.addressee_kind, addressee_name=content.addressee.name[:200], title=content.title[:200],
        municipality_code=plan.municipality_code, fiscal_year=plan.fiscal_year, serial=plan.serial,
        document_number=plan.document_number, template_version=template_version(head),
        content_type="application/pdf", size_bytes=len(pdf), sha256=hashlib.sha256(pdf).hexdigest(), pdf=pdf,
        issued_on=content.issued_on, created_at=plan.created_at, issued_at=actor.clock.now(),
        issued_by=actor.user_id)
    session.add(letter)
    session.flush()
    audit(session, actor, "letter.issue", case_id=plan.case_id, target=f"letter:{letter.id}",
          detail={"decision_id": plan.decision_id, "letter_type": letter.letter_type,
                  "addressee_kind": letter.addressee_kind, "document_number": letter.document_number,
                  "sha256": letter.sha256})
    return letter


def _error_code(error: BaseException) -> str:
    if isinstance(error, MissingGlyph):
        return "missing_glyph"
    if isinstance(error, LetterInputError):
        return "letter_input"
    return error.code if isinstance(error, DomainError) else type(error).__name__


def _error_text(error: BaseException) -> str:
    if isinstance(error, MissingGlyph):
        return (f"the letter cannot be printed: {error}; correct the name or address (e.g. use a standard "
                "form of the character) and retry")
    return str(error) or type(error).__name__


def _record_failure(session: Session, actor: Actor, plan: LetterPlan, error: BaseException) -> None:
    session.add(LetterEvent(plan_id=plan.id, event="failed", error_code=_error_code(error)[:60],
                            error_message=_error_text(error)[:1000], at=actor.clock.now(), by_user=actor.user_id))
    audit(session, actor, "letter.render_failed", case_id=plan.case_id, target=f"letter_plan:{plan.id}",
          detail={"code": _error_code(error), "message": _error_text(error)[:500]})


def _due(status: PlanStatus, now: datetime) -> bool:
    if status.status != "pending":
        return False
    if status.last_failed_at is None:
        return True
    return now >= status.last_failed_at + RETRY_AFTER[min(status.attempts, len(RETRY_AFTER) - 1)]


def worker_actor(clock: Any = None) -> Actor:
    """The worker acts as the system, not as a user (its audit events name it)."""
    from service.clock import SystemClock

    return Actor(user_id=None, username="letter-worker", role="clerk", clock=clock or SystemClock())


def warm_up_fonts() -> float:
    """Render one small statement and throw it away: the process-wide font preparation (letters.fontcache,
    about 10 s of CPU here) happens once when the worker starts, not inside the first letter a clerk
    waits on. Returns its seconds."""
    import time
    from datetime import UTC, date, datetime

    from letters import Addressee, RemittanceLine, RemittanceStatementInput, build_remittance_statement
    from letters.pdf import render_pdf
    from service.letterhead import letterheads

    started = time.perf_counter()
    head = next(iter(letterheads().values()))
    render_pdf(build_remittance_statement(RemittanceStatementInput(
        letterhead=head.letterhead("支払明細 0-1"),
        addressee=Addressee(name="株式会社見本不動産", honorific="御中"), issued_on=date(2026, 12, 21),
        pay_date=date(2026, 12, 25), account_text="金融機関コード 0001 支店コード 001 普通 1234567 ｶ)ﾐﾎﾝ",
        lines=(RemittanceLine(reference="HB-0000001 山田 太郎", benefit_month="2026-12", amount_yen=50_000),))),
        created_at=datetime(2026, 12, 21, tzinfo=UTC))
    return round(time.perf_counter() - started, 2)


def work_letters(session_factory: Any, *, clock: Any = None, limit: int = 200,
                 after_render: Callable[[LetterPlan], None] | None = None) -> dict[str, int]:
    """Render the due pending letters, each in its own transaction, so one failure never blocks the others
    and a crash loses at most the letter in hand (it stays pending and is issued once on the next run).

    Two workers (the one in ``serve`` and cron's ``housing-benefit letters work``) may run together: on
    PostgreSQL each takes its letter with ``FOR UPDATE SKIP LOCKED``; the archive's unique key on
    (decision, letter type, addressee) refuses a second copy anywhere."""
    from sqlalchemy.exc import IntegrityError, OperationalError

    from service.db.session import unit_of_work

    actor = worker_actor(clock)
    counts = {"issued": 0, "failed": 0, "skipped": 0}
    with unit_of_work(session_factory) as session:
        now = actor.clock.now()
        due = [status.plan.id for status in unissued_statuses(session, limit=limit * 4) if _due(status, now)][:limit]
    for plan_id in due:
        try:
            with unit_of_work(session_factory) as session:
                query = select(LetterPlan).where(LetterPlan.id == plan_id)
                if session.get_bind().dialect.name == "postgresql":
                    query = query.with_for_update(skip_locked=True)
                plan = session.scalar(query)
                if plan is None or session.scalar(select(Letter.id).where(
                        Letter.decision_id == plan.decision_id, Letter.letter_type == plan.letter_type,
                        Letter.addressee_kind == plan.addressee_kind)) is not None:
                    counts["skipped"] += 1  # taken by another worker, or already issued
                    continue
                _render(session, actor, plan, after_render)
            counts["issued"] += 1
        except IntegrityError:
            counts["skipped"] += 1  # another worker issued it between our check and our insert
        except OperationalError:
            raise  # the database itself is unavailable: stop, the letters stay pending
        except Exception as error:  # noqa: BLE001 - any render failure is recorded, never lost
            with unit_of_work(session_factory) as session:
                plan = session.get(LetterPlan, plan_id)
                assert plan is not None
                _record_failure(session, actor, plan, error)
            counts["failed"] += 1
    from service.workflows.payments.statements import work_statements

    done = work_statements(session_factory, clock=clock)  # 支払明細書 due since an export (issue 15 item 4)
    if done["stored"] or done["failed"]:
        counts.update({"statements_stored": done["stored"], "statements_failed": done["failed"]})
    return counts


def retry_letter(session: Session, actor: Actor, plan_id: int) -> dict[str, Any]:
    """A clerk asks for another try of a failed letter (after correcting the data it was built from: the
    snapshot stays, so the correction that helps is e.g. the font or a setting; a wrong name is a new
    decision)."""
    require_role(actor, *ISSUING_ROLES)
    plan = session.get(LetterPlan, plan_id)
    if plan is None:
        raise NotFound(f"letter plan {plan_id} not found", field="plan_id")
    load_case(session, actor, plan.case_id)
    status = plan_statuses(session, [plan])[0]
    if status.status == "issued":
        raise Conflict(f"letter {plan.document_number} is already issued", code="already_issued", field="plan_id")
    session.add(LetterEvent(plan_id=plan.id, event="retry", at=actor.clock.now(), by_user=actor.user_id))
    audit(session, actor, "letter.retry", case_id=plan.case_id, target=f"letter_plan:{plan.id}")
    session.flush()
    return plan_statuses(session, [plan])[0].as_dict()


def issue_letters_for_decision(session: Session, actor: Actor, decision_id: int) -> list[Letter]:
    """The clerk's "issue now": plan what is missing, then render the decision's unissued letters in this
    request, each in a savepoint (a failure is recorded and shown; the others are still issued).
    Idempotent. Returns every letter of the decision in the archive."""
    require_role(actor, *ISSUING_ROLES)
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise NotFound(f"decision {decision_id} not found", field="decision_id")
    load_case(session, actor, decision.case_id)
    plans = plan_decision_letters(session, actor, decision.id)
    for status in plan_statuses(session, plans):
        if status.status == "issued":
            continue
        try:
            with session.begin_nested():
                _render(session, actor, status.plan)
        except (DomainError, ValueError) as error:  # LetterInputError and MissingGlyph are ValueErrors
            _record_failure(session, actor, status.plan, error)
    return letters_of_decision(session, decision.id)


def case_letter_statuses(session: Session, case_id: int) -> list[dict[str, Any]]:
    """Every planned letter of a case with its status (the case screen shows pending and failed ones)."""
    plans = list(session.scalars(select(LetterPlan).where(LetterPlan.case_id == case_id).order_by(LetterPlan.id)))
    return [status.as_dict() for status in plan_statuses(session, plans)]


# --- reading -------------------------------------------------------------------------------------------


def _visible_to(actor: Actor, letter: Letter) -> bool:
    """Agencies see their own cases' letters to the recipient only (not landlord or council copies)."""
    return actor.role != "agency" or letter.addressee_kind == "recipient"


def list_case_letters(session: Session, actor: Actor, case_id: int) -> list[Letter]:
    require_role(actor, *READING_ROLES)
    case = load_case(session, actor, case_id)
    letters = [letter for letter in session.scalars(
        select(Letter).where(Letter.case_id == case.id).order_by(Letter.id)) if _visible_to(actor, letter)]
    audit(session, actor, "letter.list", case_id=case.id, target=f"case:{case.id}",
          detail={"count": len(letters)})
    return letters


def read_letter(session: Session, actor: Actor, letter_id: int) -> Letter:
    """The stored letter (a reprint is the stored bytes, never a re-render); the read is audited."""
    require_role(actor, *READING_ROLES)
    letter = session.get(Letter, letter_id)
    if letter is None:
        raise NotFound(f"letter {letter_id} not found", field="letter_id")
    try:
        load_case(session, actor, letter.case_id)
    except NotFound:  # another agency's letter: the same answer as a missing one (issue 12)
        raise NotFound(f"letter {letter_id} not found", field="letter_id") from None
    if not _visible_to(actor, letter):
        raise NotFound(f"letter {letter_id} not found", field="letter_id")
    audit(session, actor, "letter.read", case_id=letter.case_id, target=f"letter:{letter.id}",
          detail={"document_number": letter.document_number, "sha256": letter.sha256})
    return letter


def letters_issued_on(session: Session, day: date) -> list[Letter]:
    return list(session.scalars(select(Letter).where(Letter.issued_on == day)
                                .order_by(Letter.municipality_code, Letter.serial)))


def archived_contents(session: Session, letters: Sequence[Letter]) -> tuple[list[LetterContent], list[str]]:
    """The contents of archived letters, from the snapshots they were rendered from (never a new plan),
    and the document numbers of those that cannot be laid out again (listed, never blocking the rest)."""
    keys = {(letter.decision_id, letter.letter_type, letter.addressee_kind) for letter in letters}
    plans = {(plan.decision_id, plan.letter_type, plan.addressee_kind): plan
             for plan in session.scalars(select(LetterPlan).where(
                 LetterPlan.decision_id.in_({key[0] for key in keys})))}
    contents: list[LetterContent] = []
    missing: list[str] = []
    for letter in letters:
        plan = plans.get((letter.decision_id, letter.letter_type, letter.addressee_kind))
        try:
            if plan is None:
                raise LetterInputError("issued before the outbox: no snapshot")
            content = build_from_snapshot(plan.snapshot)
            check_glyphs(content)
            contents.append(content)
        except ValueError:
            missing.append(letter.document_number)
    return contents, missing


def print_run(session: Session, actor: Actor, day: date) -> bytes:
    """All letters issued on ``day`` as one PDF for the print room: a cover list, then each letter, laid
    out from the archived snapshots. A letter that cannot be laid out again is named on the cover (print
    it from its stored PDF); it never stops the others."""
    require_role(actor, "clerk", "approver")
    letters = letters_issued_on(session, day)
    if not letters:
        raise NotFound(f"no letters were issued on {day.isoformat()}", field="day")
    contents, missing = archived_contents(session, letters)
    if not contents:
        raise Conflict("none of the letters of the day can be laid out again; print their stored PDFs",
                       code="print_run_empty", field="day")
    created_at = max(as_utc(letter.created_at) for letter in letters)
    from letters import to_wareki

    pdf = render_print_run(contents, created_at=created_at, title=f"発送文書一覧（{to_wareki(day)}）",
                           not_included=tuple(missing))
    audit(session, actor, "letter.print_run", target=f"day:{day.isoformat()}",
          detail={"count": len(contents), "letter_ids": [letter.id for letter in letters],
                  "not_included": missing})
    return pdf


def letter_dict(letter: Letter) -> dict[str, Any]:
    return {
        "id": letter.id, "case_id": letter.case_id, "decision_id": letter.decision_id,
        "letter_type": letter.letter_type, "addressee_kind": letter.addressee_kind,
        "addressee_name": letter.addressee_name, "title": letter.title,
        "document_number": letter.document_number, "template_version": letter.template_version,
        "size_bytes": letter.size_bytes, "sha256": letter.sha256, "issued_on": letter.issued_on.isoformat(),
        "issued_at": as_utc(letter.issued_at).isoformat(), "issued_by": letter.issued_by,
    }


def issue_after_approval(session: Session, actor: Actor, decision_id: int, *,
                         enabled: bool | None = None, approval: Approval | None = None) -> dict[str, Any]:
    """The approval hook (issue 13, the outbox): in the approval transaction only the letters' numbers and
    the snapshots of their inputs are stored. Data that cannot make a letter never undoes the approval:
    every such failure happens before anything is written (no savepoint needed); it is audited and
    returned. The worker renders them after commit.

    ``enabled`` None → the setting ``issue_letters_on_approval``; ``approval``: what the approval holds
    (its time, its grant), so that planning reads nothing again."""
    if enabled is None:
        from service.config import get_settings

        enabled = get_settings().issue_letters_on_approval
    if not enabled:
        return {"planned": False, "error": None, "letters": []}
    try:
        prepared = _prepare_letters(session, decision_id, approval)
    except (DomainError, ValueError) as error:
        code = error.code if isinstance(error, DomainError) else "letter_input"
        decision = session.get(Decision, decision_id)
        audit(session, actor, "letter.plan_failed", case_id=decision.case_id if decision else None,
              target=f"decision:{decision_id}", detail={"code": code, "message": str(error)})
        return {"planned": False, "error": {"code": code, "message": str(error)}, "letters": []}
    plans = _store_plans(session, actor, prepared)  # a database failure here fails the approval, as any
    # Just planned: pending, nothing rendered or failed yet (no query while the series is locked).
    return {"planned": True, "error": None, "letters": [
        PlanStatus(plan=plan, status="pending", letter_id=None, attempts=0, last_error=None,
                   last_error_code=None, last_failed_at=None).as_dict() for plan in plans]}


def export_time(session: Session, batch_id: int) -> datetime:
    """When the batch was exported (the statements' creation date); refuses a batch not exported."""
    from service.db.models_payments import PaymentBatchEvent
    from service.workflows.payments import load_batch

    load_batch(session, batch_id)
    exported_at = session.scalar(select(PaymentBatchEvent.at).where(
        PaymentBatchEvent.batch_id == batch_id, PaymentBatchEvent.event == "exported"))
    if exported_at is None:
        raise Conflict("a remittance statement is printed for an exported batch", field="batch_id")
    return as_utc(exported_at)


def render_remittance_statements(session: Session, batch_id: int,
                                 numbered: Sequence[tuple[int, Any]]) -> list[tuple[int, str, bytes]]:
    """Render the given (number, statement) of an exported batch as (number, payee name, PDF), through the
    letters' layout and font cache; the worker renders a batch in chunks with this (issue 15 item 4)."""
    from letters import RemittanceLine, RemittanceStatementInput, build_remittance_statement
    from letters.pdf import render_pdf
    from service.payments_config import get_originator_settings

    exported_at = export_time(session, batch_id)
    head = municipality_letterhead(get_originator_settings().municipality_code)
    result = []
    for number, statement in numbered:
        payee = statement.payee
        content = build_remittance_statement(RemittanceStatementInput(
            letterhead=head.letterhead(f"支払明細 {batch_id}-{number}"),
            addressee=Addressee(name=str(payee["name"]), honorific="御中" if payee.get("kind") != "recipient"
                                else "様"),
            issued_on=exported_at.date(), pay_date=date.fromisoformat(statement.pay_date),
            account_text=_account_text({**payee, "holder_kana": payee.get("holder_name")}),
            lines=tuple(RemittanceLine(reference=f"{line.case_reference} {line.recipient_name}",
                                       benefit_month=line.benefit_month, amount_yen=line.amount_yen)
                        for line in statement.lines)))
        result.append((number, str(payee["name"]), render_pdf(content, created_at=exported_at)))
    return result

"""Letter content: every word and number of each letter is decided here (architecture.md §4.8).

Each builder takes a plain, frozen input dataclass and returns a :class:`LetterContent`; ``letters.pdf``
only lays it out. Dates are passed in (no clock) and printed in 和暦; money is ``int`` yen printed as
``53,700円``. Letters that notify an administrative decision (処分) carry the 教示 (行政不服審査法第82条,
行政事件訴訟法第46条), worded from the municipality's template (:attr:`Letterhead.appeal_notice_template`).
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Literal

from letters.breakdown import breakdown_table, reasons_table
from letters.model import (
    Addressee,
    ConsentNotOnRecord,
    LetterContent,
    LetterInputError,
    LetterType,
    Section,
    Table,
    add_months,
    date_text,
    format_yen,
    month_index,
    month_text,
    months_in_period,
    period_text,
)
from letters.reference import legal_basis
from letters.wareki import parse_month

Trace = Sequence[Mapping[str, object]]
Reasons = Sequence[Mapping[str, object]]

BENEFIT_NAME = "住居確保給付金"

DEFAULT_APPEAL_NOTICE_TEMPLATE: tuple[str, ...] = (
    "１　この決定に不服がある場合は、この決定があったことを知った日の翌日から起算して3か月以内に、"
    "{head_title}に対して審査請求をすることができます（行政不服審査法）。"
    "ただし、この決定があったことを知った日の翌日から起算して3か月以内であっても、"
    "この決定の日の翌日から起算して1年を経過すると審査請求をすることができなくなります。",
    "２　この決定の取消しを求める訴えは、この決定があったことを知った日の翌日から起算して6か月以内に、"
    "{municipality_name}を被告として（訴訟において{municipality_name}を代表する者は{head_title}となります。）"
    "提起することができます（行政事件訴訟法）。"
    "ただし、この決定があったことを知った日の翌日から起算して6か月以内であっても、"
    "この決定の日の翌日から起算して1年を経過すると取消しの訴えを提起することができなくなります。"
    "なお、審査請求をした場合には、その審査請求に対する裁決があったことを知った日の翌日から起算して"
    "6か月以内に、この決定の取消しの訴えを提起することができます。",
)
"""Default 教示 wording; placeholders ``{head_title}`` and ``{municipality_name}`` only."""

_APPEAL_PLACEHOLDERS = frozenset({"head_title", "municipality_name"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Letterhead:
    """The issuing municipality (per-municipality settings) and this letter's document number."""

    municipality_name: str
    """e.g. 千代田区 (the defendant in a 取消訴訟)."""
    head_title: str
    """e.g. 千代田区長 (審査請求 is made to the head, who also represents the municipality in court)."""
    head_name: str
    department: str
    """e.g. 保健福祉部 生活支援課."""
    contact: str
    """e.g. 電話 03-0000-0000（平日 8:30～17:15）."""
    document_number: str
    """e.g. 千代福第123号 (one per letter: use ``dataclasses.replace`` per letter)."""
    seal_note: str = "（公印省略）"
    appeal_notice_template: tuple[str, ...] = DEFAULT_APPEAL_NOTICE_TEMPLATE
    """The 教示 paragraphs; ``{head_title}`` and ``{municipality_name}`` are filled in."""

    def __post_init__(self) -> None:
        for name in ("municipality_name", "head_title", "document_number"):
            if not str(getattr(self, name)).strip():
                raise LetterInputError(f"the letterhead has no {name}")
        formatter = string.Formatter()
        for paragraph in self.appeal_notice_template:
            for _, placeholder, _, _ in formatter.parse(paragraph):
                if placeholder is not None and placeholder not in _APPEAL_PLACEHOLDERS:
                    raise LetterInputError(f"unknown placeholder {{{placeholder}}} in the 教示 template")


def appeal_notice(letterhead: Letterhead) -> tuple[str, ...]:
    """教示 paragraphs for a decision of ``letterhead``'s municipality (審査請求 3か月, 取消訴訟 6か月)."""
    return tuple(
        paragraph.format(head_title=letterhead.head_title, municipality_name=letterhead.municipality_name)
        for paragraph in letterhead.appeal_notice_template
    )


# ---------------------------------------------------------------------------------------------------
# Input dataclasses
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class LetterCommon:
    """Fields every letter needs: who sends it, to whom, and the date printed on it."""

    letterhead: Letterhead
    addressee: Addressee
    issued_on: date


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentRoute:
    """Where the benefit is transferred (代理受領, R45) and when."""

    payee_name: str
    """The landlord or agent (不動産媒介業者等, R15)."""
    account_text: str = ""
    """e.g. 架空銀行　中央支店　普通　1234567　ｶ)ﾐﾎﾝﾌﾄﾞｳｻﾝ (already formatted by the shell)."""
    first_pay_date: date | None = None
    """The first transfer date, already moved to a business day (PD18)."""
    pay_day_of_month: int = 25
    """PD18 setting ``pay_day``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityMinimums:
    """The job-search activity a recipient must show each month (R48): dated numbers from the rate book
    (``monthly_interviews_min``, ``monthly_hello_work_min``, ``weekly_employer_applications_min``)."""

    interviews_per_month: int
    hello_work_per_month: int
    applications_per_week: int


@dataclass(frozen=True, slots=True, kw_only=True)
class EligibilityCertificateInput(LetterCommon):
    """住居確保給付金支給対象者証明書 (R44)."""

    recipient_name: str
    case_number: str
    applicant_type: Literal["at_risk", "homeless"]
    household_size: int
    rent_ceiling_yen: int
    """住宅扶助基準に基づく額 for the household size (R10)."""
    valid_until: date | None = None
    report_deadline_days: int = 7
    """住居確保報告書 within this many days of moving in (R44, S30)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionLetterInput(LetterCommon):
    """住居確保給付金支給決定通知書 (R44) with the 算定内訳 from the calculation trace."""

    recipient_name: str
    case_number: str
    application_date: date
    decision_date: date
    first_month: str
    """First benefit month ``YYYY-MM`` (PD5)."""
    last_month: str
    monthly_amount_yen: int
    rent_yen: int
    """The lease rent (R9); when above the amount, the tenant pays the balance (R35)."""
    payment: PaymentRoute
    trace: Trace
    max_total_months: int
    """The cap on benefit months of one grant (R38, PD7; the rate book's ``max_benefit_months``)."""
    activity: ActivityMinimums
    extension_deadline: date | None = None
    """PD6; printed as a reminder when given."""
    household_relationships: tuple[str, ...] = ()
    """The household's relationships in order (``"applicant"``, ``"child"`` …): the 算定内訳 names the
    member of an income step by them (the trace refers to members by index)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RefusalLetterInput(LetterCommon):
    """住居確保給付金不支給決定通知書: every unmet requirement with its basis."""

    recipient_name: str
    case_number: str
    application_date: date
    decision_date: date
    reasons: Reasons
    """Every unmet requirement: ``{"rule", "code", "message"}``."""
    trace: Trace = ()
    reason_wording: Mapping[str, str] = field(default_factory=dict)
    """Municipality wording per reason code (overrides the rule's requirement text)."""
    benefit: Literal["rent", "moving"] = "rent"
    household_relationships: tuple[str, ...] = ()
    """The household's relationships in order (``"applicant"``, ``"child"`` …): the 算定内訳 names the
    member of an income step by them (the trace refers to members by index)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtensionDecisionInput(LetterCommon):
    """住居確保給付金支給期間延長決定通知書 (R38, PD7)."""

    recipient_name: str
    case_number: str
    application_date: date
    decision_date: date
    extension_number: int
    """1 = 延長, 2 = 再延長 (at most two, PD7)."""
    first_month: str
    last_month: str
    monthly_amount_yen: int
    months_paid_before: int
    """Months already decided before this extension (the total stays within ``max_total_months``)."""
    max_total_months: int
    """The cap on benefit months of one grant (R38, PD7; the rate book's ``max_benefit_months``)."""
    max_extensions: int
    """Extensions allowed within the cap (PD7: 2 with 3-month periods and a 9-month cap)."""
    activity: ActivityMinimums
    payment: PaymentRoute
    trace: Trace = ()
    extension_deadline: date | None = None
    household_relationships: tuple[str, ...] = ()
    """The household's relationships in order (``"applicant"``, ``"child"`` …): the 算定内訳 names the
    member of an income step by them (the trace refers to members by index)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtensionRefusalInput(LetterCommon):
    """延長不支給決定通知書, or 延長申請却下通知書 when the application was late (R40, PD6)."""

    recipient_name: str
    case_number: str
    application_date: date
    decision_date: date
    last_paid_month: str
    """The last month of the current period; nothing is paid after it."""
    late_application: bool = False
    extension_deadline: date | None = None
    """Required when ``late_application``."""
    reasons: Reasons = ()
    trace: Trace = ()
    reason_wording: Mapping[str, str] = field(default_factory=dict)
    household_relationships: tuple[str, ...] = ()
    """The household's relationships in order (``"applicant"``, ``"child"`` …): the 算定内訳 names the
    member of an income step by them (the trace refers to members by index)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeDecisionInput(LetterCommon):
    """住居確保給付金支給額変更決定通知書 (R54–R56, PD10)."""

    recipient_name: str
    case_number: str
    application_date: date
    """The day the change application (変更支給申請) was accepted."""
    decision_date: date
    change_reason: str
    """e.g. 家賃額の変更, 世帯収入の減少 (R54)."""
    old_monthly_amount_yen: int
    new_monthly_amount_yen: int
    effective_month: str
    """First month at the new amount (PD10)."""
    last_month: str
    """Last month of the current period."""
    trace: Trace = ()
    household_relationships: tuple[str, ...] = ()
    """The household's relationships in order (``"applicant"``, ``"child"`` …): the 算定内訳 names the
    member of an income step by them (the trace refers to members by index)."""


class StopCause(StrEnum):
    """支給中止の理由 (R58, PD8)."""

    JOB_SEARCH_FAILURE = "job_search_failure"
    INCOME_OVER_LIMIT = "income_over_limit"
    LEFT_DWELLING = "left_dwelling"
    FALSE_APPLICATION = "false_application"
    GANG_MEMBER = "gang_member"
    IMPRISONMENT = "imprisonment"
    PUBLIC_ASSISTANCE = "public_assistance"
    DEATH = "death"
    WHEREABOUTS_UNKNOWN = "whereabouts_unknown"


STOP_CAUSE_TEXT: dict[StopCause, str] = {
    StopCause.JOB_SEARCH_FAILURE: (
        "誠実かつ熱心に求職活動を行っていないこと、又は支給に関する指示に従わなかったこと"
    ),
    StopCause.INCOME_OVER_LIMIT: "常用就職（又は就業機会の増加）により、世帯収入額が収入基準額を超えたこと",
    StopCause.LEFT_DWELLING: "支給決定後、住宅から退去したこと",
    StopCause.FALSE_APPLICATION: "支給申請に虚偽があったこと",
    StopCause.GANG_MEMBER: "受給者又は世帯員が暴力団員であることが判明したこと",
    StopCause.IMPRISONMENT: "受給者が拘禁刑以上の刑に処せられたこと",
    StopCause.PUBLIC_ASSISTANCE: "受給者が生活保護を受給することとなったこと",
    StopCause.DEATH: "受給者が死亡したこと",
    StopCause.WHEREABOUTS_UNKNOWN: "受給者の所在が不明となったこと",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class StopNoticeInput(LetterCommon):
    """住居確保給付金支給中止通知書 (R58–R61, PD8, PD9, PD16)."""

    recipient_name: str
    case_number: str
    decision_date: date
    cause: StopCause
    cause_detail: str = ""
    evidence: tuple[str, ...]
    """The evidence relied on (PD16: a stop needs it; R52: objective documents)."""
    first_unpaid_month: str
    repayment_yen: int = 0
    """Money already paid for months the stop removes (PD9); 0 when none."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InterruptionNoticeInput(LetterCommon):
    """住居確保給付金支給中断決定通知書 (R42): payment pauses, the months stay for a resumption."""

    recipient_name: str
    case_number: str
    decision_date: date
    first_interrupted_month: str
    reason: str
    """Why job search stopped, e.g. 疾病により求職活動ができないため (R42)."""
    months_used: int
    """Benefit months paid or scheduled before the interruption (PD7)."""
    max_months: int
    """The cap on benefit months (PD7; the rate book's ``max_benefit_months``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ResumptionNoticeInput(LetterCommon):
    """住居確保給付金支給再開決定通知書 (R42): the months paid again, at which amount."""

    recipient_name: str
    case_number: str
    decision_date: date
    resumed_months: tuple[str, ...]
    monthly_amount_yen: int
    months_left: int
    """Months still available after the resumed ones (PD7)."""
    max_months: int
    """The cap on benefit months (PD7; the rate book's ``max_benefit_months``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RepaymentWithdrawalInput(LetterCommon):
    """住居確保給付金返還請求取消通知書 (PD9): the claim is withdrawn; money already paid back is refunded."""

    recipient_name: str
    case_number: str
    decision_date: date
    withdrawn_amount_yen: int
    """What the withdrawn claim asked for."""
    reason: str
    refund_yen: int = 0
    """Already paid back against the claim, to be refunded."""


class RepaymentCause(StrEnum):
    """Why money already paid is claimed back (PD9)."""

    RECIPIENT_ERROR = "recipient_error"
    FRAUD = "fraud"
    """法第18条: collected as a statutory revenue (R4, R62)."""
    ADMINISTRATIVE_ERROR = "administrative_error"


@dataclass(frozen=True, slots=True, kw_only=True)
class RepaymentMonth:
    """One benefit month claimed back."""

    benefit_month: str
    amount_yen: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RepaymentDemandInput(LetterCommon):
    """住居確保給付金返還請求書 (R62–R64, PD9)."""

    recipient_name: str
    case_number: str
    decision_date: date
    cause: RepaymentCause
    amount_yen: int
    due_date: date
    payment_instructions: tuple[str, ...]
    """How to pay (納付書, 口座 …), one line each."""
    months: tuple[RepaymentMonth, ...] = ()
    """Optional breakdown; when given it must add up to ``amount_yen``."""
    cause_detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class MovingCostLine:
    """One cost of the move (PD13 category) and whether it is eligible."""

    category: str
    amount_yen: int
    eligible: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class MovingAllocation:
    """Who is paid what (R79, PD13)."""

    payee_name: str
    amount_yen: int
    account_text: str = ""
    pay_date: date | None = None


MOVING_COST_LABELS: dict[str, str] = {
    "key_money": "礼金",
    "agency_fee": "仲介手数料",
    "rent_guarantee_fee": "家賃債務保証料",
    "home_insurance": "住宅保険料",
    "removal": "家財の運搬費用（引越費用）",
    "cleaning": "ハウスクリーニング・原状回復費用",
    "key_replacement": "鍵交換費用",
    "deposit": "敷金",
    "advance_rent": "前家賃（契約時に支払う家賃）",
    "furniture": "家具・家電等の購入費",
    "other": "その他の費用",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class MovingDecisionInput(LetterCommon):
    """住居確保給付金（転居費用補助）支給決定通知書 (R74–R79, PD13)."""

    recipient_name: str
    case_number: str
    application_date: date
    decision_date: date
    costs: tuple[MovingCostLine, ...]
    cost_cap_yen: int
    """``cost_cap_months`` × the destination's ceiling, or a lower approved amount (R78, PD13)."""
    cost_cap_months: int
    """The multiple of the destination's ceiling (the rate book's ``moving_cost_cap_multiplier``)."""
    allocations: tuple[MovingAllocation, ...]
    trace: Trace = ()
    household_relationships: tuple[str, ...] = ()
    """The household's relationships in order (``"applicant"``, ``"child"`` …): the 算定内訳 names the
    member of an income step by them (the trace refers to members by index)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MovingConfirmationInput(LetterCommon):
    """住居確保給付金（転居費用補助）支給額確定通知書 (R81, PD13): after the move, the costs actually
    spent (支出額確認書類) fix the amount, never above the amount decided."""

    recipient_name: str
    case_number: str
    decision_date: date
    decided_amount_yen: int
    costs: tuple[MovingCostLine, ...]
    """The costs actually spent, as the receipts show."""
    confirmed_amount_yen: int
    allocations: tuple[MovingAllocation, ...]


class ProxyNoticeEvent(StrEnum):
    """The event a landlord/agent is told about (R57, R84)."""

    GRANT = "grant"
    CHANGE = "change"
    STOP = "stop"
    EXTENSION = "extension"
    EXTENSION_REFUSED = "extension_refused"
    INTERRUPTION = "interruption"
    RESUMPTION = "resumption"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProxyPaymentNoticeInput(LetterCommon):
    """Notice to the landlord/agent receiving the benefit by 代理受領 (R45, R57, R84)."""

    event: ProxyNoticeEvent
    tenant_name: str
    case_number: str
    dwelling_text: str = ""
    """The rented dwelling (所在地, room), so that a 管理会社 with many units can match the transfer."""
    remitter_name: str = ""
    """振込依頼人名: the name the transfer shows on the landlord's statement (the 全銀 委託者名)."""
    monthly_amount_yen: int = 0
    first_month: str = ""
    last_month: str = ""
    first_pay_date: date | None = None
    pay_day_of_month: int = 25
    old_monthly_amount_yen: int = 0
    """CHANGE: the amount before."""
    first_unpaid_month: str = ""
    """STOP: no transfer from this month."""
    last_paid_month: str = ""
    """EXTENSION_REFUSED: the last month transferred."""
    rent_yen: int = 0
    """When above the amount, the tenant pays the balance directly (R35)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CouncilNoticeInput(LetterCommon):
    """Notice of a decision to the 社会福祉協議会 for a 生活福祉資金 borrower (R57, R84).

    Only what the council needs to coordinate its loan (guide ch.7: share the minimum necessary, with
    the person's consent): who, which decision, when, and the benefit period. Never the amounts, the
    landlord's account or the household's income."""

    borrower_name: str
    decision_title: str
    decision_document_number: str
    decision_date: date
    first_month: str = ""
    """The benefit period the decision sets, when it sets one."""
    last_month: str = ""
    consent_on_record: bool
    """The recipient's consent to share the decision; without it the builder refuses."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RemittanceLine:
    """One transfer line: the recipient/case reference, the benefit month and the amount."""

    reference: str
    benefit_month: str
    amount_yen: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RemittanceStatementInput(LetterCommon):
    """支払明細書 for one payee (a landlord/agent receiving several recipients' benefit)."""

    pay_date: date
    account_text: str
    lines: tuple[RemittanceLine, ...]


# ---------------------------------------------------------------------------------------------------
# Shared pieces
# ---------------------------------------------------------------------------------------------------


def _check_yen(name: str, amount_yen: int, *, positive: bool = False) -> None:
    if isinstance(amount_yen, bool) or not isinstance(amount_yen, int):
        raise LetterInputError(f"{name} must be int yen, not {amount_yen!r}")
    if amount_yen < 0 or (positive and amount_yen == 0):
        raise LetterInputError(f"{name} must be {'positive' if positive else 'non-negative'}: {amount_yen}")


def _check_month(name: str, month: str) -> None:
    try:
        parse_month(month)
    except ValueError as error:
        raise LetterInputError(f"{name}: {error}") from error


def _check_text(name: str, text: str) -> None:
    if not text.strip():
        raise LetterInputError(f"{name} is empty")


def _address_lines(addressee: Addressee) -> tuple[str, ...]:
    lines = list(addressee.address_lines)
    if addressee.postal_code:
        if lines:
            lines[0] = f"〒{addressee.postal_code}　{lines[0]}"
        else:
            lines = [f"〒{addressee.postal_code}"]
    return tuple(lines)


def _name_with_honorific(name: str, honorific: str) -> str:
    return f"{name}　{honorific}" if honorific else name


def _footer(letterhead: Letterhead) -> tuple[str, ...]:
    parts = [f"問い合わせ先：{letterhead.municipality_name}"]
    if letterhead.department:
        parts.append(f" {letterhead.department}")
    if letterhead.contact:
        parts.append(f"　{letterhead.contact}")
    return ("".join(parts),)


def _letter(
    common: LetterCommon,
    *,
    letter_type: LetterType,
    title: str,
    body: Sequence[str],
    tables: Sequence[Table] = (),
    sections: Sequence[Section] = (),
    decision: bool,
) -> LetterContent:
    head = common.letterhead
    sender = f"{head.head_title}　{head.head_name}".strip()
    if head.seal_note:
        sender = f"{sender}　{head.seal_note}"
    return LetterContent(
        letter_type=letter_type,
        title=title,
        document_number=head.document_number,
        issued_on=common.issued_on,
        issued_on_text=date_text(common.issued_on),
        addressee=common.addressee,
        address_lines=_address_lines(common.addressee),
        addressee_line=_name_with_honorific(common.addressee.name, common.addressee.honorific),
        sender_lines=(sender,),
        body=tuple(body),
        record_marker="記" if tables else "",
        tables=tuple(tables),
        sections=tuple(sections),
        appeal_heading="【教示】" if decision else "",
        appeal_notice=appeal_notice(head) if decision else (),
        footer=_footer(head),
    )


def cite(rule: str) -> str:
    """``'（生活困窮者自立支援法施行規則第12条）'``: the article behind ``rule`` as residents read it (PD32:
    letters cite the 法 and 施行規則, never R- or PD-numbers); empty when no article is recorded."""
    basis = legal_basis(rule)
    return f"（{basis}）" if basis else ""


def _numbered(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(f"{number}．{item}" for number, item in enumerate(items, start=1))


def _pay_schedule_text(first_pay_date: date | None, pay_day_of_month: int) -> str:
    if not 1 <= pay_day_of_month <= 31:
        raise LetterInputError(f"pay_day_of_month must be 1–31: {pay_day_of_month}")
    later = f"以後毎月{pay_day_of_month}日。金融機関の休業日の場合はその前の営業日"
    if first_pay_date is None:
        return f"毎月{pay_day_of_month}日（金融機関の休業日の場合はその前の営業日）"
    return f"{date_text(first_pay_date)}（{later}）"


def _payee_text(payment: PaymentRoute) -> str:
    _check_text("payee_name", payment.payee_name)
    return f"{payment.payee_name}\n{payment.account_text}" if payment.account_text else payment.payee_name


_PROXY_METHOD = "住宅の貸主又は不動産媒介業者等の口座へ直接振り込みます（代理受領）"

def _conduct_notes(activity: ActivityMinimums) -> list[str]:
    return [
        f"支給期間中は、毎月、自立相談支援機関の支援員との面談等（月{activity.interviews_per_month}回以上）、"
        f"公共職業安定所での職業相談（月{activity.hello_work_per_month}回以上）"
        f"及び原則週{activity.applications_per_week}回以上の求人への応募又は面接を行ってください。",
        "常用就職した場合や収入が増加した場合は、速やかに届け出てください。",
        "住宅を退去する場合、家賃額が変更となる場合その他申請の内容に変更がある場合は、速やかに届け出てください。",
        "偽りその他不正の手段により給付金の支給を受けた場合は、生活困窮者自立支援法第18条の規定により、"
        "支給した給付金の全部又は一部を徴収することがあります。",
    ]


def _balance_note(rent_yen: int, amount_yen: int) -> list[str]:
    if rent_yen > amount_yen:
        return [
            f"家賃額 {format_yen(rent_yen)} と支給額との差額 {format_yen(rent_yen - amount_yen)} "
            "及び共益費・管理費等は、"
            "ご自身で貸主等にお支払いください。"
        ]
    return []


def _deadline_note(extension_deadline: date | None) -> list[str]:
    if extension_deadline is None:
        return []
    return [
        f"支給期間の延長を希望する場合は、{date_text(extension_deadline)}までに延長の申請をしてください。"
        f"期限後の申請は受け付けられません{cite('R40')}。"
    ]


def _trace_tables(trace: Trace, members: Sequence[str] = ()) -> list[Table]:
    return [breakdown_table(trace, members=members)] if trace else []


# ---------------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------------


def build_eligibility_certificate(data: EligibilityCertificateInput) -> LetterContent:
    """住居確保給付金支給対象者証明書 (R44).

    Homeless applicants receive it first, show it to the agent when signing a lease, and then submit
    a 住居確保報告書; at-risk tenants receive it together with the decision notice. It certifies
    eligibility; the decision itself (with its 教示) is the 支給決定通知書.
    """
    _check_yen("rent_ceiling_yen", data.rent_ceiling_yen, positive=True)
    if data.household_size < 1:
        raise LetterInputError(f"household_size must be at least 1: {data.household_size}")
    rows: list[tuple[str, str]] = [
        ("受給者番号", data.case_number),
        ("支給対象者", data.recipient_name),
        ("世帯人数", f"{data.household_size}人"),
        (
            "家賃額の上限",
            f"{format_yen(data.rent_ceiling_yen)}（住宅扶助基準に基づく額。家賃額がこれを超える場合、"
            "差額は受給者の負担となります）",
        ),
        ("支給方法", _PROXY_METHOD),
    ]
    if data.valid_until is not None:
        rows.append(("有効期限", date_text(data.valid_until)))
    notes: list[str] = []
    if data.applicant_type == "homeless":
        notes += [
            "この証明書を不動産媒介業者等に提示のうえ、住宅の賃貸借契約を締結してください。",
            f"入居後{data.report_deadline_days}日以内に、住居確保報告書を提出してください。"
            "報告書の確認後、支給決定通知書を交付します。",
        ]
    else:
        notes.append("支給の内容は、併せて交付する支給決定通知書のとおりです。")
    notes.append(f"共益費・管理費、敷金・礼金等の初期費用は支給の対象となりません{cite('R9')}。")
    return _letter(
        data,
        letter_type=LetterType.ELIGIBILITY_CERTIFICATE,
        title=f"{BENEFIT_NAME}支給対象者証明書",
        body=(f"　下記の者は、{BENEFIT_NAME}の支給対象者であることを証明します。",),
        tables=(Table(heading="", column_headings=("項目", "内容"), rows=tuple(rows)),),
        sections=(Section(heading="【留意事項】", paragraphs=_numbered(notes)),),
        decision=False,
    )


def build_decision_letter(data: DecisionLetterInput) -> LetterContent:
    """住居確保給付金支給決定通知書 (R44) with the 算定内訳 built from the calculation trace (R32)."""
    _check_yen("monthly_amount_yen", data.monthly_amount_yen, positive=True)
    _check_yen("rent_yen", data.rent_yen)
    _check_month("first_month", data.first_month)
    _check_month("last_month", data.last_month)
    if months_in_period(data.first_month, data.last_month) > data.max_total_months:
        raise LetterInputError(f"a decision covers at most {data.max_total_months} months (PD7)")
    rows = (
        ("受給者番号", data.case_number),
        ("支給対象者", data.recipient_name),
        ("支給額（月額）", format_yen(data.monthly_amount_yen)),
        ("支給期間", period_text(data.first_month, data.last_month)),
        ("支給方法", _PROXY_METHOD),
        ("振込日", _pay_schedule_text(data.payment.first_pay_date, data.payment.pay_day_of_month)),
        ("振込先", _payee_text(data.payment)),
    )
    notes = _balance_note(data.rent_yen, data.monthly_amount_yen) + _conduct_notes(data.activity)
    first_pay = data.payment.first_pay_date
    if first_pay is not None:
        if first_pay < data.decision_date:
            raise LetterInputError("the first transfer date precedes the decision (PD28)")
        paid_month = f"{first_pay.year:04d}-{first_pay.month:02d}"
        if month_index(paid_month) > month_index(data.first_month):
            notes.insert(0, f"{month_text(data.first_month)}から{month_text(add_months(paid_month, -1))}までの分は、"
                            f"初回の振込日（{date_text(first_pay)}）にまとめて振り込みます。")
    notes += _deadline_note(data.extension_deadline)
    return _letter(
        data,
        letter_type=LetterType.DECISION,
        title=f"{BENEFIT_NAME}支給決定通知書",
        body=(
            f"　{date_text(data.application_date)}付けで申請のあった{BENEFIT_NAME}については、審査の結果、"
            f"下記のとおり支給することに{date_text(data.decision_date)}付けで決定したので通知します。",
        ),
        tables=(
            Table(heading="", column_headings=("項目", "内容"), rows=rows),
            *_trace_tables(data.trace, data.household_relationships),
        ),
        sections=(Section(heading="【留意事項】", paragraphs=_numbered(notes)),),
        decision=True,
    )


def build_refusal_letter(data: RefusalLetterInput) -> LetterContent:
    """住居確保給付金不支給決定通知書 listing EVERY unmet requirement in plain Japanese with its basis."""
    benefit = BENEFIT_NAME if data.benefit == "rent" else f"{BENEFIT_NAME}（転居費用補助）"
    tables = [
        Table(
            heading="",
            column_headings=("項目", "内容"),
            rows=(("受付番号", data.case_number), ("申請者", data.recipient_name)),
        ),
        reasons_table(data.reasons, data.reason_wording, heading="支給しない理由（満たしていない要件）"),
        *_trace_tables(data.trace, data.household_relationships),
    ]
    return _letter(
        data,
        letter_type=LetterType.REFUSAL,
        title=f"{benefit}不支給決定通知書",
        body=(
            f"　{date_text(data.application_date)}付けで申請のあった{benefit}については、審査の結果、"
            f"下記の理由により支給しないことに{date_text(data.decision_date)}付けで決定したので通知します。",
        ),
        tables=tables,
        decision=True,
    )


def build_extension_decision_letter(data: ExtensionDecisionInput) -> LetterContent:
    """住居確保給付金支給期間延長決定通知書 (R38; 3 months per decision, at most two, ≤ 9 months, PD7)."""
    _check_yen("monthly_amount_yen", data.monthly_amount_yen, positive=True)
    _check_month("first_month", data.first_month)
    _check_month("last_month", data.last_month)
    if not 1 <= data.extension_number <= data.max_extensions:
        raise LetterInputError(f"extension_number must be 1..{data.max_extensions} (PD7): {data.extension_number}")
    months = months_in_period(data.first_month, data.last_month)
    total = data.months_paid_before + months
    if data.months_paid_before < 1 or total > data.max_total_months:
        raise LetterInputError(
            f"an extension may not take the total beyond {data.max_total_months} months (PD7): {total}")
    last_extension = data.extension_number == data.max_extensions or total == data.max_total_months
    kind = "延長（1回目）" if data.extension_number == 1 else f"再延長（{data.extension_number}回目）"
    rows = (
        ("受給者番号", data.case_number),
        ("支給対象者", data.recipient_name),
        ("延長の区分", kind),
        ("支給額（月額）", format_yen(data.monthly_amount_yen)),
        ("延長後の支給期間", period_text(data.first_month, data.last_month)),
        ("通算の支給月数", f"{total}か月（上限{data.max_total_months}か月）"),
        ("振込日", _pay_schedule_text(data.payment.first_pay_date, data.payment.pay_day_of_month)),
        ("振込先", _payee_text(data.payment)),
    )
    notes = _conduct_notes(data.activity)
    if not last_extension:
        notes += _deadline_note(data.extension_deadline)
    else:
        notes.append(f"支給期間の再延長はこれが最後です。これ以上の延長はできません{cite('R38')}。")
    return _letter(
        data,
        letter_type=LetterType.EXTENSION_DECISION,
        title=f"{BENEFIT_NAME}支給期間{'延長' if data.extension_number == 1 else '再延長'}決定通知書",
        body=(
            f"　{date_text(data.application_date)}付けで申請のあった{BENEFIT_NAME}の"
            "支給期間の延長については、"
            f"審査の結果、下記のとおり延長して支給することに{date_text(data.decision_date)}付けで決定したので通知します。",
        ),
        tables=(
            Table(heading="", column_headings=("項目", "内容"), rows=rows),
            *_trace_tables(data.trace, data.household_relationships),
        ),
        sections=(Section(heading="【留意事項】", paragraphs=_numbered(notes)),),
        decision=True,
    )


def build_extension_refusal_letter(data: ExtensionRefusalInput) -> LetterContent:
    """延長不支給決定通知書, or 延長申請却下通知書 for a late application (R40, PD6: no gap is bridged)."""
    _check_month("last_paid_month", data.last_paid_month)
    rows = (
        ("受給者番号", data.case_number),
        ("支給対象者", data.recipient_name),
        ("支給の終了", f"{month_text(data.last_paid_month)}をもって支給を終了します"),
    )
    tables: list[Table] = [Table(heading="", column_headings=("項目", "内容"), rows=rows)]
    if data.late_application:
        if data.extension_deadline is None:
            raise LetterInputError("a late extension application needs its extension_deadline (PD6)")
        if data.application_date <= data.extension_deadline:
            raise LetterInputError("the application was not late: it is on or before the deadline")
        title = f"{BENEFIT_NAME}支給期間延長申請却下通知書"
        body = (
            f"　{date_text(data.application_date)}付けで申請のあった{BENEFIT_NAME}の"
            "支給期間の延長については、"
            f"申請期限である{date_text(data.extension_deadline)}を経過した後の申請であるため、"
            f"{date_text(data.decision_date)}付けで却下することに決定したので通知します"
            f"{cite('R40')}。",
        )
        if data.reasons:
            tables.append(reasons_table(data.reasons, data.reason_wording, heading="延長しない理由"))
    else:
        title = f"{BENEFIT_NAME}支給期間延長不支給決定通知書"
        body = (
            f"　{date_text(data.application_date)}付けで申請のあった{BENEFIT_NAME}の"
            "支給期間の延長については、"
            f"審査の結果、下記の理由により延長しないことに{date_text(data.decision_date)}付けで決定したので通知します。",
        )
        tables.append(
            reasons_table(data.reasons, data.reason_wording, heading="延長しない理由（満たしていない要件）")
        )
    tables += _trace_tables(data.trace, data.household_relationships)
    return _letter(
        data,
        letter_type=LetterType.EXTENSION_REFUSAL,
        title=title,
        body=body,
        tables=tables,
        decision=True,
    )


def build_change_decision_letter(data: ChangeDecisionInput) -> LetterContent:
    """住居確保給付金支給額変更決定通知書: old and new amount, from which month (R54–R56, PD10)."""
    _check_yen("old_monthly_amount_yen", data.old_monthly_amount_yen)
    _check_yen("new_monthly_amount_yen", data.new_monthly_amount_yen, positive=True)
    _check_month("effective_month", data.effective_month)
    _check_month("last_month", data.last_month)
    _check_text("change_reason", data.change_reason)
    if data.old_monthly_amount_yen == data.new_monthly_amount_yen:
        raise LetterInputError("a change decision must change the amount")
    rows = (
        ("受給者番号", data.case_number),
        ("支給対象者", data.recipient_name),
        ("変更の理由", data.change_reason),
        ("変更前の支給額（月額）", format_yen(data.old_monthly_amount_yen)),
        ("変更後の支給額（月額）", format_yen(data.new_monthly_amount_yen)),
        ("変更後の額を適用する月", f"{month_text(data.effective_month)}から"),
        ("変更後の額による支給期間", period_text(data.effective_month, data.last_month)),
    )
    return _letter(
        data,
        letter_type=LetterType.CHANGE_DECISION,
        title=f"{BENEFIT_NAME}支給額変更決定通知書",
        body=(
            f"　{date_text(data.application_date)}付けで申請のあった{BENEFIT_NAME}の支給額の変更については、"
            f"審査の結果、下記のとおり変更することに{date_text(data.decision_date)}付けで決定したので通知します。",
        ),
        tables=(Table(heading="", column_headings=("項目", "内容"), rows=rows), *_trace_tables(data.trace, data.household_relationships)),
        decision=True,
    )


def build_stop_notice(data: StopNoticeInput) -> LetterContent:
    """住居確保給付金支給中止通知書: cause, evidence relied on, first month not paid, repayment (R58–R61)."""
    _check_month("first_unpaid_month", data.first_unpaid_month)
    _check_yen("repayment_yen", data.repayment_yen)
    if not data.evidence or not all(item.strip() for item in data.evidence):
        raise LetterInputError("a stop decision must list the evidence relied on (PD16, R52)")
    cause = STOP_CAUSE_TEXT[data.cause]
    if data.cause_detail:
        cause = f"{cause}\n{data.cause_detail}"
    rows = [
        ("受給者番号", data.case_number),
        ("支給対象者", data.recipient_name),
        ("中止の理由", cause),
        ("中止する月", f"{month_text(data.first_unpaid_month)}以降は支給しません"),
        ("根拠", legal_basis("R59")),
    ]
    if data.repayment_yen:
        fraud = data.cause is StopCause.FALSE_APPLICATION
        basis = f"{legal_basis('R62')}の規定により徴収します" if fraud else "返還を請求します"
        rows.append(
            (
                "返還金",
                f"既に支給した給付金のうち {format_yen(data.repayment_yen)} について{basis}。"
                "金額、納付期限及び納付方法は、別途送付する返還請求書によりお知らせします。",
            )
        )
    return _letter(
        data,
        letter_type=LetterType.STOP_NOTICE,
        title=f"{BENEFIT_NAME}支給中止通知書",
        body=(
            f"　あなたに支給している{BENEFIT_NAME}については、下記の理由により、"
            f"{month_text(data.first_unpaid_month)}"
            f"以降の支給を中止することに{date_text(data.decision_date)}付けで決定したので通知します。",
        ),
        tables=(Table(heading="", column_headings=("項目", "内容"), rows=tuple(rows)),),
        sections=(Section(heading="【判断の根拠とした資料】", paragraphs=_numbered(data.evidence)),),
        decision=True,
    )


def build_moving_confirmation_letter(data: MovingConfirmationInput) -> LetterContent:
    """住居確保給付金（転居費用補助）支給額確定通知書: the costs spent, the amount fixed and who is paid
    (R81, PD13). The amount is at most the decided amount and at most the eligible costs spent."""
    _check_yen("decided_amount_yen", data.decided_amount_yen, positive=True)
    _check_yen("confirmed_amount_yen", data.confirmed_amount_yen, positive=True)
    if not data.costs:
        raise LetterInputError("a confirmation needs the costs spent")
    for line in data.costs:
        _check_yen(f"costs.{line.category}", line.amount_yen)
    eligible_total = sum(line.amount_yen for line in data.costs if line.eligible)
    if data.confirmed_amount_yen > min(data.decided_amount_yen, eligible_total):
        raise LetterInputError("the confirmed amount exceeds the decided amount or the eligible costs spent")
    if sum(a.amount_yen for a in data.allocations) != data.confirmed_amount_yen:
        raise LetterInputError("the allocations must add up to the confirmed amount (R79)")
    summary = (
        ("受給者番号", data.case_number),
        ("支給対象者", data.recipient_name),
        ("支給決定額", format_yen(data.decided_amount_yen)),
        ("支出を確認した補助対象経費", format_yen(eligible_total)),
        ("確定した支給額", format_yen(data.confirmed_amount_yen)),
    )
    cost_rows = tuple((MOVING_COST_LABELS.get(line.category, line.category), format_yen(line.amount_yen),
                       "対象" if line.eligible else "対象外") for line in data.costs)
    allocation_rows = tuple(
        (a.payee_name + (f"\n{a.account_text}" if a.account_text else ""), format_yen(a.amount_yen),
         date_text(a.pay_date) if a.pay_date else "") for a in data.allocations)
    notes = ["確定した支給額は、支給決定額と、領収書等で確認した補助対象経費の額のいずれか低い額です。"]
    if data.confirmed_amount_yen < data.decided_amount_yen:
        notes.append(f"支出額が見積りを下回ったため、支給額は支給決定額より "
                     f"{format_yen(data.decided_amount_yen - data.confirmed_amount_yen)} 少なくなります。")
    return _letter(
        data,
        letter_type=LetterType.MOVING_CONFIRMATION,
        title=f"{BENEFIT_NAME}（転居費用補助）支給額確定通知書",
        body=(
            f"　転居後に提出のあった住居確保報告書及び支出額確認書類により支出額を確認した結果、"
            f"{BENEFIT_NAME}（転居費用補助）の支給額を下記のとおり確定したことを"
            f"{date_text(data.decision_date)}付けで通知します。",
        ),
        tables=(
            Table(heading="", column_headings=("項目", "内容"), rows=summary),
            Table(heading="【確認した支出額の内訳】", column_headings=("費目", "金額", "補助の対象"), rows=cost_rows),
            Table(heading="【支払先】", column_headings=("支払先", "金額", "支払予定日"), rows=allocation_rows),
        ),
        sections=(Section(heading="【留意事項】", paragraphs=_numbered(notes)),),
        decision=True,
    )


def build_interruption_notice(data: InterruptionNoticeInput) -> LetterContent:
    """住居確保給付金支給中断決定通知書: from which month payment pauses and why (R42)."""
    _check_month("first_interrupted_month", data.first_interrupted_month)
    _check_text("reason", data.reason)
    if not 0 <= data.months_used <= data.max_months:
        raise LetterInputError(f"months_used must be 0..{data.max_months}")
    rows = (
        ("受給者番号", data.case_number),
        ("支給対象者", data.recipient_name),
        ("中断の理由", data.reason),
        ("中断する月", f"{month_text(data.first_interrupted_month)}から"),
        ("これまでの支給月数", f"{data.months_used}か月（通算{data.max_months}か月まで）"),
        ("根拠", legal_basis("R42")),
    )
    return _letter(
        data,
        letter_type=LetterType.INTERRUPTION_NOTICE,
        title=f"{BENEFIT_NAME}支給中断決定通知書",
        body=(
            f"　あなたに支給している{BENEFIT_NAME}については、下記の理由により、"
            f"{month_text(data.first_interrupted_month)}から支給を中断することに"
            f"{date_text(data.decision_date)}付けで決定したので通知します。",
            "　求職活動ができる状態に戻り、支給要件を満たすときは、支給の再開を申し出てください。",
        ),
        tables=(Table(heading="", column_headings=("項目", "内容"), rows=rows),),
        decision=True,
    )


def build_resumption_notice(data: ResumptionNoticeInput) -> LetterContent:
    """住居確保給付金支給再開決定通知書: the months paid again and the amount (R42, PD7)."""
    if not data.resumed_months:
        raise LetterInputError("a resumption must name the months paid again")
    for month in data.resumed_months:
        _check_month("resumed_months", month)
    _check_yen("monthly_amount_yen", data.monthly_amount_yen, positive=True)
    if not 0 <= data.months_left <= data.max_months:
        raise LetterInputError(f"months_left must be 0..{data.max_months}")
    first, last = data.resumed_months[0], data.resumed_months[-1]
    rows = (
        ("受給者番号", data.case_number),
        ("支給対象者", data.recipient_name),
        ("支給を再開する期間", period_text(first, last)),
        ("支給額（月額）", format_yen(data.monthly_amount_yen)),
        ("残りの支給可能月数", f"{data.months_left}か月（通算{data.max_months}か月まで）"),
        ("根拠", legal_basis("R42")),
    )
    return _letter(
        data,
        letter_type=LetterType.RESUMPTION_NOTICE,
        title=f"{BENEFIT_NAME}支給再開決定通知書",
        body=(
            f"　中断していた{BENEFIT_NAME}の支給については、下記のとおり{month_text(first)}から再開することに"
            f"{date_text(data.decision_date)}付けで決定したので通知します。",
        ),
        tables=(Table(heading="", column_headings=("項目", "内容"), rows=rows),),
        decision=True,
    )


def build_repayment_demand(data: RepaymentDemandInput) -> LetterContent:
    """住居確保給付金返還請求書 (R62–R64, PD9).

    Fraud (``RepaymentCause.FRAUD``) is collected under 生活困窮者自立支援法第18条, a decision (処分)
    that carries the 教示. The other causes are a request to return money paid without entitlement;
    they follow the stop decision, which carried the 教示, so none is printed again.
    """
    _check_yen("amount_yen", data.amount_yen, positive=True)
    if not data.payment_instructions:
        raise LetterInputError("a repayment demand must say how to pay")
    if data.months:
        for month in data.months:
            _check_month("months", month.benefit_month)
            _check_yen("months.amount_yen", month.amount_yen, positive=True)
        if sum(month.amount_yen for month in data.months) != data.amount_yen:
            raise LetterInputError("the months of a repayment demand do not add up to its amount")
    fraud = data.cause is RepaymentCause.FRAUD
    municipality = data.letterhead.municipality_name
    if fraud:
        basis = f"{legal_basis('R62')}（不正利得の徴収）"
        reason = "偽りその他不正の手段により給付金の支給を受けたため"
        request = f"{legal_basis('R62')}の規定により、下記のとおり徴収します"
    elif data.cause is RepaymentCause.ADMINISTRATIVE_ERROR:
        basis = "支給要件を欠く給付金の返還"
        reason = f"{municipality}の事務処理の誤りにより、給付金を過大に支給していたため"
        request = "誠に申し訳ありませんが、下記のとおり返還をお願いします"
    else:
        basis = "支給要件を欠く給付金の返還"
        reason = "支給要件を満たさない期間について給付金が支給されていたため"
        request = "下記のとおり返還を請求します"
    cause = reason + (f"\n{data.cause_detail}" if data.cause_detail else "")
    rows = (
        ("受給者番号", data.case_number),
        ("受給者", data.recipient_name),
        ("返還を求める理由", cause),
        ("返還額", format_yen(data.amount_yen)),
        ("納付期限", date_text(data.due_date)),
        ("納付方法", "\n".join(data.payment_instructions)),
        ("根拠", basis),
    )
    tables = [Table(heading="", column_headings=("項目", "内容"), rows=rows)]
    if data.months:
        month_rows = tuple((month_text(m.benefit_month), format_yen(m.amount_yen)) for m in data.months)
        tables.append(
            Table(
                heading="返還額の内訳",
                column_headings=("対象月", "金額"),
                rows=(*month_rows, ("合計", format_yen(data.amount_yen))),
                right_aligned_columns=(1,),
            )
        )
    notes = (
        ("納付期限までに納付されない場合は、督促を行うことがあります。",)
        if fraud
        else ("分割での納付を希望する場合その他納付についての相談は、下記の問い合わせ先にご連絡ください。",)
    )
    return _letter(
        data,
        letter_type=LetterType.REPAYMENT_DEMAND,
        title=f"{BENEFIT_NAME}返還請求書",
        body=(
            f"　{date_text(data.decision_date)}付けで、あなたに支給した{BENEFIT_NAME}について、"
            f"{reason}、{request}。",
        ),
        tables=tables,
        sections=(Section(heading="【留意事項】", paragraphs=notes),),
        decision=fraud,
    )


def build_repayment_withdrawal(data: RepaymentWithdrawalInput) -> LetterContent:
    """住居確保給付金返還請求取消通知書: the claim is withdrawn, and what was paid back is refunded (PD9).

    Favourable to the recipient and not a demand, so no 教示 is printed."""
    _check_yen("withdrawn_amount_yen", data.withdrawn_amount_yen, positive=True)
    _check_yen("refund_yen", data.refund_yen)
    _check_text("reason", data.reason)
    rows = [
        ("受給者番号", data.case_number),
        ("受給者", data.recipient_name),
        ("取り消す返還請求の額", format_yen(data.withdrawn_amount_yen)),
        ("取消の理由", data.reason),
    ]
    notes = ["この通知により、先にお送りした返還請求書による納付は不要となります。"]
    if data.refund_yen:
        rows.append(("還付する額", format_yen(data.refund_yen)))
        notes.append(f"既に納付された {format_yen(data.refund_yen)} は還付します。還付の手続は別途お知らせします。")
    return _letter(
        data,
        letter_type=LetterType.REPAYMENT_WITHDRAWAL,
        title=f"{BENEFIT_NAME}返還請求取消通知書",
        body=(
            f"　あなたに対する{BENEFIT_NAME}の返還請求については、下記の理由により、"
            f"{date_text(data.decision_date)}付けで取り消したので通知します。",
        ),
        tables=(Table(heading="", column_headings=("項目", "内容"), rows=tuple(rows)),),
        sections=(Section(heading="【留意事項】", paragraphs=_numbered(notes)),),
        decision=False,
    )


def build_moving_decision_letter(data: MovingDecisionInput) -> LetterContent:
    """住居確保給付金（転居費用補助）支給決定通知書: eligible and excluded costs, the cap, who is paid what.

    Payable = min(sum of eligible costs, cap) (R78, PD13); the allocations must add up to it (R79).
    """
    _check_yen("cost_cap_yen", data.cost_cap_yen, positive=True)
    if not data.costs:
        raise LetterInputError("a moving decision needs its cost lines")
    for line in data.costs:
        _check_yen(f"costs.{line.category}", line.amount_yen)
    eligible_total = sum(line.amount_yen for line in data.costs if line.eligible)
    excluded_total = sum(line.amount_yen for line in data.costs if not line.eligible)
    payable = min(eligible_total, data.cost_cap_yen)
    if payable <= 0:
        raise LetterInputError("nothing is payable: use the refusal letter")
    if not data.allocations:
        raise LetterInputError("a moving decision must say who is paid what (R79)")
    for allocation in data.allocations:
        _check_yen("allocations.amount_yen", allocation.amount_yen, positive=True)
    if sum(a.amount_yen for a in data.allocations) != payable:
        allocated = sum(a.amount_yen for a in data.allocations)
        raise LetterInputError(f"the allocations add up to {allocated}, not the payable {payable}")
    summary = (
        ("受給者番号", data.case_number),
        ("支給対象者", data.recipient_name),
        ("支給額", format_yen(payable)),
        ("補助対象経費の合計", format_yen(eligible_total)),
        (
            "支給上限額",
            f"{format_yen(data.cost_cap_yen)}（転居先の住宅扶助基準に基づく額の{data.cost_cap_months}か月分以内）",
        ),
    )
    cost_rows = tuple(
        (
            MOVING_COST_LABELS.get(line.category, line.category),
            format_yen(line.amount_yen),
            "対象" if line.eligible else "対象外",
        )
        for line in data.costs
    )
    cost_rows += (
        ("補助対象経費の合計", format_yen(eligible_total), ""),
        ("補助対象外経費の合計", format_yen(excluded_total), ""),
    )
    allocation_rows = tuple(
        (
            allocation.payee_name + (f"\n{allocation.account_text}" if allocation.account_text else ""),
            format_yen(allocation.amount_yen),
            date_text(allocation.pay_date) if allocation.pay_date else "",
        )
        for allocation in data.allocations
    )
    notes: list[str] = []
    if eligible_total > data.cost_cap_yen:
        notes.append(
            "補助対象経費の合計が支給上限額を超えるため、"
            f"上限額 {format_yen(data.cost_cap_yen)} を支給します。"
            "上限額は、不動産媒介業者等に支払う初期費用に優先して充て、残りを引越費用等に充てます。"
        )
    notes += [
        f"敷金、契約時に支払う家賃及び家具・家電等の購入費は、支給の対象となりません{cite('R77')}。",
        "転居後、住居確保報告書及び支出額を確認できる書類（領収書等）を提出してください。",
    ]
    benefit = f"{BENEFIT_NAME}（転居費用補助）"
    return _letter(
        data,
        letter_type=LetterType.MOVING_DECISION,
        title=f"{benefit}支給決定通知書",
        body=(
            f"　{date_text(data.application_date)}付けで申請のあった{benefit}については、審査の結果、"
            f"下記のとおり支給することに{date_text(data.decision_date)}付けで決定したので通知します。",
        ),
        tables=(
            Table(heading="", column_headings=("項目", "内容"), rows=summary),
            Table(
                heading="経費の内訳",
                column_headings=("経費", "金額", "区分"),
                rows=cost_rows,
                right_aligned_columns=(1,),
                column_weights=(5, 3, 2),
            ),
            Table(
                heading="支払先別の支給額",
                column_headings=("支払先", "金額", "支払日"),
                rows=allocation_rows,
                right_aligned_columns=(1,),
                column_weights=(5, 3, 3),
            ),
            *_trace_tables(data.trace, data.household_relationships),
        ),
        sections=(Section(heading="【留意事項】", paragraphs=_numbered(notes)),),
        decision=True,
    )


_PROXY_SUBTITLES: dict[ProxyNoticeEvent, str] = {
    ProxyNoticeEvent.GRANT: "支給決定",
    ProxyNoticeEvent.CHANGE: "支給額変更",
    ProxyNoticeEvent.STOP: "支給中止",
    ProxyNoticeEvent.EXTENSION: "支給期間延長",
    ProxyNoticeEvent.EXTENSION_REFUSED: "支給期間延長不支給",
    ProxyNoticeEvent.INTERRUPTION: "支給中断",
    ProxyNoticeEvent.RESUMPTION: "支給再開",
}


def build_proxy_payment_notice(data: ProxyPaymentNoticeInput) -> LetterContent:
    """Notice to the landlord/agent paid by 代理受領 (R45, R57, R84).

    Variants: grant, change, stop, extension, refused extension, interruption and resumption (R42).

    Informational: the landlord is not the addressee of the decision, so no 教示 is printed.
    """
    event = data.event
    rows: list[tuple[str, str]] = [("受給者番号", data.case_number), ("入居者", data.tenant_name)]
    if data.dwelling_text:
        rows.append(("物件", data.dwelling_text))
    notes: list[str] = []
    if event in (ProxyNoticeEvent.GRANT, ProxyNoticeEvent.EXTENSION, ProxyNoticeEvent.CHANGE,
                 ProxyNoticeEvent.RESUMPTION):
        _check_yen("monthly_amount_yen", data.monthly_amount_yen, positive=True)
        _check_month("first_month", data.first_month)
        _check_month("last_month", data.last_month)
        if event is ProxyNoticeEvent.CHANGE:
            _check_yen("old_monthly_amount_yen", data.old_monthly_amount_yen)
            rows += [
                ("変更前の振込額（月額）", format_yen(data.old_monthly_amount_yen)),
                ("変更後の振込額（月額）", format_yen(data.monthly_amount_yen)),
                ("変更後の額の適用", f"{month_text(data.first_month)}から"),
            ]
            lead = "下記の入居者に係る住居確保給付金の支給額を変更しましたので、お知らせします。"
        else:
            rows.append(("振込額（月額）", format_yen(data.monthly_amount_yen)))
            what = {ProxyNoticeEvent.GRANT: "支給を決定しました", ProxyNoticeEvent.EXTENSION: "支給期間の延長を決定しました",
                    ProxyNoticeEvent.RESUMPTION: "支給の再開を決定しました"}[event]
            lead = (
                f"下記の入居者に係る住居確保給付金の{what}ので、"
                "代理受領により貴殿（貴社）の口座へ振り込みます。"
            )
        rows += [
            ("対象期間", period_text(data.first_month, data.last_month)),
            ("振込日", _pay_schedule_text(data.first_pay_date, data.pay_day_of_month)),
        ]
        if data.remitter_name:
            rows.append(("振込依頼人名", data.remitter_name))
        if data.rent_yen:
            _check_yen("rent_yen", data.rent_yen)
            if data.rent_yen > data.monthly_amount_yen:
                notes.append(
                    f"家賃額 {format_yen(data.rent_yen)} との差額 "
                    f"{format_yen(data.rent_yen - data.monthly_amount_yen)}"
                    " 及び共益費・管理費等は、入居者から直接お支払いいただきます。"
                )
        notes.append(
            "住居確保給付金は家賃への充当以外に用いることはできません。入居者が退去した場合等は、速やかにご連絡ください。"
        )
    elif event is ProxyNoticeEvent.STOP:
        _check_month("first_unpaid_month", data.first_unpaid_month)
        rows.append(("振込を停止する月", f"{month_text(data.first_unpaid_month)}以降は振り込みません"))
        lead = "下記の入居者に係る住居確保給付金の支給を中止しましたので、お知らせします。"
        notes.append(
            f"{month_text(data.first_unpaid_month)}以降の家賃は、入居者から直接お支払いいただくことになります。"
        )
    elif event is ProxyNoticeEvent.INTERRUPTION:
        _check_month("first_unpaid_month", data.first_unpaid_month)
        rows.append(("振込を中断する月", f"{month_text(data.first_unpaid_month)}から振込を中断します"))
        lead = "下記の入居者に係る住居確保給付金の支給を中断しましたので、お知らせします。"
        notes.append(
            "中断している間の家賃は、入居者から直接お支払いいただくことになります。"
            "支給を再開するときは、改めてお知らせします。"
        )
    else:
        _check_month("last_paid_month", data.last_paid_month)
        rows.append(("最後の振込", f"{month_text(data.last_paid_month)}をもって振込を終了します"))
        lead = (
            "下記の入居者に係る住居確保給付金の支給期間の延長は行わないこととなりましたので、お知らせします。"
        )
        notes.append(
            f"{month_text(add_months(data.last_paid_month, 1))}以降の家賃は、"
            "入居者から直接お支払いいただくことになります。"
        )
    return _letter(
        data,
        letter_type=LetterType.PROXY_PAYMENT_NOTICE,
        title=f"{BENEFIT_NAME}の代理受領に関する通知書（{_PROXY_SUBTITLES[event]}）",
        body=(f"　日頃から住居確保給付金事業にご協力いただき、ありがとうございます。{lead}",),
        tables=(Table(heading="", column_headings=("項目", "内容"), rows=tuple(rows)),),
        sections=(Section(heading="【お願い】", paragraphs=_numbered(notes)),),
        decision=False,
    )


def build_council_notice(data: CouncilNoticeInput) -> LetterContent:
    """Notice of a decision to the 社会福祉協議会 for a 生活福祉資金 borrower (R57, R84): the minimum the
    council needs (who, which decision, its date and period), never amounts, accounts or income.

    Raises :class:`ConsentNotOnRecord` unless the recipient's consent to share it is on record.
    """
    if not data.consent_on_record:
        raise ConsentNotOnRecord(
            "the recipient's consent to send the decision to the 社会福祉協議会 is not on record (R57, R84)"
        )
    _check_text("decision_title", data.decision_title)
    rows = [
        ("対象者", data.borrower_name),
        ("決定の種類", data.decision_title.removeprefix(BENEFIT_NAME).removesuffix("通知書") or data.decision_title),
        ("決定通知書の文書番号", data.decision_document_number),
        ("決定日", date_text(data.decision_date)),
    ]
    if data.first_month and data.last_month:
        _check_month("first_month", data.first_month)
        _check_month("last_month", data.last_month)
        rows.append(("支給期間", period_text(data.first_month, data.last_month)))
    return _letter(
        data,
        letter_type=LetterType.COUNCIL_NOTICE,
        title=f"{BENEFIT_NAME}に係る決定について（お知らせ）",
        body=(
            "　生活福祉資金の貸付けを受けている下記の方について、住居確保給付金に係る決定を行いましたので、"
            "本人の同意に基づき、貸付けの調整に必要な範囲でお知らせします。",
        ),
        tables=(Table(heading="", column_headings=("項目", "内容"), rows=tuple(rows)),),
        sections=(Section(heading="【お願い】", paragraphs=(
            "この通知に記載した個人情報は、生活福祉資金の貸付けに関する事務以外に用いないでください。",)),),
        decision=False,
    )


def build_remittance_statement(data: RemittanceStatementInput) -> LetterContent:
    """支払明細書 for one payee: each (recipient/case reference, benefit month, amount) and the total."""
    if not data.lines:
        raise LetterInputError("a remittance statement needs at least one line")
    for line in data.lines:
        _check_month("benefit_month", line.benefit_month)
        _check_yen("amount_yen", line.amount_yen, positive=True)
        _check_text("reference", line.reference)
    ordered = sorted(data.lines, key=lambda line: (line.reference, month_index(line.benefit_month)))
    total = sum(line.amount_yen for line in ordered)
    summary = (
        ("振込日", date_text(data.pay_date)),
        ("振込先", data.account_text),
        ("件数", f"{len(ordered)}件"),
        ("振込額の合計", format_yen(total)),
    )
    lines = tuple(
        (line.reference, month_text(line.benefit_month), format_yen(line.amount_yen)) for line in ordered
    )
    return _letter(
        data,
        letter_type=LetterType.REMITTANCE_STATEMENT,
        title=f"{BENEFIT_NAME}支払明細書",
        body=("　住居確保給付金（代理受領分）を下記のとおり振り込みますので、お知らせします。",),
        tables=(
            Table(heading="", column_headings=("項目", "内容"), rows=summary),
            Table(
                heading="明細",
                column_headings=("受給者番号・氏名", "対象月", "金額"),
                rows=(*lines, ("合計", "", format_yen(total))),
                right_aligned_columns=(2,),
                column_weights=(5, 3, 3),
            ),
        ),
        decision=False,
    )


__all__ = [
    "DEFAULT_APPEAL_NOTICE_TEMPLATE",
    "MOVING_COST_LABELS",
    "STOP_CAUSE_TEXT",
    "Addressee",
    "ChangeDecisionInput",
    "ConsentNotOnRecord",
    "CouncilNoticeInput",
    "DecisionLetterInput",
    "EligibilityCertificateInput",
    "ExtensionDecisionInput",
    "ExtensionRefusalInput",
    "LetterCommon",
    "LetterContent",
    "LetterInputError",
    "LetterType",
    "Letterhead",
    "MovingAllocation",
    "MovingCostLine",
    "MovingDecisionInput",
    "PaymentRoute",
    "ProxyNoticeEvent",
    "ProxyPaymentNoticeInput",
    "RefusalLetterInput",
    "RemittanceLine",
    "RemittanceStatementInput",
    "RepaymentCause",
    "RepaymentDemandInput",
    "RepaymentMonth",
    "Section",
    "StopCause",
    "StopNoticeInput",
    "Table",
    "appeal_notice",
    "build_change_decision_letter",
    "build_council_notice",
    "build_decision_letter",
    "build_eligibility_certificate",
    "build_extension_decision_letter",
    "build_extension_refusal_letter",
    "build_moving_decision_letter",
    "build_proxy_payment_notice",
    "build_refusal_letter",
    "build_remittance_statement",
    "build_repayment_demand",
    "build_stop_notice",
]

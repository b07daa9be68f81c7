"""Letters of the first grant: 支給対象者証明書, 支給決定通知書 and 不支給決定通知書 (R44).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from letters.breakdown import reasons_table
from letters.content.base import (
    BENEFIT_NAME,
    PROXY_METHOD,
    ActivityMinimums,
    LetterCommon,
    PaymentRoute,
    Reasons,
    Trace,
    balance_note,
    check_month,
    check_yen,
    cite,
    compose_letter,
    conduct_notes,
    deadline_note,
    numbered,
    pay_schedule_text,
    payee_text,
    trace_tables,
)
from letters.model import (
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


def build_eligibility_certificate(data: EligibilityCertificateInput) -> LetterContent:
    """住居確保給付金支給対象者証明書 (R44).

    Homeless applicants receive it first, show it to the agent when signing a lease, and then submit
    a 住居確保報告書; at-risk tenants receive it together with the decision notice. It certifies
    eligibility; the decision itself (with its 教示) is the 支給決定通知書.
    """
    check_yen("rent_ceiling_yen", data.rent_ceiling_yen, positive=True)
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
        ("支給方法", PROXY_METHOD),
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
    return compose_letter(
        data,
        letter_type=LetterType.ELIGIBILITY_CERTIFICATE,
        title=f"{BENEFIT_NAME}支給対象者証明書",
        body=(f"　下記の者は、{BENEFIT_NAME}の支給対象者であることを証明します。",),
        tables=(Table(heading="", column_headings=("項目", "内容"), rows=tuple(rows)),),
        sections=(Section(heading="【留意事項】", paragraphs=numbered(notes)),),
        decision=False,
    )


def build_decision_letter(data: DecisionLetterInput) -> LetterContent:
    """住居確保給付金支給決定通知書 (R44) with the 算定内訳 built from the calculation trace (R32)."""
    check_yen("monthly_amount_yen", data.monthly_amount_yen, positive=True)
    check_yen("rent_yen", data.rent_yen)
    check_month("first_month", data.first_month)
    check_month("last_month", data.last_month)
    if months_in_period(data.first_month, data.last_month) > data.max_total_months:
        raise LetterInputError(f"a decision covers at most {data.max_total_months} months")  # PD7
    rows = (
        ("受給者番号", data.case_number),
        ("支給対象者", data.recipient_name),
        ("支給額（月額）", format_yen(data.monthly_amount_yen)),
        ("支給期間", period_text(data.first_month, data.last_month)),
        ("支給方法", PROXY_METHOD),
        ("振込日", pay_schedule_text(data.payment.first_pay_date, data.payment.pay_day_of_month)),
        ("振込先", payee_text(data.payment)),
    )
    notes = balance_note(data.rent_yen, data.monthly_amount_yen) + conduct_notes(data.activity)
    first_pay = data.payment.first_pay_date
    if first_pay is not None:
        if first_pay < data.decision_date:
            raise LetterInputError("the first transfer date precedes the decision")  # PD28
        paid_month = f"{first_pay.year:04d}-{first_pay.month:02d}"
        if month_index(paid_month) > month_index(data.first_month):
            notes.insert(0, f"{month_text(data.first_month)}から{month_text(add_months(paid_month, -1))}までの分は、"
                            f"初回の振込日（{date_text(first_pay)}）にまとめて振り込みます。")
    notes += deadline_note(data.extension_deadline)
    return compose_letter(
        data,
        letter_type=LetterType.DECISION,
        title=f"{BENEFIT_NAME}支給決定通知書",
        body=(
            f"　{date_text(data.application_date)}付けで申請のあった{BENEFIT_NAME}については、審査の結果、"
            f"下記のとおり支給することに{date_text(data.decision_date)}付けで決定したので通知します。",
        ),
        tables=(
            Table(heading="", column_headings=("項目", "内容"), rows=rows),
            *trace_tables(data.trace, data.household_relationships),
        ),
        sections=(Section(heading="【留意事項】", paragraphs=numbered(notes)),),
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
        *trace_tables(data.trace, data.household_relationships),
    ]
    return compose_letter(
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

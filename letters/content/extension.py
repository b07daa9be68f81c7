"""Letters of an extension (R38, R40, PD6, PD7): 支給期間延長決定通知書 and the refusal or
rejection of a late extension application. The cap and the number of extensions are passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from letters.breakdown import reasons_table
from letters.content.base import (
    BENEFIT_NAME,
    ActivityMinimums,
    LetterCommon,
    PaymentRoute,
    Reasons,
    Trace,
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
    date_text,
    format_yen,
    month_text,
    months_in_period,
    period_text,
)


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


def build_extension_decision_letter(data: ExtensionDecisionInput) -> LetterContent:
    """住居確保給付金支給期間延長決定通知書 (R38; 3 months per decision, at most two, ≤ 9 months, PD7)."""
    check_yen("monthly_amount_yen", data.monthly_amount_yen, positive=True)
    check_month("first_month", data.first_month)
    check_month("last_month", data.last_month)
    if not 1 <= data.extension_number <= data.max_extensions:
        raise LetterInputError(f"extension_number must be 1..{data.max_extensions}: {data.extension_number}")  # PD7
    months = months_in_period(data.first_month, data.last_month)
    total = data.months_paid_before + months
    if data.months_paid_before < 1 or total > data.max_total_months:
        raise LetterInputError(
            f"an extension may not take the total beyond {data.max_total_months} months: {total}")  # PD7
    last_extension = data.extension_number == data.max_extensions or total == data.max_total_months
    kind = "延長（1回目）" if data.extension_number == 1 else f"再延長（{data.extension_number}回目）"
    rows = (
        ("受給者番号", data.case_number),
        ("支給対象者", data.recipient_name),
        ("延長の区分", kind),
        ("支給額（月額）", format_yen(data.monthly_amount_yen)),
        ("延長後の支給期間", period_text(data.first_month, data.last_month)),
        ("通算の支給月数", f"{total}か月（上限{data.max_total_months}か月）"),
        ("振込日", pay_schedule_text(data.payment.first_pay_date, data.payment.pay_day_of_month)),
        ("振込先", payee_text(data.payment)),
    )
    notes = conduct_notes(data.activity)
    if not last_extension:
        notes += deadline_note(data.extension_deadline)
    else:
        notes.append(f"支給期間の再延長はこれが最後です。これ以上の延長はできません{cite('R38')}。")
    return compose_letter(
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
            *trace_tables(data.trace, data.household_relationships),
        ),
        sections=(Section(heading="【留意事項】", paragraphs=numbered(notes)),),
        decision=True,
    )


def build_extension_refusal_letter(data: ExtensionRefusalInput) -> LetterContent:
    """延長不支給決定通知書, or 延長申請却下通知書 for a late application (R40, PD6: no gap is bridged)."""
    check_month("last_paid_month", data.last_paid_month)
    rows = (
        ("受給者番号", data.case_number),
        ("支給対象者", data.recipient_name),
        ("支給の終了", f"{month_text(data.last_paid_month)}をもって支給を終了します"),
    )
    tables: list[Table] = [Table(heading="", column_headings=("項目", "内容"), rows=rows)]
    if data.late_application:
        if data.extension_deadline is None:
            raise LetterInputError("a late extension application needs its extension_deadline")  # PD6
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
    tables += trace_tables(data.trace, data.household_relationships)
    return compose_letter(
        data,
        letter_type=LetterType.EXTENSION_REFUSAL,
        title=title,
        body=body,
        tables=tables,
        decision=True,
    )

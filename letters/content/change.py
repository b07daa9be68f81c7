"""Letters changing a running grant: 支給額変更決定通知書 (R54–R56, PD10), and the
中断/再開 of payment (R42). The cap on benefit months is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from letters.content.base import (
    BENEFIT_NAME,
    LetterCommon,
    Trace,
    check_month,
    check_text,
    check_yen,
    compose_letter,
    trace_tables,
)
from letters.model import (
    LetterContent,
    LetterInputError,
    LetterType,
    Table,
    date_text,
    format_yen,
    month_text,
    period_text,
)
from letters.reference import legal_basis


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


def build_change_decision_letter(data: ChangeDecisionInput) -> LetterContent:
    """住居確保給付金支給額変更決定通知書: old and new amount, from which month (R54–R56, PD10)."""
    check_yen("old_monthly_amount_yen", data.old_monthly_amount_yen)
    check_yen("new_monthly_amount_yen", data.new_monthly_amount_yen, positive=True)
    check_month("effective_month", data.effective_month)
    check_month("last_month", data.last_month)
    check_text("change_reason", data.change_reason)
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
    return compose_letter(
        data,
        letter_type=LetterType.CHANGE_DECISION,
        title=f"{BENEFIT_NAME}支給額変更決定通知書",
        body=(
            f"　{date_text(data.application_date)}付けで申請のあった{BENEFIT_NAME}の支給額の変更については、"
            f"審査の結果、下記のとおり変更することに{date_text(data.decision_date)}付けで決定したので通知します。",
        ),
        tables=(Table(heading="", column_headings=("項目", "内容"), rows=rows), *trace_tables(data.trace, data.household_relationships)),
        decision=True,
    )


def build_interruption_notice(data: InterruptionNoticeInput) -> LetterContent:
    """住居確保給付金支給中断決定通知書: from which month payment pauses and why (R42)."""
    check_month("first_interrupted_month", data.first_interrupted_month)
    check_text("reason", data.reason)
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
    return compose_letter(
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
        check_month("resumed_months", month)
    check_yen("monthly_amount_yen", data.monthly_amount_yen, positive=True)
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
    return compose_letter(
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

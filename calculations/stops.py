"""支給中止 (stop): causes (R58), the first month not paid (R60, PD8), the evidence each cause
needs (R52, R61, PD16) and what becomes a repayment claim (R62–R64, PD9)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum

from calculations.periods import add_months, month_of, months_between
from calculations.rate_book import MunicipalitySettings, load_rate_book


class StopCause(StrEnum):
    """Stop causes of the 申請時確認書 (R58) plus death and unknown whereabouts ([U])."""

    job_search_failure = "job_search_failure"  #: R58-1 求職活動等の不履行
    income_over_limit = "income_over_limit"  #: R58-2 常用就職後の収入超過
    left_dwelling = "left_dwelling"  #: R58-3 住宅からの退去
    false_application = "false_application"  #: R58-4 虚偽の申請
    gang_member = "gang_member"  #: R58-5 暴力団員
    imprisonment = "imprisonment"  #: R58-6 拘禁刑以上の刑
    public_assistance = "public_assistance"  #: R58-7 生活保護の開始
    death = "death"  #: 死亡 [U]
    whereabouts_unknown = "whereabouts_unknown"  #: 所在不明 [U]


class RepaymentCause(StrEnum):
    """Who caused an overpayment (PD9); the landlord is never the default debtor."""

    recipient_error = "recipient_error"
    fraud = "fraud"  #: 法第18条 不正利得の徴収 (R4, R62)
    administrative_error = "administrative_error"  #: R63


#: Evidence kinds a stop decision needs before it can be approved (R52, PD16): objective
#: documents, never impressions.
STOP_EVIDENCE: dict[StopCause, tuple[str, ...]] = {
    StopCause.job_search_failure: ("monthly_activity_counts", "interview_records", "hello_work_confirmations",
                                   "reminder_log"),
    StopCause.income_over_limit: ("employment_notification", "pay_slips"),
    StopCause.left_dwelling: ("move_out_confirmation",),
    StopCause.false_application: ("false_statement_evidence",),
    StopCause.gang_member: ("police_confirmation",),
    StopCause.imprisonment: ("sentencing_record",),
    StopCause.public_assistance: ("public_assistance_start_notice",),
    StopCause.death: ("death_record",),
    StopCause.whereabouts_unknown: ("whereabouts_investigation_record",),
}

#: The default repayment cause of money paid for months a stop removes (PD9).
DEFAULT_REPAYMENT_CAUSE: dict[StopCause, RepaymentCause] = {
    cause: (RepaymentCause.fraud if cause is StopCause.false_application else RepaymentCause.recipient_error)
    for cause in StopCause
}


def first_unpaid_month(cause: StopCause | str, event_date: date, grant_first_month: str, *,
                       settings: MunicipalitySettings | None = None) -> str:
    """First benefit month not paid after a stop (R60, PD8; setting per cause).

    ``event_date`` is the day the cause was confirmed (job-search failure), the income was received
    (income over the limit), the move-out, the finding, the sentencing, the start of public
    assistance, or the death / disappearance. Never earlier than the grant's first month; a false
    application removes every month of the grant (法第18条).
    """
    cause = StopCause(cause)
    rule = (settings or load_rate_book().default_settings).stop_rule(cause.value)
    if rule == "grant_first_month":
        return grant_first_month
    month = month_of(event_date)
    if rule == "month_after_event":
        month = add_months(month, 1)
    return month if months_between(grant_first_month, month) > 0 else grant_first_month


def repayment_for_stop(paid_yen_by_month: Mapping[str, int], first_unpaid: str) -> tuple[tuple[str, ...], int]:
    """Months already paid that the stop removes, and their total: the repayment claim (PD9)."""
    months = tuple(sorted(m for m in paid_yen_by_month if months_between(first_unpaid, m) >= 0))
    return months, sum(paid_yen_by_month[m] for m in months)

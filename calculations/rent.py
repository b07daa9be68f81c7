"""家賃補助 (rent subsidy): eligibility (R17–R25), amount (R32, PD1, PD2) and periods (PD5–PD7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from calculations.calendar import OfficeCalendar
from calculations.facts import RentFacts
from calculations.income import household_income_yen
from calculations.money import round_up_to_100_yen
from calculations.periods import add_months, extension_deadline, first_benefit_month, month_of, period_months
from calculations.rate_book import MunicipalitySettings, RateBook
from calculations.regrant import regrant_reasons
from calculations.results import Reason, Trace, TraceStep
from calculations.window import job_loss_window_last_day


@dataclass(frozen=True, slots=True)
class RentResult:
    eligible: bool
    amount_yen: int
    household_size: int
    counted_income_yen: int
    standard_amount_yen: int
    rent_ceiling_yen: int
    income_limit_yen: int
    asset_limit_yen: int
    reasons: tuple[Reason, ...]
    trace: tuple[TraceStep, ...]
    first_benefit_month: str
    initial_period: tuple[str, str]
    extension_deadline: date


def monthly_amount_yen(*, income_yen: int, standard_yen: int, rent_yen: int, ceiling_yen: int,
                       settings: MunicipalitySettings, trace: Trace) -> int:
    """支給額 (R32, current formula since 2020-07-03).

    I ≤ B: min(R, C). B < I: min(B + R − I, C), using the actual rent R, then the cap. Optional
    ¥100 round-up (PD2, R34), never above the ceiling. Call only for an eligible case.
    """
    if income_yen <= standard_yen:
        amount = min(rent_yen, ceiling_yen)
    else:
        before_cap = trace.add("amount_before_cap_yen", standard_yen + rent_yen - income_yen, "R32")
        amount = min(before_cap, ceiling_yen)
    trace.add("monthly_amount_yen", amount, "R32")
    if settings.round_rent_amount_up_to_100:
        amount = trace.add("rounded_amount_yen", min(round_up_to_100_yen(amount), ceiling_yen), "PD2")
    return amount


def _window_reason(facts: RentFacts, rates: RateBook, trace: Trace) -> Reason | None:
    """R18 / PD11: under 2 years (plus blocked days, at most 4 years) since the job loss; the
    休業等 type has no window."""
    trigger = facts.trigger
    if trigger.kind == "reduced_work" or trigger.date is None:
        return None
    as_of = facts.common.application_date
    last_day = job_loss_window_last_day(
        loss_date=trigger.date, blocked_days=trigger.job_search_blocked_days,
        window_years=rates.parameter("job_loss_window_years", as_of),
        max_years=rates.parameter("job_loss_window_max_years", as_of))
    trace.add("window_last_day", last_day.isoformat(), "R18")
    if as_of <= last_day:
        return None
    return Reason("R18", "window_expired",
                  f"離職・廃業の日から2年（加算後 {last_day.isoformat()} まで）を経過しています。")


def _requirement_reasons(facts: RentFacts, rates: RateBook, settings: MunicipalitySettings, *,
                         income_yen: int, income_limit_yen: int, asset_limit_yen: int, purpose: str,
                         trace: Trace) -> list[Reason]:
    reasons: list[Reason] = []
    if purpose == "initial":
        window = _window_reason(facts, rates, trace)
        if window:
            reasons.append(window)
    if not facts.trigger.main_earner:
        reasons.append(Reason("R19", "not_main_earner", "申請者が世帯の主たる生計維持者ではありません。"))
    if not settings.within_limit(income_yen, income_limit_yen):
        reasons.append(Reason("R20", "income_over_limit",
                              f"世帯収入 {income_yen:,}円 が収入基準額 {income_limit_yen:,}円 を超えています。"))
    if not settings.within_limit(facts.common.assets_yen, asset_limit_yen):
        reasons.append(Reason("R21", "assets_over_limit",
                              f"金融資産 {facts.common.assets_yen:,}円 が資産基準額 {asset_limit_yen:,}円 を超えています。"))
    declarations = facts.common.declarations
    if not declarations.hello_work_registered:
        reasons.append(Reason("R22", "not_registered_hello_work", "ハローワークへの求職申込みがされていません。"))
    if declarations.similar_benefit:
        reasons.append(Reason("R23", "similar_benefit", "地方自治体等が行う類似の給付を受けています。"))
    if declarations.gang_member_in_household:
        reasons.append(Reason("R24", "gang_member", "世帯員に暴力団員がいます。"))
    if purpose == "initial" and facts.previous_receipt is not None:
        reasons.extend(regrant_reasons(facts, rates))
    return reasons


def assess_rent(facts: RentFacts, rates: RateBook, office_calendar: OfficeCalendar, *,
                purpose: str = "initial") -> RentResult:
    """Assess a 家賃補助 application (R17–R25, R32) and its periods (R37, R40, PD5, PD6).

    ``purpose="extension"`` re-examines an extension (R38): the 2-year window and the re-grant
    rule are not tested again. All tables are looked up on the application date (R11, PD25, PD26).
    """
    common = facts.common
    as_of = common.application_date
    settings = rates.settings(common.municipality_code)
    trace = Trace()
    size = trace.add("household_size", len(common.household), "R8")
    standard = rates.standard_amount(common.municipality_code, size, as_of)
    ceiling = rates.rent_ceiling(common.municipality_code, size, as_of)
    asset_limit = rates.asset_limit(common.municipality_code, size, as_of)
    income = household_income_yen(common.household, as_of, settings,
                                  rates.parameter("student_income_max_age", as_of), trace)
    trace.add("standard_amount_yen", standard.value, "R11", source=standard.source)
    trace.add("rent_yen", facts.rent_yen, "R9")
    trace.add("rent_ceiling_yen", ceiling.value, "R10", source=ceiling.source)
    rent_counted = trace.add("rent_counted", min(facts.rent_yen, ceiling.value), "R12")
    income_limit = trace.add("income_limit_yen", standard.value + rent_counted, "R12")
    trace.add("assets_yen", common.assets_yen, "R21")
    trace.add("asset_limit_multiplier", rates.parameter("asset_limit_multiplier", as_of), "R13")
    trace.add("asset_limit_cap_yen", rates.parameter("asset_limit_cap_yen", as_of), "R13")
    trace.add("asset_limit_yen", asset_limit.value, "R13", source=asset_limit.source)
    reasons = _requirement_reasons(facts, rates, settings, income_yen=income, income_limit_yen=income_limit,
                                   asset_limit_yen=asset_limit.value, purpose=purpose, trace=trace)
    amount = 0
    if not reasons:
        amount = monthly_amount_yen(income_yen=income, standard_yen=standard.value, rent_yen=facts.rent_yen,
                                    ceiling_yen=ceiling.value, settings=settings, trace=trace)
        if amount == 0:
            # Income exactly at the limit with rent under the ceiling leaves nothing to pay.
            reasons.append(Reason("R32", "zero_amount", "算定した支給額が0円のため支給できません。"))
    first_month, months, deadline = initial_period(facts.applicant_type, as_of, facts.lease_initial_costs_paid_on,
                                                   rates.parameter("period_months", as_of), office_calendar)
    return RentResult(
        eligible=not reasons, amount_yen=amount, household_size=size, counted_income_yen=income,
        standard_amount_yen=standard.value, rent_ceiling_yen=ceiling.value, income_limit_yen=income_limit,
        asset_limit_yen=asset_limit.value, reasons=tuple(reasons), trace=tuple(trace.steps),
        first_benefit_month=first_month, initial_period=(months[0], months[-1]),
        extension_deadline=deadline,
    )


@lru_cache(maxsize=4096)
def initial_period(applicant_type: str, application_date: date, lease_initial_costs_paid_on: date | None,
                   months_per_period: int, office_calendar: OfficeCalendar) -> tuple[str, tuple[str, ...], date]:
    """First benefit month (PD5), the months of the first period (R37) and its extension deadline (PD6)."""
    first_month = first_benefit_month(applicant_type=applicant_type, application_date=application_date,
                                      lease_initial_costs_paid_on=lease_initial_costs_paid_on)
    months = tuple(period_months(first_month, months_per_period))
    return first_month, months, extension_deadline(months[-1], office_calendar)


def application_month(facts: RentFacts) -> str:
    return month_of(facts.common.application_date)


__all__ = ["RentResult", "add_months", "application_month", "assess_rent", "monthly_amount_yen"]

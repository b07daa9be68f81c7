"""転居費用補助 (moving-cost subsidy, from 2025-04-01): R74–R80, PD13, PD14, PD22, PD23."""

from __future__ import annotations

from dataclasses import dataclass

from calculations.facts import MovingFacts
from calculations.income import household_income_yen
from calculations.periods import month_of, months_between
from calculations.rate_book import RateBook
from calculations.results import Reason, Trace, TraceStep

#: Initial costs of the new home, paid to the agent under 代理受領 (R76, R79, PD13).
AGENT_CATEGORIES = ("key_money", "agency_fee", "rent_guarantee_fee", "home_insurance")
#: Other eligible costs: removal, cleaning, key replacement (R76, PD13).
OTHER_CATEGORIES = ("removal", "cleaning", "key_replacement")
ELIGIBLE_CATEGORIES = AGENT_CATEGORIES + OTHER_CATEGORIES
#: Not eligible: 敷金, 前家賃, furniture, other (R77, PD13).
EXCLUDED_CATEGORIES = ("deposit", "advance_rent", "furniture", "other")


@dataclass(frozen=True, slots=True)
class MovingResult:
    eligible: bool
    amount_yen: int
    household_size: int
    counted_income_yen: int
    standard_amount_yen: int
    rent_ceiling_yen: int
    income_limit_yen: int
    asset_limit_yen: int
    cost_cap_yen: int
    eligible_costs_yen: int
    allocation_agent_yen: int
    allocation_other_yen: int
    reasons: tuple[Reason, ...]
    trace: tuple[TraceStep, ...]


def allocate_within_cap(agent_costs_yen: int, other_costs_yen: int, payable_yen: int) -> tuple[int, int]:
    """PD13: the payable amount goes first to the initial costs paid to the agent, then to the rest."""
    to_agent = min(agent_costs_yen, payable_yen)
    return to_agent, min(other_costs_yen, payable_yen - to_agent)


def _reasons(facts: MovingFacts, rates: RateBook, *, income_yen: int, income_limit_yen: int,
             asset_limit_yen: int, eligible_costs_yen: int) -> list[Reason]:
    common = facts.common
    settings = rates.settings(common.municipality_code)
    reasons: list[Reason] = []
    as_of = common.application_date
    max_months = rates.parameter("moving_income_drop_max_months", as_of)
    if months_between(facts.income_drop.month, month_of(as_of)) > max_months:
        reasons.append(Reason("R74", "income_drop_too_old",
                              f"収入が著しく減少した月から{max_months}か月を超えています（R74-2, PD22）。"))
    if not facts.income_drop.main_earner:
        reasons.append(Reason("R74", "not_main_earner", "申請者が申請月に世帯の主たる生計維持者ではありません（R74-3）。"))
    if not settings.within_limit(income_yen, income_limit_yen):
        reasons.append(Reason("R74", "income_over_limit",
                              f"世帯収入 {income_yen:,}円 が収入基準額 {income_limit_yen:,}円 を超えています（R74-4）。"))
    if not settings.within_limit(common.assets_yen, asset_limit_yen):
        reasons.append(Reason("R74", "assets_over_limit",
                              f"金融資産 {common.assets_yen:,}円 が資産基準額 {asset_limit_yen:,}円 を超えています（R74-5）。"))
    if not facts.move_needed:
        reasons.append(Reason("R74", "move_not_needed", "家計改善のために転居が必要と認められていません（R74-6）。"))
    if not facts.cannot_fund:
        reasons.append(Reason("R74", "can_fund_move", "転居費用を自ら賄えないと認められていません（R74-6）。"))
    if common.declarations.similar_benefit:
        reasons.append(Reason("R74", "similar_benefit", "地方自治体等の類似の転居支援を受けています（R74-7）。"))
    if common.declarations.gang_member_in_household:
        reasons.append(Reason("R74", "gang_member", "世帯員に暴力団員がいます（R74-8）。"))
    if eligible_costs_yen == 0:
        reasons.append(Reason("R74", "no_eligible_costs", "補助の対象となる費用がありません（R76, R77）。"))
    return reasons


def assess_moving(facts: MovingFacts, rates: RateBook) -> MovingResult:
    """Assess a 転居費用補助 application.

    Requirements R74-1..8 (income limit with the current rent, PD23; 24 months since the drop,
    PD22); cap = 3 × the destination's 住宅扶助 ceiling (R78, PD14) or a lower approved amount
    (PD13); payable = min(eligible costs, cap), allocated to the agent first (PD13).
    """
    common = facts.common
    as_of = common.application_date
    code = common.municipality_code
    settings = rates.settings(code)
    trace = Trace()
    size = trace.add("household_size", len(common.household), "R8")
    standard = rates.standard_amount(code, size, as_of)
    ceiling = rates.rent_ceiling(code, size, as_of)
    asset_limit = rates.asset_limit(code, size, as_of)
    income = household_income_yen(common.household, as_of, settings,
                                  rates.parameter("student_income_max_age", as_of), trace)
    trace.add("standard_amount_yen", standard.value, "R11", source=standard.source)
    trace.add("current_rent_yen", facts.current_rent_yen, "PD23")
    trace.add("rent_ceiling_yen", ceiling.value, "R10", source=ceiling.source)
    rent_counted = trace.add("rent_counted", min(facts.current_rent_yen, ceiling.value), "PD23")
    income_limit = trace.add("income_limit_yen", standard.value + rent_counted, "R74")
    trace.add("assets_yen", common.assets_yen, "R74")
    trace.add("asset_limit_multiplier", rates.parameter("asset_limit_multiplier", as_of), "R13")
    trace.add("asset_limit_cap_yen", rates.parameter("asset_limit_cap_yen", as_of), "R13")
    trace.add("asset_limit_yen", asset_limit.value, "R13", source=asset_limit.source)
    destination = rates.municipalities[facts.destination_code]
    destination_ceiling = rates.nationwide_ceiling(destination, size, as_of)
    trace.add("destination_ceiling_yen", destination_ceiling.value, "R78", source=destination_ceiling.source,
              municipality=destination.display_name, grade=rates.grade_of(destination))
    multiplier = trace.add("moving_cost_cap_multiplier", rates.parameter("moving_cost_cap_multiplier", as_of), "PD13")
    cap = trace.add("cost_cap_yen", multiplier * destination_ceiling.value, "PD13")
    if facts.approved_cap_yen is not None and facts.approved_cap_yen < cap:
        cap = trace.add("approved_cap_yen", facts.approved_cap_yen, "PD13")
    agent_costs = sum(c.amount_yen for c in facts.costs if c.category in AGENT_CATEGORIES)
    other_costs = sum(c.amount_yen for c in facts.costs if c.category in OTHER_CATEGORIES)
    excluded = sum(c.amount_yen for c in facts.costs if c.category in EXCLUDED_CATEGORIES)
    eligible_costs = trace.add("eligible_costs_yen", agent_costs + other_costs, "R76")
    trace.add("excluded_costs_yen", excluded, "R77")
    reasons = _reasons(facts, rates, income_yen=income, income_limit_yen=income_limit,
                       asset_limit_yen=asset_limit.value, eligible_costs_yen=eligible_costs)
    amount = to_agent = to_other = 0
    if not reasons:
        amount = trace.add("moving_amount_yen", min(eligible_costs, cap), "R78")
        to_agent, to_other = allocate_within_cap(agent_costs, other_costs, amount)
        trace.add("allocation_agent_yen", to_agent, "PD13")
        trace.add("allocation_other_yen", to_other, "PD13")
    return MovingResult(
        eligible=not reasons, amount_yen=amount, household_size=size, counted_income_yen=income,
        standard_amount_yen=standard.value, rent_ceiling_yen=ceiling.value, income_limit_yen=income_limit,
        asset_limit_yen=asset_limit.value, cost_cap_yen=cap, eligible_costs_yen=eligible_costs,
        allocation_agent_yen=to_agent, allocation_other_yen=to_other, reasons=tuple(reasons),
        trace=tuple(trace.steps),
    )

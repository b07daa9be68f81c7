"""Monthly planning, grouping per payee and the moving-cost split (PD13, R45, R79, E19)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.payees import PayeeProblem
from payments.schedule import (
    Entitlement,
    Instalment,
    ReturnedInstalment,
    ScheduleError,
    group_by_payee,
    plan_month,
    split_moving_payment,
)

PROBLEM = PayeeProblem(field="bank_code", code="bank_unknown", message="銀行コード 9999 is not a known bank")


def ent(**overrides: Any) -> Entitlement:
    values: dict[str, Any] = {
        "grant_id": 1,
        "case_id": 10,
        "benefit_month": "2026-04",
        "amount_yen": 53_700,
        "payee_id": "AGENT-A",
        "subsidy": "rent",
        "kind": "monthly_rent",
    }
    values.update(overrides)
    return Entitlement(**values)


def test_unsettled_entitlements_are_planned() -> None:
    plan = plan_month([ent(), ent(grant_id=2, case_id=11, amount_yen=40_000)], set(), {"AGENT-A": []})
    assert [(i.grant_id, i.amount_yen) for i in plan.instalments] == [(1, 53_700), (2, 40_000)]
    assert plan.total_yen == 93_700
    assert plan.excluded == ()
    assert plan.instalments[0].case_reference == "10"


def test_planning_twice_over_the_same_ledger_gives_nothing_new() -> None:
    entitlements = [ent(), ent(benefit_month="2026-05"), ent(grant_id=2, case_id=11, payee_id="AGENT-B")]
    problems: dict[str, list[PayeeProblem]] = {"AGENT-A": [], "AGENT-B": []}
    first = plan_month(entitlements, set(), problems)
    ledger = {i.key for i in first.instalments}
    second = plan_month(entitlements, ledger, problems)
    assert second.instalments == ()
    assert second.excluded == ()


def test_a_payee_with_problems_is_excluded_and_paid_later_with_arrears() -> None:
    entitlements = [ent(benefit_month="2026-04"), ent(benefit_month="2026-05")]
    april = plan_month(entitlements, set(), {"AGENT-A": [PROBLEM]}, up_to_month="2026-04")
    assert april.instalments == ()
    assert [(x.case_id, x.reason_code) for x in april.excluded] == [(10, "payee_problem")]
    assert "9999" in april.excluded[0].reason
    may = plan_month(entitlements, set(), {"AGENT-A": []}, up_to_month="2026-05")
    assert [i.benefit_month for i in may.instalments] == ["2026-04", "2026-05"]


def test_future_months_are_not_due_yet() -> None:
    entitlements = [ent(benefit_month=m) for m in ("2026-04", "2026-05", "2026-06")]
    plan = plan_month(entitlements, set(), {"AGENT-A": []}, up_to_month="2026-04")
    assert [i.benefit_month for i in plan.instalments] == ["2026-04"]
    assert plan.excluded == ()


def test_an_unchecked_payee_is_never_paid_blind() -> None:
    plan = plan_month([ent()], set(), {})
    assert [x.reason_code for x in plan.excluded] == ["payee_unchecked"]


def test_returned_transfers_are_replanned_only_when_payable_again() -> None:
    returned_blocked = ReturnedInstalment(
        grant_id=1, benefit_month="2026-04", payee_id="AGENT-A", payable_again=False, reason="口座なし"
    )
    plan = plan_month([ent()], set(), {"AGENT-A": []}, returned=[returned_blocked])
    assert [x.reason_code for x in plan.excluded] == ["returned_not_payable"]
    assert "口座なし" in plan.excluded[0].reason
    returned_ok = ReturnedInstalment(grant_id=1, benefit_month="2026-04", payee_id="AGENT-A", payable_again=True)
    plan = plan_month([ent()], set(), {"AGENT-A": []}, returned=[returned_ok])
    assert [(i.key, i.reissue) for i in plan.instalments] == [((1, "2026-04", "AGENT-A"), True)]
    again = plan_month([ent()], {i.key for i in plan.instalments}, {"AGENT-A": []}, returned=[returned_ok])
    assert again.instalments == ()


def test_zero_amounts_are_excluded_and_negative_amounts_stop_the_run() -> None:
    plan = plan_month([ent(amount_yen=0)], set(), {"AGENT-A": []})
    assert [x.reason_code for x in plan.excluded] == ["zero_amount"]
    with pytest.raises(ScheduleError):
        plan_month([ent(amount_yen=-1)], set(), {"AGENT-A": []})


@pytest.mark.parametrize(
    "bad", [{"benefit_month": "2026-4"}, {"amount_yen": True}, {"amount_yen": "100"}, {"subsidy": "loan"}]
)
def test_broken_entitlements_stop_the_run(bad: dict[str, Any]) -> None:
    with pytest.raises(ScheduleError):
        plan_month([ent(**bad)], set(), {"AGENT-A": []})


def test_a_duplicated_entitlement_stops_the_run() -> None:
    with pytest.raises(ScheduleError, match="twice"):
        plan_month([ent(), ent()], set(), {"AGENT-A": []})


def test_one_transfer_per_payee_sums_several_tenants_and_keeps_the_breakdown() -> None:
    entitlements = [
        ent(grant_id=1, case_id=10, case_reference="2026-0010", amount_yen=53_700),
        ent(grant_id=2, case_id=11, case_reference="2026-0011", amount_yen=40_000),
        ent(grant_id=3, case_id=12, payee_id="AGENT-B", amount_yen=45_000),
        ent(grant_id=1, case_id=10, case_reference="2026-0010", benefit_month="2026-03", amount_yen=53_700),
    ]
    plan = plan_month(entitlements, set(), {"AGENT-A": [], "AGENT-B": []})
    transfers = group_by_payee(plan.instalments)
    assert [(t.payee_id, t.amount_yen) for t in transfers] == [("AGENT-A", 147_400), ("AGENT-B", 45_000)]
    assert [(line.case_reference, line.benefit_month, line.amount_yen) for line in transfers[0].lines] == [
        ("2026-0010", "2026-03", 53_700),
        ("2026-0010", "2026-04", 53_700),
        ("2026-0011", "2026-04", 40_000),
    ]


@given(
    st.lists(
        st.tuples(
            st.integers(1, 30), st.sampled_from(["2026-03", "2026-04"]), st.sampled_from("ABC"), st.integers(1, 99_999)
        ),
        unique_by=lambda t: (t[0], t[1], t[2]),
        max_size=40,
    ),
    st.sets(st.sampled_from("ABC")),
)
def test_planning_is_idempotent_and_totals_are_preserved(
    rows: list[tuple[int, str, str, int]], bad_payees: set[str]
) -> None:
    entitlements = [ent(grant_id=g, case_id=g, benefit_month=m, payee_id=p, amount_yen=a) for g, m, p, a in rows]
    problems = {p: ([PROBLEM] if p in bad_payees else []) for p in "ABC"}
    plan = plan_month(entitlements, set(), problems)
    assert len(plan.instalments) + len(plan.excluded) == len(entitlements)
    transfers = group_by_payee(plan.instalments)
    assert sum(t.amount_yen for t in transfers) == plan.total_yen
    assert len({t.payee_id for t in transfers}) == len(transfers)
    again = plan_month(entitlements, {i.key for i in plan.instalments}, problems)
    assert again.instalments == ()
    assert again.excluded == plan.excluded


E19_COSTS = {
    "key_money": 50_000,
    "agency_fee": 55_000,
    "rent_guarantee_fee": 25_000,
    "home_insurance": 15_000,
    "removal": 40_000,
    "deposit": 50_000,  # 敷金: not eligible (R77)
    "advance_rent": 55_000,  # 前家賃: not eligible (R77)
}


def test_e19_the_cap_goes_first_to_the_agents_initial_costs() -> None:
    parts = split_moving_payment(E19_COSTS, 161_100, "AGENT", "MOVER")
    assert [(p.payee_id, p.amount_yen) for p in parts] == [("AGENT", 145_000), ("MOVER", 16_100)]
    assert parts[0].categories == ("key_money", "agency_fee", "rent_guarantee_fee", "home_insurance")
    assert parts[1].category_amounts_yen == (("removal", 16_100),)
    assert sum(p.amount_yen for p in parts) == 161_100


@pytest.mark.parametrize(
    ("costs", "cap", "expected"),
    [
        # E20: below the cap, everything is paid
        (
            {"key_money": 60_000, "agency_fee": 50_000, "removal": 40_000},
            209_400,
            [("AGENT", 110_000), ("MOVER", 40_000)],
        ),
        # initial costs alone exceed the cap: nothing left for removal
        ({"key_money": 100_000, "agency_fee": 100_000, "removal": 40_000}, 161_100, [("AGENT", 161_100)]),
        # only removal/cleaning/key replacement
        ({"removal": 30_000, "cleaning": 20_000, "key_replacement": 15_000}, 50_000, [("MOVER", 50_000)]),
        ({}, 161_100, []),
        ({"deposit": 100_000, "furniture": 50_000, "other": 1}, 161_100, []),
        ({"key_money": 10_000}, 0, []),
    ],
)
def test_moving_split_examples(costs: dict[str, int], cap: int, expected: list[tuple[str, int]]) -> None:
    parts = split_moving_payment(costs, cap, "AGENT", "MOVER")
    assert [(p.payee_id, p.amount_yen) for p in parts] == expected


def test_moving_split_to_the_agent_only_gives_one_part() -> None:
    parts = split_moving_payment(E19_COSTS, 161_100, "AGENT", "AGENT")
    assert [(p.payee_id, p.amount_yen) for p in parts] == [("AGENT", 161_100)]
    assert parts[0].categories[-1] == "removal"


@pytest.mark.parametrize(
    ("costs", "cap"), [({"piano": 1}, 10), ({"removal": -1}, 10), ({"removal": 1}, -1), ({"removal": True}, 10)]
)
def test_moving_split_rejects_bad_input(costs: dict[str, Any], cap: int) -> None:
    with pytest.raises(ScheduleError):
        split_moving_payment(costs, cap, "AGENT", "MOVER")


@given(
    st.dictionaries(
        st.sampled_from(["key_money", "agency_fee", "rent_guarantee_fee", "home_insurance", "removal", "cleaning"]),
        st.integers(0, 300_000),
    ),
    st.integers(0, 400_000),
)
def test_moving_split_never_exceeds_the_cap_or_the_costs(costs: dict[str, int], cap: int) -> None:
    parts = split_moving_payment(costs, cap, "AGENT", "MOVER")
    assert sum(p.amount_yen for p in parts) == min(cap, sum(costs.values()))
    initial = sum(v for k, v in costs.items() if k not in ("removal", "cleaning"))
    agent = sum(p.amount_yen for p in parts if p.payee_id == "AGENT")
    assert agent == min(cap, initial)


def test_group_by_payee_rejects_non_positive_instalments() -> None:
    bad = Instalment(
        grant_id=1,
        case_id=1,
        case_reference="1",
        benefit_month="2026-04",
        amount_yen=0,
        payee_id="A",
        subsidy="rent",
        kind="monthly_rent",
    )
    with pytest.raises(ScheduleError):
        group_by_payee([bad])

"""Letters of the moving-cost benefit (転居費用補助, R74–R81, PD13): the decision with its cost
lines and payees, and the confirmation of the amount after the move. The cost-cap multiple is passed in.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from letters.breakdown import breakdown_table
from letters.content.base import (
    BENEFIT_NAME,
    LetterCommon,
    Trace,
    check_yen,
    cite,
    compose_letter,
    numbered,
)
from letters.model import (
    LetterContent,
    LetterInputError,
    LetterType,
    Section,
    Table,
    date_text,
    format_yen,
)


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


def build_moving_confirmation_letter(data: MovingConfirmationInput) -> LetterContent:
    """住居確保給付金（転居費用補助）支給額確定通知書: the costs spent, the amount fixed and who is paid
    (R81, PD13). The amount is at most the decided amount and at most the eligible costs spent."""
    check_yen("decided_amount_yen", data.decided_amount_yen, positive=True)
    check_yen("confirmed_amount_yen", data.confirmed_amount_yen, positive=True)
    if not data.costs:
        raise LetterInputError("a confirmation needs the costs spent")
    for line in data.costs:
        check_yen(f"costs.{line.category}", line.amount_yen)
    eligible_total = sum(line.amount_yen for line in data.costs if line.eligible)
    if data.confirmed_amount_yen > min(data.decided_amount_yen, eligible_total):
        raise LetterInputError("the confirmed amount exceeds the decided amount or the eligible costs spent")
    if sum(a.amount_yen for a in data.allocations) != data.confirmed_amount_yen:
        raise LetterInputError("the allocations must add up to the confirmed amount")  # R79
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
    return compose_letter(
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
        sections=(Section(heading="【留意事項】", paragraphs=numbered(notes)),),
        decision=True,
    )


def moving_annex(data: MovingDecisionInput, *, eligible_total: int, excluded_total: int) -> list[Table]:
    """The 別紙 of a moving decision: every cost line with its amount and whether it is eligible, the two
    totals (R76, R77), then the 算定内訳 of the trace: the destination's ceiling × the cap multiple, the
    amount paid as the lower of the eligible costs and the cap, and its split between the payees (R78,
    R79, PD13). Printed on its own page(s) after the letter, so that the decision — the amount, who is paid
    what and when, the conditions and the 教示 — fits page 1 however many cost lines there are (issue 13)."""
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
    working = [
        dataclasses.replace(breakdown_table(data.trace, heading="２　審査及び支給額の算定",
                                            members=data.household_relationships), annex=True)
    ] if data.trace else []
    costs = Table(
        heading="別紙　算定内訳　１　経費の内訳" if working else "別紙　算定内訳　経費の内訳",
        column_headings=("経費", "金額", "区分"),
        rows=cost_rows,
        right_aligned_columns=(1,),
        column_weights=(5, 3, 2),
        annex=True,
    )
    return [costs, *working]


def build_moving_decision_letter(data: MovingDecisionInput) -> LetterContent:
    """住居確保給付金（転居費用補助）支給決定通知書: the amount, the cap, who is paid what and when; the cost
    lines and the working follow as a 別紙 (:func:`moving_annex`).

    Payable = min(sum of eligible costs, cap) (R78, PD13); the allocations must add up to it (R79).
    """
    check_yen("cost_cap_yen", data.cost_cap_yen, positive=True)
    if not data.costs:
        raise LetterInputError("a moving decision needs its cost lines")
    for line in data.costs:
        check_yen(f"costs.{line.category}", line.amount_yen)
    eligible_total = sum(line.amount_yen for line in data.costs if line.eligible)
    excluded_total = sum(line.amount_yen for line in data.costs if not line.eligible)
    payable = min(eligible_total, data.cost_cap_yen)
    if payable <= 0:
        raise LetterInputError("nothing is payable: use the refusal letter")
    if not data.allocations:
        raise LetterInputError("a moving decision must say who is paid what")  # R79
    for allocation in data.allocations:
        check_yen("allocations.amount_yen", allocation.amount_yen, positive=True)
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
    allocation_rows = tuple(
        (
            allocation.payee_name + (f"\n{allocation.account_text}" if allocation.account_text else ""),
            format_yen(allocation.amount_yen),
            # R81: a moving grant is paid once its amount is confirmed from the receipts (支給額確定通知書).
            date_text(allocation.pay_date) if allocation.pay_date else "支給額の確定後",
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
    return compose_letter(
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
                heading="支払先別の支給額",
                column_headings=("支払先", "金額", "支払日"),
                rows=allocation_rows,
                right_aligned_columns=(1,),
                column_weights=(5, 3, 3),
            ),
            *moving_annex(data, eligible_total=eligible_total, excluded_total=excluded_total),
        ),
        sections=(Section(heading="【留意事項】", paragraphs=numbered(notes)),),
        decision=True,
    )

"""The 算定内訳 from a REAL calculation trace (``calculations.contract.assess_payload``), not a sample."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pypdfium2 as pdfium
import pytest

from calculations.contract import assess_payload
from calculations.rate_book import load_rate_book
from letters import (
    ActivityMinimums,
    Addressee,
    DecisionLetterInput,
    Letterhead,
    MovingAllocation,
    MovingCostLine,
    MovingDecisionInput,
    PaymentRoute,
    RefusalLetterInput,
    build_decision_letter,
    build_moving_decision_letter,
    build_refusal_letter,
)
from letters.pdf import render_pdf
from service.calendar import office_calendar

HEAD = Letterhead(municipality_name="千代田区", head_title="千代田区長", head_name="見本　一郎",
                  department="福祉部", contact="電話 03-0000-0000", document_number="7千代生第1号")
PERSON = Addressee(name="山田　太郎")
HOUSEHOLD: list[dict[str, Any]] = [
    {"relationship": "applicant", "birth_date": "1985-04-01", "student": False,
     "incomes": [{"kind": "wages", "amount_yen": 200000, "commuting_allowance_yen": 5000}]},
    {"relationship": "child", "birth_date": "2006-09-01", "student": True,
     "incomes": [{"kind": "wages", "amount_yen": 60000}]},
    {"relationship": "spouse", "birth_date": "1986-04-01", "student": False,
     "incomes": [{"kind": "child_allowance", "amount_yen": 10000}]},
]
RENT: dict[str, Any] = {
    "benefit": "rent", "municipality_code": "131016", "application_date": "2025-05-12", "household": HOUSEHOLD,
    "assets_yen": 300000, "applicant_type": "at_risk", "rent_yen": 90000, "common_charges_yen": 5000,
    "declarations": {"hello_work_registered": True, "similar_benefit": False, "gang_member_in_household": False},
    "lease_initial_costs_paid_on": None, "previous_receipt": None,
    "trigger": {"kind": "job_loss", "date": "2025-03-31", "cause": "dismissal", "main_earner": True,
                "job_search_blocked_days": 0},
}


def assess(facts: dict[str, Any]) -> dict[str, Any]:
    result = assess_payload(facts, load_rate_book(), office_calendar())
    return dict(result)


def pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    try:
        return "".join("".join(document[i].get_textpage().get_text_range().split()) for i in range(len(document)))
    finally:
        document.close()


def relationships(facts: dict[str, Any]) -> tuple[str, ...]:
    return tuple(member["relationship"] for member in facts["household"])


def test_the_decision_letter_explains_a_real_partial_amount() -> None:
    result = assess(RENT)  # income 195,000 > 基準額 172,000 → 基準額 + 家賃 − 収入, then the cap
    assert result["eligible"], result["reasons"]
    letter = build_decision_letter(DecisionLetterInput(
        max_total_months=9, activity=ActivityMinimums(interviews_per_month=4, hello_work_per_month=2, applications_per_week=1),
        letterhead=HEAD, addressee=PERSON, issued_on=date(2025, 5, 30), recipient_name="山田　太郎",
        case_number="000001", application_date=date(2025, 5, 12), decision_date=date(2025, 5, 30),
        first_month="2025-05", last_month="2025-07", monthly_amount_yen=result["amount_yen"], rent_yen=90000,
        payment=PaymentRoute(payee_name="株式会社見本不動産"), trace=result["trace"],
        household_relationships=relationships(RENT)))
    text = "".join(pdf_text(render_pdf(letter, created_at=datetime(2025, 5, 30, tzinfo=UTC))).split())
    amount = f"{result['amount_yen']:,}円"
    for expected in (
        "収入認定額（世帯員1申請者・給与収入（通勤手当を除く））",
        "収入除外（世帯員2子・給与収入（通勤手当を除く））", "就学中の世帯員の収入のため認定しません",
        "収入除外（世帯員3配偶者・児童手当）", "収入として認定しない種類の給付等のため認定しません",
        "基準額172,000円＋家賃90,000円−収入195,000円＝67,000円",
        f"67,000円と上限額69,800円のいずれか低い額＝{amount}",
        # R13 from the real trace's dated parameters (multiplier and cap), never constants in the letter
        "基準額172,000円×6＝1,032,000円と1,000,000円のいずれか低い額＝1,000,000円", "令和9年3月31日", "規則第11条第1項第1号", "【教示】",
    ):
        assert expected in text, expected
    assert "window_last_day" not in text and "student(PD4)" not in text


def test_the_refusal_letter_from_a_real_assessment_lists_every_reason() -> None:
    facts = dict(RENT, assets_yen=5_000_000, household=[dict(HOUSEHOLD[0], incomes=[
        {"kind": "wages", "amount_yen": 400000}])],
        declarations={"hello_work_registered": False, "similar_benefit": False, "gang_member_in_household": False})
    result = assess(facts)
    assert not result["eligible"] and len(result["reasons"]) == 3
    letter = build_refusal_letter(RefusalLetterInput(
        letterhead=HEAD, addressee=PERSON, issued_on=date(2025, 5, 30), recipient_name="山田　太郎",
        case_number="000002", application_date=date(2025, 5, 12), decision_date=date(2025, 5, 30),
        reasons=result["reasons"], trace=result["trace"], household_relationships=("applicant",)))
    text = letter.plain_text()
    assert "申請月の世帯収入額が収入基準額以下であること" in text and "400,000円" in text
    assert "金融資産の合計額が資産基準額以下であること" in text and "5,000,000円" in text
    assert "ハローワークへの求職申込みがされていません。" in text


def test_the_moving_letter_from_a_real_assessment() -> None:
    facts: dict[str, Any] = {
        "benefit": "moving", "municipality_code": "131016", "application_date": "2025-05-12",
        "household": [dict(HOUSEHOLD[0], incomes=[{"kind": "wages", "amount_yen": 100000}])],
        "assets_yen": 200000, "current_rent_yen": 80000, "destination": {"municipality_code": "131041"},
        "declarations": {"hello_work_registered": False, "similar_benefit": False, "gang_member_in_household": False},
        "income_drop": {"month": "2025-01", "cause": "job_loss", "main_earner": True},
        "household_finance_review": {"move_needed": True, "cannot_fund": True},
        "costs": [{"category": "key_money", "amount_yen": 50000}, {"category": "removal", "amount_yen": 140000},
                  {"category": "agency_fee", "amount_yen": 60000}, {"category": "deposit", "amount_yen": 60000}],
    }
    result = assess(facts)
    assert result["eligible"], result["reasons"]
    eligible = {"key_money", "agency_fee", "removal"}
    letter = build_moving_decision_letter(MovingDecisionInput(
            cost_cap_months=3,
        letterhead=HEAD, addressee=PERSON, issued_on=date(2025, 5, 30), recipient_name="山田　太郎",
        case_number="000003", application_date=date(2025, 5, 12), decision_date=date(2025, 5, 30),
        costs=tuple(MovingCostLine(category=c["category"], amount_yen=c["amount_yen"],
                                   eligible=c["category"] in eligible) for c in facts["costs"]),
        cost_cap_yen=result["cost_cap_yen"],
        allocations=(MovingAllocation(payee_name="株式会社見本不動産", amount_yen=result["allocation"]["agent_yen"]),
                     MovingAllocation(payee_name="見本運送", amount_yen=result["allocation"]["other_yen"])),
        trace=result["trace"], household_relationships=("applicant",)))
    text = letter.plain_text()
    for expected in ("現在の家賃額 80,000円 と上限額 53,700円 のいずれか低い額 ＝ 53,700円",
                     "転居先の住宅扶助基準に基づく上限額（東京都新宿区・1級地）",
                     "転居先の上限額 53,700円 × 3 ＝ 161,100円",
                     "補助対象経費 250,000円 と支給上限額 161,100円 のいずれか低い額 ＝ 161,100円",
                     "支給額（転居費用補助）", "110,000円", "51,100円"):
        assert expected in text, expected


@pytest.mark.parametrize(("note", "label"), [
    ("student_income", "就学中の世帯員の収入のため認定しません"),
    ("kind_not_counted", "収入として認定しない種類の給付等のため認定しません"),
    ("student (PD4)", "就学中の世帯員の収入のため認定しません"),  # as decisions stored before 2026-11-29 wrote it
])
def test_trace_notes_read_in_japanese_without_rule_numbers(note: str, label: str) -> None:
    from letters.breakdown import note_label

    assert note_label(note) == label


def test_an_unknown_trace_note_stops_the_letter_rather_than_print_a_code() -> None:
    from letters.breakdown import note_label
    from letters.model import LetterInputError

    with pytest.raises(LetterInputError):
        note_label("R30 something new")

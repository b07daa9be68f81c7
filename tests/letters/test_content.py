"""LetterContent data assertions: every word and number of each letter type."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from letter_samples import (
    E3_TRACE,
    RECIPIENT,
    decision_input,
    largest_moving_decision_input,
    make_letterhead,
    recipient_addressee,
)

from letters import (
    CouncilNoticeInput,
    LetterContent,
    LetterInputError,
    LetterType,
    MovingAllocation,
    RefusalLetterInput,
    StopCause,
    StopNoticeInput,
    build_council_notice,
    build_decision_letter,
    build_refusal_letter,
    build_stop_notice,
    format_yen,
)
from letters.breakdown import breakdown_table
from letters.content import (
    DEFAULT_APPEAL_NOTICE_TEMPLATE,
    ConsentNotOnRecord,
    Letterhead,
    MovingDecisionInput,
    build_moving_decision_letter,
)
from letters.model import Table


def _rows(table: Table) -> dict[str, tuple[str, ...]]:
    return {row[0]: row[1:] for row in table.rows}


DECISION_TYPES = {
    "decision",
    "moving_confirmation",
    "interruption_notice",
    "resumption_notice",
    "refusal",
    "extension_decision",
    "extension_refusal",
    "extension_rejected_late",
    "change_decision",
    "stop_notice",
    "repayment_fraud",
    "moving_decision",
}


def test_amounts_are_formatted_as_yen_with_thousands_separators() -> None:
    assert format_yen(53700) == "53,700円"
    assert format_yen(0) == "0円"
    assert format_yen(1_000_000) == "1,000,000円"
    with pytest.raises(LetterInputError):
        format_yen(53700.0)  # type: ignore[arg-type]
    with pytest.raises(LetterInputError):
        format_yen(True)


def test_every_decision_carries_the_appeal_notice_and_no_notice_letter_does(
    all_letters: dict[str, LetterContent],
) -> None:
    for name, letter in all_letters.items():
        text = "\n".join(letter.appeal_notice)
        if name in DECISION_TYPES:
            assert letter.appeal_heading == "【教示】", name
            assert "3か月以内に、千代田区長に対して審査請求" in text, name
            assert "6か月以内" in text and "千代田区を被告として" in text, name
            assert "行政不服審査法" in text and "行政事件訴訟法" in text, name
        else:
            assert letter.appeal_notice == () and letter.appeal_heading == "", name


def test_the_appeal_notice_wording_is_a_municipal_setting() -> None:
    head = Letterhead(
        municipality_name="八女市",
        head_title="八女市長",
        head_name="見本　二郎",
        department="福祉課",
        contact="電話 0943-00-0000",
        document_number="八福第1号",
        appeal_notice_template=("{municipality_name}への不服は{head_title}へ。",),
    )
    letter = build_decision_letter(dataclasses.replace(decision_input(), letterhead=head))
    assert letter.appeal_notice == ("八女市への不服は八女市長へ。",)
    with pytest.raises(LetterInputError, match="placeholder"):
        dataclasses.replace(head, appeal_notice_template=("{mayor}",))
    assert all("{head_title}" in p for p in DEFAULT_APPEAL_NOTICE_TEMPLATE)


def test_the_decision_letter_states_amount_period_payee_and_dates_in_wareki(
    all_letters: dict[str, LetterContent],
) -> None:
    letter = all_letters["decision"]
    assert letter.letter_type is LetterType.DECISION
    assert letter.title == "住居確保給付金支給決定通知書"
    assert letter.document_number == "千代福第123号"
    assert letter.issued_on_text == "令和8年11月27日"
    assert letter.addressee_line == f"{RECIPIENT}　様"
    assert letter.address_lines == ("〒100-0001　千代田区千代田一丁目2番3号　グリーンハイツ101号",)
    assert letter.sender_lines == ("千代田区長　見本　一郎　（公印省略）",)
    assert letter.record_marker == "記"
    assert "令和8年11月10日付けで申請のあった住居確保給付金" in letter.body[0]
    rows = _rows(letter.tables[0])
    assert rows["支給額（月額）"] == ("44,000円",)
    assert rows["支給期間"] == ("令和8年12月分から令和9年2月分まで（3か月）",)
    assert rows["振込日"] == ("令和8年12月25日（以後毎月25日。金融機関の休業日の場合はその前の営業日）",)
    assert rows["振込先"][0].startswith("株式会社見本不動産\n架空銀行")
    notes = "\n".join(letter.sections[0].paragraphs)
    assert "差額 16,000円" in notes  # R35: rent 60,000 − 44,000
    assert "令和9年2月26日までに延長の申請" in notes
    assert letter.footer == ("問い合わせ先：千代田区 保健福祉部 生活支援課　電話 03-0000-0000（平日 8:30～17:15）",)


def test_the_breakdown_labels_each_step_with_its_rule_basis_and_formula(
    all_letters: dict[str, LetterContent],
) -> None:
    table = all_letters["decision"].tables[1]
    assert table.heading.startswith("別紙　算定内訳") and table.annex
    rows = _rows(table)
    assert rows["世帯人数"] == ("1人", "規則第4条第1号イ")
    assert rows["基準額"] == ("84,000円", "規則第4条第1号イ")
    assert rows["住宅扶助基準に基づく上限額"][0] == "53,700円"
    assert rows["算定家賃額"][0] == "53,700円\n家賃額 60,000円 と上限額 53,700円 のいずれか低い額 ＝ 53,700円"
    assert rows["収入基準額"][0] == "137,700円\n基準額 84,000円 ＋ 算定家賃額 53,700円 ＝ 137,700円"
    assert rows["基準額＋家賃−収入"] == (
        "44,000円\n基準額 84,000円 ＋ 家賃 60,000円 − 収入 100,000円 ＝ 44,000円",
        "規則第11条第1項第1号",
    )
    assert rows["支給額（月額）"][0] == "44,000円\n44,000円 と上限額 53,700円 のいずれか低い額 ＝ 44,000円"
    assert rows["資産基準額"][0].endswith("のいずれか低い額 ＝ 504,000円")
    assert rows["収入認定額（申請者・給与収入（通勤手当を除く））"][0] == "100,000円"


def test_a_full_payment_explains_that_income_is_at_or_below_the_standard_amount() -> None:
    trace = [
        {"step": "household_income_yen", "value": 0, "rule": "R26"},
        {"step": "standard_amount_yen", "value": 84000, "rule": "R11"},
        {"step": "rent_yen", "value": 70000, "rule": "R9"},
        {"step": "rent_ceiling_yen", "value": 53700, "rule": "R10"},
        {"step": "monthly_amount_yen", "value": 53700, "rule": "R32"},
    ]
    rows = _rows(breakdown_table(trace))
    assert rows["支給額（月額）"][0] == (
        "53,700円\n収入が基準額以下のため、家賃額 70,000円 と上限額 53,700円 のいずれか低い額 ＝ 53,700円"
    )


def test_a_formula_that_does_not_add_up_is_left_out_rather_than_printed() -> None:
    trace = [dict(step) for step in E3_TRACE]
    for step in trace:
        if step["step"] == "amount_before_cap_yen":
            step["value"] = 45000
    rows = _rows(breakdown_table(trace))
    assert rows["基準額＋家賃−収入"][0] == "45,000円"


def test_unknown_steps_print_their_name_and_flags_print_as_words() -> None:
    rows = _rows(
        breakdown_table([{"step": "novel_step", "value": 12, "rule": "R99"}, {"step": "flag", "value": True, "rule": ""}])
    )
    assert rows["novel_step"] == ("12", "")
    assert rows["flag"] == ("該当", "")


@pytest.mark.parametrize(
    "bad",
    [
        [{"step": "rent_yen", "value": 60000.0, "rule": "R9"}],
        [{"value": 1, "rule": "R9"}],
        [{"step": "rent_yen", "value": None, "rule": "R9"}],
    ],
)
def test_a_malformed_trace_is_refused(bad: list[dict[str, object]]) -> None:
    with pytest.raises(LetterInputError):
        breakdown_table(bad)


def test_the_refusal_lists_every_unmet_requirement_in_japanese_with_its_basis(
    all_letters: dict[str, LetterContent],
) -> None:
    letter = all_letters["refusal"]
    assert letter.title == "住居確保給付金不支給決定通知書"
    reasons = letter.tables[1]
    assert [row[0] for row in reasons.rows] == ["1", "2", "3"]
    assert "申請月の世帯収入額が収入基準額以下であること" in reasons.rows[0][1]
    assert reasons.rows[0][2] == "規則第10条"
    assert "金融資産 900,000円 が資産基準額 780,000円 を超えています。" in reasons.rows[1][1]
    assert "公共職業安定所に求職の申込み" in reasons.rows[2][1]
    text = letter.plain_text()
    assert "household income" not in text and "not registered" not in text
    breakdown = _rows(letter.tables[2])
    assert breakdown["収入除外（子・給与収入（通勤手当を除く））"][0].startswith("60,000円\n就学中")
    assert breakdown["世帯収入額"][0] == "240,000円\n収入認定額の合計 150,000円 ＋ 90,000円 ＝ 240,000円"


def test_a_refusal_without_reasons_is_refused() -> None:
    with pytest.raises(LetterInputError, match="unmet requirement"):
        build_refusal_letter(
            RefusalLetterInput(
                letterhead=make_letterhead(),
                addressee=recipient_addressee(),
                issued_on=date(2026, 11, 27),
                recipient_name=RECIPIENT,
                case_number="1",
                application_date=date(2026, 11, 10),
                decision_date=date(2026, 11, 27),
                reasons=(),
            )
        )


def test_municipal_wording_per_reason_code_overrides_the_default() -> None:
    letter = build_refusal_letter(
        RefusalLetterInput(
            letterhead=make_letterhead(),
            addressee=recipient_addressee(),
            issued_on=date(2026, 11, 27),
            recipient_name=RECIPIENT,
            case_number="1",
            application_date=date(2026, 11, 10),
            decision_date=date(2026, 11, 27),
            reasons=({"rule": "R20", "code": "income_over_limit", "message": ""},),
            reason_wording={"income_over_limit": "世帯の収入が基準を超えています。"},
        )
    )
    assert letter.tables[1].rows[0][1] == "世帯の収入が基準を超えています。"


def test_extension_letters(all_letters: dict[str, LetterContent]) -> None:
    granted = all_letters["extension_decision"]
    assert granted.title == "住居確保給付金支給期間延長決定通知書"
    rows = _rows(granted.tables[0])
    assert rows["延長後の支給期間"] == ("令和9年3月分から令和9年5月分まで（3か月）",)
    assert rows["通算の支給月数"] == ("6か月（上限9か月）",)
    refused = all_letters["extension_refusal"]
    assert refused.title == "住居確保給付金支給期間延長不支給決定通知書"
    assert _rows(refused.tables[0])["支給の終了"] == ("令和9年2月分をもって支給を終了します",)
    assert refused.tables[1].rows[0][2] == "規則第12条"
    late = all_letters["extension_rejected_late"]
    assert late.title == "住居確保給付金支給期間延長申請却下通知書"
    assert "申請期限である令和9年2月26日を経過した後の申請" in late.body[0]


def test_the_change_letter_states_old_and_new_amount_and_the_month(all_letters: dict[str, LetterContent]) -> None:
    rows = _rows(all_letters["change_decision"].tables[0])
    assert rows["変更前の支給額（月額）"] == ("44,000円",)
    assert rows["変更後の支給額（月額）"] == ("53,700円",)
    assert rows["変更後の額を適用する月"] == ("令和9年2月分から",)


def test_the_stop_notice_states_cause_evidence_and_first_unpaid_month(all_letters: dict[str, LetterContent]) -> None:
    letter = all_letters["stop_notice"]
    rows = _rows(letter.tables[0])
    assert rows["中止する月"] == ("令和9年2月分以降は支給しません",)
    assert rows["中止の理由"][0].startswith("誠実かつ熱心に求職活動を行っていない")
    assert rows["根拠"] == ("生活困窮者自立支援法施行規則第15条",)
    assert letter.sections[0].heading == "【判断の根拠とした資料】"
    assert len(letter.sections[0].paragraphs) == 3


def test_a_stop_without_evidence_is_refused_and_a_repayment_is_announced() -> None:
    base = StopNoticeInput(
        letterhead=make_letterhead(),
        addressee=recipient_addressee(),
        issued_on=date(2027, 2, 10),
        recipient_name=RECIPIENT,
        case_number="1",
        decision_date=date(2027, 2, 10),
        cause=StopCause.left_dwelling,
        evidence=(),
        first_unpaid_month="2027-02",
    )
    with pytest.raises(LetterInputError, match="evidence"):
        build_stop_notice(base)
    letter = build_stop_notice(dataclasses.replace(base, evidence=("退去届（写し）",), repayment_yen=44000))
    assert "44,000円 について返還を請求します" in _rows(letter.tables[0])["返還金"][0]
    fraud = build_stop_notice(
        dataclasses.replace(base, cause=StopCause.false_application, evidence=("調査記録",), repayment_yen=88000)
    )
    assert "生活困窮者自立支援法第18条の規定により徴収します" in _rows(fraud.tables[0])["返還金"][0]


def test_repayment_demands_cite_article_18_only_for_fraud(all_letters: dict[str, LetterContent]) -> None:
    fraud = all_letters["repayment_fraud"]
    rows = _rows(fraud.tables[0])
    assert rows["返還額"] == ("88,000円",)
    assert rows["納付期限"] == ("令和9年3月31日",)
    assert rows["根拠"] == ("生活困窮者自立支援法第18条（不正利得の徴収）",)
    assert _rows(fraud.tables[1])["合計"] == ("88,000円",)
    other = all_letters["repayment_recipient_error"]
    assert "第18条" not in other.plain_text()
    assert _rows(other.tables[0])["根拠"] == ("支給要件を欠く給付金の返還",)


def test_the_moving_decision_shows_costs_cap_and_allocation(all_letters: dict[str, LetterContent]) -> None:
    letter = all_letters["moving_decision"]
    assert letter.title == "住居確保給付金（転居費用補助）支給決定通知書"
    summary = _rows(letter.tables[0])
    assert summary["支給額"] == ("161,100円",)
    payees = letter.tables[1].rows
    assert [row[1] for row in payees] == ["126,000円", "35,100円"]
    # issue 13: the cost lines and the working are the 別紙, so that the decision fits page 1
    assert [table.annex for table in letter.tables] == [False, False, True, True]
    costs = _rows(letter.tables[2])
    assert letter.tables[2].heading.startswith("別紙　算定内訳")
    assert costs["敷金"] == ("60,000円", "対象外")
    assert costs["補助対象経費の合計"] == ("181,000円", "")
    assert costs["補助対象外経費の合計"] == ("90,000円", "")
    working = _rows(letter.tables[3])
    assert working["転居費用補助の上限額"][0].endswith("× 3 ＝ 161,100円")
    assert working["支給額（転居費用補助）"][0].endswith("のいずれか低い額 ＝ 161,100円")
    assert "　算定の内訳は、別紙のとおりです。" in letter.body


def test_a_moving_decision_without_a_trace_still_lists_its_costs_in_the_annex() -> None:
    """The cost lines go to the 別紙 whether or not the decision carries a calculation trace (R76, R77)."""
    data = dataclasses.replace(largest_moving_decision_input(), trace=())
    letter = build_moving_decision_letter(data)
    annex = [table for table in letter.tables if table.annex]
    assert [table.heading for table in annex] == ["別紙　算定内訳　経費の内訳"]
    assert len(annex[0].rows) == len(data.costs) + 2
    assert "　算定の内訳は、別紙のとおりです。" in letter.body


def test_moving_allocations_must_add_up_to_the_payable_amount(all_letters: dict[str, LetterContent]) -> None:
    del all_letters
    base = MovingDecisionInput(
            cost_cap_months=3,
        letterhead=make_letterhead(),
        addressee=recipient_addressee(),
        issued_on=date(2026, 6, 1),
        recipient_name=RECIPIENT,
        case_number="1",
        application_date=date(2026, 5, 12),
        decision_date=date(2026, 6, 1),
        costs=(),
        cost_cap_yen=161100,
        allocations=(MovingAllocation(payee_name="A", amount_yen=1),),
    )
    with pytest.raises(LetterInputError):
        build_moving_decision_letter(base)


def test_proxy_payment_notices_for_each_event(all_letters: dict[str, LetterContent]) -> None:
    grant = all_letters["proxy_grant"]
    assert grant.addressee_line == "株式会社見本不動産　御中"
    assert grant.title == "住居確保給付金の代理受領に関する通知書（支給決定）"
    assert _rows(grant.tables[0])["振込額（月額）"] == ("44,000円",)
    assert "差額 16,000円" in grant.sections[0].paragraphs[0]
    assert _rows(all_letters["proxy_change"].tables[0])["変更後の振込額（月額）"] == ("53,700円",)
    assert _rows(all_letters["proxy_stop"].tables[0])["振込を停止する月"] == ("令和9年2月分以降は振り込みません",)
    assert "延長" in all_letters["proxy_extension"].title
    refused = all_letters["proxy_extension_refused"]
    assert "令和9年3月分以降の家賃" in refused.sections[0].paragraphs[0]


def test_the_council_notice_carries_only_the_minimum_and_needs_consent_on_record(
    all_letters: dict[str, LetterContent],
) -> None:
    """Guide ch.7: the council gets what its loan needs (who, which decision, when, the period), never the
    amount, the landlord's account or the household's income working (R57, R84)."""
    letter = all_letters["council_notice"]
    decision = all_letters["decision"]
    assert letter.addressee_line == "社会福祉法人千代田区社会福祉協議会　御中"
    rows = _rows(letter.tables[0])
    assert rows["決定通知書の文書番号"] == ("千代福第123号",)
    assert rows["決定の種類"] == ("支給決定",)
    assert rows["支給期間"] == ("令和8年12月分から令和9年2月分まで（3か月）",)
    assert len(letter.tables) == 1
    text = letter.plain_text()
    for private in ("円", "銀行", "ｶ)", "算定内訳", "収入", RECIPIENT_ADDRESS_FRAGMENT):
        assert private not in text, private
    assert decision.tables[0].rows  # the decision itself does carry them
    with pytest.raises(ConsentNotOnRecord):
        build_council_notice(
            CouncilNoticeInput(
                letterhead=make_letterhead(),
                addressee=letter.addressee,
                issued_on=date(2026, 11, 27),
                borrower_name=RECIPIENT,
                decision_title=decision.title,
                decision_document_number=decision.document_number,
                decision_date=decision.issued_on,
                consent_on_record=False,
            )
        )


RECIPIENT_ADDRESS_FRAGMENT = "千代田一丁目"


def test_the_remittance_statement_totals_its_lines(all_letters: dict[str, LetterContent]) -> None:
    letter = all_letters["remittance_statement"]
    summary = _rows(letter.tables[0])
    assert summary["件数"] == ("3件",)
    assert summary["振込額の合計"] == ("135,950円",)
    assert letter.tables[1].rows[-1] == ("合計", "", "135,950円")
    assert ("000150　山﨑　花子", "令和8年12月分", "53,700円") in letter.tables[1].rows


def test_decision_input_checks(all_letters: dict[str, LetterContent]) -> None:
    del all_letters
    with pytest.raises(LetterInputError):
        build_decision_letter(dataclasses.replace(decision_input(), monthly_amount_yen=0))
    with pytest.raises(LetterInputError):
        build_decision_letter(dataclasses.replace(decision_input(), first_month="2026-13"))
    with pytest.raises(LetterInputError):
        build_decision_letter(dataclasses.replace(decision_input(), last_month="2026-11"))


def test_interruption_and_resumption_state_the_months_and_the_cap(all_letters: dict[str, LetterContent]) -> None:
    """R42, PD7: a pause keeps the months; the resumption says which months and how many are left."""
    pause = all_letters["interruption_notice"].plain_text()
    assert "令和9年2月分から" in pause and "4か月（通算9か月まで）" in pause and "再開を申し出て" in pause
    resume = all_letters["resumption_notice"].plain_text()
    assert "令和9年5月分から令和9年6月分まで（2か月）" in resume and "44,000円" in resume
    assert "3か月（通算9か月まで）" in resume


@pytest.mark.parametrize(("build", "field", "value"), [
    ("interruption", "months_used", 10), ("interruption", "reason", " "),
    ("resumption", "resumed_months", ()), ("resumption", "monthly_amount_yen", 0), ("resumption", "months_left", -1),
])
def test_impossible_pause_letters_are_refused(all_letters: dict[str, LetterContent], build: str, field: str,
                                              value: object) -> None:
    from letters import (
        InterruptionNoticeInput,
        ResumptionNoticeInput,
        build_interruption_notice,
        build_resumption_notice,
    )

    common = {"letterhead": make_letterhead(), "addressee": recipient_addressee(), "issued_on": date(2027, 1, 15),
              "recipient_name": "山田 太郎", "case_number": "1", "decision_date": date(2027, 1, 15), "max_months": 9}
    data: InterruptionNoticeInput | ResumptionNoticeInput
    if build == "interruption":
        data = InterruptionNoticeInput(**common, first_interrupted_month="2027-02", reason="疾病", months_used=4)
        with pytest.raises(LetterInputError):
            build_interruption_notice(dataclasses.replace(data, **{field: value}))
    else:
        data = ResumptionNoticeInput(**common, resumed_months=("2027-05",), monthly_amount_yen=44000, months_left=3)
        with pytest.raises(LetterInputError):
            build_resumption_notice(dataclasses.replace(data, **{field: value}))


def test_a_confirmation_never_exceeds_the_decided_amount_or_the_costs_spent(
    all_letters: dict[str, LetterContent],
) -> None:
    """R81: the confirmed amount is at most the decided amount and the eligible costs spent."""
    from letters import MovingAllocation, MovingConfirmationInput, MovingCostLine, build_moving_confirmation_letter

    base = MovingConfirmationInput(
        letterhead=make_letterhead(), addressee=recipient_addressee(), issued_on=date(2026, 7, 10),
        recipient_name="山田 太郎", case_number="1", decision_date=date(2026, 7, 10), decided_amount_yen=90000,
        costs=(MovingCostLine(category="key_money", amount_yen=50000, eligible=True),
               MovingCostLine(category="removal", amount_yen=30000, eligible=True)),
        confirmed_amount_yen=80000, allocations=(MovingAllocation(payee_name="株式会社テスト不動産", amount_yen=80000),))
    assert "80,000円" in build_moving_confirmation_letter(base).plain_text()
    for change in ({"confirmed_amount_yen": 90000, "allocations": (MovingAllocation(payee_name="x", amount_yen=90000),)},
                   {"decided_amount_yen": 70000},
                   {"allocations": (MovingAllocation(payee_name="x", amount_yen=70000),)},
                   {"costs": ()}):
        with pytest.raises(LetterInputError):
            build_moving_confirmation_letter(dataclasses.replace(base, **change))  # type: ignore[arg-type]


def test_a_withdrawn_claim_is_notified_with_the_refund(all_letters: dict[str, LetterContent]) -> None:
    """PD9: the withdrawal says which claim ends and what is refunded; no demand, so no 教示."""
    letter = all_letters["repayment_withdrawal"]
    text = letter.plain_text()
    assert "返還請求取消通知書" in letter.title and "44,000円" in text and "20,000円 は還付します" in text
    assert letter.appeal_notice == ()


def test_a_twelve_month_cap_in_the_rate_book_gives_correct_extension_letters() -> None:
    """Issue 13: the cap, the number of extensions and the activity minimums are passed in (dated numbers),
    so a 12-month cap makes a correct third extension letter instead of failing on a constant 9."""
    from letter_samples import build_all_letters

    from letters import (
        ActivityMinimums,
        Addressee,
        ExtensionDecisionInput,
        PaymentRoute,
        build_extension_decision_letter,
    )

    base = {
        "letterhead": make_letterhead(), "addressee": Addressee(name=RECIPIENT), "issued_on": date(2027, 9, 1),
        "recipient_name": RECIPIENT, "case_number": "000123", "application_date": date(2027, 8, 20),
        "decision_date": date(2027, 9, 1), "first_month": "2027-10", "last_month": "2027-12", "monthly_amount_yen": 53700,
        "payment": PaymentRoute(payee_name="株式会社見本不動産"),
        "activity": ActivityMinimums(interviews_per_month=2, hello_work_per_month=1, applications_per_week=2),
    }
    third = build_extension_decision_letter(ExtensionDecisionInput(
        **base, extension_number=3, months_paid_before=9, max_total_months=12, max_extensions=3))
    rows = _rows(third.tables[0])
    assert rows["延長の区分"] == ("再延長（3回目）",)
    assert rows["通算の支給月数"] == ("12か月（上限12か月）",)
    text = third.plain_text()
    assert "これ以上の延長はできません" in text and "月2回以上" in text and "月1回以上" in text
    assert "週2回以上" in text and "令和9年8月20日付けで申請のあった" in text
    with pytest.raises(LetterInputError, match="1..2"):
        build_extension_decision_letter(ExtensionDecisionInput(
            **base, extension_number=3, months_paid_before=6, max_total_months=9, max_extensions=2))
    assert build_all_letters()  # the 9-month samples still build


def test_the_first_transfer_date_is_never_before_the_decision(all_letters: dict[str, LetterContent]) -> None:
    """PD28: back months are paid in the first run after the decision; a date before it is refused."""
    import dataclasses

    from letter_samples import decision_input

    data = decision_input()
    late = dataclasses.replace(data, decision_date=date(2027, 1, 5), issued_on=date(2027, 1, 5),
                               payment=dataclasses.replace(data.payment, first_pay_date=date(2027, 1, 25)))
    text = build_decision_letter(late).plain_text()
    assert "令和8年12月分から令和8年12月分までの分は、初回の振込日（令和9年1月25日）にまとめて振り込みます" in text
    too_early = dataclasses.replace(late, payment=dataclasses.replace(data.payment, first_pay_date=date(2026, 12, 25)))
    with pytest.raises(LetterInputError, match="the first transfer date precedes the decision"):
        build_decision_letter(too_early)


def test_the_causes_are_the_rules_engines_own() -> None:
    """Issue 13: one StopCause and one RepaymentCause, from calculations, so a new cause cannot be missed."""
    import calculations.stops
    import letters

    assert letters.StopCause is calculations.stops.StopCause
    assert letters.RepaymentCause is calculations.stops.RepaymentCause
    from letters.content import STOP_CAUSE_TEXT

    assert set(STOP_CAUSE_TEXT) == set(calculations.stops.StopCause)


def test_the_content_package_has_one_module_per_family_and_keeps_every_name_importable() -> None:
    """Issue 13: letters.content is a package (a common base, one module per family of letters); every
    name the service and tests import from ``letters.content`` is still there, and is the family's own."""
    import letters.content
    from letters.content import base, change, extension, grant, moving, notices, remittance, stop_and_repayment

    assert letters.content.DecisionLetterInput is grant.DecisionLetterInput
    assert letters.content.ExtensionDecisionInput is extension.ExtensionDecisionInput
    assert letters.content.InterruptionNoticeInput is change.InterruptionNoticeInput
    assert letters.content.build_repayment_demand is stop_and_repayment.build_repayment_demand
    assert letters.content.build_moving_decision_letter is moving.build_moving_decision_letter
    assert letters.content.build_council_notice is notices.build_council_notice
    assert letters.content.RemittanceStatementInput is remittance.RemittanceStatementInput
    assert letters.content.Letterhead is base.Letterhead
    for name in letters.content.__all__:
        assert hasattr(letters.content, name), name
    for name in ("StopCause", "RepaymentCause"):
        assert getattr(stop_and_repayment, name) is getattr(calculations_stops(), name)


def calculations_stops() -> object:
    import calculations.stops

    return calculations.stops


@pytest.mark.parametrize("module", ["content/base.py", "content/grant.py", "content/notices.py", "breakdown.py",
                                    "pdf.py", "legal_basis.csv"])
def test_the_template_version_changes_when_any_wording_module_changes(tmp_path: Path, module: str) -> None:
    """Issue 13: the template version is a hash over every module and table of the letters package, the
    content family modules included, so editing any wording gives a new version (never a constant)."""
    import shutil

    import letters
    from letters.snapshot import template_version, wording_hash

    source = Path(letters.__file__).parent
    copy = tmp_path / "letters"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert wording_hash(copy) == wording_hash(source) == template_version()
    target = copy / module
    target.write_bytes(target.read_bytes() + b"\n# a changed word\n")
    assert wording_hash(copy) != wording_hash(source)


def test_a_multiple_in_a_formula_is_the_traced_parameter_never_a_constant() -> None:
    """Issue 13: the 資産基準額 and 転居費用 cap formulas print the rate book's multiple and cap as traced;
    without the parameters the asset formula is left out rather than printing a constant."""
    def rows(trace: list[dict[str, object]]) -> dict[str, tuple[str, ...]]:
        return _rows(breakdown_table(trace))

    base = [{"step": "standard_amount_yen", "value": 84000, "rule": "R11"}]
    asset = {"step": "asset_limit_yen", "value": 672000, "rule": "R13"}
    traced = rows([*base, {"step": "asset_limit_multiplier", "value": 8, "rule": "R13"},
                   {"step": "asset_limit_cap_yen", "value": 1_200_000, "rule": "R13"}, asset])
    assert traced["資産基準額"][0].endswith("基準額 84,000円 × 8 ＝ 672,000円 と 1,200,000円 のいずれか低い額 ＝ 672,000円")
    assert not any("asset_limit" in label for label in traced)  # the parameters are not rows of their own
    assert rows([*base, asset])["資産基準額"] == ("672,000円", "規則第10条")
    ceiling = {"step": "destination_ceiling_yen", "value": 53700, "rule": "R78"}
    cap = {"step": "cost_cap_yen", "value": 214800, "rule": "R78"}
    assert rows([ceiling, cap])["転居費用補助の上限額"][0].endswith("× 4 ＝ 214,800円")

"""Fictional sample letters (one per type and variant) shared by the letters tests."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from letters import (
    ActivityMinimums,
    Addressee,
    ChangeDecisionInput,
    CouncilNoticeInput,
    DecisionLetterInput,
    EligibilityCertificateInput,
    ExtensionDecisionInput,
    ExtensionRefusalInput,
    InterruptionNoticeInput,
    LetterContent,
    Letterhead,
    MovingAllocation,
    MovingConfirmationInput,
    MovingCostLine,
    MovingDecisionInput,
    PaymentRoute,
    ProxyNoticeEvent,
    ProxyPaymentNoticeInput,
    RefusalLetterInput,
    RemittanceLine,
    RemittanceStatementInput,
    RepaymentCause,
    RepaymentDemandInput,
    RepaymentMonth,
    RepaymentWithdrawalInput,
    ResumptionNoticeInput,
    StopCause,
    StopNoticeInput,
    build_change_decision_letter,
    build_council_notice,
    build_decision_letter,
    build_eligibility_certificate,
    build_extension_decision_letter,
    build_extension_refusal_letter,
    build_interruption_notice,
    build_moving_confirmation_letter,
    build_moving_decision_letter,
    build_proxy_payment_notice,
    build_refusal_letter,
    build_remittance_statement,
    build_repayment_demand,
    build_repayment_withdrawal,
    build_resumption_notice,
    build_stop_notice,
)

PINNED_CREATED_AT = datetime(2026, 11, 27, 9, 0, 0, tzinfo=UTC)
RECIPIENT = "髙橋　𠮷男"

# E3 (rules.md §20): 1 person, rent 60,000 + 共益費 5,000, income 100,000 → 44,000
E3_TRACE: tuple[dict[str, object], ...] = (
    {"step": "household_size", "value": 1, "rule": "R8"},
    {"step": "income_counted", "value": 100000, "rule": "R27", "member": "applicant", "kind": "wages"},
    {"step": "household_income_yen", "value": 100000, "rule": "R26"},
    {"step": "standard_amount_yen", "value": 84000, "rule": "R11"},
    {"step": "rent_yen", "value": 60000, "rule": "R9"},
    {"step": "rent_ceiling_yen", "value": 53700, "rule": "R10"},
    {"step": "rent_counted", "value": 53700, "rule": "R12"},
    {"step": "income_limit_yen", "value": 137700, "rule": "R12"},
    {"step": "assets_yen", "value": 300000, "rule": "R21"},
    {"step": "asset_limit_multiplier", "value": 6, "rule": "R13"},
    {"step": "asset_limit_cap_yen", "value": 1000000, "rule": "R13"},
    {"step": "asset_limit_yen", "value": 504000, "rule": "R13"},
    {"step": "amount_before_cap_yen", "value": 44000, "rule": "R32"},
    {"step": "monthly_amount_yen", "value": 44000, "rule": "R32"},
)

REFUSAL_TRACE: tuple[dict[str, object], ...] = (
    {"step": "household_size", "value": 2, "rule": "R8"},
    {"step": "income_counted", "value": 150000, "rule": "R27", "member": "applicant", "kind": "wages"},
    {"step": "income_counted", "value": 90000, "rule": "R29", "member": "spouse", "kind": "pension"},
    {
        "step": "income_excluded",
        "value": 60000,
        "rule": "R30",
        "member": "child",
        "kind": "wages",
        "note": "student_income",
    },
    {"step": "household_income_yen", "value": 240000, "rule": "R26"},
    {"step": "standard_amount_yen", "value": 130000, "rule": "R11"},
    {"step": "rent_yen", "value": 70000, "rule": "R9"},
    {"step": "rent_ceiling_yen", "value": 64000, "rule": "R10"},
    {"step": "rent_counted", "value": 64000, "rule": "R12"},
    {"step": "income_limit_yen", "value": 194000, "rule": "R12"},
    {"step": "assets_yen", "value": 900000, "rule": "R21"},
    {"step": "asset_limit_multiplier", "value": 6, "rule": "R13"},
    {"step": "asset_limit_cap_yen", "value": 1000000, "rule": "R13"},
    {"step": "asset_limit_yen", "value": 780000, "rule": "R13"},
    {"step": "gang_member_check", "value": False, "rule": "R24"},
)

REFUSAL_REASONS: tuple[dict[str, object], ...] = (
    {"rule": "R20", "code": "income_over_limit", "message": "household income 240000 > limit 194000"},
    {"rule": "R21", "code": "assets_over_limit", "message": "金融資産 900,000円 が資産基準額 780,000円 を超えています。"},
    {"rule": "R22", "code": "not_registered_hello_work", "message": "not registered"},
)


def make_letterhead(document_number: str = "千代福第123号") -> Letterhead:
    return Letterhead(
        municipality_name="千代田区",
        head_title="千代田区長",
        head_name="見本　一郎",
        department="保健福祉部 生活支援課",
        contact="電話 03-0000-0000（平日 8:30～17:15）",
        document_number=document_number,
    )


def recipient_addressee() -> Addressee:
    return Addressee(
        name=RECIPIENT,
        postal_code="100-0001",
        address_lines=("千代田区千代田一丁目2番3号　グリーンハイツ101号",),
    )


def landlord_addressee() -> Addressee:
    return Addressee(
        name="株式会社見本不動産",
        honorific="御中",
        postal_code="101-0021",
        address_lines=("千代田区外神田九丁目9番9号",),
    )


PAYMENT = PaymentRoute(
    payee_name="株式会社見本不動産",
    account_text="架空銀行　中央支店　普通　1234567　ｶ)ﾐﾎﾝﾌﾄﾞｳｻﾝ",
    first_pay_date=date(2026, 12, 25),
)


def decision_input() -> DecisionLetterInput:
    return DecisionLetterInput(
        max_total_months=9, activity=ActivityMinimums(interviews_per_month=4, hello_work_per_month=2, applications_per_week=1),
        letterhead=make_letterhead(),
        addressee=recipient_addressee(),
        issued_on=date(2026, 11, 27),
        recipient_name=RECIPIENT,
        case_number="000123",
        application_date=date(2026, 11, 10),
        decision_date=date(2026, 11, 27),
        first_month="2026-12",
        last_month="2027-02",
        monthly_amount_yen=44000,
        rent_yen=60000,
        payment=PAYMENT,
        trace=E3_TRACE,
        extension_deadline=date(2027, 2, 26),
    )


LARGEST_MOVING_COSTS: tuple[tuple[str, int], ...] = (
    ("key_money", 69800),
    ("agency_fee", 76780),
    ("rent_guarantee_fee", 34900),
    ("home_insurance", 15000),
    ("removal", 120000),
    ("cleaning", 33000),
    ("key_replacement", 16500),
    ("deposit", 139600),
    ("advance_rent", 69800),
    ("furniture", 98000),
    ("other", 12000),
)
"""Every cost category of the moving subsidy (PD13), at the size of a large household's move in 1級地."""

LARGEST_MOVING_ELIGIBLE = frozenset(
    {"key_money", "agency_fee", "rent_guarantee_fee", "home_insurance", "removal", "cleaning", "key_replacement"})


def largest_moving_decision_input() -> MovingDecisionInput:
    """The longest realistic 転居費用補助 decision: all eleven cost categories (PD13), eligible costs above
    the cap (so the cap note prints), two payees with long names and an account line, a two-line address,
    and the trace as ``calculations.moving.assess_moving`` writes it (R76–R79)."""
    costs = tuple(MovingCostLine(category=category, amount_yen=amount, eligible=category in LARGEST_MOVING_ELIGIBLE)
                  for category, amount in LARGEST_MOVING_COSTS)
    eligible = sum(line.amount_yen for line in costs if line.eligible)
    excluded = sum(line.amount_yen for line in costs if not line.eligible)
    ceiling, multiplier = 69800, 3
    cap = ceiling * multiplier
    payable = min(eligible, cap)
    agent_costs = sum(amount for category, amount in LARGEST_MOVING_COSTS[:4])
    to_agent = min(agent_costs, payable)
    to_other = payable - to_agent
    return MovingDecisionInput(
        cost_cap_months=multiplier,
        letterhead=make_letterhead("千代福第99999号"),
        addressee=Addressee(
            name="長谷川原　𠮷右衛門之助",
            postal_code="100-0001",
            address_lines=("千代田区千代田一丁目2番3号　グリーンハイツ千代田イーストウイング1203号室",
                           "（株式会社見本ハウジング・アンド・パートナーズ社宅管理部気付）"),
        ),
        issued_on=date(2026, 6, 1),
        recipient_name="長谷川原　𠮷右衛門之助",
        case_number="2026-000300",
        application_date=date(2026, 5, 12),
        decision_date=date(2026, 6, 1),
        costs=costs,
        cost_cap_yen=cap,
        allocations=(
            MovingAllocation(
                payee_name="株式会社見本ハウジング・アンド・パートナーズ　千代田駅前営業所（不動産媒介業者）",
                amount_yen=to_agent,
                account_text="みずほ銀行　東京営業部（0001-001）　普通　1234567　"
                             "ｶ)ﾐﾎﾝﾊｳｼﾞﾝｸﾞｱﾝﾄﾞﾊﾟｰﾄﾅｰｽﾞ",
                pay_date=date(2026, 6, 25),
            ),
            MovingAllocation(payee_name="引越事業者等（領収書等の確認後に支払います）", amount_yen=to_other),
        ),
        trace=(
            {"step": "household_size", "value": 6, "rule": "R8"},
            {"step": "destination_ceiling_yen", "value": ceiling, "rule": "R78", "municipality": "八王子市",
             "grade": "1"},
            {"step": "moving_cost_cap_multiplier", "value": multiplier, "rule": "PD13"},
            {"step": "cost_cap_yen", "value": cap, "rule": "PD13"},
            {"step": "eligible_costs_yen", "value": eligible, "rule": "R76"},
            {"step": "excluded_costs_yen", "value": excluded, "rule": "R77"},
            {"step": "moving_amount_yen", "value": payable, "rule": "R78"},
            {"step": "allocation_agent_yen", "value": to_agent, "rule": "PD13"},
            {"step": "allocation_other_yen", "value": to_other, "rule": "PD13"},
        ),
    )


def build_all_letters() -> dict[str, LetterContent]:
    """One LetterContent per type and variant, keyed by a stable name."""
    head = make_letterhead
    person = recipient_addressee()
    landlord = landlord_addressee()
    letters: dict[str, LetterContent] = {}
    letters["eligibility_certificate"] = build_eligibility_certificate(
        EligibilityCertificateInput(
            letterhead=head("千代福第120号"),
            addressee=person,
            issued_on=date(2026, 11, 20),
            recipient_name=RECIPIENT,
            case_number="000123",
            applicant_type="homeless",
            household_size=1,
            rent_ceiling_yen=53700,
            valid_until=date(2027, 2, 28),
        )
    )
    decision = build_decision_letter(decision_input())
    letters["decision"] = decision
    letters["refusal"] = build_refusal_letter(
        RefusalLetterInput(
            letterhead=head("千代福第124号"),
            addressee=person,
            issued_on=date(2026, 11, 27),
            recipient_name=RECIPIENT,
            case_number="000124",
            application_date=date(2026, 11, 10),
            decision_date=date(2026, 11, 27),
            reasons=REFUSAL_REASONS,
            trace=REFUSAL_TRACE,
        )
    )
    letters["extension_decision"] = build_extension_decision_letter(
        ExtensionDecisionInput(
            max_total_months=9, max_extensions=2, activity=ActivityMinimums(interviews_per_month=4, hello_work_per_month=2, applications_per_week=1),
            letterhead=head("千代福第200号"),
            addressee=person,
            issued_on=date(2027, 3, 5),
            recipient_name=RECIPIENT,
            case_number="000123",
            application_date=date(2027, 2, 20),
            decision_date=date(2027, 3, 5),
            extension_number=1,
            first_month="2027-03",
            last_month="2027-05",
            monthly_amount_yen=44000,
            months_paid_before=3,
            payment=dataclasses.replace(PAYMENT, first_pay_date=date(2027, 3, 25)),
            extension_deadline=date(2027, 5, 31),
        )
    )
    letters["extension_refusal"] = build_extension_refusal_letter(
        ExtensionRefusalInput(
            letterhead=head("千代福第201号"),
            addressee=person,
            issued_on=date(2027, 3, 5),
            recipient_name=RECIPIENT,
            case_number="000123",
            application_date=date(2027, 2, 20),
            decision_date=date(2027, 3, 5),
            last_paid_month="2027-02",
            reasons=({"rule": "R39", "code": "job_search_insufficient", "message": ""},),
        )
    )
    letters["extension_rejected_late"] = build_extension_refusal_letter(
        ExtensionRefusalInput(
            letterhead=head("千代福第202号"),
            addressee=person,
            issued_on=date(2027, 3, 5),
            recipient_name=RECIPIENT,
            case_number="000123",
            application_date=date(2027, 3, 1),
            decision_date=date(2027, 3, 5),
            last_paid_month="2027-02",
            late_application=True,
            extension_deadline=date(2027, 2, 26),
        )
    )
    letters["change_decision"] = build_change_decision_letter(
        ChangeDecisionInput(
            letterhead=head("千代福第210号"),
            addressee=person,
            issued_on=date(2027, 1, 15),
            recipient_name=RECIPIENT,
            case_number="000123",
            application_date=date(2027, 1, 8),
            decision_date=date(2027, 1, 15),
            change_reason="世帯収入の減少",
            old_monthly_amount_yen=44000,
            new_monthly_amount_yen=53700,
            effective_month="2027-02",
            last_month="2027-02",
        )
    )
    letters["stop_notice"] = build_stop_notice(
        StopNoticeInput(
            letterhead=head("千代福第220号"),
            addressee=person,
            issued_on=date(2027, 2, 10),
            recipient_name=RECIPIENT,
            case_number="000123",
            decision_date=date(2027, 2, 10),
            cause=StopCause.job_search_failure,
            cause_detail="令和9年1月の面談等は1回（基準 月4回以上）、職業相談は0回（基準 月2回以上）でした。",
            evidence=(
                "自立相談支援機関の面談記録（令和9年1月分）",
                "公共職業安定所の職業相談確認印（令和9年1月分）",
                "督促の電話連絡記録（令和9年1月12日、1月19日、1月26日）",
            ),
            first_unpaid_month="2027-02",
        )
    )
    letters["interruption_notice"] = build_interruption_notice(
        InterruptionNoticeInput(
            letterhead=head("千代福第223号"),
            addressee=person,
            issued_on=date(2027, 1, 15),
            recipient_name=RECIPIENT,
            case_number="000123",
            decision_date=date(2027, 1, 15),
            first_interrupted_month="2027-02",
            reason="疾病又は負傷により、求職活動を行うことができない状態となったため",
            months_used=4,
            max_months=9,
        )
    )
    letters["resumption_notice"] = build_resumption_notice(
        ResumptionNoticeInput(
            letterhead=head("千代福第224号"),
            addressee=person,
            issued_on=date(2027, 5, 6),
            recipient_name=RECIPIENT,
            case_number="000123",
            decision_date=date(2027, 5, 6),
            resumed_months=("2027-05", "2027-06"),
            monthly_amount_yen=44000,
            months_left=3,
            max_months=9,
        )
    )
    letters["repayment_fraud"] = build_repayment_demand(
        RepaymentDemandInput(
            letterhead=head("千代福第230号"),
            addressee=person,
            issued_on=date(2027, 3, 1),
            recipient_name=RECIPIENT,
            case_number="000123",
            decision_date=date(2027, 3, 1),
            cause=RepaymentCause.fraud,
            amount_yen=88000,
            due_date=date(2027, 3, 31),
            payment_instructions=("同封の納付書により、金融機関又はコンビニエンスストアで納付してください。",),
            months=(
                RepaymentMonth(benefit_month="2026-12", amount_yen=44000),
                RepaymentMonth(benefit_month="2027-01", amount_yen=44000),
            ),
        )
    )
    letters["repayment_recipient_error"] = build_repayment_demand(
        RepaymentDemandInput(
            letterhead=head("千代福第231号"),
            addressee=person,
            issued_on=date(2027, 3, 1),
            recipient_name=RECIPIENT,
            case_number="000123",
            decision_date=date(2027, 3, 1),
            cause=RepaymentCause.recipient_error,
            amount_yen=44000,
            due_date=date(2027, 3, 31),
            payment_instructions=("同封の納付書により納付してください。",),
        )
    )
    letters["repayment_withdrawal"] = build_repayment_withdrawal(
        RepaymentWithdrawalInput(
            letterhead=head("千代福第232号"),
            addressee=person,
            issued_on=date(2027, 4, 2),
            recipient_name=RECIPIENT,
            case_number="000123",
            decision_date=date(2027, 4, 2),
            withdrawn_amount_yen=44000,
            reason="返還額を確認し直した結果、返還を求める給付金がないことが分かったため",
            refund_yen=20000,
        )
    )
    letters["moving_decision"] = build_moving_decision_letter(
        MovingDecisionInput(
            cost_cap_months=3,
            letterhead=head("千代福第240号"),
            addressee=person,
            issued_on=date(2026, 6, 1),
            recipient_name=RECIPIENT,
            case_number="000300",
            application_date=date(2026, 5, 12),
            decision_date=date(2026, 6, 1),
            costs=(
                MovingCostLine(category="key_money", amount_yen=60000, eligible=True),
                MovingCostLine(category="agency_fee", amount_yen=66000, eligible=True),
                MovingCostLine(category="removal", amount_yen=55000, eligible=True),
                MovingCostLine(category="deposit", amount_yen=60000, eligible=False),
                MovingCostLine(category="furniture", amount_yen=30000, eligible=False),
            ),
            cost_cap_yen=161100,
            allocations=(
                MovingAllocation(
                    payee_name="株式会社見本不動産",
                    amount_yen=126000,
                    account_text="架空銀行　中央支店　普通　1234567",
                    pay_date=date(2026, 6, 25),
                ),
                MovingAllocation(payee_name="見本運送株式会社", amount_yen=35100, pay_date=date(2026, 6, 25)),
            ),
            trace=(
                {"step": "eligible_costs_yen", "value": 181000, "rule": "R76"},
                {"step": "excluded_costs_yen", "value": 90000, "rule": "R77"},
                {"step": "destination_ceiling_yen", "value": 53700, "rule": "R78"},
                {"step": "moving_cost_cap_multiplier", "value": 3, "rule": "PD13"},
                {"step": "cost_cap_yen", "value": 161100, "rule": "R78"},
                {"step": "moving_amount_yen", "value": 161100, "rule": "R78"},
                {"step": "allocation_agent_yen", "value": 126000, "rule": "PD13"},
                {"step": "allocation_other_yen", "value": 35100, "rule": "PD13"},
            ),
        )
    )
    letters["moving_confirmation"] = build_moving_confirmation_letter(
        MovingConfirmationInput(
            letterhead=head("千代福第241号"),
            addressee=person,
            issued_on=date(2026, 7, 10),
            recipient_name=RECIPIENT,
            case_number="000300",
            decision_date=date(2026, 7, 10),
            decided_amount_yen=161100,
            costs=(
                MovingCostLine(category="key_money", amount_yen=50000, eligible=True),
                MovingCostLine(category="agency_fee", amount_yen=60000, eligible=True),
                MovingCostLine(category="removal", amount_yen=40000, eligible=True),
                MovingCostLine(category="deposit", amount_yen=60000, eligible=False),
            ),
            confirmed_amount_yen=150000,
            allocations=(
                MovingAllocation(payee_name="株式会社みどり不動産", amount_yen=110000),
                MovingAllocation(payee_name="さくら引越センター", amount_yen=40000),
            ),
        )
    )
    proxy_common = {
        "addressee": landlord,
        "tenant_name": RECIPIENT,
        "case_number": "000123",
        "dwelling_text": "千代田区千代田一丁目2番3号　グリーンハイツ101号",
    }
    letters["proxy_grant"] = build_proxy_payment_notice(
        ProxyPaymentNoticeInput(
            letterhead=head("千代福第125号"),
            issued_on=date(2026, 11, 27),
            event=ProxyNoticeEvent.GRANT,
            monthly_amount_yen=44000,
            first_month="2026-12",
            last_month="2027-02",
            first_pay_date=date(2026, 12, 25),
            rent_yen=60000,
            **proxy_common,  # type: ignore[arg-type]
        )
    )
    letters["proxy_change"] = build_proxy_payment_notice(
        ProxyPaymentNoticeInput(
            letterhead=head("千代福第211号"),
            issued_on=date(2027, 1, 15),
            event=ProxyNoticeEvent.CHANGE,
            monthly_amount_yen=53700,
            old_monthly_amount_yen=44000,
            first_month="2027-02",
            last_month="2027-02",
            first_pay_date=date(2027, 2, 25),
            **proxy_common,  # type: ignore[arg-type]
        )
    )
    letters["proxy_stop"] = build_proxy_payment_notice(
        ProxyPaymentNoticeInput(
            letterhead=head("千代福第221号"),
            issued_on=date(2027, 2, 10),
            event=ProxyNoticeEvent.STOP,
            first_unpaid_month="2027-02",
            **proxy_common,  # type: ignore[arg-type]
        )
    )
    letters["proxy_interruption"] = build_proxy_payment_notice(
        ProxyPaymentNoticeInput(
            letterhead=head("千代福第225号"),
            issued_on=date(2027, 1, 15),
            event=ProxyNoticeEvent.INTERRUPTION,
            first_unpaid_month="2027-02",
            **proxy_common,  # type: ignore[arg-type]
        )
    )
    letters["proxy_resumption"] = build_proxy_payment_notice(
        ProxyPaymentNoticeInput(
            letterhead=head("千代福第226号"),
            issued_on=date(2027, 5, 6),
            event=ProxyNoticeEvent.RESUMPTION,
            monthly_amount_yen=44000,
            first_month="2027-05",
            last_month="2027-06",
            first_pay_date=date(2027, 5, 25),
            **proxy_common,  # type: ignore[arg-type]
        )
    )
    letters["proxy_extension"] = build_proxy_payment_notice(
        ProxyPaymentNoticeInput(
            letterhead=head("千代福第203号"),
            issued_on=date(2027, 3, 5),
            event=ProxyNoticeEvent.EXTENSION,
            monthly_amount_yen=44000,
            first_month="2027-03",
            last_month="2027-05",
            first_pay_date=date(2027, 3, 25),
            **proxy_common,  # type: ignore[arg-type]
        )
    )
    letters["proxy_extension_refused"] = build_proxy_payment_notice(
        ProxyPaymentNoticeInput(
            letterhead=head("千代福第204号"),
            issued_on=date(2027, 3, 5),
            event=ProxyNoticeEvent.EXTENSION_REFUSED,
            last_paid_month="2027-02",
            **proxy_common,  # type: ignore[arg-type]
        )
    )
    letters["council_notice"] = build_council_notice(
        CouncilNoticeInput(
            letterhead=head("千代福第126号"),
            addressee=Addressee(name="社会福祉法人千代田区社会福祉協議会", honorific="御中"),
            issued_on=date(2026, 11, 27),
            borrower_name=RECIPIENT,
            decision_title=decision.title,
            decision_document_number=decision.document_number,
            decision_date=decision.issued_on,
            first_month="2026-12",
            last_month="2027-02",
            consent_on_record=True,
        )
    )
    letters["remittance_statement"] = build_remittance_statement(
        RemittanceStatementInput(
            letterhead=head("千代福第300号"),
            addressee=landlord,
            issued_on=date(2026, 12, 18),
            pay_date=date(2026, 12, 25),
            account_text="架空銀行　中央支店　普通　1234567　ｶ)ﾐﾎﾝﾌﾄﾞｳｻﾝ",
            lines=(
                RemittanceLine(reference=f"000123　{RECIPIENT}", benefit_month="2026-12", amount_yen=44000),
                RemittanceLine(reference="000150　山﨑　花子", benefit_month="2026-12", amount_yen=53700),
                RemittanceLine(reference="000151　佐藤　次郎", benefit_month="2026-12", amount_yen=38250),
            ),
        )
    )
    return letters

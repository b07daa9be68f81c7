"""Letters ending a grant and claiming money back: 支給中止通知書 (R58–R61),
返還請求書 (R62–R64, PD9) and 返還請求取消通知書. The causes are the calculations' own
:class:`~calculations.stops.StopCause` and :class:`~calculations.stops.RepaymentCause`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from calculations.stops import RepaymentCause, StopCause
from letters.content.base import (
    BENEFIT_NAME,
    LetterCommon,
    check_month,
    check_text,
    check_yen,
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
    month_text,
)
from letters.reference import legal_basis

STOP_CAUSE_TEXT: dict[StopCause, str] = {
    StopCause.job_search_failure: (
        "誠実かつ熱心に求職活動を行っていないこと、又は支給に関する指示に従わなかったこと"
    ),
    StopCause.income_over_limit: "常用就職（又は就業機会の増加）により、世帯収入額が収入基準額を超えたこと",
    StopCause.left_dwelling: "支給決定後、住宅から退去したこと",
    StopCause.false_application: "支給申請に虚偽があったこと",
    StopCause.gang_member: "受給者又は世帯員が暴力団員であることが判明したこと",
    StopCause.imprisonment: "受給者が拘禁刑以上の刑に処せられたこと",
    StopCause.public_assistance: "受給者が生活保護を受給することとなったこと",
    StopCause.death: "受給者が死亡したこと",
    StopCause.whereabouts_unknown: "受給者の所在が不明となったこと",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class StopNoticeInput(LetterCommon):
    """住居確保給付金支給中止通知書 (R58–R61, PD8, PD9, PD16)."""

    recipient_name: str
    case_number: str
    decision_date: date
    cause: StopCause
    cause_detail: str = ""
    evidence: tuple[str, ...]
    """The evidence relied on (PD16: a stop needs it; R52: objective documents)."""
    first_unpaid_month: str
    repayment_yen: int = 0
    """Money already paid for months the stop removes (PD9); 0 when none."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RepaymentWithdrawalInput(LetterCommon):
    """住居確保給付金返還請求取消通知書 (PD9): the claim is withdrawn; money already paid back is refunded."""

    recipient_name: str
    case_number: str
    decision_date: date
    withdrawn_amount_yen: int
    """What the withdrawn claim asked for."""
    reason: str
    refund_yen: int = 0
    """Already paid back against the claim, to be refunded."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RepaymentMonth:
    """One benefit month claimed back."""

    benefit_month: str
    amount_yen: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RepaymentDemandInput(LetterCommon):
    """住居確保給付金返還請求書 (R62–R64, PD9)."""

    recipient_name: str
    case_number: str
    decision_date: date
    cause: RepaymentCause
    amount_yen: int
    due_date: date
    payment_instructions: tuple[str, ...]
    """How to pay (納付書, 口座 …), one line each."""
    months: tuple[RepaymentMonth, ...] = ()
    """Optional breakdown; when given it must add up to ``amount_yen``."""
    cause_detail: str = ""
    stop_document_number: str = ""
    """The 支給中止通知書 this claim follows (its 文書番号), cited with its date and legal basis."""
    stop_decision_date: date | None = None


def build_stop_notice(data: StopNoticeInput) -> LetterContent:
    """住居確保給付金支給中止通知書: cause, evidence relied on, first month not paid, repayment (R58–R61)."""
    check_month("first_unpaid_month", data.first_unpaid_month)
    check_yen("repayment_yen", data.repayment_yen)
    if not data.evidence or not all(item.strip() for item in data.evidence):
        raise LetterInputError("a stop decision must list the evidence relied on")  # PD16, R52
    cause = STOP_CAUSE_TEXT[data.cause]
    if data.cause_detail:
        cause = f"{cause}\n{data.cause_detail}"
    rows = [
        ("受給者番号", data.case_number),
        ("支給対象者", data.recipient_name),
        ("中止の理由", cause),
        ("中止する月", f"{month_text(data.first_unpaid_month)}以降は支給しません"),
        ("根拠", legal_basis("R59")),
    ]
    if data.repayment_yen:
        fraud = data.cause is StopCause.false_application
        basis = f"{legal_basis('R62')}の規定により徴収します" if fraud else "返還を請求します"
        rows.append(
            (
                "返還金",
                f"既に支給した給付金のうち {format_yen(data.repayment_yen)} について{basis}。"
                "金額、納付期限及び納付方法は、別途送付する返還請求書によりお知らせします。",
            )
        )
    return compose_letter(
        data,
        letter_type=LetterType.STOP_NOTICE,
        title=f"{BENEFIT_NAME}支給中止通知書",
        body=(
            f"　あなたに支給している{BENEFIT_NAME}については、下記の理由により、"
            f"{month_text(data.first_unpaid_month)}"
            f"以降の支給を中止することに{date_text(data.decision_date)}付けで決定したので通知します。",
        ),
        tables=(Table(heading="", column_headings=("項目", "内容"), rows=tuple(rows)),),
        sections=(Section(heading="【判断の根拠とした資料】", paragraphs=numbered(data.evidence)),),
        decision=True,
    )


def build_repayment_demand(data: RepaymentDemandInput) -> LetterContent:
    """住居確保給付金返還請求書 (R62–R64, PD9).

    Fraud (``RepaymentCause.fraud``) is collected under 生活困窮者自立支援法第18条, a decision (処分)
    that carries the 教示. The other causes are a request to return money paid without entitlement;
    they follow the stop decision, which carried the 教示, so none is printed again.
    """
    check_yen("amount_yen", data.amount_yen, positive=True)
    if not data.payment_instructions:
        raise LetterInputError("a repayment demand must say how to pay")
    if data.months:
        for month in data.months:
            check_month("months", month.benefit_month)
            check_yen("months.amount_yen", month.amount_yen, positive=True)
        if sum(month.amount_yen for month in data.months) != data.amount_yen:
            raise LetterInputError("the months of a repayment demand do not add up to its amount")
    fraud = data.cause is RepaymentCause.fraud
    municipality = data.letterhead.municipality_name
    if fraud:
        basis = f"{legal_basis('R62')}（不正利得の徴収）"
        reason = "偽りその他不正の手段により給付金の支給を受けたため"
        request = f"{legal_basis('R62')}の規定により、下記のとおり徴収します"
    elif data.cause is RepaymentCause.administrative_error:
        basis = "支給要件を欠く給付金の返還"
        reason = f"{municipality}の事務処理の誤りにより、給付金を過大に支給していたため"
        request = "誠に申し訳ありませんが、下記のとおり返還をお願いします"
    else:
        basis = "支給要件を欠く給付金の返還"
        reason = "支給要件を満たさない期間について給付金が支給されていたため"
        request = "下記のとおり返還を請求します"
    cause = reason + (f"\n{data.cause_detail}" if data.cause_detail else "")
    if data.stop_document_number:
        stopped_on = f"{date_text(data.stop_decision_date)}付け" if data.stop_decision_date else ""
        cause += (f"\n{stopped_on}{data.stop_document_number}「{BENEFIT_NAME}支給中止通知書」"
                  f"（{legal_basis('R59')}による支給の中止）のとおり")
    if data.due_date < data.issued_on:
        raise LetterInputError("the 納付期限 precedes the letter's date")
    rows = (
        ("受給者番号", data.case_number),
        ("受給者", data.recipient_name),
        ("返還を求める理由", cause),
        ("返還額", format_yen(data.amount_yen)),
        ("納付期限", date_text(data.due_date)),
        ("納付方法", "\n".join(data.payment_instructions)),
        ("根拠", basis),
    )
    tables = [Table(heading="", column_headings=("項目", "内容"), rows=rows)]
    if data.months:
        month_rows = tuple((month_text(m.benefit_month), format_yen(m.amount_yen)) for m in data.months)
        tables.append(
            Table(
                heading="返還額の内訳",
                column_headings=("対象月", "金額"),
                rows=(*month_rows, ("合計", format_yen(data.amount_yen))),
                right_aligned_columns=(1,),
            )
        )
    notes = (
        ("納付期限までに納付されない場合は、督促を行うことがあります。",)
        if fraud
        else ("分割での納付を希望する場合その他納付についての相談は、下記の問い合わせ先にご連絡ください。",)
    )
    return compose_letter(
        data,
        letter_type=LetterType.REPAYMENT_DEMAND,
        title=f"{BENEFIT_NAME}返還請求書",
        body=(
            f"　{date_text(data.decision_date)}付けで、あなたに支給した{BENEFIT_NAME}について、"
            f"{reason}、{request}。",
        ),
        tables=tables,
        sections=(Section(heading="【留意事項】", paragraphs=notes),),
        decision=fraud,
    )


def build_repayment_withdrawal(data: RepaymentWithdrawalInput) -> LetterContent:
    """住居確保給付金返還請求取消通知書: the claim is withdrawn, and what was paid back is refunded (PD9).

    Favourable to the recipient and not a demand, so no 教示 is printed."""
    check_yen("withdrawn_amount_yen", data.withdrawn_amount_yen, positive=True)
    check_yen("refund_yen", data.refund_yen)
    check_text("reason", data.reason)
    rows = [
        ("受給者番号", data.case_number),
        ("受給者", data.recipient_name),
        ("取り消す返還請求の額", format_yen(data.withdrawn_amount_yen)),
        ("取消の理由", data.reason),
    ]
    notes = ["この通知により、先にお送りした返還請求書による納付は不要となります。"]
    if data.refund_yen:
        rows.append(("還付する額", format_yen(data.refund_yen)))
        notes.append(f"既に納付された {format_yen(data.refund_yen)} は還付します。還付の手続は別途お知らせします。")
    return compose_letter(
        data,
        letter_type=LetterType.REPAYMENT_WITHDRAWAL,
        title=f"{BENEFIT_NAME}返還請求取消通知書",
        body=(
            f"　あなたに対する{BENEFIT_NAME}の返還請求については、下記の理由により、"
            f"{date_text(data.decision_date)}付けで取り消したので通知します。",
        ),
        tables=(Table(heading="", column_headings=("項目", "内容"), rows=tuple(rows)),),
        sections=(Section(heading="【留意事項】", paragraphs=numbered(notes)),),
        decision=False,
    )

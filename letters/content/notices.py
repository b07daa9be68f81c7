"""Notices to third parties: the landlord or agent paid by 代理受領 (R45, R57, R84) and the
社会福祉協議会 (only with the recipient's consent, only the minimum it needs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from letters.content.base import (
    BENEFIT_NAME,
    LetterCommon,
    check_month,
    check_text,
    check_yen,
    compose_letter,
    numbered,
    pay_schedule_text,
)
from letters.model import (
    ConsentNotOnRecord,
    LetterContent,
    LetterType,
    Section,
    Table,
    add_months,
    date_text,
    format_yen,
    month_text,
    period_text,
)


class ProxyNoticeEvent(StrEnum):
    """The event a landlord/agent is told about (R57, R84)."""

    GRANT = "grant"
    CHANGE = "change"
    STOP = "stop"
    EXTENSION = "extension"
    EXTENSION_REFUSED = "extension_refused"
    INTERRUPTION = "interruption"
    RESUMPTION = "resumption"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProxyPaymentNoticeInput(LetterCommon):
    """Notice to the landlord/agent receiving the benefit by 代理受領 (R45, R57, R84)."""

    event: ProxyNoticeEvent
    tenant_name: str
    case_number: str
    dwelling_text: str = ""
    """The rented dwelling (所在地, room), so that a 管理会社 with many units can match the transfer."""
    remitter_name: str = ""
    """振込依頼人名: the name the transfer shows on the landlord's statement (the 全銀 委託者名)."""
    monthly_amount_yen: int = 0
    first_month: str = ""
    last_month: str = ""
    first_pay_date: date | None = None
    pay_day_of_month: int = 25
    old_monthly_amount_yen: int = 0
    """CHANGE: the amount before."""
    first_unpaid_month: str = ""
    """STOP: no transfer from this month."""
    last_paid_month: str = ""
    """EXTENSION_REFUSED: the last month transferred."""
    rent_yen: int = 0
    """When above the amount, the tenant pays the balance directly (R35)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CouncilNoticeInput(LetterCommon):
    """Notice of a decision to the 社会福祉協議会 for a 生活福祉資金 borrower (R57, R84).

    Only what the council needs to coordinate its loan (guide ch.7: share the minimum necessary, with
    the person's consent): who, which decision, when, and the benefit period. Never the amounts, the
    landlord's account or the household's income."""

    borrower_name: str
    decision_title: str
    decision_document_number: str
    decision_date: date
    first_month: str = ""
    """The benefit period the decision sets, when it sets one."""
    last_month: str = ""
    consent_on_record: bool
    """The recipient's consent to share the decision; without it the builder refuses."""


_PROXY_SUBTITLES: dict[ProxyNoticeEvent, str] = {
    ProxyNoticeEvent.GRANT: "支給決定",
    ProxyNoticeEvent.CHANGE: "支給額変更",
    ProxyNoticeEvent.STOP: "支給中止",
    ProxyNoticeEvent.EXTENSION: "支給期間延長",
    ProxyNoticeEvent.EXTENSION_REFUSED: "支給期間延長不支給",
    ProxyNoticeEvent.INTERRUPTION: "支給中断",
    ProxyNoticeEvent.RESUMPTION: "支給再開",
}


def build_proxy_payment_notice(data: ProxyPaymentNoticeInput) -> LetterContent:
    """Notice to the landlord/agent paid by 代理受領 (R45, R57, R84).

    Variants: grant, change, stop, extension, refused extension, interruption and resumption (R42).

    Informational: the landlord is not the addressee of the decision, so no 教示 is printed.
    """
    event = data.event
    rows: list[tuple[str, str]] = [("受給者番号", data.case_number), ("入居者", data.tenant_name)]
    if data.dwelling_text:
        rows.append(("物件", data.dwelling_text))
    notes: list[str] = []
    if event in (ProxyNoticeEvent.GRANT, ProxyNoticeEvent.EXTENSION, ProxyNoticeEvent.CHANGE,
                 ProxyNoticeEvent.RESUMPTION):
        check_yen("monthly_amount_yen", data.monthly_amount_yen, positive=True)
        check_month("first_month", data.first_month)
        check_month("last_month", data.last_month)
        if event is ProxyNoticeEvent.CHANGE:
            check_yen("old_monthly_amount_yen", data.old_monthly_amount_yen)
            rows += [
                ("変更前の振込額（月額）", format_yen(data.old_monthly_amount_yen)),
                ("変更後の振込額（月額）", format_yen(data.monthly_amount_yen)),
                ("変更後の額の適用", f"{month_text(data.first_month)}から"),
            ]
            lead = "下記の入居者に係る住居確保給付金の支給額を変更しましたので、お知らせします。"
        else:
            rows.append(("振込額（月額）", format_yen(data.monthly_amount_yen)))
            what = {ProxyNoticeEvent.GRANT: "支給を決定しました", ProxyNoticeEvent.EXTENSION: "支給期間の延長を決定しました",
                    ProxyNoticeEvent.RESUMPTION: "支給の再開を決定しました"}[event]
            lead = (
                f"下記の入居者に係る住居確保給付金の{what}ので、"
                "代理受領により貴殿（貴社）の口座へ振り込みます。"
            )
        rows += [
            ("対象期間", period_text(data.first_month, data.last_month)),
            ("振込日", pay_schedule_text(data.first_pay_date, data.pay_day_of_month)),
        ]
        if data.remitter_name:
            rows.append(("振込依頼人名", data.remitter_name))
        if data.rent_yen:
            check_yen("rent_yen", data.rent_yen)
            if data.rent_yen > data.monthly_amount_yen:
                notes.append(
                    f"家賃額 {format_yen(data.rent_yen)} との差額 "
                    f"{format_yen(data.rent_yen - data.monthly_amount_yen)}"
                    " 及び共益費・管理費等は、入居者から直接お支払いいただきます。"
                )
        notes.append(
            "住居確保給付金は家賃への充当以外に用いることはできません。入居者が退去した場合等は、速やかにご連絡ください。"
        )
    elif event is ProxyNoticeEvent.STOP:
        check_month("first_unpaid_month", data.first_unpaid_month)
        rows.append(("振込を停止する月", f"{month_text(data.first_unpaid_month)}以降は振り込みません"))
        lead = "下記の入居者に係る住居確保給付金の支給を中止しましたので、お知らせします。"
        notes.append(
            f"{month_text(data.first_unpaid_month)}以降の家賃は、入居者から直接お支払いいただくことになります。"
        )
    elif event is ProxyNoticeEvent.INTERRUPTION:
        check_month("first_unpaid_month", data.first_unpaid_month)
        rows.append(("振込を中断する月", f"{month_text(data.first_unpaid_month)}から振込を中断します"))
        lead = "下記の入居者に係る住居確保給付金の支給を中断しましたので、お知らせします。"
        notes.append(
            "中断している間の家賃は、入居者から直接お支払いいただくことになります。"
            "支給を再開するときは、改めてお知らせします。"
        )
    else:
        check_month("last_paid_month", data.last_paid_month)
        rows.append(("最後の振込", f"{month_text(data.last_paid_month)}をもって振込を終了します"))
        lead = (
            "下記の入居者に係る住居確保給付金の支給期間の延長は行わないこととなりましたので、お知らせします。"
        )
        notes.append(
            f"{month_text(add_months(data.last_paid_month, 1))}以降の家賃は、"
            "入居者から直接お支払いいただくことになります。"
        )
    return compose_letter(
        data,
        letter_type=LetterType.PROXY_PAYMENT_NOTICE,
        title=f"{BENEFIT_NAME}の代理受領に関する通知書（{_PROXY_SUBTITLES[event]}）",
        body=(f"　日頃から住居確保給付金事業にご協力いただき、ありがとうございます。{lead}",),
        tables=(Table(heading="", column_headings=("項目", "内容"), rows=tuple(rows)),),
        sections=(Section(heading="【お願い】", paragraphs=numbered(notes)),),
        decision=False,
    )


def build_council_notice(data: CouncilNoticeInput) -> LetterContent:
    """Notice of a decision to the 社会福祉協議会 for a 生活福祉資金 borrower (R57, R84): the minimum the
    council needs (who, which decision, its date and period), never amounts, accounts or income.

    Raises :class:`ConsentNotOnRecord` unless the recipient's consent to share it is on record.
    """
    if not data.consent_on_record:  # R57, R84
        raise ConsentNotOnRecord("the recipient's consent to send the decision to the 社会福祉協議会 is not on record")
    check_text("decision_title", data.decision_title)
    rows = [
        ("対象者", data.borrower_name),
        ("決定の種類", data.decision_title.removeprefix(BENEFIT_NAME).removesuffix("通知書") or data.decision_title),
        ("決定通知書の文書番号", data.decision_document_number),
        ("決定日", date_text(data.decision_date)),
    ]
    if data.first_month and data.last_month:
        check_month("first_month", data.first_month)
        check_month("last_month", data.last_month)
        rows.append(("支給期間", period_text(data.first_month, data.last_month)))
    return compose_letter(
        data,
        letter_type=LetterType.COUNCIL_NOTICE,
        title=f"{BENEFIT_NAME}に係る決定について（お知らせ）",
        body=(
            "　生活福祉資金の貸付けを受けている下記の方について、住居確保給付金に係る決定を行いましたので、"
            "本人の同意に基づき、貸付けの調整に必要な範囲でお知らせします。",
        ),
        tables=(Table(heading="", column_headings=("項目", "内容"), rows=tuple(rows)),),
        sections=(Section(heading="【お願い】", paragraphs=(
            "この通知に記載した個人情報は、生活福祉資金の貸付けに関する事務以外に用いないでください。",)),),
        decision=False,
    )

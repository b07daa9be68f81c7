"""The common base of every letter: who sends it (:class:`Letterhead`), to whom (:class:`Addressee`
with its 〒), the date printed on it (:class:`LetterCommon`), where and when the benefit is transferred
(:class:`PaymentRoute`), the dated job-search minimums (:class:`ActivityMinimums`), and the pieces every
family of letters shares: the 宛名 lines, the 教示, citing a 法・規則 article, the 別紙 算定内訳.

Nothing here is a dated number: months, minimums and multiples come in through the inputs (from the
rate book), so a municipality with another cap or minimum gets correct letters without a code change.
"""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from letters.breakdown import breakdown_table
from letters.model import (
    Addressee,
    LetterContent,
    LetterInputError,
    LetterType,
    Section,
    Table,
    date_text,
    format_yen,
)
from letters.reference import legal_basis
from letters.wareki import parse_month

Trace = Sequence[Mapping[str, object]]


Reasons = Sequence[Mapping[str, object]]


BENEFIT_NAME = "住居確保給付金"


DEFAULT_APPEAL_NOTICE_TEMPLATE: tuple[str, ...] = (
    "１　この決定に不服がある場合は、この決定があったことを知った日の翌日から起算して3か月以内に、"
    "{head_title}に対して審査請求をすることができます（行政不服審査法）。"
    "ただし、この決定があったことを知った日の翌日から起算して3か月以内であっても、"
    "この決定の日の翌日から起算して1年を経過すると審査請求をすることができなくなります。",
    "２　この決定の取消しを求める訴えは、この決定があったことを知った日の翌日から起算して6か月以内に、"
    "{municipality_name}を被告として（訴訟において{municipality_name}を代表する者は{head_title}となります。）"
    "提起することができます（行政事件訴訟法）。"
    "ただし、この決定があったことを知った日の翌日から起算して6か月以内であっても、"
    "この決定の日の翌日から起算して1年を経過すると取消しの訴えを提起することができなくなります。"
    "なお、審査請求をした場合には、その審査請求に対する裁決があったことを知った日の翌日から起算して"
    "6か月以内に、この決定の取消しの訴えを提起することができます。",
)
"""Default 教示 wording; placeholders ``{head_title}`` and ``{municipality_name}`` only."""


_APPEAL_PLACEHOLDERS = frozenset({"head_title", "municipality_name"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Letterhead:
    """The issuing municipality (per-municipality settings) and this letter's document number."""

    municipality_name: str
    """e.g. 千代田区 (the defendant in a 取消訴訟)."""
    head_title: str
    """e.g. 千代田区長 (審査請求 is made to the head, who also represents the municipality in court)."""
    head_name: str
    department: str
    """e.g. 保健福祉部 生活支援課."""
    contact: str
    """e.g. 電話 03-0000-0000（平日 8:30～17:15）."""
    document_number: str
    """e.g. 千代福第123号 (one per letter: use ``dataclasses.replace`` per letter)."""
    seal_note: str = "（公印省略）"
    appeal_notice_template: tuple[str, ...] = DEFAULT_APPEAL_NOTICE_TEMPLATE
    """The 教示 paragraphs; ``{head_title}`` and ``{municipality_name}`` are filled in."""

    def __post_init__(self) -> None:
        for name in ("municipality_name", "head_title", "document_number"):
            if not str(getattr(self, name)).strip():
                raise LetterInputError(f"the letterhead has no {name}")
        formatter = string.Formatter()
        for paragraph in self.appeal_notice_template:
            for _, placeholder, _, _ in formatter.parse(paragraph):
                if placeholder is not None and placeholder not in _APPEAL_PLACEHOLDERS:
                    raise LetterInputError(f"unknown placeholder {{{placeholder}}} in the 教示 template")


def appeal_notice(letterhead: Letterhead) -> tuple[str, ...]:
    """教示 paragraphs for a decision of ``letterhead``'s municipality (審査請求 3か月, 取消訴訟 6か月)."""
    return tuple(
        paragraph.format(head_title=letterhead.head_title, municipality_name=letterhead.municipality_name)
        for paragraph in letterhead.appeal_notice_template
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class LetterCommon:
    """Fields every letter needs: who sends it, to whom, and the date printed on it."""

    letterhead: Letterhead
    addressee: Addressee
    issued_on: date


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentRoute:
    """Where the benefit is transferred (代理受領, R45) and when."""

    payee_name: str
    """The landlord or agent (不動産媒介業者等, R15)."""
    account_text: str = ""
    """e.g. 架空銀行　中央支店　普通　1234567　ｶ)ﾐﾎﾝﾌﾄﾞｳｻﾝ (already formatted by the shell)."""
    first_pay_date: date | None = None
    """The first transfer date, already moved to a business day (PD18)."""
    pay_day_of_month: int = 25
    """PD18 setting ``pay_day``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityMinimums:
    """The job-search activity a recipient must show each month (R48): dated numbers from the rate book
    (``monthly_interviews_min``, ``monthly_hello_work_min``, ``weekly_employer_applications_min``)."""

    interviews_per_month: int
    hello_work_per_month: int
    applications_per_week: int


def check_yen(name: str, amount_yen: int, *, positive: bool = False) -> None:
    if isinstance(amount_yen, bool) or not isinstance(amount_yen, int):
        raise LetterInputError(f"{name} must be int yen, not {amount_yen!r}")
    if amount_yen < 0 or (positive and amount_yen == 0):
        raise LetterInputError(f"{name} must be {'positive' if positive else 'non-negative'}: {amount_yen}")


def check_month(name: str, month: str) -> None:
    try:
        parse_month(month)
    except ValueError as error:
        raise LetterInputError(f"{name}: {error}") from error


def check_text(name: str, text: str) -> None:
    if not text.strip():
        raise LetterInputError(f"{name} is empty")


def address_lines(addressee: Addressee) -> tuple[str, ...]:
    lines = list(addressee.address_lines)
    if addressee.postal_code:
        if lines:
            lines[0] = f"〒{addressee.postal_code}　{lines[0]}"
        else:
            lines = [f"〒{addressee.postal_code}"]
    return tuple(lines)


def name_with_honorific(name: str, honorific: str) -> str:
    return f"{name}　{honorific}" if honorific else name


def footer(letterhead: Letterhead) -> tuple[str, ...]:
    parts = [f"問い合わせ先：{letterhead.municipality_name}"]
    if letterhead.department:
        parts.append(f" {letterhead.department}")
    if letterhead.contact:
        parts.append(f"　{letterhead.contact}")
    return ("".join(parts),)


def compose_letter(
    common: LetterCommon,
    *,
    letter_type: LetterType,
    title: str,
    body: Sequence[str],
    tables: Sequence[Table] = (),
    sections: Sequence[Section] = (),
    decision: bool,
) -> LetterContent:
    head = common.letterhead
    if any(table.annex for table in tables):
        body = (*body, "　算定の内訳は、別紙のとおりです。")
    sender = f"{head.head_title}　{head.head_name}".strip()
    if head.seal_note:
        sender = f"{sender}　{head.seal_note}"
    return LetterContent(
        letter_type=letter_type,
        title=title,
        document_number=head.document_number,
        issued_on=common.issued_on,
        issued_on_text=date_text(common.issued_on),
        addressee=common.addressee,
        address_lines=address_lines(common.addressee),
        addressee_line=name_with_honorific(common.addressee.name, common.addressee.honorific),
        sender_lines=(sender,),
        body=tuple(body),
        record_marker="記" if tables else "",
        tables=tuple(tables),
        sections=tuple(sections),
        appeal_heading="【教示】" if decision else "",
        appeal_notice=appeal_notice(head) if decision else (),
        footer=footer(head),
    )


def cite(rule: str) -> str:
    """``'（生活困窮者自立支援法施行規則第12条）'``: the article behind ``rule`` as residents read it (PD32:
    letters cite the 法 and 施行規則, never R- or PD-numbers); empty when no article is recorded."""
    basis = legal_basis(rule)
    return f"（{basis}）" if basis else ""


def numbered(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(f"{number}．{item}" for number, item in enumerate(items, start=1))


def pay_schedule_text(first_pay_date: date | None, pay_day_of_month: int) -> str:
    if not 1 <= pay_day_of_month <= 31:
        raise LetterInputError(f"pay_day_of_month must be 1–31: {pay_day_of_month}")
    later = f"以後毎月{pay_day_of_month}日。金融機関の休業日の場合はその前の営業日"
    if first_pay_date is None:
        return f"毎月{pay_day_of_month}日（金融機関の休業日の場合はその前の営業日）"
    return f"{date_text(first_pay_date)}（{later}）"


def payee_text(payment: PaymentRoute) -> str:
    check_text("payee_name", payment.payee_name)
    return f"{payment.payee_name}\n{payment.account_text}" if payment.account_text else payment.payee_name


PROXY_METHOD = "住宅の貸主又は不動産媒介業者等の口座へ直接振り込みます（代理受領）"


def conduct_notes(activity: ActivityMinimums) -> list[str]:
    return [
        f"支給期間中は、毎月、自立相談支援機関の支援員との面談等（月{activity.interviews_per_month}回以上）、"
        f"公共職業安定所での職業相談（月{activity.hello_work_per_month}回以上）"
        f"及び原則週{activity.applications_per_week}回以上の求人への応募又は面接を行ってください。",
        "常用就職した場合や収入が増加した場合は、速やかに届け出てください。",
        "住宅を退去する場合、家賃額が変更となる場合その他申請の内容に変更がある場合は、速やかに届け出てください。",
        "偽りその他不正の手段により給付金の支給を受けた場合は、生活困窮者自立支援法第18条の規定により、"
        "支給した給付金の全部又は一部を徴収することがあります。",
    ]


def balance_note(rent_yen: int, amount_yen: int) -> list[str]:
    if rent_yen > amount_yen:
        return [
            f"家賃額 {format_yen(rent_yen)} と支給額との差額 {format_yen(rent_yen - amount_yen)} "
            "及び共益費・管理費等は、"
            "ご自身で貸主等にお支払いください。"
        ]
    return []


def deadline_note(extension_deadline: date | None) -> list[str]:
    if extension_deadline is None:
        return []
    return [
        f"支給期間の延長を希望する場合は、{date_text(extension_deadline)}までに延長の申請をしてください。"
        f"期限後の申請は受け付けられません{cite('R40')}。"
    ]


def trace_tables(trace: Trace, members: Sequence[str] = ()) -> list[Table]:
    """The 算定内訳 as a 別紙 (its own page after the letter)."""
    if not trace:
        return []
    return [dataclasses.replace(breakdown_table(trace, heading="別紙　算定内訳", members=members), annex=True)]

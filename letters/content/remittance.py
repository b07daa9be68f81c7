"""支払明細書: one statement per payee listing every transfer of a pay date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from letters.content.base import (
    BENEFIT_NAME,
    LetterCommon,
    check_month,
    check_text,
    check_yen,
    compose_letter,
)
from letters.model import (
    LetterContent,
    LetterInputError,
    LetterType,
    Table,
    date_text,
    format_yen,
    month_index,
    month_text,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class RemittanceLine:
    """One transfer line: the recipient/case reference, the benefit month and the amount."""

    reference: str
    benefit_month: str
    amount_yen: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RemittanceStatementInput(LetterCommon):
    """支払明細書 for one payee (a landlord/agent receiving several recipients' benefit)."""

    pay_date: date
    account_text: str
    lines: tuple[RemittanceLine, ...]


def build_remittance_statement(data: RemittanceStatementInput) -> LetterContent:
    """支払明細書 for one payee: each (recipient/case reference, benefit month, amount) and the total."""
    if not data.lines:
        raise LetterInputError("a remittance statement needs at least one line")
    for line in data.lines:
        check_month("benefit_month", line.benefit_month)
        check_yen("amount_yen", line.amount_yen, positive=True)
        check_text("reference", line.reference)
    ordered = sorted(data.lines, key=lambda line: (line.reference, month_index(line.benefit_month)))
    total = sum(line.amount_yen for line in ordered)
    summary = (
        ("振込日", date_text(data.pay_date)),
        ("振込先", data.account_text),
        ("件数", f"{len(ordered)}件"),
        ("振込額の合計", format_yen(total)),
    )
    lines = tuple(
        (line.reference, month_text(line.benefit_month), format_yen(line.amount_yen)) for line in ordered
    )
    return compose_letter(
        data,
        letter_type=LetterType.REMITTANCE_STATEMENT,
        title=f"{BENEFIT_NAME}支払明細書",
        body=("　住居確保給付金（代理受領分）を下記のとおり振り込みますので、お知らせします。",),
        tables=(
            Table(heading="", column_headings=("項目", "内容"), rows=summary),
            Table(
                heading="明細",
                column_headings=("受給者番号・氏名", "対象月", "金額"),
                rows=(*lines, ("合計", "", format_yen(total))),
                right_aligned_columns=(2,),
                column_weights=(5, 3, 3),
            ),
        ),
        decision=False,
    )

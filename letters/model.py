"""The finished letter: every word and number, ready for layout (``letters.pdf`` only places it).

Also the shared formatting helpers (amounts as ``'53,700円'``, periods in 和暦) and the errors of the
letters package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from letters.wareki import parse_month, to_wareki, wareki_month


class LetterInputError(ValueError):
    """The input of a letter builder is inconsistent or incomplete (a bug or bad data, never a result)."""


class ConsentNotOnRecord(LetterInputError):
    """A decision copy goes to the 社会福祉協議会 only with the recipient's recorded consent (R57, R84)."""


class LetterType(StrEnum):
    """Every letter and notice the product issues (rules.md §14, R44, R57, R84)."""

    ELIGIBILITY_CERTIFICATE = "eligibility_certificate"
    """住居確保給付金支給対象者証明書 (R44)."""
    DECISION = "decision"
    """住居確保給付金支給決定通知書 (R44)."""
    REFUSAL = "refusal"
    """住居確保給付金不支給決定通知書."""
    EXTENSION_DECISION = "extension_decision"
    """住居確保給付金支給期間延長決定通知書 (R38)."""
    EXTENSION_REFUSAL = "extension_refusal"
    """住居確保給付金支給期間延長不支給決定通知書 / 延長申請却下通知書 (R38, R40)."""
    CHANGE_DECISION = "change_decision"
    """住居確保給付金支給額変更決定通知書 (R54–R56)."""
    STOP_NOTICE = "stop_notice"
    """住居確保給付金支給中止通知書 (R58–R60)."""
    INTERRUPTION_NOTICE = "interruption_notice"
    """住居確保給付金支給中断決定通知書 (R42)."""
    RESUMPTION_NOTICE = "resumption_notice"
    """住居確保給付金支給再開決定通知書 (R42)."""
    REPAYMENT_DEMAND = "repayment_demand"
    """住居確保給付金返還請求書 (R62–R64)."""
    REPAYMENT_WITHDRAWAL = "repayment_withdrawal"
    """住居確保給付金返還請求取消通知書 (PD9): a correction left nothing to repay."""
    MOVING_DECISION = "moving_decision"
    """住居確保給付金（転居費用補助）支給決定通知書 (R78, R79)."""
    MOVING_CONFIRMATION = "moving_confirmation"
    """住居確保給付金（転居費用補助）支給額確定通知書 (R81): the amount after the 支出額確認書類."""
    PROXY_PAYMENT_NOTICE = "proxy_payment_notice"
    """代理受領に関する貸主等への通知 (R45, R57, R84)."""
    COUNCIL_NOTICE = "council_notice"
    """社会福祉協議会への決定通知書（写し）の送付 (R57, R84)."""
    REMITTANCE_STATEMENT = "remittance_statement"
    """支払明細書 (per payee)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    """A bordered table: a heading above it, column headings, and rows of cell texts.

    Cells may contain ``\\n`` for explicit line breaks (e.g. an amount and its formula line).
    """

    heading: str
    column_headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    right_aligned_columns: tuple[int, ...] = ()
    column_weights: tuple[int, ...] = ()
    """Relative column widths; empty → the layout's default for the column count."""
    annex: bool = False
    """Printed as a 別紙 on its own page after the letter (e.g. the 算定内訳), so the decision fits page 1."""

    def __post_init__(self) -> None:
        width = len(self.column_headings)
        if not 2 <= width <= 4:
            raise LetterInputError(f"a table has 2 to 4 columns, not {width}: {self.heading}")
        if self.column_weights and (
            len(self.column_weights) != width or any(weight <= 0 for weight in self.column_weights)
        ):
            raise LetterInputError(f"column_weights must be {width} positive numbers: {self.heading}")
        for row in self.rows:
            if len(row) != width:
                raise LetterInputError(f"row {row!r} does not have {width} cells: {self.heading}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    """A headed block of paragraphs after the tables (e.g. 【留意事項】)."""

    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Addressee:
    """The person or organisation the letter is sent to (宛先)."""

    name: str
    honorific: str = "様"
    """様 for a person, 御中 for an organisation."""
    postal_code: str | None = None
    """Without 〒, e.g. ``'100-0001'``."""
    address_lines: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise LetterInputError("the addressee has no name")


@dataclass(frozen=True, slots=True, kw_only=True)
class LetterContent:
    """One finished letter. ``letters.pdf.render_pdf`` lays it out without adding a word."""

    letter_type: LetterType
    title: str
    document_number: str
    issued_on: date
    issued_on_text: str
    """``issued_on`` in 和暦, e.g. 令和8年11月27日."""
    addressee: Addressee
    address_lines: tuple[str, ...]
    """〒 and address lines above the name."""
    addressee_line: str
    """The name with its honorific, e.g. 髙橋　𠮷男　様."""
    sender_lines: tuple[str, ...]
    body: tuple[str, ...]
    record_marker: str = ""
    """記 between the body and the tables, or empty."""
    tables: tuple[Table, ...] = ()
    sections: tuple[Section, ...] = ()
    appeal_heading: str = ""
    appeal_notice: tuple[str, ...] = ()
    """教示 (行政不服審査法第82条, 行政事件訴訟法第46条); empty for letters that notify no decision."""
    footer: tuple[str, ...] = field(default=())

    def text_fields(self) -> list[tuple[str, str]]:
        """Every printed text with its field name, in reading order (for glyph checks and tests)."""
        fields: list[tuple[str, str]] = [
            ("document_number", self.document_number),
            ("issued_on_text", self.issued_on_text),
        ]
        fields += [(f"address_lines[{i}]", line) for i, line in enumerate(self.address_lines)]
        fields.append(("addressee_line", self.addressee_line))
        fields += [(f"sender_lines[{i}]", line) for i, line in enumerate(self.sender_lines)]
        fields.append(("title", self.title))
        fields += [(f"body[{i}]", text) for i, text in enumerate(self.body)]
        fields.append(("record_marker", self.record_marker))
        for t, table in enumerate(self.tables):
            fields.append((f"tables[{t}].heading", table.heading))
            fields += [(f"tables[{t}].column_headings[{c}]", h) for c, h in enumerate(table.column_headings)]
            for r, row in enumerate(table.rows):
                fields += [(f"tables[{t}].rows[{r}][{c}]", cell) for c, cell in enumerate(row)]
        for s, section in enumerate(self.sections):
            fields.append((f"sections[{s}].heading", section.heading))
            fields += [(f"sections[{s}].paragraphs[{p}]", text) for p, text in enumerate(section.paragraphs)]
        fields.append(("appeal_heading", self.appeal_heading))
        fields += [(f"appeal_notice[{i}]", text) for i, text in enumerate(self.appeal_notice)]
        fields += [(f"footer[{i}]", text) for i, text in enumerate(self.footer)]
        return [(name, text) for name, text in fields if text]

    def plain_text(self) -> str:
        """All printed text joined by newlines (for tests and search)."""
        return "\n".join(text for _, text in self.text_fields())


def format_yen(amount_yen: int) -> str:
    """``53700`` → ``'53,700円'`` (integer yen only; a float or bool is a bug)."""
    if isinstance(amount_yen, bool) or not isinstance(amount_yen, int):
        raise LetterInputError(f"money must be int yen, not {amount_yen!r}")
    if amount_yen < 0:
        return f"△{-amount_yen:,}円"
    return f"{amount_yen:,}円"


def month_index(month: str) -> int:
    """``'2025-05'`` → a month count (for differences between months)."""
    year, month_number = parse_month(month)
    return year * 12 + month_number - 1


def add_months(month: str, count: int) -> str:
    """``add_months('2025-11', 2)`` → ``'2026-01'``."""
    index = month_index(month) + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_in_period(first_month: str, last_month: str) -> int:
    """Number of benefit months from ``first_month`` to ``last_month`` inclusive (PD19: whole months)."""
    count = month_index(last_month) - month_index(first_month) + 1
    if count < 1:
        raise LetterInputError(f"the period ends before it starts: {first_month} – {last_month}")
    return count


def month_text(month: str) -> str:
    """``'2026-12'`` → ``'令和8年12月分'``."""
    return f"{wareki_month(month)}分"


def period_text(first_month: str, last_month: str) -> str:
    """``('2026-12', '2027-02')`` → ``'令和8年12月分から令和9年2月分まで（3か月）'``."""
    count = months_in_period(first_month, last_month)
    if count == 1:
        return f"{month_text(first_month)}（1か月）"
    return f"{month_text(first_month)}から{month_text(last_month)}まで（{count}か月）"


def date_text(d: date) -> str:
    """A date in 和暦 (``令和8年11月27日``)."""
    return to_wareki(d)

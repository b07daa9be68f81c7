"""Layout of a finished :class:`~letters.model.LetterContent` as an A4 PDF (fpdf2). No decisions here.

* Font: Noto Sans JP from ``pylopdf_fonts_jp`` (OFL), embedded as a subset (CIDFontType0C).
* A character the font lacks raises :class:`MissingGlyph` before anything is drawn (fpdf2 would drop it
  silently, stack.md §3).
* ``created_at`` is written as the creation date, so identical input gives byte-identical output.
* Lines are broken here with simple 禁則処理 (no 。、」 at a line start, no 「（ at a line end, no break
  inside a number such as 53,700円).
* The font is parsed once per process and each document embeds a subset of the glyphs it uses
  (``letters.fontcache``), so one letter as one PDF costs about as much as a page of a print run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from functools import cache

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import Align, CharVPos, TextMode, XPos, YPos
from fpdf.fonts import TTFFont

from letters.fontcache import document_font, font_path
from letters.model import LetterContent, Table

FONT_FAMILY = "notosansjp"
MARGIN_LEFT_MM = 20.0
MARGIN_TOP_MM = 15.0
MARGIN_RIGHT_MM = 20.0
MARGIN_BOTTOM_MM = 22.0
BODY_PT = 10.5
TABLE_PT = 9.5
TITLE_PT = 15.0
ADDRESSEE_PT = 13.0
FOOTER_PT = 8.5
APPEAL_PT = 8.8
APPEAL_LINE_MM = 4.5
APPEAL_TIGHTEST_LINE_MM = 3.8
"""The 教示 lines may close up to this (8.8 pt type stays legible) so that a decision that would spill
a few lines of its 教示 onto a page of their own fits page 1 (issue 13: the decision fits page 1)."""
LINE_MM = 5.8
TABLE_LINE_MM = 5.2
TABLE_PADDING_MM = 1.8
TABLE_PADDING_V_MM = 0.8

_NO_LINE_START = frozenset(
    "、。，．,.)）]］｝〕〉》」』】〙〗〟’”｠»ゝゞーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖ"
    "…‥・：；:;！？!?‐゠–〜～％%"
)
_NO_LINE_END = frozenset("(（[［｛〔〈《「『【〘〖〝‘“｟«〒")
_WORD_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz,.-/:%")
_IGNORED_CONTROL = frozenset("\n")


class MissingGlyph(ValueError):
    """The font has no glyph for ``character`` in ``field``: refused, never printed without it."""

    def __init__(self, character: str, field: str) -> None:
        super().__init__(f"the font has no glyph for {character!r} (U+{ord(character):04X}) in {field}")
        self.character = character
        self.field = field


@cache
def font_codepoints() -> frozenset[int]:
    """Every code point the font maps (parsed once per process with fontTools)."""
    font = TTFont(font_path(), lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


@cache
def _font_characters() -> frozenset[str]:
    """The characters the font maps, and the ignored controls: what a letter may print."""
    return frozenset(map(chr, font_codepoints())) | _IGNORED_CONTROL


def check_glyphs(content: LetterContent) -> None:
    """Raise :class:`MissingGlyph` for the first printed character the font lacks."""
    codepoints = font_codepoints()
    printable = _font_characters()
    for field, text in content.text_fields():
        if printable.issuperset(text):  # the usual case, checked in C
            continue
        for character in text:
            if character not in _IGNORED_CONTROL and ord(character) not in codepoints:
                raise MissingGlyph(character, field)


class _LetterPDF(FPDF):
    """FPDF with the current letter's footer (contact line) on each of its pages."""

    def __init__(self) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_lines: tuple[str, ...] = ()

    def footer(self) -> None:
        if not self.footer_lines:
            return
        self.set_font(FONT_FAMILY, size=FOOTER_PT)
        top = self.h - MARGIN_BOTTOM_MM + 6
        self.set_draw_color(0)
        self.set_line_width(0.2)
        self.line(self.l_margin, top, self.w - self.r_margin, top)
        self.set_xy(self.l_margin, top + 1)
        for line in self.footer_lines:
            self.cell(self.epw, 4.2, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def char_width(self, character: str) -> float:
        """Width in mm of ``character`` at the current size (fpdf2's own arithmetic, cached per process)."""
        key = (character, self.font_size_pt)
        width = _CHAR_WIDTHS_MM.get(key)
        if width is None:
            width = self.get_string_width(character)
            _CHAR_WIDTHS_MM[key] = width
        return width


_CHAR_WIDTHS_MM: dict[tuple[str, float], float] = {}
"""(character, size in pt) → width in mm: the font is the same in every document of the process."""


def text_cell(pdf: _LetterPDF, width_mm: float, height_mm: float, text: str, *, align: Align = Align.L,
              next_line: bool = False) -> None:
    """One line of already-wrapped text in a cell without border or fill: the bytes ``pdf.cell`` writes,
    without its general machinery (markdown, text shaping, fallback fonts, graphics-state copies), which
    costs about half of a letter's rendering. Anything outside the plain case goes through ``pdf.cell``,
    so the output is byte-identical either way (the golden PDFs and images check it)."""
    font = pdf.current_font
    if (not text or pdf.text_shaping or pdf._fallback_font_ids
            or not isinstance(font, TTFFont) or pdf.text_color is None or pdf._record_text_quad_points
            or (pdf.str_alias_nb_pages and pdf.str_alias_nb_pages in text)
            or pdf.font_stretching != 100 or pdf.char_spacing != 0 or pdf.underline or pdf.strikethrough
            or pdf.char_vpos != CharVPos.LINE or pdf.text_mode != TextMode.FILL or pdf.will_page_break(height_mm)):
        pdf.cell(width_mm, height_mm, text, align=align,
                 new_x=XPos.LMARGIN if next_line else XPos.RIGHT, new_y=YPos.NEXT if next_line else YPos.TOP)
        return
    k = pdf.k
    size_pt = pdf.font_size_pt
    if not pdf.current_font_is_set_on_page:  # the first text after a set_font on this page, as cell does
        pdf._out(pdf._set_font_for_page(font, size_pt))
    text_width = font.get_text_width(text, size_pt, None)[1] / k
    margin = pdf.c_margin
    if align == Align.R:
        dx = width_mm - margin - text_width
    elif align == Align.C:
        dx = (width_mm - text_width) / 2
    else:
        dx = margin
    parts = [f"BT {(pdf.x + dx) * k:.2f} {(pdf.h - pdf.y - 0.5 * height_mm - 0.3 * (size_pt / k)) * k:.2f} Td"]
    color = pdf.text_color
    color_changed = color != pdf.fill_color
    if color_changed and color is not None:
        parts.append(color.serialize().lower())
    pick = font.subset.pick
    mapped = "".join(chr(code) for code in map(pick, map(ord, text)) if code)
    parts.append(f"({font.escape_text(mapped)}) Tj")
    parts.append("ET")
    line = " ".join(parts)
    pdf._out(f"q {line} Q" if color_changed else line)
    pdf._lasth = height_mm
    if next_line:
        pdf.x = pdf.l_margin
        pdf.y += height_mm
    else:
        pdf.x += width_mm


def _new_document(*, created_at: datetime, title: str) -> _LetterPDF:
    if created_at.tzinfo is None:
        raise ValueError(
            "created_at must be timezone-aware (the PDF creation date must not depend on the host)"
        )
    pdf = _LetterPDF()
    pdf.set_creation_date(created_at)
    pdf.set_margins(MARGIN_LEFT_MM, MARGIN_TOP_MM, MARGIN_RIGHT_MM)
    pdf.set_auto_page_break(True, margin=MARGIN_BOTTOM_MM)
    # The font parsed once per process; this document gets its own subset state (letters.fontcache).
    document_font(pdf, FONT_FAMILY)
    pdf.set_lang("ja")
    pdf.set_title(title)
    pdf.set_creator("housing-benefit letters")
    pdf.set_font(FONT_FAMILY, size=BODY_PT)
    return pdf


def wrap_text(pdf: _LetterPDF, text: str, width_mm: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width_mm`` at the current font size, with 禁則処理."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph:
            lines.append("")
            continue
        start, length = 0, len(paragraph)
        while start < length:
            end, used = start, 0.0
            while end < length:
                width = pdf.char_width(paragraph[end])
                if used + width > width_mm and end > start:
                    break
                used += width
                end += 1
            if end < length:
                end = _adjust_break(paragraph, start, end)
            lines.append(paragraph[start:end])
            start = end
    return lines


def _adjust_break(text: str, start: int, end: int) -> int:
    """Move a break back so no line starts or ends with a forbidden character or splits a number."""
    candidate = end
    while candidate > start + 1 and (
        text[candidate] in _NO_LINE_START
        or text[candidate - 1] in _NO_LINE_END
        or (text[candidate - 1] in _WORD_CHARS and text[candidate] in _WORD_CHARS)
    ):
        candidate -= 1
        if end - candidate > 12:
            return end
    return candidate if candidate > start else end


def _paragraph(pdf: _LetterPDF, text: str, *, size: float = BODY_PT, align: Align = Align.L,
               line_mm: float = LINE_MM) -> None:
    pdf.set_font(FONT_FAMILY, size=size)
    for line in wrap_text(pdf, text, pdf.epw):
        text_cell(pdf, pdf.epw, line_mm, line, align=align, next_line=True)


def _column_widths(table: Table, total_mm: float) -> list[float]:
    count = len(table.column_headings)
    weights: Sequence[int] = table.column_weights or {2: (1, 3), 3: (3, 5, 3), 4: (3, 4, 3, 3)}[count]
    unit = total_mm / sum(weights)
    return [weight * unit for weight in weights]


def _table(pdf: _LetterPDF, table: Table) -> None:
    pdf.set_font(FONT_FAMILY, size=BODY_PT)
    if table.heading:
        if pdf.will_page_break(2 * LINE_MM + 5 * TABLE_LINE_MM):
            pdf.add_page()
        _paragraph(pdf, table.heading)
    pdf.set_font(FONT_FAMILY, size=TABLE_PT)
    widths = _column_widths(table, pdf.epw)
    inner = [width - 2 * TABLE_PADDING_MM - 0.5 for width in widths]
    heading = [wrap_text(pdf, text, inner[i]) for i, text in enumerate(table.column_headings)]
    _table_row(pdf, widths, heading, (), shaded=True)
    for row in table.rows:
        cells = [wrap_text(pdf, text, inner[i]) for i, text in enumerate(row)]
        if pdf.will_page_break(_row_height(cells)):
            pdf.add_page()
            _table_row(pdf, widths, heading, (), shaded=True)  # repeat the headings on a new page
        _table_row(pdf, widths, cells, table.right_aligned_columns, shaded=False)
    pdf.ln(3)


def _row_height(cells: Sequence[Sequence[str]]) -> float:
    return max(len(lines) for lines in cells) * TABLE_LINE_MM + 2 * TABLE_PADDING_V_MM


def _table_row(pdf: _LetterPDF, widths: Sequence[float], cells: Sequence[Sequence[str]],
               right_aligned: Sequence[int], *, shaded: bool) -> None:
    """Draw one bordered row of already-wrapped cells, vertically centred.

    Cells are wrapped by :func:`wrap_text` (with 禁則処理), so each line is drawn with ``cell`` and
    fpdf2's own line breaking (quadratic in the line length) never runs.
    """
    height = _row_height(cells)
    top, x = pdf.get_y(), pdf.l_margin
    pdf.set_draw_color(0)
    pdf.set_line_width(0.2)
    if shaded:
        pdf.set_fill_color(232, 232, 232)
    for index, lines in enumerate(cells):
        pdf.rect(x, top, widths[index], height, style="DF" if shaded else "D")
        first = top + (height - len(lines) * TABLE_LINE_MM) / 2
        align = Align.R if index in right_aligned else Align.L
        for number, line in enumerate(lines):
            pdf.set_xy(x + TABLE_PADDING_MM, first + number * TABLE_LINE_MM)
            text_cell(pdf, widths[index] - 2 * TABLE_PADDING_MM, TABLE_LINE_MM, line, align=align)
        x += widths[index]
    pdf.set_xy(pdf.l_margin, top + height)


def _appeal_box(pdf: _LetterPDF, heading: str, paragraphs: Sequence[str]) -> None:
    """The 教示 in a bordered box, wrapped by :func:`wrap_text` (fpdf2's multi_cell costs a third of a
    letter); a box taller than the rest of the page continues on the next one."""
    pdf.set_font(FONT_FAMILY, size=APPEAL_PT)
    padding = 2.5
    lines = [heading]
    for paragraph in paragraphs:
        lines += wrap_text(pdf, paragraph, pdf.epw - 2 * padding - 0.5)
    line_mm = _appeal_line_mm(pdf, len(lines), padding)
    height = len(lines) * line_mm + 2 * padding
    if pdf.will_page_break(min(height, 4 * line_mm + 2 * padding)):
        pdf.add_page()
    pdf.ln(2)
    pdf.set_draw_color(0)
    pdf.set_line_width(0.2)
    while lines:
        room = int((pdf.h - MARGIN_BOTTOM_MM - pdf.get_y() - 2 * padding) // line_mm)
        if room < 1:
            pdf.add_page()
            continue
        chunk, lines = lines[:room], lines[room:]
        top = pdf.get_y()
        pdf.rect(pdf.l_margin, top, pdf.epw, len(chunk) * line_mm + 2 * padding)
        for number, line in enumerate(chunk):
            pdf.set_xy(pdf.l_margin + padding, top + padding + number * line_mm)
            text_cell(pdf, pdf.epw - 2 * padding, line_mm, line)
        pdf.set_xy(pdf.l_margin, top + len(chunk) * line_mm + 2 * padding)
        if lines:
            pdf.add_page()


def _appeal_line_mm(pdf: _LetterPDF, line_count: int, padding: float) -> float:
    """APPEAL_LINE_MM, or closer lines (down to APPEAL_TIGHTEST_LINE_MM) when that keeps the whole 教示 on
    this page; a letter that fits already keeps its layout byte for byte."""
    room_mm = pdf.h - MARGIN_BOTTOM_MM - pdf.get_y() - 2 - 2 * padding  # after the 2 mm gap above the box
    if line_count * APPEAL_LINE_MM <= room_mm or line_count * APPEAL_TIGHTEST_LINE_MM > room_mm:
        return APPEAL_LINE_MM
    return math.floor(room_mm / line_count * 100) / 100


def _letter(pdf: _LetterPDF, content: LetterContent) -> None:
    """Lay out one letter starting on a new page (letter-mock.png); its glyphs are checked by the caller."""
    pdf.add_page()
    pdf.footer_lines = content.footer
    pdf.set_font(FONT_FAMILY, size=BODY_PT)
    for text in (content.document_number, content.issued_on_text):
        text_cell(pdf, pdf.epw, LINE_MM, text, align=Align.R, next_line=True)
    pdf.ln(4)
    for line in content.address_lines:
        _paragraph(pdf, line)
    _paragraph(pdf, content.addressee_line, size=ADDRESSEE_PT)
    pdf.ln(3)
    for line in content.sender_lines:
        _paragraph(pdf, line, align=Align.R)
    pdf.ln(5)
    pdf.set_font(FONT_FAMILY, size=TITLE_PT)
    for line in wrap_text(pdf, content.title, pdf.epw):
        text_cell(pdf, pdf.epw, 8, line, align=Align.C, next_line=True)
    pdf.ln(3)
    for paragraph in content.body:
        _paragraph(pdf, paragraph)
    if content.record_marker:
        pdf.ln(2)
        _paragraph(pdf, content.record_marker, align=Align.C)
        pdf.ln(1)
    for table in content.tables:
        if not table.annex:
            _table(pdf, table)
    for section in content.sections:  # notes in the table size, so that a decision fits its first page
        pdf.ln(1)
        _paragraph(pdf, section.heading, size=TABLE_PT, line_mm=TABLE_LINE_MM)
        for paragraph in section.paragraphs:
            _paragraph(pdf, paragraph, size=TABLE_PT, line_mm=TABLE_LINE_MM)
    if content.appeal_notice:
        _appeal_box(pdf, content.appeal_heading, content.appeal_notice)
    annexes = [table for table in content.tables if table.annex]
    if annexes:
        pdf.add_page()  # 別紙: the working behind the decision, on its own page(s)
        pdf.set_font(FONT_FAMILY, size=BODY_PT)
        pdf.cell(pdf.epw, LINE_MM, f"{content.document_number}　{content.title}", align=Align.R,
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
        for table in annexes:
            _table(pdf, table)


def _cover(pdf: _LetterPDF, contents: Sequence[LetterContent], title: str,
           not_included: Sequence[str] = ()) -> None:
    pdf.add_page()
    pdf.footer_lines = ()
    pdf.set_font(FONT_FAMILY, size=TITLE_PT)
    pdf.cell(pdf.epw, 9, title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _paragraph(pdf, f"通数 {len(contents)}通", align=Align.R)
    pdf.ln(2)
    rows = tuple(
        (str(number), content.title, content.addressee.name, content.document_number)
        for number, content in enumerate(contents, start=1)
    )
    _table(
        pdf,
        Table(
            heading="",
            column_headings=("番号", "文書の種類", "宛先", "文書番号"),
            rows=rows,
            right_aligned_columns=(0,),
            column_weights=(1, 7, 4, 3),
        ),
    )
    if not_included:
        _paragraph(pdf, "この一覧に含まれない文書（保存されたPDFから印刷してください）："
                   + "、".join(not_included))


def _output(pdf: _LetterPDF) -> bytes:
    data = bytes(pdf.output())
    for font in pdf.fonts.values():
        missing = getattr(font, "missing_glyphs", None)
        if missing:
            raise MissingGlyph(chr(missing[0]), "(rendered text)")
    return data


def render_pdf(content: LetterContent, *, created_at: datetime) -> bytes:
    """One letter as a PDF (A4, Japanese font embedded as a subset, byte-identical for identical input)."""
    check_glyphs(content)
    pdf = _new_document(created_at=created_at, title=content.title)
    _letter(pdf, content)
    return _output(pdf)


def render_print_run(contents: Sequence[LetterContent], *, created_at: datetime, title: str,
                     not_included: Sequence[str] = ()) -> bytes:
    """Many letters in one PDF: a cover list (number, letter type, addressee, document number), then each
    letter from a new page. Every letter is glyph-checked before anything is drawn. ``not_included``: the
    document numbers of the day's letters left out (named on the cover)."""
    if not contents:
        raise ValueError("a print run needs at least one letter")
    for content in contents:
        check_glyphs(content)
    cover_check = LetterContent(
        letter_type=contents[0].letter_type,
        title=title,
        document_number="",
        issued_on=contents[0].issued_on,
        issued_on_text="",
        addressee=contents[0].addressee,
        address_lines=(),
        addressee_line="",
        sender_lines=(),
        body=(),
    )
    check_glyphs(cover_check)
    pdf = _new_document(created_at=created_at, title=title)
    _cover(pdf, contents, title, not_included)
    for content in contents:
        _letter(pdf, content)
    return _output(pdf)

"""The letters' font, parsed once per process, and a fast CFF subset per document.

fpdf2 2.8.9 parses the font file for every document (``add_font``, ~0.4 s for Noto Sans JP) and
subsets it with fontTools at output (~0.9 s), which made one letter as one PDF cost ~0.65 s. Here:

* :func:`prepared_font` builds fpdf2's ``TTFFont`` (cmap, widths, glyph ids, descriptor) once per
  process; :func:`document_font` hands each document a light copy sharing those read-only tables with a
  fresh subset state (which glyphs this document uses).
* The embedded font program is a CID-keyed CFF written here from the original's bytes
  (:class:`CFFSource`): the same header, name, strings and font dicts, the used glyphs only, their
  charstrings desubroutinized once per glyph per process (so no subroutines are embedded). The CIDs
  are the original ones, which the PDF's widths and CMaps refer to.
* fpdf2 calls ``fontTools.subset.Subsetter(...).subset(font.ttfont)`` and then
  ``font.ttfont["CFF "].compile(...)``; for a document font ``ttfont`` is a :class:`SubsetTarget`,
  and :func:`install_subset_hook` makes fpdf2's subsetter hand such a target its glyph list (any
  other font still goes through fontTools).

The output depends only on the glyphs a document uses (sorted by glyph id), never on earlier
documents: identical input gives byte-identical PDFs in any process.
"""

from __future__ import annotations

import copy
import struct
import threading
import types
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

import pylopdf_fonts_jp
from fontTools import subset as ftsubset
from fontTools.cffLib.transforms import desubroutinizeCharString
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf import output as fpdf_output
from fpdf.fonts import SubsetMap, TTFFont

# --- reading CFF structures ----------------------------------------------------------------------------

_TOP_DICT_DROPPED = {15, 16, 17, 18, 13, 14, (12, 36), (12, 37), (12, 35)}
"""charset, Encoding, CharStrings, Private, UniqueID, XUID, FDArray, FDSelect, UIDBase: rewritten or
dropped in the subset."""

Token = tuple[bytes, Any]
"""(operands as raw bytes, operator: int or (12, n))."""


def _read_index(data: bytes, pos: int) -> tuple[list[bytes], int]:
    """A CFF INDEX at ``pos``: its items and the position after it."""
    count = struct.unpack_from(">H", data, pos)[0]
    if count == 0:
        return [], pos + 2
    off_size = data[pos + 2]
    offsets_at = pos + 3
    offsets = [int.from_bytes(data[offsets_at + i * off_size: offsets_at + (i + 1) * off_size], "big")
               for i in range(count + 1)]
    base = offsets_at + (count + 1) * off_size - 1
    items = [data[base + offsets[i]: base + offsets[i + 1]] for i in range(count)]
    return items, base + offsets[-1]


def _index_span(data: bytes, pos: int) -> tuple[bytes, int]:
    """The raw bytes of the INDEX at ``pos`` (copied unchanged) and the position after it."""
    _, end = _read_index(data, pos)
    return data[pos:end], end


def _dict_tokens(data: bytes) -> list[Token]:
    """A DICT's (operands, operator) pairs; operands stay raw bytes so they are copied exactly."""
    tokens: list[Token] = []
    start = pos = 0
    while pos < len(data):
        b0 = data[pos]
        if b0 <= 21:  # operator
            if b0 == 12:
                operator: Any = (12, data[pos + 1])
                end = pos + 2
            else:
                operator, end = b0, pos + 1
            tokens.append((data[start:pos], operator))
            start = pos = end
        elif b0 == 28:
            pos += 3
        elif b0 == 29:
            pos += 5
        elif b0 == 30:  # real: nibbles up to an 0xf nibble
            pos += 1
            while True:
                byte = data[pos]
                pos += 1
                if byte & 0x0F == 0x0F or byte >> 4 == 0x0F:
                    break
        elif 32 <= b0 <= 246:
            pos += 1
        elif 247 <= b0 <= 254:
            pos += 2
        else:
            raise ValueError(f"bad CFF DICT byte {b0}")
    return tokens


def _operand_ints(operands: bytes) -> list[int]:
    values: list[int] = []
    pos = 0
    while pos < len(operands):
        b0 = operands[pos]
        if b0 == 28:
            values.append(struct.unpack_from(">h", operands, pos + 1)[0])
            pos += 3
        elif b0 == 29:
            values.append(struct.unpack_from(">i", operands, pos + 1)[0])
            pos += 5
        elif 32 <= b0 <= 246:
            values.append(b0 - 139)
            pos += 1
        elif 247 <= b0 <= 250:
            values.append((b0 - 247) * 256 + operands[pos + 1] + 108)
            pos += 2
        elif 251 <= b0 <= 254:
            values.append(-(b0 - 251) * 256 - operands[pos + 1] - 108)
            pos += 2
        else:
            raise ValueError("a CFF offset operand is not an integer")
    return values


def _int5(value: int) -> bytes:
    """An integer operand in its fixed 5-byte form (so a DICT's size is known before its offsets)."""
    return b"\x1d" + struct.pack(">i", value)


def _operator_bytes(operator: Any) -> bytes:
    return bytes(operator) if isinstance(operator, tuple) else bytes([operator])


def _dict_bytes(tokens: Iterable[Token]) -> bytes:
    return b"".join(operands + _operator_bytes(operator) for operands, operator in tokens)


def _index_bytes(items: Sequence[bytes]) -> bytes:
    if not items:
        return b"\x00\x00"
    last = 1 + sum(len(item) for item in items)
    off_size = 1 if last < 1 << 8 else 2 if last < 1 << 16 else 3 if last < 1 << 24 else 4
    offsets = bytearray()
    offset = 1
    offsets += offset.to_bytes(off_size, "big")
    for item in items:
        offset += len(item)
        offsets += offset.to_bytes(off_size, "big")
    return struct.pack(">HB", len(items), off_size) + bytes(offsets) + b"".join(items)


class CFFSource:
    """The original CID-keyed CFF table, parsed once: what every subset copies from it."""

    def __init__(self, ttfont: TTFont) -> None:
        data = ttfont.getTableData("CFF ")
        header_size = data[2]
        self.header = data[:header_size]
        self.name_index, pos = _index_span(data, header_size)
        top_dicts, pos = _read_index(data, pos)
        self.string_index, pos = _index_span(data, pos)
        if len(top_dicts) != 1:
            raise ValueError("the letters' font must hold one CFF font")
        top = _dict_tokens(top_dicts[0])
        operators = {operator: operands for operands, operator in top}
        if (12, 30) not in operators:
            raise ValueError("the letters' font must be a CID-keyed CFF (ROS)")
        self.top_tokens = [(operands, op) for operands, op in top if op not in _TOP_DICT_DROPPED]
        fd_array, _ = _read_index(data, _operand_ints(operators[(12, 36)])[0])
        self.font_dicts: list[list[Token]] = []
        self.private_dicts: list[bytes] = []
        for raw in fd_array:
            tokens = _dict_tokens(raw)
            private = next(operands for operands, op in tokens if op == 18)
            size, offset = _operand_ints(private)
            # Subroutines are expanded into each charstring, so the Subrs entry goes.
            private_tokens = [(o, op) for o, op in _dict_tokens(data[offset:offset + size]) if op != 19]
            self.font_dicts.append([(o, op) for o, op in tokens if op != 18])
            self.private_dicts.append(_dict_bytes(private_tokens))
        cff = ttfont["CFF "].cff
        top_dict = cff.topDictIndex[0]
        self._charstrings = top_dict.CharStrings
        self.glyph_order: list[str] = ttfont.getGlyphOrder()
        self.glyph_ids = {name: gid for gid, name in enumerate(self.glyph_order)}
        self.fd_of_glyph: list[int] = list(top_dict.FDSelect)
        self._programs: dict[int, bytes] = {}
        self._lock = threading.Lock()

    def cid(self, gid: int) -> int:
        name = self.glyph_order[gid]
        return int(name[3:]) if name.startswith("cid") and name[3:].isdigit() else gid

    def charstring(self, gid: int) -> bytes:
        """The glyph's charstring without subroutine calls (computed once per glyph per process)."""
        program = self._programs.get(gid)
        if program is None:
            with self._lock:
                program = self._programs.get(gid)
                if program is None:
                    charstring = copy.copy(self._charstrings[self.glyph_order[gid]])
                    desubroutinizeCharString(charstring)
                    charstring.compile()
                    program = bytes(charstring.bytecode)
                    self._programs[gid] = program
        return program

    def subset(self, glyph_ids: Iterable[int]) -> bytes:
        """A CID-keyed CFF holding .notdef and ``glyph_ids`` (original CIDs kept), no subroutines."""
        gids = [0, *sorted(set(glyph_ids) - {0})]
        used_fds = sorted({self.fd_of_glyph[gid] for gid in gids})
        new_fd = {fd: index for index, fd in enumerate(used_fds)}
        charset = b"\x00" + b"".join(struct.pack(">H", self.cid(gid)) for gid in gids[1:])
        fd_select = b"\x00" + bytes(new_fd[self.fd_of_glyph[gid]] for gid in gids)
        charstrings = _index_bytes([self.charstring(gid) for gid in gids])
        # The top DICT's size is fixed by its 5-byte offsets; lay out everything after it.
        top_size = len(_dict_bytes(self.top_tokens)) + 4 * 5 + 1 + 1 + 2 + 2
        top_index_size = len(_index_bytes([b"\x00" * top_size]))
        gsubrs = _index_bytes([])
        start = len(self.header) + len(self.name_index) + top_index_size + len(self.string_index) + len(gsubrs)
        charset_at = start
        fd_select_at = charset_at + len(charset)
        charstrings_at = fd_select_at + len(fd_select)
        fd_array_at = charstrings_at + len(charstrings)
        font_dict_size = [len(_dict_bytes(self.font_dicts[fd])) + 5 + 5 + 1 for fd in used_fds]
        fd_array_size = len(_index_bytes([b"\x00" * size for size in font_dict_size]))
        private_at = fd_array_at + fd_array_size
        font_dicts: list[bytes] = []
        privates: list[bytes] = []
        for fd in used_fds:
            private = self.private_dicts[fd]
            font_dicts.append(_dict_bytes([*self.font_dicts[fd], (_int5(len(private)) + _int5(private_at), 18)]))
            privates.append(private)
            private_at += len(private)
        top = _dict_bytes([*self.top_tokens, (_int5(charset_at), 15), (_int5(fd_select_at), (12, 37)),
                           (_int5(charstrings_at), 17), (_int5(fd_array_at), (12, 36))])
        assert len(top) == top_size, (len(top), top_size)
        return b"".join([self.header, self.name_index, _index_bytes([top]), self.string_index, gsubrs, charset,
                         fd_select, charstrings, _index_bytes(font_dicts), *privates])


# --- the per-document font ------------------------------------------------------------------------------


class _CompiledCFF:
    def __init__(self, target: SubsetTarget) -> None:
        self._target = target

    def compile(self, _ttfont: object) -> bytes:
        return self._target.compiled()


class SubsetTarget:
    """What a document font has as ``ttfont``: receives the glyph list at output, yields the CFF."""

    def __init__(self, source: CFFSource) -> None:
        self._source = source
        self._glyph_ids: list[int] | None = None

    def keep(self, glyph_names: Iterable[str]) -> None:
        ids = self._source.glyph_ids
        self._glyph_ids = [ids[name] for name in glyph_names if name in ids]

    def compiled(self) -> bytes:
        if self._glyph_ids is None:
            raise RuntimeError("the document font was not subset before output")
        return self._source.subset(self._glyph_ids)

    def __contains__(self, table: str) -> bool:
        return table == "CFF "

    def __getitem__(self, table: str) -> _CompiledCFF:
        if table != "CFF ":
            raise KeyError(table)
        return _CompiledCFF(self)

    def getGlyphID(self, name: str) -> int:  # noqa: N802 - fontTools' name, called by fpdf2
        return self._source.glyph_ids.get(name, 0)

    def save(self, stream: Any) -> None:
        """fpdf2 saves the whole font first and then replaces it by the CFF table: write nothing."""

    def close(self) -> None:
        """Nothing to close: the parsed font is the process's."""


class _HookedSubsetter:
    """fontTools' ``Subsetter`` as fpdf2 calls it, handing a :class:`SubsetTarget` its glyphs."""

    def __init__(self, options: Any = None) -> None:
        self._options = options
        self._populated: dict[str, Any] = {}

    def populate(self, **kwargs: Any) -> None:
        self._populated = kwargs

    def subset(self, font: Any) -> None:
        if isinstance(font, SubsetTarget):
            font.keep(self._populated.get("glyphs") or ())
            return
        real = ftsubset.Subsetter(self._options)
        real.populate(**self._populated)
        real.subset(font)


@cache
def install_subset_hook() -> None:
    """Point fpdf2's output at :class:`_HookedSubsetter` (other fonts still use fontTools)."""
    fpdf_output.ftsubset = types.SimpleNamespace(Options=ftsubset.Options,  # type: ignore[attr-defined]
                                                 Subsetter=_HookedSubsetter)


@cache
def font_path() -> str:
    """The embedded font file (Noto Sans JP Regular, OTF/CFF, OFL)."""
    return str(pylopdf_fonts_jp.sans_path())


@cache
def prepared_font(fontkey: str) -> tuple[TTFFont, CFFSource]:
    """fpdf2's font object and the CFF source, built once per process."""
    from pathlib import Path

    holder = FPDF()
    holder.render_color_fonts = False
    prototype = TTFFont(holder, Path(font_path()), fontkey, "")
    if not (prototype.is_cff and prototype.is_cid_keyed):
        raise ValueError("the letters' font must be a CID-keyed OpenType/CFF font")
    source = CFFSource(prototype.ttfont)
    return prototype, source


def document_font(pdf: FPDF, fontkey: str) -> TTFFont:
    """Register the process's prepared font in ``pdf`` (as ``add_font`` would) with a fresh subset state."""
    install_subset_hook()
    prototype, source = prepared_font(fontkey)
    font = TTFFont.__new__(TTFFont)
    for slot in TTFFont.__slots__:
        if hasattr(prototype, slot):
            setattr(font, slot, getattr(prototype, slot))
    font.i = len(pdf.fonts) + 1
    font.desc = copy.copy(prototype.desc)  # output writes the font name and object id into it
    font.ttfont = SubsetTarget(source)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.color_font = None
    font._hbfont = None
    font.subset = SubsetMap(font)
    pdf.fonts[fontkey] = font
    pdf._set_min_pdf_version("1.6")  # as add_font does for a CID-keyed CFF font
    return font

"""Conversion of names to the 全銀 (Zengin) half-width character set.

Implements zengin.md §1.8 (permitted characters and the conversion rules 1–8) and §3.3
(法人略語, company-type abbreviations). The generator converts, then validates; a character that
has no legal form raises :class:`UnrepresentableCharacter` — nothing is ever altered beyond the
documented rules or dropped silently (zengin.md §1.8 "reject rather than silently drop").

Pipeline per input character (zengin.md §3.2 advice, applied character by character so that an
error can name the offending character and its position in the *input*):

1. 法人略語 (§3.3): 株式会社 etc. → ``ｶ)NAME`` / ``NAME(ｶ`` / ``NAME(ｶ)REST`` by position.
2. NFKC (full-width ASCII/digits/parentheses/space → ASCII, half-width kana → full-width).
3. Hiragana → katakana; small kana → large (rule 2); ヰ→イ, ヱ→エ (rule 4).
4. Long vowel and dash look-alikes → ``-`` (rule 3); ``・`` and ``,`` → space (rule 5).
5. Latin letters → upper case (rule 5); full-width katakana → half-width (rule 1, jaconv).
6. Runs of spaces collapsed, leading/trailing spaces removed (rule 6).
7. Every output character checked against the name class and the voicing-mark rule (§1.8).
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from functools import lru_cache

import jaconv

__all__ = [
    "CharClass",
    "EmptyName",
    "NameTooLong",
    "UnrepresentableCharacter",
    "ZenginKanaError",
    "invalid_zengin_text_position",
    "is_zengin_text",
    "to_zengin_kana",
    "zengin_byte_length",
]


class ZenginKanaError(ValueError):
    """Base class of every name-conversion error (zengin.md §1.8)."""


class UnrepresentableCharacter(ZenginKanaError):
    """A character of the input has no form in the 全銀 name character set (zengin.md §1.8).

    ``character`` is the offending character as given; ``position`` is its 0-based index in the
    input string.
    """

    def __init__(self, character: str, position: int, text: str, hint: str = "") -> None:
        self.character = character
        self.position = position
        self.text = text
        self.hint = hint
        codepoint = f"U+{ord(character):04X}" if len(character) == 1 else "?"
        message = (
            f"character {character!r} ({codepoint}) at position {position} of {text!r} "
            "cannot be written in the 全銀 character set"
        )
        if hint:
            message += f": {hint}"
        super().__init__(message)


class EmptyName(ZenginKanaError):
    """The name is empty after conversion (zengin.md §1.12 item 5: required names non-empty)."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(f"name {text!r} is empty after conversion")


class NameTooLong(ZenginKanaError):
    """The converted name exceeds the field's byte length (zengin.md §1.8 rule 8: reject)."""

    def __init__(self, converted: str, length_bytes: int, max_bytes: int) -> None:
        self.converted = converted
        self.length_bytes = length_bytes
        self.max_bytes = max_bytes
        super().__init__(f"converted name {converted!r} is {length_bytes} bytes, the field holds {max_bytes}")


class CharClass(StrEnum):
    """Field character classes of zengin.md §1.8."""

    NAME = "name"
    """口座名・振込依頼人名・受取人名: kana ｱ–ﾝ (no ｦ), ﾞ ﾟ, A–Z, 0–9, space, ( ) - ."""
    BANK = "bank"
    """銀行名・支店名: kana ｱ–ﾝ (no ｦ), ﾞ ﾟ, A–Z, 0–9, - (spaces only as padding)."""
    EDI = "edi"
    """EDI情報: name class plus / ¥(0x5C) ｢ ｣ ｦ."""


_KANA = frozenset(chr(c) for c in range(0xFF71, 0xFF9E))  # ｱ..ﾝ (no ｦ U+FF66, no small kana)
_VOICED = "\uff9e"  # ﾞ
_SEMI_VOICED = "\uff9f"  # ﾟ
_DIGITS = frozenset("0123456789")
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_BANK_CHARS = _KANA | _DIGITS | _UPPER | {_VOICED, _SEMI_VOICED, "-"}
_NAME_CHARS = _BANK_CHARS | {" ", "(", ")", "."}
_EDI_CHARS = _NAME_CHARS | {"/", "\\", "\uff62", "\uff63", "\uff66"}  # ｢ ｣ ｦ
_CLASS_CHARS = {CharClass.NAME: _NAME_CHARS, CharClass.BANK: _BANK_CHARS, CharClass.EDI: _EDI_CHARS}

# ﾞ may follow ｳ or the か/さ/た/は rows; ﾟ only the は row (zengin.md §1.8, bytes 0xB3,
# 0xB6–0xC4, 0xCA–0xCE).
_HA_ROW = frozenset(chr(c) for c in range(0xFF8A, 0xFF8F))
_VOICEABLE = frozenset({"\uff73"}) | frozenset(chr(c) for c in range(0xFF76, 0xFF85)) | _HA_ROW

_SMALL_TO_LARGE = str.maketrans(
    "ァィゥェォャュョッヮヵヶ",
    "アイウエオヤユヨツワカケ",
)
_OBSOLETE = {"ヰ": "イ", "ヱ": "エ"}
# zengin.md §1.8 rule 3. U+FF0D and U+FF70 are mapped by NFKC to '-' and U+30FC first.
_DASHES = frozenset("\u30fc\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63")
_TO_SPACE = frozenset("\u30fb,")  # ・ and , (rule 5)
_SPACING_MARKS = {"\u309b": _VOICED, "\u309c": _SEMI_VOICED, "\u3099": _VOICED, "\u309a": _SEMI_VOICED}

_HINTS = {
    "ヲ": "ｦ is only legal in EDI情報; bank-registered names normally use ｵ (zengin.md §1.8 rule 4)",
    "ヷ": "ヷ has no legal form (zengin.md §1.8 rule 4)",
    "ヺ": "ヺ has no legal form (zengin.md §1.8 rule 4)",
}

# 法人略語 (zengin.md §3.3). Longest words first so that e.g. 地方独立行政法人 wins over
# 独立行政法人. Abbreviations are written in full-width kana and run through the same pipeline.
_ENTITY_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("有限責任中間法人", "チユウ"),
    ("無限責任中間法人", "チユウ"),
    ("特定非営利活動法人", "トクヒ"),
    ("社会保険労務士法人", "ロウム"),
    ("地方独立行政法人", "チドク"),
    ("一般財団法人", "ザイ"),
    ("公益財団法人", "ザイ"),
    ("一般社団法人", "シヤ"),
    ("公益社団法人", "シヤ"),
    ("医療法人社団", "イ"),
    ("医療法人財団", "イ"),
    ("社会医療法人", "イ"),
    ("独立行政法人", "ドク"),
    ("社会福祉法人", "フク"),
    ("更生保護法人", "ホゴ"),
    ("国立大学法人", "ダイ"),
    ("公立大学法人", "ダイ"),
    ("農事組合法人", "ノウ"),
    ("管理組合法人", "カンリ"),
    ("弁護士法人", "ベン"),
    ("行政書士法人", "ギヨ"),
    ("司法書士法人", "シホウ"),
    ("税理士法人", "ゼイ"),
    ("株式会社", "カ"),
    ("有限会社", "ユ"),
    ("合名会社", "メ"),
    ("合資会社", "シ"),
    ("合同会社", "ド"),
    ("相互会社", "ソ"),
    ("医療法人", "イ"),
    ("財団法人", "ザイ"),
    ("社団法人", "シヤ"),
    ("宗教法人", "シユウ"),
    ("学校法人", "ガク"),
    ("㍿", "カ"),
    ("㈱", "カ"),
    ("㈲", "ユ"),
    ("㈾", "シ"),
    ("㈴", "メ"),
    ("㈶", "ザイ"),
    ("[(（]株[)）]", "カ"),
    ("[(（]有[)）]", "ユ"),
    ("[(（]同[)）]", "ド"),
    ("[(（]資[)）]", "シ"),
    ("[(（]名[)）]", "メ"),
    ("[(（]財[)）]", "ザイ"),
    ("[(（]医[)）]", "イ"),
    ("[(（]学[)）]", "ガク"),
    ("[(（]福[)）]", "フク"),
)
_ENTITY_LOOKUP: dict[str, str] = {}
_ENTITY_PATTERN_PARTS: list[str] = []
for _word, _abbr in _ENTITY_ABBREVIATIONS:
    _ENTITY_PATTERN_PARTS.append(f"(?:{_word})" if "[" in _word else re.escape(_word))
_ENTITY_RE = re.compile(r"[ \u3000]*(" + "|".join(_ENTITY_PATTERN_PARTS) + r")[ \u3000]*")


def _abbreviation_for(matched: str) -> str:
    normalized = unicodedata.normalize("NFKC", matched)
    for word, abbr in _ENTITY_ABBREVIATIONS:
        if "[" in word:
            if re.fullmatch(word, matched) or re.fullmatch(word, normalized):
                return abbr
        elif matched == word:
            return abbr
    raise AssertionError(matched)  # pragma: no cover - the regex only matches listed words


def _split_entities(name: str) -> list[tuple[int, str]]:
    """Split ``name`` into (input index, text) pieces, replacing 法人 words (zengin.md §3.3).

    At the start: ``ｶ)NAME``; at the end: ``NAME(ｶ``; in the middle: ``NAME(ｶ)REST``; spaces
    around the word are removed (no space between the abbreviation and the name).
    """
    pieces: list[tuple[int, str]] = []
    cursor = 0
    for match in _ENTITY_RE.finditer(name):
        for index in range(cursor, match.start()):
            pieces.append((index, name[index]))
        abbr = _abbreviation_for(match.group(1))
        has_before = name[: match.start()].strip(" \u3000") != ""
        has_after = name[match.end() :].strip(" \u3000") != ""
        if has_before and has_after:
            text = f"({abbr})"
        elif has_before:
            text = f"({abbr}"
        elif has_after:
            text = f"{abbr})"
        else:
            text = abbr
        pieces.append((match.start(1), text))
        cursor = match.end()
    for index in range(cursor, len(name)):
        pieces.append((index, name[index]))
    return pieces


def _convert_char(ch: str) -> str | None:
    """Convert one NFKC-normalised character; ``None`` when it has no legal name form."""
    if ch in _SPACING_MARKS:
        return _SPACING_MARKS[ch]
    code = ord(ch)
    if 0x3041 <= code <= 0x3096:  # hiragana → katakana
        ch = chr(code + 0x60)
    ch = ch.translate(_SMALL_TO_LARGE)
    ch = _OBSOLETE.get(ch, ch)
    if ch in _DASHES:
        return "-"
    if ch in _TO_SPACE:
        return " "
    if "a" <= ch <= "z":
        return ch.upper()
    if 0x30A1 <= ord(ch) <= 0x30FA:  # full-width katakana → half-width
        converted: str = jaconv.z2h(ch, kana=True, ascii=False, digit=False)
        ch = converted
    if all(c in _NAME_CHARS for c in ch):
        return ch
    return None


def to_zengin_kana(name: str, *, max_bytes: int | None = None) -> str:
    """Convert a payee/holder/originator name to the 全銀 name class (zengin.md §1.8, §3.3).

    Accepts full- or half-width katakana, hiragana, full-width or ASCII letters/digits, the
    permitted symbols and 法人 words (株式会社 …, ㈱, （株）). Kanji other than the 法人 words cannot
    be converted (rule 7) and raise :class:`UnrepresentableCharacter`, as do ``ｦ``/``ヲ``,
    ``ヷ``/``ヺ``, lower-case-only scripts, ``*``, ``&``, ``@`` and any other character outside
    the class. Raises :class:`EmptyName` for an empty result and :class:`NameTooLong` when
    ``max_bytes`` is given and exceeded (rule 8: reject, never truncate).

    The function is idempotent: a valid 全銀 name converts to itself.
    """
    result = name if _is_canonical(name) else _convert(name)
    if max_bytes is not None and len(result) > max_bytes:
        raise NameTooLong(result, len(result), max_bytes)
    return result


def _is_canonical(name: str) -> bool:
    """Fast path: ``name`` is already a valid, trimmed, single-spaced 全銀 name."""
    return (
        name != ""
        and name[-1] != " "
        and "  " not in name
        and invalid_zengin_text_position(name, CharClass.NAME) is None
    )


@lru_cache(maxsize=4096)
def _convert_source_char(source_char: str) -> tuple[str, str | None]:
    """(the normalised character that failed, or ''; the converted text or None) for one input char."""
    normalized = source_char if source_char in _SPACING_MARKS else unicodedata.normalize("NFKC", source_char)
    parts: list[str] = []
    for ch in normalized:
        converted = _convert_char(ch)
        if converted is None:
            return ch, None
        parts.append(converted)
    return "", "".join(parts)


def _convert(name: str) -> str:
    """The conversion pipeline of the module docstring, tracking input positions for errors."""
    out: list[tuple[int, str]] = []  # (input position, output character)
    for index, piece in _split_entities(name):
        for source_char in piece:
            failed, converted = _convert_source_char(source_char)
            if converted is None:
                raise UnrepresentableCharacter(
                    name[index] if index < len(name) else source_char,
                    index,
                    name,
                    _HINTS.get(failed, _hint_for(failed)),
                )
            out.extend((index, c) for c in converted)
    # Rule 6: collapse runs of spaces and trim.
    collapsed: list[tuple[int, str]] = []
    for index, ch in out:
        if ch == " " and (not collapsed or collapsed[-1][1] == " "):
            continue
        collapsed.append((index, ch))
    while collapsed and collapsed[-1][1] == " ":
        collapsed.pop()
    if not collapsed:
        raise EmptyName(name)
    # Voicing-mark placement (§1.8).
    previous = ""
    for index, ch in collapsed:
        if (ch == _VOICED and previous not in _VOICEABLE) or (ch == _SEMI_VOICED and previous not in _HA_ROW):
            raise UnrepresentableCharacter(
                name[index], index, name, "a voicing mark must follow a kana that can carry it"
            )
        previous = ch
    return "".join(ch for _, ch in collapsed)


def _hint_for(ch: str) -> str:
    if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
        return "kanji cannot be converted; use the kana 口座名義 (zengin.md §1.8 rule 7)"
    return "not in the permitted name characters (zengin.md §1.8)"


def invalid_zengin_text_position(text: str, char_class: CharClass = CharClass.NAME) -> int | None:
    """Return the 0-based index of the first character violating ``char_class``, else ``None``.

    Checks membership in the class (zengin.md §1.8), the voicing-mark placement rule, no leading
    space, and (bank class) no space at all — trailing padding is not part of the text.
    """
    allowed = _CLASS_CHARS[char_class]
    if allowed.issuperset(text) and not text.startswith(" "):
        # Every character is permitted (checked in C): only a voicing mark can still be misplaced. The
        # file's every name is checked at run and at export, so this path matters (issue 15).
        return _misplaced_mark(text)
    previous = ""
    for index, ch in enumerate(text):
        if ch not in allowed:
            return index
        if ch == " " and index == 0:
            return index
        if ch == _VOICED and previous not in _VOICEABLE:
            return index
        if ch == _SEMI_VOICED and previous not in _HA_ROW:
            return index
        previous = ch
    return None


def _misplaced_mark(text: str) -> int | None:
    """The first ﾞ not after a kana that can carry it, or ﾟ not after the は row (zengin.md §1.8)."""
    first: int | None = None
    for mark, carriers in ((_VOICED, _VOICEABLE), (_SEMI_VOICED, _HA_ROW)):
        index = text.find(mark)
        while index != -1 and (first is None or index < first):
            if index == 0 or text[index - 1] not in carriers:
                first = index
                break
            index = text.find(mark, index + 1)
    return first


def is_zengin_text(text: str, char_class: CharClass = CharClass.NAME) -> bool:
    """True if ``text`` is non-empty and entirely within ``char_class`` (zengin.md §1.8)."""
    return text != "" and invalid_zengin_text_position(text, char_class) is None


def zengin_byte_length(text: str) -> int:
    """Byte length of ``text`` in cp932 (every permitted character is one byte, zengin.md §1.2)."""
    return len(text.encode("cp932"))

"""Bank and branch reference data from ``zengin-code`` (zengin.md §3.1), in 全銀 half-width kana.

``zengin-code`` stores full-width kana already in Zengin style (large kana, long vowel as
U+FF0D); ``jaconv.z2h(kana, kana=True, ascii=True, digit=True)`` gives the file form, e.g.
``ミツビシユ－エフジエイ`` → ``ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ``. The dataset is a dated snapshot (zengin.md §6 item 7).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jaconv
from zengin_code import Bank

__all__ = [
    "JAPAN_POST_BANK_CODE",
    "BankChoice",
    "bank_kana",
    "bank_name",
    "branch_kana",
    "branch_name",
    "display_name",
    "japan_post_to_zengin",
    "resolve_bank",
    "resolve_branch",
    "search_banks",
    "search_branches",
]

JAPAN_POST_BANK_CODE = "9900"
"""ゆうちょ銀行 (zengin.md §1.11, §3.1)."""


def _to_half_width(kana: str) -> str:
    converted: str = jaconv.z2h(kana, kana=True, ascii=True, digit=True)
    return converted


def _bank(bank_code: str) -> Any:
    banks: Any = Bank.all
    return banks.get(bank_code)


@lru_cache(maxsize=4096)
def bank_kana(bank_code: str) -> str | None:
    """Half-width kana name of a bank for 被仕向銀行名, or ``None`` if the code is unknown."""
    bank = _bank(bank_code)
    if bank is None:
        return None
    return _to_half_width(str(bank.kana))


@lru_cache(maxsize=65536)
def branch_kana(bank_code: str, branch_code: str) -> str | None:
    """Half-width kana name of a branch for 被仕向支店名, or ``None`` if bank/branch is unknown."""
    bank = _bank(bank_code)
    if bank is None:
        return None
    branch = bank.branches.get(branch_code)
    if branch is None:
        return None
    return _to_half_width(str(branch.kana))


def japan_post_to_zengin(symbol: str, number: str) -> tuple[str, str, str]:
    """Convert a ゆうちょ 記号・番号 to (branch_code, account_type, account_number) (zengin.md §1.11).

    通常貯金 (記号 of 5 digits starting with ``1``): branch = 記号 digits 2–3 + ``8``, 預金種目 ``1``,
    account = 番号 (up to 8 digits, ending in the check digit ``1``) without that final digit,
    zero-padded to 7: ``('10530', '12345671')`` → ``('058', '1', '1234567')``.
    振替口座 (記号 starting with ``0``, optionally with its check digit as a 6th digit): branch =
    記号 digits 2–3 + ``9``, 預金種目 ``2`` 当座, account = 番号 zero-padded to 7. The 振替 rule is
    less well sourced (zengin.md §6 item 9): prefer the converted 店番/口座番号 from the payee.
    Raises ``ValueError`` for anything else.
    """
    symbol = symbol.strip()
    number = number.strip()
    if not symbol.isascii() or not symbol.isdigit() or not number.isascii() or not number.isdigit():
        raise ValueError(f"ゆうちょ 記号 {symbol!r} and 番号 {number!r} must be digits")
    if len(symbol) == 5 and symbol.startswith("1"):
        if not 2 <= len(number) <= 8 or not number.endswith("1"):
            raise ValueError(
                f"ゆうちょ 通常貯金 番号 {number!r} must have at most 8 digits ending in the check digit 1"
            )
        return symbol[1:3] + "8", "1", number[:-1].zfill(7)
    if len(symbol) in (5, 6) and symbol.startswith("0"):
        if not 1 <= len(number) <= 7:
            raise ValueError(f"ゆうちょ 振替口座 番号 {number!r} must have at most 7 digits")
        return symbol[1:3] + "9", "2", number.zfill(7)
    raise ValueError(f"ゆうちょ 記号 {symbol!r} must have 5 digits starting with 1 (通常) or 0 (振替)")


# --- choosing a bank and a branch by name (issue 14: intake that helps) --------------------------------

BANK_CODE_RE = re.compile(r"^[0-9]{4}$")
BRANCH_CODE_RE = re.compile(r"^[0-9]{3}$")

_SMALL_HIRAGANA = str.maketrans("ぁぃぅぇぉゃゅょっゎゕゖ", "あいうえおやゆよつわかけ")
# How people write the kinds of institution, against the short forms zengin-code registers (城南信金).
_INSTITUTION_WORDS = (("信用金庫", "信金"), ("信用組合", "信組"), ("労働金庫", "労金"))


@dataclass(frozen=True, slots=True)
class BankChoice:
    """One bank or branch offered to a person choosing it by name: its code, its name as zengin-code
    registers it (``みずほ``, ``東京営業部``) and its reading in hiragana."""

    code: str
    name: str
    reading: str


def _key(text: str) -> str:
    """The form names are compared in: NFKC (full/half width are one), katakana as hiragana, small kana
    as large (zengin-code writes ｷﾖｳ for きょう), long vowels and dashes as ``-``, no spaces, lower case."""
    normalized = unicodedata.normalize("NFKC", text).lower()
    hiragana: str = jaconv.kata2hira(normalized)
    hiragana = hiragana.translate(_SMALL_HIRAGANA)
    hiragana = re.sub(r"[\u30fc\u2010-\u2015\u2212\uff70-]", "-", hiragana)
    return re.sub(r"[\s\u3000]", "", hiragana)


def _bank_key(text: str) -> str:
    key = _key(text)
    for long, short in _INSTITUTION_WORDS:
        key = key.replace(long, short)
    return key.removesuffix("銀行")


def _branch_key(text: str) -> str:
    return _key(text).removesuffix("支店")


@lru_cache(maxsize=4096)
def bank_name(bank_code: str) -> str | None:
    """The bank's name as zengin-code registers it (``0001`` → ``みずほ``), ``None`` for an unknown code."""
    bank = _bank(bank_code)
    return None if bank is None else str(bank.name)


@lru_cache(maxsize=65536)
def branch_name(bank_code: str, branch_code: str) -> str | None:
    """The branch's name (``0001``, ``001`` → ``東京営業部``), ``None`` for an unknown bank or branch."""
    bank = _bank(bank_code)
    branch = None if bank is None else bank.branches.get(branch_code)
    return None if branch is None else str(branch.name)


_BRANCH_SUFFIXES = ("支店", "営業部", "本店", "出張所", "支所", "事務所")


def display_name(bank_code: str | None, branch_code: str | None) -> str:
    """「みずほ銀行 東京営業部（0001-001）」 for people (screens, the approver's panel): zengin-code's short
    bank name completed with 銀行 for banks (codes below 1000 and ゆうちょ), the branch with 支店 where its
    name carries no kind; unknown codes are named as unknown, never hidden."""
    if not bank_code:
        return "—"
    codes = f"（{bank_code}-{branch_code or '—'}）"
    name = bank_name(bank_code)
    if name is None:
        return f"不明な金融機関{codes}"
    if (bank_code < "1000" or bank_code == JAPAN_POST_BANK_CODE) and not name.endswith("銀行"):
        name += "銀行"  # zengin-code keeps banks' short names (みずほ, ゆうちょ)
    branch = branch_name(bank_code, branch_code or "")
    if branch is None:
        return f"{name} 不明な支店{codes}"
    if not branch.endswith(_BRANCH_SUFFIXES):
        branch += "店" if bank_code == JAPAN_POST_BANK_CODE else "支店"  # ゆうちょ: 〇一九店
    return f"{name} {branch}{codes}"


@lru_cache(maxsize=1)
def _bank_choices() -> tuple[tuple[BankChoice, frozenset[str]], ...]:
    banks: Any = Bank.all
    return tuple((BankChoice(str(b.code), str(b.name), str(b.hira)),
                  frozenset({_bank_key(str(b.name)), _bank_key(str(b.hira))}))
                 for b in sorted(banks.values(), key=lambda b: str(b.code)))


@lru_cache(maxsize=256)
def _branch_choices(bank_code: str) -> tuple[tuple[BankChoice, frozenset[str]], ...]:
    bank = _bank(bank_code)
    if bank is None:
        return ()
    return tuple((BankChoice(str(b.code), str(b.name), str(b.hira)),
                  frozenset({_branch_key(str(b.name)), _branch_key(str(b.hira))}))
                 for b in sorted(bank.branches.values(), key=lambda b: str(b.code)))


def _search(choices: tuple[tuple[BankChoice, frozenset[str]], ...], key: str, limit: int) -> list[BankChoice]:
    """Exact names first, then names starting with the query, then names containing it; code order within."""
    if not key:
        return [choice for choice, _keys in choices[:limit]]
    ranked: list[tuple[int, BankChoice]] = []
    for choice, keys in choices:
        if choice.code == key or key in keys:
            ranked.append((0, choice))
        elif choice.code.startswith(key) or any(k.startswith(key) for k in keys):
            ranked.append((1, choice))
        elif any(key in k for k in keys):
            ranked.append((2, choice))
    ranked.sort(key=lambda item: (item[0], item[1].code))
    return [choice for _rank, choice in ranked[:limit]]


def search_banks(query: str, limit: int = 20) -> list[BankChoice]:
    """Banks whose code, name or reading matches ``query`` (``みずほ``, ``ミズホ銀行``, ``城南信用金庫``,
    ``0001``); all banks in code order for an empty query, at most ``limit``."""
    return _search(_bank_choices(), _bank_key(query), limit)


def search_branches(bank_code: str, query: str, limit: int = 50) -> list[BankChoice]:
    """Branches of ``bank_code`` matching ``query`` by code, name or reading (``東京営業部``,
    ``とうきょう``, ``001``); empty for an unknown bank."""
    return _search(_branch_choices(bank_code), _branch_key(query), limit)


def _resolve(choices: tuple[tuple[BankChoice, frozenset[str]], ...], code_re: re.Pattern[str], key: str,
             text: str) -> str | None:
    digits = unicodedata.normalize("NFKC", text).strip()
    if code_re.match(digits):
        return digits if any(choice.code == digits for choice, _keys in choices) else None
    found = {choice.code for choice, keys in choices if key in keys}
    return found.pop() if len(found) == 1 else None


def resolve_bank(text: str) -> str | None:
    """The code of the one bank ``text`` names (its code, name or reading), else ``None`` (unknown code,
    no such name, or a reading two banks share)."""
    return _resolve(_bank_choices(), BANK_CODE_RE, _bank_key(text), text)


def resolve_branch(bank_code: str, text: str) -> str | None:
    """The code of the one branch of ``bank_code`` that ``text`` names, else ``None``."""
    return _resolve(_branch_choices(bank_code), BRANCH_CODE_RE, _branch_key(text), text)

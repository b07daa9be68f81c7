"""Bank and branch reference data from ``zengin-code`` (zengin.md §3.1), in 全銀 half-width kana.

``zengin-code`` stores full-width kana already in Zengin style (large kana, long vowel as
U+FF0D); ``jaconv.z2h(kana, kana=True, ascii=True, digit=True)`` gives the file form, e.g.
``ミツビシユ－エフジエイ`` → ``ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ``. The dataset is a dated snapshot (zengin.md §6 item 7).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jaconv
from zengin_code import Bank

__all__ = ["JAPAN_POST_BANK_CODE", "bank_kana", "branch_kana", "japan_post_to_zengin"]

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

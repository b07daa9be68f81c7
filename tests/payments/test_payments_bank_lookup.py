"""Choosing a bank and a branch by name (issue 14): the pure zengin-code look-up of payments.bank_codes."""

from __future__ import annotations

import pytest

from payments import bank_codes
from payments.bank_codes import (
    bank_name,
    branch_name,
    resolve_bank,
    resolve_branch,
    search_banks,
    search_branches,
)


@pytest.mark.parametrize(("typed", "code"), [
    ("0001", "0001"), ("０００１", "0001"),              # the code, full-width digits too
    ("みずほ", "0001"), ("ミズホ", "0001"), ("ﾐｽﾞﾎ", "0001"), ("みずほ銀行", "0001"), ("みずほ 銀行", "0001"),
    ("三菱UFJ", "0005"), ("三菱ＵＦＪ銀行", "0005"), ("みつびしゆーえふじぇい", "0005"),  # small kana, long vowel
    ("城南信用金庫", "1344"), ("城南信金", "1344"),        # how people write 信用金庫 vs zengin-code's 信金
    ("中国", "0168"),                                     # the name is unique ...
    ("ちゅうごく", None),                                  # ... its reading is shared by 中國 (0489): no guess
    ("9999", None), ("999", None), ("どこにもない", None), ("", None),
])
def test_a_bank_is_resolved_only_when_the_text_names_exactly_one(typed: str, code: str | None) -> None:
    assert resolve_bank(typed) == code


@pytest.mark.parametrize(("bank", "typed", "code"), [
    ("0001", "001", "001"), ("0001", "東京営業部", "001"), ("0001", "とうきょう", "001"),
    ("0001", "神田駅前支店", "009"), ("0001", "999", None), ("9999", "001", None), ("0001", "01", None),
])
def test_a_branch_is_resolved_within_its_bank(bank: str, typed: str, code: str | None) -> None:
    assert resolve_branch(bank, typed) == code


def test_search_ranks_exact_then_prefix_then_substring() -> None:
    codes = [b.code for b in search_banks("みつびし", limit=10)]
    assert codes[:2] == ["0005", "0288"]  # 三菱ＵＦＪ, 三菱ＵＦＪ信託 (prefix, code order) ...
    assert "2820" in codes and codes.index("2820") > codes.index("0288")  # ... before 長崎三菱信組 (substring)
    assert [b.code for b in search_banks("", limit=3)] == ["0001", "0005", "0009"]
    assert len(search_banks("", limit=5000)) > 1000
    assert search_banks("しんきん", limit=5)[0].code == "1000"  # exact reading is none: prefix 信金中央金庫 first


def test_branches_are_searched_within_their_bank_and_never_for_an_unknown_bank() -> None:
    found = search_branches("0001", "東京")
    assert found[0].code == "001" and all("東京" in b.name or "とうきよう" in b.reading for b in found)
    assert search_branches("9999", "") == []


def test_names_are_as_zengin_code_registers_them() -> None:
    assert (bank_name("0001"), branch_name("0001", "001")) == ("みずほ", "東京営業部")
    assert bank_name("9999") is None and branch_name("0001", "999") is None and branch_name("9999", "001") is None


@pytest.mark.parametrize(("bank", "branch", "expected"), [
    ("0001", "001", "みずほ銀行 東京営業部（0001-001）"),  # a bank's short name gains 銀行
    ("9900", "019", "ゆうちょ銀行 〇一九店（9900-019）"),  # ゆうちょ: 銀行 too; a 店 name is not a 支店
    ("9999", "001", "不明な金融機関（9999-001）"),  # unknown codes are named, never hidden
    ("0001", "999", "みずほ銀行 不明な支店（0001-999）"),
    (None, None, "—"),
])
def test_one_display_name_for_people(bank: str | None, branch: str | None, expected: str) -> None:
    assert bank_codes.display_name(bank, branch) == expected

"""to_zengin_kana / is_zengin_text (zengin.md §1.8, §3.3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.kana import (
    CharClass,
    EmptyName,
    NameTooLong,
    UnrepresentableCharacter,
    ZenginKanaError,
    is_zengin_text,
    to_zengin_kana,
)

PERMITTED_NAME_BYTES = (
    {0x20, 0x28, 0x29, 0x2D, 0x2E} | set(range(0x30, 0x3A)) | set(range(0x41, 0x5B)) | set(range(0xB1, 0xE0))
)


@pytest.mark.parametrize(
    ("given_name", "expected"),
    [
        # zengin.md §3.2 table and §1.8 rules
        ("ヤマダ　タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("カ）ヤマダフドウサン", "ｶ)ﾔﾏﾀﾞﾌﾄﾞｳｻﾝ"),
        ("ヤマダフドウサン（カ", "ﾔﾏﾀﾞﾌﾄﾞｳｻﾝ(ｶ"),
        ("キャノン", "ｷﾔﾉﾝ"),
        ("ガッコウ", "ｶﾞﾂｺｳ"),
        ("がっこう", "ｶﾞﾂｺｳ"),
        ("ヨーコ", "ﾖ-ｺ"),
        ("ﾖｰｺ", "ﾖ-ｺ"),
        ("ＡＢＣ１２３", "ABC123"),
        ("abc", "ABC"),
        ("ヴァイオリン", "ｳﾞｱｲｵﾘﾝ"),
        ("ヰヱヵヶヮ", "ｲｴｶｹﾜ"),
        ("パン・ベーカリー", "ﾊﾟﾝ ﾍﾞ-ｶﾘ-"),
        ("スズキ,イチロウ", "ｽｽﾞｷ ｲﾁﾛｳ"),
        ("ヤマダ   タロウ ", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("　ヤマダ", "ﾔﾏﾀﾞ"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("ヤマダ‐タロウ", "ﾔﾏﾀﾞ-ﾀﾛｳ"),
        ("ヤマダ−タロウ", "ﾔﾏﾀﾞ-ﾀﾛｳ"),
        ("ヤマダ－タロウ", "ﾔﾏﾀﾞ-ﾀﾛｳ"),
        ("ヤマダ―タロウ", "ﾔﾏﾀﾞ-ﾀﾛｳ"),
        ("Ｊ．スミス", "J.ｽﾐｽ"),
        ("ハ\u309aン", "ﾊﾟﾝ"),  # decomposed (NFD) input
        # 法人略語 by position (zengin.md §3.3)
        ("株式会社ヤマダフドウサン", "ｶ)ﾔﾏﾀﾞﾌﾄﾞｳｻﾝ"),
        ("ヤマダフドウサン株式会社", "ﾔﾏﾀﾞﾌﾄﾞｳｻﾝ(ｶ"),
        ("ヤマダ株式会社トウキョウシテン", "ﾔﾏﾀﾞ(ｶ)ﾄｳｷﾖｳｼﾃﾝ"),
        ("株式会社　ヤマダ", "ｶ)ﾔﾏﾀﾞ"),
        ("（株）ヤマダ", "ｶ)ﾔﾏﾀﾞ"),
        ("㈱ヤマダ", "ｶ)ﾔﾏﾀﾞ"),
        ("ヤマダ(有)", "ﾔﾏﾀﾞ(ﾕ"),
        ("有限会社スズキショウテン", "ﾕ)ｽｽﾞｷｼﾖｳﾃﾝ"),
        ("合同会社アオバ", "ﾄﾞ)ｱｵﾊﾞ"),
        ("一般社団法人アオバ", "ｼﾔ)ｱｵﾊﾞ"),
        ("特定非営利活動法人アオバ", "ﾄｸﾋ)ｱｵﾊﾞ"),
        ("地方独立行政法人アオバ", "ﾁﾄﾞｸ)ｱｵﾊﾞ"),
        ("社会福祉法人アオバカイ", "ﾌｸ)ｱｵﾊﾞｶｲ"),
        ("医療法人社団アオバカイ", "ｲ)ｱｵﾊﾞｶｲ"),
    ],
)
def test_names_are_converted_to_zengin_kana(given_name: str, expected: str) -> None:
    assert to_zengin_kana(given_name) == expected
    assert is_zengin_text(expected)


@pytest.mark.parametrize(
    ("given_name", "character", "position"),
    [
        ("山田太郎", "山", 0),
        ("株式会社ヤマダ不動産", "不", 7),
        ("ヲカダ", "ヲ", 0),
        ("ｦｶﾀﾞ", "ｦ", 0),
        ("ヤマダ&サン", "&", 3),
        ("ヤマダ*", "*", 3),
        ("ヤマダ@", "@", 3),
        ("ヤマダ/タロウ", "/", 3),
        ("ヤマダ、タロウ", "、", 3),
        ("ヤマダ。", "。", 3),
        ("ヷ", "ヷ", 0),
        ("ヤマダ\tタロウ", "\t", 3),
        ("ｱﾞ", "ﾞ", 1),  # ﾞ after a kana that cannot carry it
        ("ﾞｱ", "ﾞ", 0),  # voicing mark cannot start a field
        ("ｶﾟ", "ﾟ", 1),  # ﾟ only after the は row
        ("ヤマダ😀", "😀", 3),
    ],
)
def test_unrepresentable_characters_are_named_with_their_position(
    given_name: str, character: str, position: int
) -> None:
    with pytest.raises(UnrepresentableCharacter) as raised:
        to_zengin_kana(given_name)
    assert raised.value.character == character
    assert raised.value.position == position
    assert isinstance(raised.value, ValueError)
    assert repr(character) in str(raised.value)


@pytest.mark.parametrize("given_name", ["", "   ", "　", "・"])
def test_empty_names_are_rejected(given_name: str) -> None:
    with pytest.raises(EmptyName):
        to_zengin_kana(given_name)


def test_over_long_names_are_rejected_never_truncated() -> None:
    name = "ガ" * 15  # 30 bytes
    assert to_zengin_kana(name, max_bytes=30) == "ｶﾞ" * 15
    with pytest.raises(NameTooLong) as raised:
        to_zengin_kana(name + "ア", max_bytes=30)
    assert raised.value.length_bytes == 31


@pytest.mark.parametrize(
    ("text", "char_class", "expected"),
    [
        ("ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ", CharClass.BANK, True),
        ("ﾐｽﾞﾎ ﾄｳｷﾖｳ", CharClass.BANK, False),  # no space in bank names
        ("ｶ)ﾔﾏﾀﾞ", CharClass.BANK, False),
        ("ｶ)ﾔﾏﾀﾞ", CharClass.NAME, True),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", CharClass.NAME, True),
        (" ﾔﾏﾀﾞ", CharClass.NAME, False),  # left-aligned
        ("ﾖｰｺ", CharClass.NAME, False),
        ("ｷｬﾉﾝ", CharClass.NAME, False),
        ("yamada", CharClass.NAME, False),
        ("ｦ", CharClass.NAME, False),
        ("ｦ", CharClass.EDI, True),
        ("INV/2026", CharClass.NAME, False),
        ("INV/2026", CharClass.EDI, True),
        ("A,B", CharClass.EDI, False),
        ("", CharClass.NAME, False),
    ],
)
def test_is_zengin_text_checks_the_field_class(text: str, char_class: CharClass, expected: bool) -> None:
    assert is_zengin_text(text, char_class) is expected


@given(st.text(max_size=40))
def test_conversion_output_is_permitted_or_raises(text: str) -> None:
    try:
        converted = to_zengin_kana(text)
    except ZenginKanaError:
        return
    assert is_zengin_text(converted)
    assert all(b in PERMITTED_NAME_BYTES for b in converted.encode("cp932"))
    assert to_zengin_kana(converted) == converted  # idempotent


KANA_SOURCE = st.text(
    alphabet=st.sampled_from(
        list("アイウエオカキクケコガギグゲゴサシスセソザジズゼゾタチツテトダヂヅデドナニヌネノハヒフヘホ")
        + list("バビブベボパピプペポマミムメモヤユヨラリルレロワンァィゥェォャュョッーヴ　・")
        + list("あいうえおがぎぐげごっゃゅょＡＢＣａｂｃ０１２（）－．abcXYZ019()-. ")
    ),
    min_size=1,
    max_size=30,
)


@given(KANA_SOURCE)
def test_kana_input_always_converts_to_permitted_bytes(text: str) -> None:
    try:
        converted = to_zengin_kana(text)
    except EmptyName:
        return
    assert all(b in PERMITTED_NAME_BYTES for b in converted.encode("cp932"))
    assert len(converted.encode("cp932")) == len(converted)

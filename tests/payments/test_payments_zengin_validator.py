"""The independent validator of zengin.md §1.12, fed hand-broken files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from payments.zengin_validator import validate_transfer_file

GOLDEN = (Path(__file__).parent / "golden" / "spec_example_1_9.dat").read_bytes()
RECORDS = GOLDEN.split(b"\r\n")[:-1]


def with_record(index: int, start: int, replacement: bytes) -> bytes:
    """The golden example with bytes from 1-based ``start`` of record ``index`` replaced."""
    records = list(RECORDS)
    record = records[index]
    records[index] = record[: start - 1] + replacement + record[start - 1 + len(replacement) :]
    return b"".join(r + b"\r\n" for r in records)


def test_the_spec_example_is_valid() -> None:
    assert validate_transfer_file(GOLDEN, creation_date=date(2026, 4, 1), include_warnings=True) == []


@pytest.mark.parametrize(
    ("data", "rule", "field"),
    [
        (GOLDEN.replace(b"\r\n", b"\n"), "V1", "framing"),
        (b"\xef\xbb\xbf" + GOLDEN, "V1", "file"),
        (GOLDEN.replace(b"\r\n", b"")[:-3], "V1", "file"),
        (b"".join(r + b"\r\n" for r in [RECORDS[0], RECORDS[3], RECORDS[4]]), "V2", "データ区分"),
        (b"".join(r + b"\r\n" for r in RECORDS[:4]), "V2", "file"),
        (GOLDEN + RECORDS[4] + b"\r\n", "V2", "データ区分"),
        (with_record(0, 2, b"11"), "V3", "種別コード"),
        (with_record(0, 4, b"1"), "V3", "コード区分"),
        (with_record(0, 110, b"X"), "V3", "ダミー"),
        (with_record(4, 50, b"X"), "V3", "ダミー"),
        (with_record(1, 44, b"12 4567"), "V4", "口座番号"),
        (with_record(1, 81, b"          "), "V4", "振込金額"),
        (with_record(1, 51, b"yamada"), "V5", "受取人名"),
        (with_record(1, 51, b" \xd4\xcf"), "V5", "受取人名"),
        (with_record(1, 51, b"\xd4\xb0\xba"), "V5", "受取人名"),  # ｰ long-vowel mark
        (with_record(1, 51, b"\xb7\xac\xc9"), "V5", "受取人名"),  # small ｬ
        (with_record(1, 51, b"\xb1\xde"), "V5", "受取人名"),  # ｱﾞ
        (with_record(1, 51, b" " * 30), "V5", "受取人名"),
        (with_record(0, 15, b"\x82\xa0"), "V5", "振込依頼人名"),  # a double-byte character
        (with_record(1, 6, b"\xd0\xbd\xde\xce \xb7"), "V5", "被仕向銀行名"),
        (with_record(1, 43, b"3"), "V6", "預金種目"),
        (with_record(0, 96, b"4"), "V6", "預金種目"),
        (with_record(1, 91, b"5"), "V6", "新規コード"),
        (with_record(1, 112, b"9"), "V6", "振込指定区分"),
        (with_record(1, 113, b"N"), "V6", "識別表示"),
        (with_record(1, 92, b"ABC"), "V7", "顧客コード1"),
        (with_record(2, 92, b"INV,1"), "V5", "EDI情報"),
        (with_record(3, 2, b"000003"), "V8", "合計件数"),
        (with_record(3, 8, b"000002495679"), "V8", "合計金額"),
        (with_record(0, 55, b"0230"), "V10", "振込指定日"),
    ],
)
def test_each_checklist_item_is_reported(data: bytes, rule: str, field: str) -> None:
    findings = validate_transfer_file(data)
    assert any(f"[{rule}]" in f and (f"({field})" in f or f.startswith(f"{field}:")) for f in findings), findings


@pytest.mark.parametrize(
    ("creation_date", "valid"),
    [
        (date(2026, 4, 1), True),  # 2026-04-15 Wednesday
        (date(2024, 4, 1), True),  # 2024-04-15 Monday
        (date(2025, 4, 1), True),  # 2025-04-15 Tuesday
        (date(2026, 4, 16), True),  # next occurrence 2027-04-15 Thursday
        (date(2023, 4, 1), False),  # 2023-04-15 Saturday
    ],
)
def test_the_transfer_date_is_resolved_from_the_creation_date(creation_date: date, valid: bool) -> None:
    findings = validate_transfer_file(GOLDEN, creation_date=creation_date)
    assert (findings == []) is valid, findings


def test_a_january_date_in_a_december_file_resolves_to_the_next_year() -> None:
    data = with_record(0, 55, b"0104")  # 2027-01-04 Monday: open; 2026-01-04 is a Sunday
    assert validate_transfer_file(data, creation_date=date(2026, 12, 20)) == []
    assert validate_transfer_file(with_record(0, 55, b"0102"), creation_date=date(2026, 12, 20)) != []


def test_warnings_are_only_returned_on_request() -> None:
    data = with_record(1, 81, b"0000000000")  # amount 0 → warning, and the trailer sum breaks
    data = data.replace(b"8000002000002495678", b"8000002000002345678")
    assert validate_transfer_file(data) == []
    warnings = validate_transfer_file(data, include_warnings=True)
    assert any("amount is 0" in w for w in warnings)
    assert all(w.startswith("warning: ") for w in warnings)


def test_semantic_warnings_for_unknown_banks_and_names_differing_from_zengin_code() -> None:
    data = with_record(1, 2, b"9999")
    warnings = validate_transfer_file(data, include_warnings=True)
    assert any("9999 unknown in zengin-code" in w for w in warnings)
    data = with_record(1, 24, b"\xbc\xde\xd4\xcf")  # ｼﾞﾔﾏ instead of ﾎﾝﾃﾝ
    warnings = validate_transfer_file(data, include_warnings=True)
    assert any("differs from" in w for w in warnings)


def test_duplicate_payments_are_warned() -> None:
    records = [RECORDS[0], RECORDS[1], RECORDS[1], b"8000002000000300000" + b" " * 101, RECORDS[4]]
    data = b"".join(r + b"\r\n" for r in records)
    assert validate_transfer_file(data) == []
    assert any("same account and amount" in w for w in validate_transfer_file(data, include_warnings=True))


def test_a_final_dos_eof_is_tolerated_with_a_warning() -> None:
    assert validate_transfer_file(GOLDEN + b"\x1a") == []
    assert any("0x1A" in w for w in validate_transfer_file(GOLDEN + b"\x1a", include_warnings=True))


def test_several_batches_are_checked_one_by_one() -> None:
    batch = b"".join(r + b"\r\n" for r in RECORDS[:4])
    data = batch + batch + RECORDS[4] + b"\r\n"
    assert validate_transfer_file(data) == []

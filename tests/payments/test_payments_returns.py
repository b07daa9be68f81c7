"""Returned-transfer CSV import (振込不能・組戻し)."""

from __future__ import annotations

import pytest

from payments.returns import RETURNS_TEMPLATE_CSV, column_label, parse_returns_csv

HEADER = "batch_id,customer_code,amount_yen,reason_code,reason\r\n"


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_well_formed_file_is_read_with_or_without_bom(bom: bytes) -> None:
    text = HEADER + '12,0000001001,53700,01,口座なし\r\n12,1002,107400,E-3,"名義相違, 組戻し"\r\n'
    result = parse_returns_csv(bom + text.encode("utf-8"))
    assert result.ok
    assert [(r.line, r.batch_id, r.customer_code, r.amount_yen, r.reason_code) for r in result.rows] == [
        (2, 12, 1001, 53_700, "01"),
        (3, 12, 1002, 107_400, "E-3"),
    ]
    assert result.rows[1].reason == "名義相違, 組戻し"


def test_columns_may_come_in_any_order() -> None:
    data = b"reason,amount_yen,customer_code,reason_code,batch_id\nx,100,5,01,3\n"
    (row,) = parse_returns_csv(data).rows
    assert (row.batch_id, row.customer_code, row.amount_yen) == (3, 5, 100)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("x,1001,53700,01,r", "batch_id"),
        ("0,1001,53700,01,r", "batch_id"),
        ("12,,53700,01,r", "customer_code"),
        ("12,12345678901,53700,01,r", "customer_code"),
        ("12,1001,53700.0,01,r", "amount_yen"),
        ('12,1001,"53,700",01,r', "amount_yen"),
        ("12,1001,-5,01,r", "amount_yen"),
        ("12,1001,0,01,r", "amount_yen"),
        ("12,1001,53700,,r", "reason_code"),
        ("12,1001,53700,a b,r", "reason_code"),
        ("12,1001,53700,01", None),
        ("12,1001,53700,01,r,extra", None),
        ("", None),
    ],
)
def test_every_malformed_row_is_reported_with_line_and_field(line: str, field: str | None) -> None:
    data = (HEADER + "12,999,1,01,ok\r\n" + line + "\r\n" + "12,998,1,01,ok\r\n").encode()
    result = parse_returns_csv(data)
    assert [(p.line, p.field) for p in result.problems] == [(3, field)]
    assert [r.line for r in result.rows] == [2, 4]  # the bad line is reported, not imported


def test_all_problems_of_a_line_are_reported() -> None:
    result = parse_returns_csv((HEADER + "x,y,z,,r\n").encode())
    assert sorted(p.field or "" for p in result.problems) == ["amount_yen", "batch_id", "customer_code", "reason_code"]
    assert result.rows == ()


def test_a_duplicate_line_is_reported_on_the_later_line() -> None:
    result = parse_returns_csv((HEADER + "1,5,100,01,a\n1,5,100,01,a\n").encode())
    assert [(p.line, p.field) for p in result.problems] == [(3, "customer_code")]
    assert "2行目" in result.problems[0].message


def test_line_numbers_follow_physical_lines_after_a_multiline_field() -> None:
    result = parse_returns_csv((HEADER + '1,5,100,01,"two\nlines"\n1,x,100,01,a\n').encode())
    assert [(p.line, p.field) for p in result.problems] == [(4, "customer_code")]


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"", 1),
        (b"batch,customer,amount\n", 1),
        ((HEADER + "1,5,100,01,ok\n").encode() + b"1,6,100,01,\xff\n", 3),
    ],
)
def test_file_level_problems(data: bytes, line: int) -> None:
    result = parse_returns_csv(data)
    assert result.rows == ()
    assert [(p.line, p.field) for p in result.problems] == [(line, None)]


HEADER_JA = "バッチ番号,振込番号,金額,不能事由コード,不能事由\r\n"


def test_the_japanese_template_is_the_header_the_parser_reads() -> None:
    assert RETURNS_TEMPLATE_CSV.startswith(b"\xef\xbb\xbf")
    assert RETURNS_TEMPLATE_CSV.decode("utf-8-sig") == HEADER_JA
    empty = parse_returns_csv(RETURNS_TEMPLATE_CSV)
    assert empty.ok and empty.rows == ()
    filled = parse_returns_csv(RETURNS_TEMPLATE_CSV + "12,3,53700,01,口座なし\r\n".encode())
    assert [(r.batch_id, r.customer_code, r.amount_yen, r.reason_code, r.reason) for r in filled.rows] == [
        (12, 3, 53_700, "01", "口座なし")]


def test_japanese_aliases_and_any_order_are_accepted() -> None:
    data = "事由,金額（円）,顧客コード,事由コード,バッチ番号\n名義相違,100,5,E1,3\n".encode()
    (row,) = parse_returns_csv(data).rows
    assert (row.batch_id, row.customer_code, row.amount_yen, row.reason_code, row.reason) == (3, 5, 100, "E1", "名義相違")


@pytest.mark.parametrize(
    ("header", "says"),
    [
        ("バッチ番号,振込番号,金額,不能事由コード", ["足りない列：不能事由"]),
        ("バッチ番号,振込番号,金額,不能事由コード,理由", ["足りない列：不能事由", "知らない列：理由"]),
        ("batch_id,振込番号,金額,不能事由コード,不能事由", ["足りない列：バッチ番号", "知らない列：batch_id"]),
        ("バッチ番号,振込番号,振込番号,金額,不能事由", ["重複した列：振込番号"]),
    ],
)
def test_a_refused_header_says_in_japanese_what_is_expected(header: str, says: list[str]) -> None:
    (problem,) = parse_returns_csv((header + "\n1,2,3,4,5\n").encode()).problems
    assert problem.line == 1 and "バッチ番号、振込番号、金額、不能事由コード、不能事由" in problem.message
    for text in says:
        assert text in problem.message


def test_every_line_problem_is_in_japanese_and_names_its_column() -> None:
    bad = HEADER_JA + "x,y,1.5,a b,r\n\n1,2,3\n"
    problems = parse_returns_csv(bad.encode()).problems
    assert [(p.line, column_label(p.field)) for p in problems] == [
        (2, "バッチ番号"), (2, "振込番号"), (2, "金額"), (2, "不能事由コード"), (3, ""), (4, "")]
    for problem in problems:
        assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in problem.message), problem
    for data in (b"", b"\xff\xfe", (HEADER_JA + '1,2,3,4,"open\n').encode()):
        (problem,) = parse_returns_csv(data).problems
        assert not problem.message.isascii()

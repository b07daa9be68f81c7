"""Returned-transfer CSV import (振込不能・組戻し)."""

from __future__ import annotations

import pytest

from payments.returns import parse_returns_csv

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
    assert "line 2" in result.problems[0].message


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

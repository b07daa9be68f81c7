"""pandas exports: integer money columns only (architecture.md §4.5)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from payments.reports import (
    ReportError,
    assert_integer_money,
    monthly_totals_by_payee,
    monthly_totals_by_subsidy,
    payment_list_frame,
    receivables_frame,
    write_csv,
    write_xlsx,
)
from payments.schedule import Instalment


def inst(**overrides: object) -> Instalment:
    values: dict[str, object] = {
        "grant_id": 1,
        "case_id": 10,
        "case_reference": "2026-0010",
        "benefit_month": "2026-04",
        "amount_yen": 53_700,
        "payee_id": "AGENT-A",
        "subsidy": "rent",
        "kind": "monthly_rent",
    }
    values.update(overrides)
    return Instalment(**values)  # type: ignore[arg-type]


ROWS = [
    inst(),
    inst(grant_id=2, case_id=11, case_reference="2026-0011", amount_yen=40_000),
    inst(grant_id=3, case_id=12, payee_id="MOVER", subsidy="moving", kind="moving_removal", amount_yen=16_100),
    inst(grant_id=1, benefit_month="2026-05"),
]


def test_the_payment_list_has_an_integer_money_column() -> None:
    frame = payment_list_frame(ROWS)
    assert list(frame["amount_yen"]) == [53_700, 40_000, 16_100, 53_700]
    assert frame["amount_yen"].dtype == "int64"


def test_monthly_totals_by_payee_and_by_subsidy() -> None:
    by_payee = monthly_totals_by_payee(ROWS)
    assert by_payee.to_dict("records") == [
        {"benefit_month": "2026-04", "payee_id": "AGENT-A", "instalment_count": 2, "amount_yen": 93_700},
        {"benefit_month": "2026-04", "payee_id": "MOVER", "instalment_count": 1, "amount_yen": 16_100},
        {"benefit_month": "2026-05", "payee_id": "AGENT-A", "instalment_count": 1, "amount_yen": 53_700},
    ]
    by_subsidy = monthly_totals_by_subsidy(ROWS)
    assert by_subsidy[["subsidy", "amount_yen"]].values.tolist() == [
        ["moving", 16_100],
        ["rent", 93_700],
        ["rent", 53_700],
    ]
    assert by_subsidy["amount_yen"].dtype == "int64"


def test_empty_inputs_still_give_integer_columns() -> None:
    totals = monthly_totals_by_subsidy([])
    assert totals.empty
    assert totals["amount_yen"].dtype == "int64"


def test_receivables_compute_the_balance() -> None:
    frame = receivables_frame(
        [
            {"debtor": "山田 太郎", "claimed_yen": 161_100, "received_yen": 50_000},
            {"debtor": "佐藤 花子", "claimed_yen": 53_700, "received_yen": 53_700, "balance_yen": 0},
        ]
    )
    assert frame.to_dict("records")[0] == {
        "debtor": "山田 太郎",
        "claimed_yen": 161_100,
        "received_yen": 50_000,
        "balance_yen": 111_100,
    }
    with pytest.raises(ReportError, match="balance_yen"):
        receivables_frame([{"debtor": "x", "claimed_yen": 10, "received_yen": 3, "balance_yen": 6}])


@pytest.mark.parametrize("amount", [None, 53_700.5, "53700", True])
def test_non_integer_money_is_refused(amount: object) -> None:
    with pytest.raises(ReportError):
        payment_list_frame(
            [
                {
                    **dict.fromkeys(("payee_id", "case_id", "case_reference", "grant_id"), 1),
                    "benefit_month": "2026-04",
                    "subsidy": "rent",
                    "kind": "k",
                    "amount_yen": amount,
                }
            ]
        )


def test_a_frame_whose_money_column_lost_its_integer_dtype_is_not_written() -> None:
    frame = pd.DataFrame({"debtor": ["a", "b"], "claimed_yen": [1, None]})
    with pytest.raises(ReportError):
        assert_integer_money(frame)
    with pytest.raises(ReportError):
        write_csv(frame, io.BytesIO())
    nullable = pd.DataFrame({"claimed_yen": pd.Series([1, None], dtype="Int64")})
    with pytest.raises(ReportError, match="missing"):
        assert_integer_money(nullable)


def test_csv_is_utf8_with_bom_and_round_trips(tmp_path: Path) -> None:
    frame = payment_list_frame(ROWS)
    buffer = io.BytesIO()
    write_csv(frame, buffer)
    assert buffer.getvalue().startswith(b"\xef\xbb\xbfpayee_id,")
    path = tmp_path / "payments.csv"
    write_csv(frame, path)
    assert path.read_bytes() == buffer.getvalue()
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back["amount_yen"].tolist() == [53_700, 40_000, 16_100, 53_700]


def test_xlsx_is_written_with_integer_cells(tmp_path: Path) -> None:
    rows = [
        {
            **{
                f: getattr(r, f)
                for f in (
                    "payee_id",
                    "case_id",
                    "case_reference",
                    "grant_id",
                    "benefit_month",
                    "subsidy",
                    "kind",
                    "amount_yen",
                )
            },
            "payee_name": "青葉不動産",
            "pay_date": date(2026, 4, 24),
        }
        for r in ROWS
    ]
    frame = payment_list_frame(rows)
    assert list(frame.columns[:2]) == ["payee_name", "pay_date"]
    buffer = io.BytesIO()
    write_xlsx(frame, buffer, sheet_name="支払一覧")
    workbook = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = workbook["支払一覧"]
    header = [c.value for c in sheet[1]]
    amounts = [row[header.index("amount_yen")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert amounts == [53_700, 40_000, 16_100, 53_700]
    assert all(type(a) is int for a in amounts)
    write_xlsx(frame, tmp_path / "payments.xlsx")
    assert (tmp_path / "payments.xlsx").stat().st_size > 0


# --- layouts, formula injection, streaming XLSX ---------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from payments.reports import Layout, SheetSpec, formula_like, write_xlsx_sheets  # noqa: E402

LAYOUT = Layout(headers={"name": "支払先", "note": "備考", "amount_yen": "金額（円）"}, total_label="合計（{count}件）")


def _frame(names: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"name": pd.Series(names, dtype="object"),
                         "note": pd.Series(["" for _ in names], dtype="object"),
                         "amount_yen": pd.Series([100 * (i + 1) for i in range(len(names))], dtype="int64")})


@pytest.mark.parametrize(
    ("text", "dangerous"),
    [("=1+1", True), ("+81", True), ("-2", True), ("@SUM(A1)", True), ("\tx", True), ("\rx", True),
     ("青葉不動産", False), ("a=b", False), ("", False), (" =x", False)],
)
def test_formula_like_cells_are_written_as_text_in_csv_and_xlsx(text: str, dangerous: bool) -> None:
    assert formula_like(text) is dangerous
    frame = _frame([text])
    csv_buffer, xlsx_buffer = io.BytesIO(), io.BytesIO()
    write_csv(frame, csv_buffer)
    write_xlsx(frame, xlsx_buffer)
    (row,) = list(__import__("csv").reader(io.StringIO(csv_buffer.getvalue().decode("utf-8-sig"), newline="")))[1:]
    assert row[0] == ("'" + text if dangerous else text)
    cell = openpyxl.load_workbook(io.BytesIO(xlsx_buffer.getvalue())).active.cell(row=2, column=1)
    assert (cell.value or "") == text and cell.data_type in ("s", "n")
    assert bool(cell.quotePrefix) is dangerous


def test_the_people_layout_has_japanese_headers_and_a_total_row_in_both_formats() -> None:
    frame = _frame(["甲", "乙", "丙"])
    csv_buffer, xlsx_buffer = io.BytesIO(), io.BytesIO()
    write_csv(frame, csv_buffer, layout=LAYOUT)
    write_xlsx_sheets([SheetSpec("支払一覧", frame, LAYOUT), SheetSpec("機械", frame)], xlsx_buffer)
    lines = csv_buffer.getvalue().decode("utf-8-sig").split("\r\n")
    assert lines[0] == "支払先,備考,金額（円）" and lines[-2] == "合計（3件）,,600" and lines[-1] == ""
    book = openpyxl.load_workbook(io.BytesIO(xlsx_buffer.getvalue()))
    assert book.sheetnames == ["支払一覧", "機械"]
    rows = list(book["支払一覧"].iter_rows(values_only=True))
    assert rows[0] == ("支払先", "備考", "金額（円）") and rows[-1] == ("合計（3件）", None, 600)
    assert list(book["機械"].iter_rows(values_only=True))[0] == ("name", "note", "amount_yen")
    with pytest.raises(ReportError, match="no header"):
        write_csv(frame, io.BytesIO(), layout=Layout(headers={"name": "支払先"}))


def _excel_unescape(text: str) -> str:
    """What Excel shows for an OOXML ``_xHHHH_`` escape (openpyxl keeps it as written)."""
    import re

    return re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), text)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
                min_size=1, max_size=4))
def test_any_text_comes_back_from_csv_and_xlsx_unchanged(names: list[str]) -> None:
    """CSV and XLSX hold the same rows: control characters, XML specials and ``_x0000_`` lookalikes
    survive the XLSX, only the formula guard's apostrophe differs in CSV."""
    frame = _frame(names)
    csv_buffer, xlsx_buffer = io.BytesIO(), io.BytesIO()
    write_csv(frame, csv_buffer)
    write_xlsx(frame, xlsx_buffer)
    from_csv = list(__import__("csv").reader(io.StringIO(csv_buffer.getvalue().decode("utf-8-sig"), newline="")))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_buffer.getvalue())).active
    from_xlsx = [[("" if v is None else v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert [_excel_unescape(r[0]) for r in from_xlsx[1:]] == names
    assert [r[0][1:] if formula_like(n) else r[0] for r, n in zip(from_csv[1:], names, strict=True)] == names
    assert [r[2] for r in from_xlsx[1:]] == [int(r[2]) for r in from_csv[1:]]


def test_a_large_workbook_is_streamed_and_reproducible() -> None:
    frame = _frame([f"支払先{i % 97}" for i in range(20_000)])
    first, second = io.BytesIO(), io.BytesIO()
    write_xlsx(frame, first, layout=LAYOUT)
    write_xlsx(frame, second, layout=LAYOUT)
    assert first.getvalue() == second.getvalue()
    back = pd.read_excel(io.BytesIO(first.getvalue()))
    assert len(back) == 20_001 and int(back["金額（円）"].iloc[-1]) == sum(range(1, 20_001)) * 100

"""Staff exports with pandas: payment list, monthly totals, receivables (architecture.md §4.1).

The only module of ``payments`` that imports pandas and XlsxWriter. Money is ``int`` yen
(architecture.md §4.5): every ``*_yen`` column is built from Python ``int`` values with an
explicit ``int64`` dtype and checked before writing (:func:`assert_integer_money`); a missing or
non-integer amount raises :class:`ReportError` instead of silently becoming a NaN column.

Inputs are sequences of dataclass instances or mappings; outputs go to a path or a binary
buffer given by the caller: CSV in UTF-8 with BOM so Excel opens it, XLSX by XlsxWriter in its
streaming ``constant_memory`` mode (:func:`write_xlsx_sheets`, byte-reproducible).

Two layouts of one frame: the machine layout (column ids as headers, codes as values; stable for
integrations) and a people's layout (Japanese headers from a :class:`Layout`, a 合計 row).
Spreadsheet formula injection (issue 12): a text cell that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return is written as text — in CSV with a leading apostrophe, in XLSX as a
string cell with the quote-prefix style — so a payee name like ``=HYPERLINK(...)`` never runs.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from os import PathLike
from pathlib import Path
from typing import IO, Any

import pandas as pd
import xlsxwriter

__all__ = [
    "PAYMENT_LIST_COLUMNS",
    "RECEIVABLE_COLUMNS",
    "ReportError",
    "assert_integer_money",
    "monthly_totals_by_payee",
    "monthly_totals_by_subsidy",
    "payment_list_frame",
    "receivables_frame",
    "Layout",
    "SheetSpec",
    "formula_like",
    "write_csv",
    "write_xlsx",
    "write_xlsx_sheets",
]

Target = str | PathLike[str] | IO[bytes]

PAYMENT_LIST_COLUMNS: tuple[str, ...] = (
    "payee_id",
    "case_id",
    "case_reference",
    "grant_id",
    "benefit_month",
    "subsidy",
    "kind",
    "amount_yen",
)
"""Required fields of a payment-list row (e.g. :class:`payments.schedule.Instalment`)."""
RECEIVABLE_COLUMNS: tuple[str, ...] = ("debtor", "claimed_yen", "received_yen", "balance_yen")


class ReportError(ValueError):
    """Input that cannot be exported faithfully (missing field, non-integer money)."""


def _as_mapping(row: object, index: int) -> Mapping[str, Any]:
    if dataclasses.is_dataclass(row) and not isinstance(row, type):
        return {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}
    if isinstance(row, Mapping):
        return row
    raise ReportError(f"row {index}: {type(row).__name__} is neither a dataclass nor a mapping")


def _frame(rows: Sequence[object], columns: Sequence[str], extra: Sequence[str] = ()) -> pd.DataFrame:
    """Build a frame with the given columns; ``*_yen`` columns are checked ints (int64)."""
    data: dict[str, list[Any]] = {name: [] for name in columns}
    for index, row in enumerate(rows):
        mapping = _as_mapping(row, index)
        for name in columns:
            if name not in mapping:
                if name in extra:
                    data[name].append("")
                    continue
                raise ReportError(f"row {index}: missing field {name!r}")
            value = mapping[name]
            if name.endswith("_yen") and (isinstance(value, bool) or not isinstance(value, int)):
                raise ReportError(f"row {index}: {name} = {value!r} is not an int number of yen")
            data[name].append(value)
    frame = pd.DataFrame(
        {
            name: pd.Series(values, dtype="int64" if name.endswith("_yen") else "object")
            for name, values in data.items()
        },
        columns=list(columns),
    )
    assert_integer_money(frame)
    return frame


def assert_integer_money(frame: pd.DataFrame) -> None:
    """Raise :class:`ReportError` unless every ``*_yen`` column has an integer dtype and no NA.

    Guards against pandas turning an int column with a missing value into a non-integer one
    (architecture.md §4.5).
    """
    for name in frame.columns:
        if not str(name).endswith("_yen"):
            continue
        column = frame[name]
        if not pd.api.types.is_integer_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
            raise ReportError(f"column {name!r} has dtype {column.dtype}, not an integer dtype")
        if bool(column.isna().any()):
            raise ReportError(f"column {name!r} has missing values")


def payment_list_frame(rows: Sequence[object]) -> pd.DataFrame:
    """The payment list: one row per instalment (fields :data:`PAYMENT_LIST_COLUMNS`).

    Optional fields ``payee_name`` and ``pay_date`` are included when present in the rows.
    """
    columns = list(PAYMENT_LIST_COLUMNS)
    optional = [name for name in ("payee_name", "pay_date") if rows and name in _as_mapping(rows[0], 0)]
    return _frame(rows, optional + columns, extra=optional)


def monthly_totals_by_payee(rows: Sequence[object]) -> pd.DataFrame:
    """Totals per (benefit_month, payee_id): ``instalment_count`` and ``amount_yen``."""
    return _totals(payment_list_frame(rows), ["benefit_month", "payee_id"])


def monthly_totals_by_subsidy(rows: Sequence[object]) -> pd.DataFrame:
    """Totals per (benefit_month, subsidy): ``instalment_count`` and ``amount_yen``."""
    return _totals(payment_list_frame(rows), ["benefit_month", "subsidy"])


def _totals(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if frame.empty:
        result = pd.DataFrame(
            {
                **{key: pd.Series([], dtype="object") for key in keys},
                "instalment_count": pd.Series([], dtype="int64"),
                "amount_yen": pd.Series([], dtype="int64"),
            }
        )
    else:
        result = (
            frame.groupby(keys, sort=True)
            .agg(instalment_count=("amount_yen", "size"), amount_yen=("amount_yen", "sum"))
            .reset_index()
        )
        result["instalment_count"] = result["instalment_count"].astype("int64")
        result["amount_yen"] = result["amount_yen"].astype("int64")
    assert_integer_money(result)
    return result


def receivables_frame(rows: Sequence[object]) -> pd.DataFrame:
    """Receivables (返還金, PD9): debtor, claimed_yen, received_yen, balance_yen.

    ``balance_yen`` is computed as claimed − received; if a row gives it, it must agree.
    """
    completed: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        mapping = dict(_as_mapping(row, index))
        for name in ("claimed_yen", "received_yen"):
            value = mapping.get(name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ReportError(f"row {index}: {name} = {value!r} is not an int number of yen")
        balance = mapping["claimed_yen"] - mapping["received_yen"]
        if "balance_yen" in mapping and mapping["balance_yen"] != balance:
            raise ReportError(f"row {index}: balance_yen {mapping['balance_yen']!r} != claimed − received = {balance}")
        mapping["balance_yen"] = balance
        completed.append(mapping)
    return _frame(completed, RECEIVABLE_COLUMNS)



# --- layouts and writers ------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(text: str) -> bool:
    """A text a spreadsheet would read as a formula (or strip into one): starts with = + - @ TAB CR."""
    return text.startswith(_FORMULA_START)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Layout:
    """How people read a frame: a header per column id (in frame order), and a total row.

    ``total_label`` goes into the first column of the total row (``{count}`` is the row count);
    every ``*_yen`` column is summed there (Python ``int``), other columns are left empty.
    """

    headers: Mapping[str, str]
    total_label: str | None = None

    def header_row(self, columns: Sequence[str]) -> list[str]:
        missing = [name for name in columns if name not in self.headers]
        if missing:
            raise ReportError(f"no header for column(s) {', '.join(missing)}")
        return [self.headers[name] for name in columns]


@dataclasses.dataclass(frozen=True, slots=True)
class SheetSpec:
    """One worksheet: its name, the frame, and the layout (``None``: the machine layout)."""

    name: str
    frame: pd.DataFrame
    layout: Layout | None = None


def _cell(value: Any) -> Any:
    """A frame value as a writer value: ints stay ints, dates become ISO text, NA becomes ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        item = value.item()
        return item if isinstance(item, int) and not isinstance(item, bool) else str(item)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN in an object column
        return ""
    return str(value)


def _rows(frame: pd.DataFrame, layout: Layout | None) -> Iterator[list[Any]]:
    """Header, data rows and (with a layout that asks for it) the total row."""
    assert_integer_money(frame)
    columns = [str(c) for c in frame.columns]
    yield layout.header_row(columns) if layout is not None else columns
    converted = [
        [int(v) for v in frame[name].tolist()] if pd.api.types.is_integer_dtype(frame[name].dtype)
        else [v if type(v) is str else _cell(v) for v in frame[name].tolist()]
        for name in frame.columns]
    for values in zip(*converted, strict=True):
        yield list(values)
    if layout is not None and layout.total_label is not None:
        total: list[Any] = [""] * len(columns)
        for position, name in enumerate(columns):
            if name.endswith("_yen"):
                total[position] = sum(int(v) for v in frame[name].tolist())
        if columns:
            total[0] = layout.total_label.format(count=len(frame))
        yield total


def write_csv(frame: pd.DataFrame, target: Target, *, layout: Layout | None = None) -> None:
    """Write ``frame`` as CSV in UTF-8 with BOM (Excel-friendly), CRLF, after the money check.

    A text cell that a spreadsheet would read as a formula gets a leading apostrophe (issue 12).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in _rows(frame, layout):
        writer.writerow(["'" + v if isinstance(v, str) and formula_like(v) else v for v in row])
    data = buffer.getvalue().encode("utf-8-sig")
    if isinstance(target, str | PathLike):
        Path(target).write_bytes(data)
    else:
        target.write(data)


def write_xlsx(frame: pd.DataFrame, target: Target, *, sheet_name: str = "data", layout: Layout | None = None,
               created: datetime | None = None) -> None:
    """Write ``frame`` as a one-sheet XLSX workbook (see :func:`write_xlsx_sheets`)."""
    write_xlsx_sheets([SheetSpec(sheet_name, frame, layout)], target, created=created)


#: The document date of a workbook whose caller names none: fixed, so that bytes never depend on the clock.
DEFAULT_CREATED = datetime(2000, 1, 1)


def write_xlsx_sheets(sheets: Sequence[SheetSpec], target: Target, *, created: datetime | None = None) -> None:
    """Write an XLSX workbook with XlsxWriter in ``constant_memory`` mode: each row is flushed to the
    sheet's temporary file once written, strings are inline (no shared-string table held in memory).

    Every text is written with ``write_string`` (never interpreted as a formula, a number or a URL);
    formula-like text (= + - @ TAB CR, issue 12) also carries the quote-prefix style, so Excel keeps it
    as text when the cell is edited. Numbers are numeric cells; empty text leaves the cell empty. The
    header row is bold and frozen. Reproducible: the document date (and with it the zip entries' times)
    is ``created`` — taken from the data by the caller (e.g. the batch's creation) — never the clock.
    """
    if not sheets:
        raise ReportError("a workbook needs at least one sheet")
    names = [_sheet_name(spec.name) for spec in sheets]
    if len({n.casefold() for n in names}) != len(names):
        raise ReportError(f"sheet names must differ: {names}")
    for spec in sheets:
        assert_integer_money(spec.frame)
    stamp = (created or DEFAULT_CREATED).replace(tzinfo=None, microsecond=0)
    if isinstance(target, str | PathLike):
        _write_workbook(sheets, names, str(target), stamp)
    else:
        buffer = io.BytesIO()
        _write_workbook(sheets, names, buffer, stamp)
        target.write(buffer.getvalue())


_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(name: str) -> str:
    cleaned = _INVALID_SHEET_CHARS.sub("_", name).strip("'")[:31]
    if not cleaned:
        raise ReportError(f"sheet name {name!r} is empty once cleaned")
    return cleaned


def _write_workbook(sheets: Sequence[SheetSpec], names: list[str], target: str | IO[bytes], created: datetime) -> None:
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    workbook.set_properties({"created": created})
    workbook.set_size(1200, 800)
    header_style = workbook.add_format({"bold": True})
    text_style = workbook.add_format({"quote_prefix": True, "num_format": "@"})
    for spec, name in zip(sheets, names, strict=True):
        sheet = workbook.add_worksheet(name)
        sheet.freeze_panes(1, 0)
        write_string, write_number = sheet.write_string, sheet.write_number
        rows = _rows(spec.frame, spec.layout)
        for column, title in enumerate(next(rows)):
            write_string(0, column, str(title), header_style)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if type(value) is int:
                    write_number(number, column, value)
                elif value:
                    if value.startswith(_FORMULA_START):
                        write_string(number, column, value, text_style)
                    else:
                        write_string(number, column, value)
    workbook.close()

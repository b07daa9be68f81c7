"""Staff exports with pandas: payment list, monthly totals, receivables (architecture.md §4.1).

The only module of ``payments`` that imports pandas/openpyxl. Money is ``int`` yen
(architecture.md §4.5): every ``*_yen`` column is built from Python ``int`` values with an
explicit ``int64`` dtype and checked before writing (:func:`assert_integer_money`); a missing or
non-integer amount raises :class:`ReportError` instead of silently becoming a NaN column.

Inputs are sequences of dataclass instances or mappings; outputs go to a path or a binary
buffer given by the caller (CSV in UTF-8 with BOM so Excel opens it, XLSX via openpyxl).
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import IO, Any

import pandas as pd

__all__ = [
    "PAYMENT_LIST_COLUMNS",
    "RECEIVABLE_COLUMNS",
    "ReportError",
    "assert_integer_money",
    "monthly_totals_by_payee",
    "monthly_totals_by_subsidy",
    "payment_list_frame",
    "receivables_frame",
    "write_csv",
    "write_xlsx",
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


def write_csv(frame: pd.DataFrame, target: Target) -> None:
    """Write ``frame`` as CSV in UTF-8 with BOM (Excel-friendly), after the money check."""
    assert_integer_money(frame)
    if isinstance(target, str | PathLike):
        frame.to_csv(target, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    else:
        target.write(frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig"))


def write_xlsx(frame: pd.DataFrame, target: Target, *, sheet_name: str = "data") -> None:
    """Write ``frame`` as an XLSX workbook (openpyxl), after the money check.

    The workbook is made reproducible: the same frame gives the same bytes (no save-time timestamps
    in the document properties or the zip entries), so an export can be compared and re-downloaded.
    """
    assert_integer_money(frame)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet_name, index=False)
    data = reproducible_xlsx(buffer.getvalue())
    if isinstance(target, (str, PathLike)):
        Path(target).write_bytes(data)
    else:
        target.write(data)


_XLSX_TIMESTAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def reproducible_xlsx(data: bytes) -> bytes:
    """Rewrite an XLSX zip with fixed entry times and fixed document-property dates."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _XLSX_TIMESTAMP.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return out.getvalue()

"""Staff exports with pandas: payment list, monthly totals, receivables (architecture.md §4.1).

The only module of ``payments`` that imports pandas/openpyxl. Money is ``int`` yen
(architecture.md §4.5): every ``*_yen`` column is built from Python ``int`` values with an
explicit ``int64`` dtype and checked before writing (:func:`assert_integer_money`); a missing or
non-integer amount raises :class:`ReportError` instead of silently becoming a NaN column.

Inputs are sequences of dataclass instances or mappings; outputs go to a path or a binary
buffer given by the caller: CSV in UTF-8 with BOM so Excel opens it, XLSX written as a stream
(:func:`write_xlsx_sheets`, row by row into the zip, constant memory per row, byte-reproducible).

Two layouts of one frame: the machine layout (column ids as headers, codes as values; stable for
integrations) and a people's layout (Japanese headers from a :class:`Layout`, a 合計 row).
Spreadsheet formula injection (issue 12): a text cell that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return is written as text — in CSV with a leading apostrophe, in XLSX as an
inline string with the quote-prefix style — so a payee name like ``=HYPERLINK(...)`` never runs.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
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


def write_xlsx_sheets(sheets: Sequence[SheetSpec], target: Target, *, created: datetime | None = None) -> None:
    """Write an XLSX workbook, streaming each sheet row by row into the zip.

    openpyxl's write-only mode took 27–35 s for 100,000 rows × 16 columns on the project's machine
    (one Cell object and one XML element per value); SpreadsheetML rows written as text take a
    fraction of that and are read back by openpyxl and pandas (tests). Numbers are numeric cells,
    text is inline strings (no shared-string table to hold in memory), formula-like text carries the
    quote-prefix style. Reproducible: the zip entries' times and the document dates are ``created``
    (taken from the data by the caller, e.g. the batch's creation; a fixed date otherwise), never the
    clock, so the same frames give the same bytes.

    Kept hand-written (issue 15): XlsxWriter 3.3.1 in ``constant_memory`` mode took 30.5 s of CPU for the
    100,000-row 支払一覧 (both sheets) on the project's machine against 3.95 s for this writer, and
    openpyxl's write-only mode 27–35 s; the target is 10 s.
    """
    if not sheets:
        raise ReportError("a workbook needs at least one sheet")
    names = [_sheet_name(spec.name) for spec in sheets]
    if len({n.casefold() for n in names}) != len(names):
        raise ReportError(f"sheet names must differ: {names}")
    for spec in sheets:
        assert_integer_money(spec.frame)
    if isinstance(target, str | PathLike):
        with open(target, "wb") as handle:
            _write_workbook(sheets, names, handle, created or DEFAULT_CREATED)
    else:
        _write_workbook(sheets, names, target, created or DEFAULT_CREATED)


#: The document date of a workbook whose caller names none: fixed, so that bytes never depend on the clock.
DEFAULT_CREATED = datetime(2000, 1, 1)


_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(name: str) -> str:
    cleaned = _INVALID_SHEET_CHARS.sub("_", name).strip("'")[:31]
    if not cleaned:
        raise ReportError(f"sheet name {name!r} is empty once cleaned")
    return cleaned


_XML_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;", ord("\r"): "&#13;"}
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


_NEEDS_ESCAPE = re.compile('[&<>"\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x')


def _xml_text(text: str) -> str:
    """Text for a SpreadsheetML ``<t>``: XML-escaped (CR as a character reference, which XML parsing
    would otherwise turn into LF); control characters (not allowed in XML) and the ``_`` of a literal
    ``_xHHHH_`` are written in the OOXML ``_xHHHH_`` escape that Excel decodes, so no character is lost
    (openpyxl leaves the escape as it is)."""
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    return text.translate(_XML_ESCAPES)


def _cell_xml(value: Any, style: str = "") -> str:
    """One ``<c>`` without a reference (cells follow each other; the reader counts them)."""
    if isinstance(value, int):
        return f"<c><v>{value}</v></c>"
    if value == "":
        return "<c/>"
    style = style or (' s="2"' if value.startswith(_FORMULA_START) else "")
    space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
    text = _xml_text(value) if _NEEDS_ESCAPE.search(value) else value
    return f'<c{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _sheet_xml(frame: pd.DataFrame, layout: Layout | None) -> Iterator[str]:
    rows = _rows(frame, layout)
    header = next(rows)
    yield ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
           'state="frozen"/></sheetView></sheetViews><sheetData>')
    yield "<row>" + "".join(_cell_xml(v, ' s="1"') for v in header) + "</row>"
    # Values repeat (months, banks, labels): each distinct value of a column is rendered once.
    caches: list[dict[Any, str]] = [{} for _ in header]
    chunk: list[str] = []
    for row in rows:
        cells = []
        for cache, value in zip(caches, row, strict=False):
            xml = cache.get(value)
            if xml is None:
                xml = _cell_xml(value)
                if len(cache) < 50_000:
                    cache[value] = xml
            cells.append(xml)
        chunk.append("<row>" + "".join(cells) + "</row>")
        if len(chunk) >= 2000:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk)
    yield "</sheetData></worksheet>"


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Yu Gothic"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Yu Gothic"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)


def _write_workbook(sheets: Sequence[SheetSpec], names: list[str], handle: IO[bytes], created: datetime) -> None:
    stamp = created.replace(tzinfo=None, microsecond=0)
    w3c = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    count = len(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, count + 1))
    parts: list[tuple[str, str | Iterable[str]]] = [
        ("[Content_Types].xml",
         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         '<Override PartName="/xl/workbook.xml" '
         'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
         '<Override PartName="/xl/styles.xml" '
         'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
         f'{overrides}'
         '<Override PartName="/docProps/core.xml" '
         'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
         '</Types>'),
        ("_rels/.rels",
         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" '
         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="xl/workbook.xml"/>'
         '<Relationship Id="rId2" '
         'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
         'Target="docProps/core.xml"/></Relationships>'),
        ("docProps/core.xml",
         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
         'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
         f'<dcterms:created xsi:type="dcterms:W3CDTF">{w3c}</dcterms:created>'
         f'<dcterms:modified xsi:type="dcterms:W3CDTF">{w3c}</dcterms:modified>'
         '</cp:coreProperties>'),
        ("xl/workbook.xml",
         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
         + "".join(f'<sheet name="{_xml_text(name)}" sheetId="{i}" r:id="rId{i}"/>'
                   for i, name in enumerate(names, start=1))
         + '</sheets></workbook>'),
        ("xl/_rels/workbook.xml.rels",
         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         + "".join(f'<Relationship Id="rId{i}" '
                   'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                   f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, count + 1))
         + f'<Relationship Id="rId{count + 1}" '
         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
         'Target="styles.xml"/></Relationships>'),
        ("xl/styles.xml", _STYLES),
    ]
    parts += [(f"xl/worksheets/sheet{i}.xml", _sheet_xml(spec.frame, spec.layout))
              for i, spec in enumerate(sheets, start=1)]
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, content in parts:
            entry = zipfile.ZipInfo(name, date_time=(max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour,
                                                     stamp.minute, stamp.second))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry._compresslevel = 1  # type: ignore[attr-defined]  # fast; the XML compresses well anyway
            with archive.open(entry, "w") as stream:
                for piece in [content] if isinstance(content, str) else content:
                    stream.write(piece.encode("utf-8"))

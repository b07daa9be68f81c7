"""Import of returned transfers (振込不能・組戻し).

The bank reports transfers it could not credit (account closed, name mismatch …) or that were
recalled (組戻し). Staff key or paste them into a simple CSV, documented here:

* encoding UTF-8, with or without BOM; comma-separated; first line is the header;
* columns (any order, exactly these): ``batch_id,customer_code,amount_yen,reason_code,reason``;
* ``batch_id``: the payment batch number (positive integer);
* ``customer_code``: 顧客コード1 of the returned data record, the payment reference (1–10 digits,
  zengin.md §1.5 field 12);
* ``amount_yen``: positive integer yen, digits only (no ``,`` or ``¥``);
* ``reason_code``: the bank's code, non-empty (letters, digits, ``-``, ``_``);
* ``reason``: free text, may be empty.

Every malformed line is reported with its line number and field; a bad line is never dropped
silently and never half-imported. The caller decides whether to accept a file with problems
(the default in the service should be: none accepted until every problem is fixed).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

__all__ = ["RETURNS_COLUMNS", "ReturnedTransfer", "ReturnsImport", "ReturnsProblem", "parse_returns_csv"]

RETURNS_COLUMNS: tuple[str, ...] = ("batch_id", "customer_code", "amount_yen", "reason_code", "reason")
_REASON_CODE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnedTransfer:
    """One returned transfer."""

    line: int
    """Line number in the CSV (1 = header)."""
    batch_id: int
    customer_code: int
    """顧客コード1 = the payment reference written by :func:`payments.zengin.render_transfer_file`."""
    amount_yen: int
    reason_code: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnsProblem:
    line: int
    field: str | None
    """Column name, or ``None`` for a problem with the whole line/file."""
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnsImport:
    rows: tuple[ReturnedTransfer, ...]
    problems: tuple[ReturnsProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _positive_int(value: str, digits: int) -> int | None:
    if value.isascii() and value.isdigit() and len(value) <= digits:
        number = int(value)
        return number if number > 0 else None
    return None


def parse_returns_csv(data: bytes) -> ReturnsImport:
    """Parse the returned-transfer CSV documented in this module.

    Returns every well-formed row and one :class:`ReturnsProblem` per problem (line, field,
    message). A row with any problem is not in ``rows``. Duplicate (batch_id, customer_code)
    lines are reported on the later line.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return ReturnsImport(rows=(), problems=(ReturnsProblem(line=line, field=None, message="not valid UTF-8"),))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[ReturnsProblem] = []
    rows: list[ReturnedTransfer] = []
    try:
        header = next(reader)
    except StopIteration:
        return ReturnsImport(rows=(), problems=(ReturnsProblem(line=1, field=None, message="file is empty"),))
    except csv.Error as error:
        return ReturnsImport(rows=(), problems=(ReturnsProblem(line=1, field=None, message=str(error)),))
    names = [name.strip() for name in header]
    if sorted(names) != sorted(RETURNS_COLUMNS):
        message = f"header {','.join(names)!r} must have exactly the columns {','.join(RETURNS_COLUMNS)}"
        return ReturnsImport(rows=(), problems=(ReturnsProblem(line=1, field=None, message=message),))
    position = {name: names.index(name) for name in RETURNS_COLUMNS}
    seen: dict[tuple[int, int], int] = {}
    last_line = reader.line_num
    while True:
        start_line = last_line + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(ReturnsProblem(line=reader.line_num, field=None, message=f"CSV error: {error}"))
            break
        last_line = reader.line_num
        line_problems: list[ReturnsProblem] = []

        def problem(
            field: str | None,
            message: str,
            line: int = start_line,
            into: list[ReturnsProblem] = line_problems,
        ) -> None:
            into.append(ReturnsProblem(line=line, field=field, message=message))

        if not fields or all(f.strip() == "" for f in fields):
            problem(None, "empty line")
            problems.extend(line_problems)
            continue
        if len(fields) != len(RETURNS_COLUMNS):
            problem(None, f"{len(fields)} fields, expected {len(RETURNS_COLUMNS)}")
            problems.extend(line_problems)
            continue
        value = {name: fields[position[name]].strip() for name in RETURNS_COLUMNS}
        batch_id = _positive_int(value["batch_id"], 18)
        if batch_id is None:
            problem("batch_id", f"{value['batch_id']!r} is not a positive integer")
        customer_code = _positive_int(value["customer_code"], 10)
        if customer_code is None:
            problem("customer_code", f"{value['customer_code']!r} is not 1–10 digits (non-zero)")
        amount_yen = _positive_int(value["amount_yen"], 10)
        if amount_yen is None:
            problem("amount_yen", f"{value['amount_yen']!r} is not a positive whole number of yen")
        if not _REASON_CODE.match(value["reason_code"]):
            problem("reason_code", f"{value['reason_code']!r} must be 1–20 letters, digits, '-' or '_'")
        if batch_id is not None and customer_code is not None:
            key = (batch_id, customer_code)
            if key in seen:
                problem("customer_code", f"same batch_id and customer_code as line {seen[key]}")
            else:
                seen[key] = start_line
        if line_problems:
            problems.extend(line_problems)
            continue
        assert batch_id is not None and customer_code is not None and amount_yen is not None
        rows.append(
            ReturnedTransfer(
                line=start_line,
                batch_id=batch_id,
                customer_code=customer_code,
                amount_yen=amount_yen,
                reason_code=value["reason_code"],
                reason=value["reason"],
            )
        )
    return ReturnsImport(rows=tuple(rows), problems=tuple(problems))

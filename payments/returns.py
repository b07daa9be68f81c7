"""Import of returned transfers (振込不能・組戻し).

The bank reports transfers it could not credit (account closed, name mismatch …) or that were
recalled (組戻し). Staff copy them from the bank's notice into a CSV, the template that the finance
screen offers (:data:`RETURNS_TEMPLATE_CSV`, README «Returned transfers»):

* encoding UTF-8, with or without BOM (Excel's 「CSV UTF-8」); comma-separated; the first line is the header;
* columns, in any order, exactly these five (Japanese headers; the English ones of earlier versions are
  still accepted, one language per file):

  ======================  ===============  ===================================================================
  Japanese header         English header   content
  ======================  ===============  ===================================================================
  バッチ番号              ``batch_id``     the payment batch number (支払バッチ #), a positive integer
  振込番号                ``customer_code`` the transfer's number in the batch = 顧客コード1 of the 全銀 data
                                           record (zengin.md §1.5 field 12), 1–10 digits; shown on the batch
                                           screen and in the 支払一覧
  金額                    ``amount_yen``   the returned amount in yen, digits only (no ``,`` or ``円``)
  不能事由コード          ``reason_code``  the bank's code for the reason, 1–20 letters, digits, ``-``, ``_``
  不能事由                ``reason``       the reason in words (may be empty)
  ======================  ===============  ===================================================================

  ``顧客コード`` is accepted for 振込番号, ``金額（円）`` for 金額, ``事由コード``/``事由`` for the last two.

Every malformed line is reported with its line number and column, in Japanese; a bad line is never
dropped silently and never half-imported. The caller decides whether to accept a file with problems
(the service accepts none until every problem is fixed).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

__all__ = [
    "RETURNS_COLUMNS",
    "RETURNS_HEADERS_JA",
    "RETURNS_TEMPLATE_CSV",
    "ReturnedTransfer",
    "ReturnsImport",
    "ReturnsProblem",
    "column_label",
    "parse_returns_csv",
]

RETURNS_COLUMNS: tuple[str, ...] = ("batch_id", "customer_code", "amount_yen", "reason_code", "reason")
RETURNS_HEADERS_JA: dict[str, str] = {"batch_id": "バッチ番号", "customer_code": "振込番号", "amount_yen": "金額",
                                      "reason_code": "不能事由コード", "reason": "不能事由"}
"""The template's headers (column id → Japanese header), in the template's order."""
_ALIASES_JA: dict[str, str] = {**{v: k for k, v in RETURNS_HEADERS_JA.items()}, "顧客コード": "customer_code",
                               "振込番号（顧客コード）": "customer_code", "金額（円）": "amount_yen",
                               "事由コード": "reason_code", "事由": "reason"}
RETURNS_TEMPLATE_CSV: bytes = ("\ufeff" + ",".join(RETURNS_HEADERS_JA.values()) + "\r\n").encode("utf-8")
"""The downloadable template: UTF-8 with BOM (Excel opens it in Japanese), the header line only."""


def column_label(field: str | None) -> str:
    """The Japanese name of a column id (``batch_id`` → ``バッチ番号``); empty for a whole-line problem."""
    return RETURNS_HEADERS_JA.get(field or "", field or "")
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
        return ReturnsImport(rows=(), problems=(ReturnsProblem(line=line, field=None, message="文字コードが UTF-8 ではありません。Excel では「CSV UTF-8（コンマ区切り）」で保存してください。"),))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[ReturnsProblem] = []
    rows: list[ReturnedTransfer] = []
    try:
        header = next(reader)
    except StopIteration:
        return ReturnsImport(rows=(), problems=(ReturnsProblem(line=1, field=None, message="ファイルが空です。1行目に見出し（テンプレートの列名）が必要です。"),))
    except csv.Error as error:
        return ReturnsImport(rows=(), problems=(ReturnsProblem(line=1, field=None, message=f"CSV として読めません（{error}）。"),))
    names = [name.strip() for name in header]
    english = sorted(names) == sorted(RETURNS_COLUMNS)
    ids = names if english else [_ALIASES_JA.get(name, "") for name in names]
    if sorted(ids) != sorted(RETURNS_COLUMNS):
        return ReturnsImport(rows=(), problems=(ReturnsProblem(line=1, field=None, message=_header_message(names, ids)),))
    position = {name: ids.index(name) for name in RETURNS_COLUMNS}
    seen: dict[tuple[int, int], int] = {}
    last_line = reader.line_num
    while True:
        start_line = last_line + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(ReturnsProblem(line=reader.line_num, field=None, message=f"CSV として読めません（{error}）。引用符（\"）の閉じ忘れがないか確認してください。"))
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
            problem(None, "空の行です。削除してください。")
            problems.extend(line_problems)
            continue
        if len(fields) != len(RETURNS_COLUMNS):
            problem(None, f"列の数が {len(fields)} です。{len(RETURNS_COLUMNS)} 列（見出しと同じ数）にしてください。")
            problems.extend(line_problems)
            continue
        value = {name: fields[position[name]].strip() for name in RETURNS_COLUMNS}
        batch_id = _positive_int(value["batch_id"], 18)
        if batch_id is None:
            problem("batch_id", f"「{value['batch_id']}」は支払バッチの番号（1以上の整数）ではありません。")
        customer_code = _positive_int(value["customer_code"], 10)
        if customer_code is None:
            problem("customer_code", f"「{value['customer_code']}」は振込番号（1～10桁の数字、0以外）ではありません。")
        amount_yen = _positive_int(value["amount_yen"], 10)
        if amount_yen is None:
            problem("amount_yen", f"「{value['amount_yen']}」は金額（1円以上の整数、数字のみ。「,」「円」は不要）ではありません。")
        if not _REASON_CODE.match(value["reason_code"]):
            problem("reason_code", f"「{value['reason_code']}」は不能事由コード（英数字・「-」「_」の1～20文字）ではありません。")
        if batch_id is not None and customer_code is not None:
            key = (batch_id, customer_code)
            if key in seen:
                problem("customer_code", f"{seen[key]}行目と同じバッチ番号・振込番号です（重複）。")
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


def _header_message(names: list[str], ids: list[str]) -> str:
    expected = "、".join(RETURNS_HEADERS_JA.values())
    unknown = [name for name, known in zip(names, ids, strict=True) if not known]
    missing = [RETURNS_HEADERS_JA[c] for c in RETURNS_COLUMNS if c not in ids]
    doubled = sorted({RETURNS_HEADERS_JA[c] for c in ids if c and ids.count(c) > 1})
    parts = [f"1行目の見出しは「{expected}」の5列にしてください（順不同。テンプレートをダウンロードできます）。"]
    if missing:
        parts.append(f"足りない列：{'、'.join(missing)}。")
    if unknown:
        parts.append(f"知らない列：{'、'.join(n or '（空）' for n in unknown)}。")
    if doubled:
        parts.append(f"重複した列：{'、'.join(doubled)}。")
    return "".join(parts)

"""Independent checker of 総合振込 files: the validator checklist of zengin.md §1.12.

Deliberately written without importing the generator (:mod:`payments.zengin`) or the kana
converter: the byte ranges and byte classes below are typed again from zengin.md §1.4–§1.8 so
that a mistake in one is caught by the other (zengin.md §2.2).

Findings are strings ``"record R, bytes S-E (field): problem [V#]"`` where ``V#`` is the item
number of the §1.12 checklist. :func:`validate_transfer_file` returns errors only (an empty list
means the file passes); with ``include_warnings=True`` the item-9 semantic warnings (and other
tolerated oddities) are appended, each prefixed ``"warning: "``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from payments.bank_calendar import is_bank_business_day
from payments.bank_codes import bank_kana, branch_kana

__all__ = ["validate_transfer_file"]

_LEN = 120

# ---- byte classes (zengin.md §1.8, "Byte-level rules for a validator") ----
_KANA_BYTES = frozenset(range(0xB1, 0xE0))  # ｱ..ﾝ ﾞ ﾟ
_DIGIT_BYTES = frozenset(range(0x30, 0x3A))
_UPPER_BYTES = frozenset(range(0x41, 0x5B))
_BANK_CLASS = _KANA_BYTES | _DIGIT_BYTES | _UPPER_BYTES | {0x2D}
_NAME_CLASS = _BANK_CLASS | {0x20, 0x28, 0x29, 0x2E}
_EDI_CLASS = _NAME_CLASS | {0x2F, 0x5C, 0xA2, 0xA3, 0xA6}
_VOICEABLE = frozenset({0xB3}) | frozenset(range(0xB6, 0xC5)) | frozenset(range(0xCA, 0xCF))
_HA_ROW = frozenset(range(0xCA, 0xCF))
#: Each class as the bytes it permits, for ``bytes.translate`` (membership checked in C).
_ALLOWED_BYTES = {c: bytes(sorted(c)) for c in (_BANK_CLASS, _NAME_CLASS, _EDI_CLASS)}

# ---- layouts: (start, end, field, kind); kind: N, C:name, C:bank, C:bank?, F (filler), X (fixed)
_HEADER = (
    (1, 1, "データ区分", "X"),
    (2, 3, "種別コード", "X"),
    (4, 4, "コード区分", "X"),
    (5, 14, "振込依頼人コード", "N"),
    (15, 54, "振込依頼人名", "C:name"),
    (55, 58, "振込指定日", "N"),
    (59, 62, "仕向銀行番号", "N"),
    (63, 77, "仕向銀行名", "C:bank?"),
    (78, 80, "仕向支店番号", "N"),
    (81, 95, "仕向支店名", "C:bank?"),
    (96, 96, "預金種目", "N"),
    (97, 103, "口座番号", "N"),
    (104, 120, "ダミー", "F"),
)
_DATA = (
    (1, 1, "データ区分", "X"),
    (2, 5, "被仕向銀行番号", "N"),
    (6, 20, "被仕向銀行名", "C:bank?"),
    (21, 23, "被仕向支店番号", "N"),
    (24, 38, "被仕向支店名", "C:bank?"),
    (39, 42, "手形交換所番号", "N"),
    (43, 43, "預金種目", "N"),
    (44, 50, "口座番号", "N"),
    (51, 80, "受取人名", "C:name"),
    (81, 90, "振込金額", "N"),
    (91, 91, "新規コード", "N"),
    # 92-111 depend on 識別表示 (byte 113), checked separately (V7)
    (112, 112, "振込指定区分", "X"),
    (113, 113, "識別表示", "X"),
    (114, 120, "ダミー", "F"),
)
_TRAILER = (
    (1, 1, "データ区分", "X"),
    (2, 7, "合計件数", "N"),
    (8, 19, "合計金額", "N"),
    (20, 120, "ダミー", "F"),
)
_END = ((1, 1, "データ区分", "X"), (2, 120, "ダミー", "F"))


@dataclass(slots=True)
class _Report:
    errors: list[str]
    warnings: list[str]

    def error(self, record: int | None, span: tuple[int, int] | None, field: str, text: str, rule: str) -> None:
        self.errors.append(_format(record, span, field, text, rule))

    def warn(self, record: int | None, span: tuple[int, int] | None, field: str, text: str, rule: str) -> None:
        self.warnings.append("warning: " + _format(record, span, field, text, rule))


def _format(record: int | None, span: tuple[int, int] | None, field: str, text: str, rule: str) -> str:
    parts = []
    if record is not None:
        parts.append(f"record {record}")
    if span is not None:
        parts.append(f"bytes {span[0]}-{span[1]}")
    where = ", ".join(parts)
    label = f"{where} ({field})" if where else field
    return f"{label}: {text} [{rule}]"


def _split(data: bytes, report: _Report) -> list[bytes] | None:
    """V1 framing."""
    if data.startswith(b"\xef\xbb\xbf"):
        report.error(None, None, "file", "starts with a byte-order mark", "V1")
        return None
    if data.endswith(b"\x1a"):
        report.warn(None, None, "file", "ends with 0x1A (tolerated, should not be written)", "V1")
        data = data[:-1]
    if not data:
        report.error(None, None, "file", "is empty", "V1")
        return None
    if b"\r" not in data and b"\n" not in data:
        if len(data) % _LEN != 0:
            report.error(None, None, "file", f"length {len(data)} is not a multiple of {_LEN}", "V1")
            return None
        return [data[i : i + _LEN] for i in range(0, len(data), _LEN)]
    lines = data.split(b"\r\n")
    if lines[-1] == b"":
        lines.pop()
    ok = True
    for number, line in enumerate(lines, start=1):
        if b"\r" in line or b"\n" in line:
            report.error(number, None, "framing", "bare CR or LF (records must end with CRLF)", "V1")
            ok = False
        elif len(line) != _LEN:
            report.error(number, None, "framing", f"record is {len(line)} bytes, not {_LEN}", "V1")
            ok = False
    return lines if ok else None


def _check_text(record: bytes, number: int, start: int, end: int, field: str, kind: str, report: _Report) -> None:
    """V5: class membership, left alignment, voicing marks, non-empty required names."""
    raw = record[start - 1 : end]
    text = raw.rstrip(b" ")
    span = (start, end)
    if kind == "C:name" and text == b"":
        report.error(number, span, field, "required name is empty", "V5")
        return
    if text == b"":
        report.warn(number, span, field, "is blank (some banks require it)", "V5")
        return
    if text[:1] == b" ":
        report.error(number, span, field, "is not left-aligned (leading space)", "V5")
    allowed = _NAME_CLASS if kind in ("C:name",) else _BANK_CLASS
    if kind == "C:edi":
        allowed = _EDI_CLASS
    bad = text.translate(None, _ALLOWED_BYTES[allowed])  # the bytes outside the class, found in C
    if bad:
        message = f"bytes {', '.join(f'0x{b:02X}' for b in sorted(set(bad)))} not permitted (zengin.md §1.8)"
        if kind == "C:bank?" and _matches_reference(record, number, field):
            report.warn(number, span, field, message + "; equals the zengin-code name", "V5")
        else:
            report.error(number, span, field, message, "V5")
    if 0xDE not in text and 0xDF not in text:  # no voicing mark to place (most names; issue 15)
        return
    previous = -1
    for b in text:
        if (b == 0xDE and previous not in _VOICEABLE) or (b == 0xDF and previous not in _HA_ROW):
            report.error(number, span, field, f"voicing mark 0x{b:02X} after 0x{previous & 0xFF:02X}", "V5")
            break
        previous = b


def _decode(raw: bytes) -> str:
    return raw.decode("cp932", errors="replace").rstrip(" ")


def _matches_reference(record: bytes, number: int, field: str) -> bool:
    bank = record[1:5].decode("ascii", errors="replace") if record[:1] == b"2" else ""
    if record[:1] == b"2":
        if field == "被仕向銀行名":
            return bank_kana(bank) == _decode(record[5:20])
        return branch_kana(bank, record[20:23].decode("ascii", errors="replace")) == _decode(record[23:38])
    bank = record[58:62].decode("ascii", errors="replace")
    if field == "仕向銀行名":
        return bank_kana(bank) == _decode(record[62:77])
    return branch_kana(bank, record[77:80].decode("ascii", errors="replace")) == _decode(record[80:95])


def _check_layout(record: bytes, number: int, layout: tuple[tuple[int, int, str, str], ...], report: _Report) -> None:
    for start, end, field, kind in layout:
        raw = record[start - 1 : end]
        if kind == "N":
            if not raw.isdigit():
                report.error(number, (start, end), field, f"{raw!r} is not all digits", "V4")
        elif kind == "F":
            if raw.strip(b" ") != b"":
                report.error(number, (start, end), field, "filler is not all spaces", "V3")
        elif kind.startswith("C:"):
            _check_text(record, number, start, end, field, kind, report)


def _check_codes_header(record: bytes, number: int, report: _Report) -> None:
    if record[1:3] != b"21":
        report.error(number, (2, 3), "種別コード", f"{record[1:3]!r} is not 21 (総合振込)", "V3")
    if record[3:4] != b"0":
        report.error(number, (4, 4), "コード区分", f"{record[3:4]!r} is not 0 (JIS)", "V3")
    if record[95:96] not in (b"1", b"2", b"9"):
        report.error(number, (96, 96), "預金種目", f"{record[95:96]!r} not in 1, 2, 9", "V6")


def _check_codes_data(record: bytes, number: int, report: _Report) -> None:
    if record[42:43] not in (b"1", b"2", b"4", b"9"):
        report.error(number, (43, 43), "預金種目", f"{record[42:43]!r} not in 1, 2, 4, 9", "V6")
    if record[90:91] not in (b"0", b"1", b"2"):
        report.error(number, (91, 91), "新規コード", f"{record[90:91]!r} not in 0, 1, 2", "V6")
    if record[111:112] in (b"0", b" "):
        report.warn(number, (112, 112), "振込指定区分", f"{record[111:112]!r} is bank-specific", "V6")
    elif record[111:112] not in (b"7", b"8"):
        report.error(number, (112, 112), "振込指定区分", f"{record[111:112]!r} not in 7, 8", "V6")
    identification = record[112:113]
    if identification == b"Y":  # V7: EDI overlay
        _check_text(record, number, 92, 111, "EDI情報", "C:edi", report)
    elif identification == b" ":
        for start, end, field in ((92, 101, "顧客コード1"), (102, 111, "顧客コード2")):
            if not record[start - 1 : end].isdigit():
                report.error(number, (start, end), field, f"{record[start - 1 : end]!r} is not all digits", "V7")
    else:
        report.error(number, (113, 113), "識別表示", f"{identification!r} is not 'Y' or space", "V6")


def _check_date(mmdd: bytes, number: int, creation_date: date | None, report: _Report) -> None:
    """V10: 振込指定日 is a valid MMDD and, given the creation date, a bank business day."""
    if not mmdd.isdigit():
        return  # reported by V4
    month, day = int(mmdd[:2]), int(mmdd[2:])
    try:
        date(2024, month, day)  # a leap year accepts 0229
    except ValueError:
        report.error(number, (55, 58), "振込指定日", f"{mmdd.decode()} is not a calendar date", "V10")
        return
    if creation_date is None:
        return
    year = creation_date.year
    resolved: date | None = None
    for candidate_year in (year, year + 1, year + 2, year + 3, year + 4):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate >= creation_date:
            resolved = candidate
            break
    if resolved is None:  # pragma: no cover - 29 Feb recurs within 8 years
        return
    if not is_bank_business_day(resolved):
        report.error(number, (55, 58), "振込指定日", f"{resolved.isoformat()} is not a bank business day (§4)", "V10")


def validate_transfer_file(
    data: bytes, *, creation_date: date | None = None, include_warnings: bool = False
) -> list[str]:
    """Check a 総合振込 file against the zengin.md §1.12 checklist; return the findings.

    Items: V1 framing, V2 record order, V3 fixed values and fillers, V4 N fields, V5 C fields
    (class, alignment, voicing marks, non-empty names), V6 code lists, V7 EDI overlay, V8 trailer
    totals, V9 semantic warnings (zero amount, duplicates, unknown bank/branch, names differing
    from zengin-code), V10 calendar (the MMDD is resolved to its next occurrence on or after
    ``creation_date`` when given). Several batches per file (マルチファイル) are checked batch by
    batch. Multiple findings are reported; nothing stops at the first.
    """
    report = _Report(errors=[], warnings=[])
    records = _split(data, report)
    if records is None:
        return report.errors + (report.warnings if include_warnings else [])

    # V2 record order: (1 2+ 8)+ 9, nothing after 9.
    state = "start"
    batch: list[tuple[int, bytes]] = []
    seen_accounts: dict[bytes, int] = {}
    for number, record in enumerate(records, start=1):
        kind = record[:1]
        expected = {
            "start": (b"1",),
            "header": (b"2",),
            "data": (b"2", b"8"),
            "trailer": (b"1", b"9"),
            "end": (),
        }[state]
        if kind not in expected:
            allowed = " or ".join(k.decode() for k in expected) or "nothing"
            report.error(number, (1, 1), "データ区分", f"{kind!r} found where {allowed} was expected", "V2")
            return report.errors + (report.warnings if include_warnings else [])
        if kind == b"1":
            state = "header"
            batch = []
            _check_layout(record, number, _HEADER, report)
            _check_codes_header(record, number, report)
            _check_date(record[54:58], number, creation_date, report)
        elif kind == b"2":
            state = "data"
            batch.append((number, record))
            _check_layout(record, number, _DATA, report)
            _check_codes_data(record, number, report)
            _check_semantics(record, number, seen_accounts, report)
        elif kind == b"8":
            state = "trailer"
            _check_layout(record, number, _TRAILER, report)
            _check_totals(record, number, batch, report)
        else:
            state = "end"
            _check_layout(record, number, _END, report)
    if state != "end":
        report.error(None, None, "file", "does not end with an end record (データ区分 9)", "V2")
    return report.errors + (report.warnings if include_warnings else [])


def _check_totals(trailer: bytes, number: int, batch: list[tuple[int, bytes]], report: _Report) -> None:
    """V8: 合計件数 and 合計金額 equal the batch's data records."""
    if trailer[1:7].isdigit() and int(trailer[1:7]) != len(batch):
        report.error(
            number,
            (2, 7),
            "合計件数",
            f"{int(trailer[1:7])} but the batch has {len(batch)} data records",
            "V8",
        )
    amounts = [record[80:90] for _, record in batch]
    if trailer[7:19].isdigit() and all(a.isdigit() for a in amounts):
        total = sum(int(a) for a in amounts)
        if total > 999_999_999_999:
            report.error(number, (8, 19), "合計金額", f"sum {total} overflows 12 digits", "V8")
        elif int(trailer[7:19]) != total:
            report.error(number, (8, 19), "合計金額", f"{int(trailer[7:19])} but the data records sum to {total}", "V8")


def _check_semantics(record: bytes, number: int, seen: dict[bytes, int], report: _Report) -> None:
    """V9 warnings."""
    if record[80:90] == b"0" * 10:
        report.warn(number, (81, 90), "振込金額", "amount is 0", "V9")
    key = record[1:5] + record[20:23] + record[42:50] + record[80:90]
    if key in seen:
        report.warn(number, None, "data", f"same account and amount as record {seen[key]}", "V9")
    else:
        seen[key] = number
    bank = record[1:5].decode("ascii", errors="replace")
    branch = record[20:23].decode("ascii", errors="replace")
    reference_bank = bank_kana(bank)
    if reference_bank is None:
        report.warn(number, (2, 5), "被仕向銀行番号", f"{bank} unknown in zengin-code", "V9")
        return
    reference_branch = branch_kana(bank, branch)
    if reference_branch is None:
        report.warn(number, (21, 23), "被仕向支店番号", f"{bank}-{branch} unknown in zengin-code", "V9")
    bank_name = _decode(record[5:20])
    if bank_name and bank_name != reference_bank:
        report.warn(number, (6, 20), "被仕向銀行名", f"{bank_name!r} differs from {reference_bank!r}", "V9")
    branch_name = _decode(record[23:38])
    if reference_branch is not None and branch_name and branch_name != reference_branch:
        report.warn(number, (24, 38), "被仕向支店名", f"{branch_name!r} differs from {reference_branch!r}", "V9")
    holder = record[50:80]
    if holder[-1] in _VOICEABLE:
        report.warn(
            number,
            (51, 80),
            "受取人名",
            "fills all 30 bytes and ends with a kana that may have lost its voicing mark (truncated?)",
            "V9",
        )

"""Renderer and parser of the 全銀協規定フォーマット 総合振込 file (種別コード 21).

Byte layout: zengin.md §1.1–§1.7 (header ``1`` / data ``2`` / trailer ``8`` / end ``9``, every
record exactly 120 bytes). Framing: CRLF after every record including the last, no ``0x1A``, no
BOM (zengin.md §1.2 recommended default). Encoding cp932, one byte per permitted character.
Names are converted with :func:`payments.kana.to_zengin_kana` (zengin.md §1.8) and rejected, never
truncated, when too long. The trailer totals are computed here from the data records, never taken
from the caller (zengin.md §1.6), and checked again against the rendered bytes before returning.

Money is ``int`` yen. The benefit is paid to the agent/landlord (代理受領, R45), one transfer per
payee per batch. An independent checker lives in :mod:`payments.zengin_validator`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from payments.bank_calendar import is_bank_business_day
from payments.bank_codes import bank_kana, branch_kana
from payments.kana import CharClass, ZenginKanaError, invalid_zengin_text_position, to_zengin_kana

__all__ = [
    "RECORD_LENGTH",
    "AccountType",
    "NewCode",
    "Originator",
    "ParsedTransferFile",
    "Transfer",
    "TransferFileError",
    "parse_transfer_file",
    "render_transfer_file",
]

RECORD_LENGTH = 120
"""Bytes per record, all record types (zengin.md §1.2)."""
CRLF = b"\r\n"
TYPE_CODE_GENERAL_TRANSFER = "21"
"""種別コード 21 総合振込 (zengin.md §1.4 field 2)."""
MAX_AMOUNT_YEN = 9_999_999_999
"""振込金額 N(10) (zengin.md §1.5 field 10)."""
MAX_TOTAL_YEN = 999_999_999_999
"""合計金額 N(12) (zengin.md §1.6)."""
MAX_COUNT = 999_999
"""合計件数 N(6) (zengin.md §1.6)."""
MAX_CUSTOMER_CODE = 9_999_999_999
"""顧客コード N(10) (zengin.md §1.5 fields 12, 13)."""


class AccountType(StrEnum):
    """預金種目 (zengin.md §1.4 field 11, §1.5 field 7)."""

    ORDINARY = "1"
    """普通預金"""
    CURRENT = "2"
    """当座預金"""
    SAVINGS = "4"
    """貯蓄預金 (payee only)"""
    OTHER = "9"
    """その他"""


HEADER_ACCOUNT_TYPES = frozenset({"1", "2", "9"})
DATA_ACCOUNT_TYPES = frozenset({"1", "2", "4", "9"})


class NewCode(StrEnum):
    """新規コード (zengin.md §1.5 field 11)."""

    OTHER = "0"
    """その他 — the default, a payee already paid to this account."""
    FIRST = "1"
    """第1回振込分 — the first transfer to this payee."""
    CHANGED = "2"
    """変更分 — the payee's bank/branch/type/account changed since the last transfer."""


NEW_CODES = frozenset({"0", "1", "2"})
DESIGNATION_CODES = frozenset({"7", "8", "0", " "})
"""振込指定区分: 7 テレ振込 (default), 8 文書振込; some banks want 0 or space (zengin.md §1.5 #14)."""


class TransferFileError(ValueError):
    """A field cannot be written to, or read from, a 総合振込 file.

    ``field`` names the offending field (e.g. ``transfers[2].holder_name``); ``record`` is the
    1-based record number when parsing.
    """

    def __init__(self, field: str, message: str, *, record: int | None = None) -> None:
        self.field = field
        self.record = record
        where = f"record {record}, " if record is not None else ""
        super().__init__(f"{where}{field}: {message}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Originator:
    """振込依頼人 of the header record (zengin.md §1.4).

    ``consignor_name`` may be given in full-width kana; it is converted (zengin.md §1.8) when
    rendered. Bank and branch names are 全銀 kana (e.g. from :func:`payments.bank_codes.bank_kana`).
    """

    consignor_code: str
    """振込依頼人コード, 10 digits assigned by the bank (zeros if none)."""
    consignor_name: str
    """振込依頼人名, at most 40 bytes after conversion."""
    bank_code: str
    """仕向銀行番号, 4 digits."""
    bank_name: str
    """仕向銀行名, at most 15 bytes."""
    branch_code: str
    """仕向支店番号, 3 digits."""
    branch_name: str
    """仕向支店名, at most 15 bytes."""
    account_type: str
    """預金種目 1 普通, 2 当座, 9 その他."""
    account_number: str
    """口座番号, 7 digits."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Transfer:
    """One data record: a payment to one payee account (zengin.md §1.5)."""

    bank_code: str
    """被仕向銀行番号, 4 digits."""
    bank_name: str
    """被仕向銀行名, 全銀 kana, at most 15 bytes."""
    branch_code: str
    """被仕向支店番号, 3 digits."""
    branch_name: str
    """被仕向支店名, 全銀 kana, at most 15 bytes."""
    account_type: str
    """預金種目 1 普通, 2 当座, 4 貯蓄, 9 その他."""
    account_number: str
    """口座番号, 7 digits (see :func:`payments.payees.normalized_account_number`)."""
    holder_name: str
    """受取人名 (口座名義); converted to 全銀 kana, at most 30 bytes."""
    amount_yen: int
    """振込金額, 1 .. 9,999,999,999."""
    new_code: str = NewCode.OTHER
    """新規コード 0/1/2 (:class:`NewCode`)."""
    customer_code_1: int = 0
    """顧客コード1: the payment reference, 0 .. 9,999,999,999."""
    customer_code_2: int = 0
    """顧客コード2, 0 .. 9,999,999,999."""
    edi_info: str | None = None
    """EDI情報 (C(20)); when set, 識別表示 is ``Y`` and both customer codes must be 0."""
    designation: str = "7"
    """振込指定区分 (default 7 テレ振込)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedTransferFile:
    """A 総合振込 file read back by :func:`parse_transfer_file`."""

    originator: Originator
    transfer_mmdd: str
    """振込指定日 as written (``MMDD``); the year is implicit in the format."""
    transfers: tuple[Transfer, ...]
    total_count: int
    """合計件数 from the trailer (verified equal to ``len(transfers)``)."""
    total_amount_yen: int
    """合計金額 from the trailer (verified equal to the sum of amounts)."""
    crlf: bool
    """True if records were separated by CRLF."""


# --------------------------------------------------------------------------------------------
# Field writers


def _digits(value: str, width: int, field: str, *, exact: bool = True) -> bytes:
    """An ``N(width)`` field from a digit string (zengin.md §1.3)."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        raise TransferFileError(field, f"{value!r} must be a string of ASCII digits")
    if exact and len(value) != width:
        raise TransferFileError(field, f"{value!r} must have exactly {width} digits")
    if len(value) > width:
        raise TransferFileError(field, f"{value!r} has more than {width} digits")
    return value.zfill(width).encode("ascii")


def _number(value: int, width: int, field: str, *, minimum: int, maximum: int) -> bytes:
    """An ``N(width)`` field from an ``int``, right-aligned, zero-padded (zengin.md §1.3)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TransferFileError(field, f"{value!r} must be an int")
    if not minimum <= value <= maximum:
        raise TransferFileError(field, f"{value} must be between {minimum} and {maximum}")
    return str(value).zfill(width).encode("ascii")


def _code(value: str, allowed: frozenset[str], field: str) -> bytes:
    if value not in allowed:
        raise TransferFileError(field, f"{value!r} is not one of {sorted(allowed)}")
    return value.encode("ascii")


def _text(text: str, width: int, field: str, char_class: CharClass) -> bytes:
    """A ``C(width)`` field, left-aligned, space-padded (zengin.md §1.3); rejects over-long text."""
    position = invalid_zengin_text_position(text, char_class)
    if position is not None:
        raise TransferFileError(
            field,
            f"character {text[position]!r} at position {position} of {text!r} is not permitted "
            f"in a {char_class.value} field (zengin.md §1.8)",
        )
    encoded = text.encode("cp932")
    if len(encoded) > width:
        raise TransferFileError(field, f"{text!r} is {len(encoded)} bytes; the field holds {width}")
    return encoded.ljust(width, b" ")


def _name(text: str, width: int, field: str) -> bytes:
    """A name field: convert to 全銀 kana (zengin.md §1.8), then write as ``C(width)``."""
    try:
        converted = to_zengin_kana(text, max_bytes=width)
    except ZenginKanaError as error:
        raise TransferFileError(field, str(error)) from error
    return _text(converted, width, field, CharClass.NAME)


def _bank_name(text: str, width: int, field: str, reference: str | None) -> bytes:
    """Bank/branch name (bank class); a registered ``zengin-code`` name is accepted as is.

    zengin.md §3.1: 15 foreign banks' registered kana contain ``.`` or a space.
    """
    if text == "":
        raise TransferFileError(field, "must not be empty")
    if reference is not None and text == reference:
        encoded = text.encode("cp932")
        if len(encoded) > width:
            raise TransferFileError(field, f"{text!r} is {len(encoded)} bytes; the field holds {width}")
        return encoded.ljust(width, b" ")
    return _text(text, width, field, CharClass.BANK)


def _header(originator: Originator, transfer_date: date) -> bytes:
    o = originator
    record = b"".join(
        [
            b"1",
            TYPE_CODE_GENERAL_TRANSFER.encode("ascii"),
            b"0",  # コード区分 0 = JIS (zengin.md §1.2)
            _digits(o.consignor_code, 10, "originator.consignor_code"),
            _name(o.consignor_name, 40, "originator.consignor_name"),
            f"{transfer_date.month:02d}{transfer_date.day:02d}".encode("ascii"),
            _digits(o.bank_code, 4, "originator.bank_code"),
            _bank_name(o.bank_name, 15, "originator.bank_name", bank_kana(o.bank_code)),
            _digits(o.branch_code, 3, "originator.branch_code"),
            _bank_name(o.branch_name, 15, "originator.branch_name", branch_kana(o.bank_code, o.branch_code)),
            _code(o.account_type, HEADER_ACCOUNT_TYPES, "originator.account_type"),
            _digits(o.account_number, 7, "originator.account_number"),
            b" " * 17,
        ]
    )
    assert len(record) == RECORD_LENGTH, len(record)
    return record


def _data(transfer: Transfer, index: int) -> bytes:
    t = transfer
    f = f"transfers[{index}]"
    if t.edi_info is not None:
        if t.customer_code_1 != 0 or t.customer_code_2 != 0:
            raise TransferFileError(f"{f}.edi_info", "EDI情報 replaces 顧客コード1/2; both customer codes must be 0")
        if t.edi_info == "":
            raise TransferFileError(f"{f}.edi_info", "must not be empty when given (use None)")
        references = _text(t.edi_info, 20, f"{f}.edi_info", CharClass.EDI)
        identification = b"Y"
    else:
        references = _number(
            t.customer_code_1, 10, f"{f}.customer_code_1", minimum=0, maximum=MAX_CUSTOMER_CODE
        ) + _number(t.customer_code_2, 10, f"{f}.customer_code_2", minimum=0, maximum=MAX_CUSTOMER_CODE)
        identification = b" "
    record = b"".join(
        [
            b"2",
            _digits(t.bank_code, 4, f"{f}.bank_code"),
            _bank_name(t.bank_name, 15, f"{f}.bank_name", bank_kana(t.bank_code)),
            _digits(t.branch_code, 3, f"{f}.branch_code"),
            _bank_name(t.branch_name, 15, f"{f}.branch_name", branch_kana(t.bank_code, t.branch_code)),
            b"0000",  # 手形交換所番号, unused (zengin.md §1.5 field 6)
            _code(t.account_type, DATA_ACCOUNT_TYPES, f"{f}.account_type"),
            _digits(t.account_number, 7, f"{f}.account_number"),
            _name(t.holder_name, 30, f"{f}.holder_name"),
            _number(t.amount_yen, 10, f"{f}.amount_yen", minimum=1, maximum=MAX_AMOUNT_YEN),
            _code(t.new_code, NEW_CODES, f"{f}.new_code"),
            references,
            _code(t.designation, DESIGNATION_CODES, f"{f}.designation"),
            identification,
            b" " * 7,
        ]
    )
    assert len(record) == RECORD_LENGTH, len(record)
    return record


def _trailer(count: int, total_yen: int) -> bytes:
    record = (
        b"8"
        + _number(count, 6, "trailer.total_count", minimum=1, maximum=MAX_COUNT)
        + _number(total_yen, 12, "trailer.total_amount_yen", minimum=1, maximum=MAX_TOTAL_YEN)
        + b" " * 101
    )
    assert len(record) == RECORD_LENGTH
    return record


_END = b"9" + b" " * 119


def render_transfer_file(
    originator: Originator,
    transfer_date: date,
    transfers: Sequence[Transfer],
    *,
    crlf: bool = True,
    allow_duplicate_payments: bool = False,
) -> bytes:
    """Render a one-batch 総合振込 file (zengin.md §1.1–§1.7) as cp932 bytes.

    ``transfer_date`` (振込指定日) must be a bank business day (zengin.md §4). Every field is
    validated; the first problem raises :class:`TransferFileError` naming the field. Totals
    (合計件数, 合計金額) are computed from the data records and re-read from the rendered bytes
    before returning. Identical payments (same bank/branch/type/account/amount, zengin.md §1.12
    item 9) are refused unless ``allow_duplicate_payments``. With ``crlf`` (default) every record,
    including the last, is followed by CRLF.
    """
    if not isinstance(transfer_date, date):
        raise TransferFileError("transfer_date", f"{transfer_date!r} must be a date")
    if not is_bank_business_day(transfer_date):
        raise TransferFileError(
            "transfer_date", f"{transfer_date.isoformat()} is not a bank business day (zengin.md §4)"
        )
    if len(transfers) == 0:
        raise TransferFileError("transfers", "a batch needs at least one data record (zengin.md §1.1)")
    if len(transfers) > MAX_COUNT:
        raise TransferFileError("transfers", f"more than {MAX_COUNT} data records")
    records = [_header(originator, transfer_date)]
    seen: dict[tuple[str, str, str, str, int], int] = {}
    for index, transfer in enumerate(transfers):
        if not isinstance(transfer, Transfer):
            raise TransferFileError(f"transfers[{index}]", f"{transfer!r} is not a Transfer")
        records.append(_data(transfer, index))
        key = (
            transfer.bank_code,
            transfer.branch_code,
            transfer.account_type,
            transfer.account_number,
            transfer.amount_yen,
        )
        if key in seen and not allow_duplicate_payments:
            raise TransferFileError(
                f"transfers[{index}]",
                f"duplicates transfers[{seen[key]}] (same account and amount, zengin.md §1.12 item 9)",
            )
        seen.setdefault(key, index)
    total_yen = sum(t.amount_yen for t in transfers)
    if total_yen > MAX_TOTAL_YEN:
        raise TransferFileError("trailer.total_amount_yen", f"{total_yen} exceeds {MAX_TOTAL_YEN}")
    records.append(_trailer(len(transfers), total_yen))
    records.append(_END)
    # Control totals re-checked on the bytes themselves (zengin.md §1.6, architecture.md §4.8).
    data_records = records[1:-2]
    if len(data_records) != int(records[-2][1:7]) or sum(int(r[80:90]) for r in data_records) != int(records[-2][7:19]):
        raise AssertionError("trailer totals do not match the data records")  # pragma: no cover
    separator = CRLF if crlf else b""
    return b"".join(record + separator for record in records)


# --------------------------------------------------------------------------------------------
# Parser


def _split_records(data: bytes) -> tuple[list[bytes], bool]:
    """Split into 120-byte records: no separator, or CRLF after each (last optional) (§1.2)."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise TransferFileError("file", "starts with a UTF-8 BOM; 総合振込 files are cp932/JIS")
    if data.endswith(b"\x1a"):  # tolerated on input, never written (zengin.md §1.2)
        data = data[:-1]
    if b"\r" not in data and b"\n" not in data:
        if len(data) == 0 or len(data) % RECORD_LENGTH != 0:
            raise TransferFileError("file", f"length {len(data)} is not a multiple of {RECORD_LENGTH}")
        return [data[i : i + RECORD_LENGTH] for i in range(0, len(data), RECORD_LENGTH)], False
    lines = data.split(CRLF)
    if lines[-1] == b"":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        if b"\r" in line or b"\n" in line:
            raise TransferFileError("file", "bare CR or LF; records must end with CRLF", record=number)
        if len(line) != RECORD_LENGTH:
            raise TransferFileError("file", f"record is {len(line)} bytes, not {RECORD_LENGTH}", record=number)
    return lines, True


def _read_digits(record: bytes, start: int, end: int, field: str, number: int) -> str:
    raw = record[start - 1 : end]
    if not raw.isdigit():
        raise TransferFileError(field, f"{raw!r} is not all digits", record=number)
    return raw.decode("ascii")


def _read_text(record: bytes, start: int, end: int, field: str, number: int) -> str:
    raw = record[start - 1 : end]
    if any(b >= 0x80 and not 0xA1 <= b <= 0xDF for b in raw):
        raise TransferFileError(field, f"{raw!r} contains a double-byte or invalid byte", record=number)
    return raw.decode("cp932").rstrip(" ")


def _parse_header(record: bytes, number: int) -> tuple[Originator, str]:
    if record[1:3] != b"21":
        raise TransferFileError("header.type_code", f"{record[1:3]!r} is not 21 (総合振込)", record=number)
    if record[3:4] != b"0":
        raise TransferFileError("header.code_kind", f"{record[3:4]!r} is not 0 (JIS)", record=number)
    originator = Originator(
        consignor_code=_read_digits(record, 5, 14, "header.consignor_code", number),
        consignor_name=_read_text(record, 15, 54, "header.consignor_name", number),
        bank_code=_read_digits(record, 59, 62, "header.bank_code", number),
        bank_name=_read_text(record, 63, 77, "header.bank_name", number),
        branch_code=_read_digits(record, 78, 80, "header.branch_code", number),
        branch_name=_read_text(record, 81, 95, "header.branch_name", number),
        account_type=_read_digits(record, 96, 96, "header.account_type", number),
        account_number=_read_digits(record, 97, 103, "header.account_number", number),
    )
    mmdd = _read_digits(record, 55, 58, "header.transfer_date", number)
    return originator, mmdd


def _parse_data(record: bytes, number: int) -> Transfer:
    identification = record[112:113]
    edi_info: str | None
    if identification == b"Y":
        edi_info = _read_text(record, 92, 111, "data.edi_info", number)
        code_1 = code_2 = 0
    elif identification == b" ":
        edi_info = None
        code_1 = int(_read_digits(record, 92, 101, "data.customer_code_1", number))
        code_2 = int(_read_digits(record, 102, 111, "data.customer_code_2", number))
    else:
        raise TransferFileError("data.identification", f"{identification!r} is not 'Y' or space", record=number)
    return Transfer(
        bank_code=_read_digits(record, 2, 5, "data.bank_code", number),
        bank_name=_read_text(record, 6, 20, "data.bank_name", number),
        branch_code=_read_digits(record, 21, 23, "data.branch_code", number),
        branch_name=_read_text(record, 24, 38, "data.branch_name", number),
        account_type=_read_digits(record, 43, 43, "data.account_type", number),
        account_number=_read_digits(record, 44, 50, "data.account_number", number),
        holder_name=_read_text(record, 51, 80, "data.holder_name", number),
        amount_yen=int(_read_digits(record, 81, 90, "data.amount_yen", number)),
        new_code=_read_digits(record, 91, 91, "data.new_code", number),
        customer_code_1=code_1,
        customer_code_2=code_2,
        edi_info=edi_info,
        designation=record[111:112].decode("ascii", errors="replace"),
    )


def parse_transfer_file(data: bytes) -> ParsedTransferFile:
    """Read a one-batch 総合振込 file back into dataclasses and verify its trailer totals.

    Accepts the framings of zengin.md §1.2 (no separator, or CRLF after every record with the
    last optional; a final ``0x1A`` is tolerated). Raises :class:`TransferFileError` (with the
    record number) on a structural error or a trailer mismatch. Use
    :func:`payments.zengin_validator.validate_transfer_file` for the full checklist.
    """
    records, crlf = _split_records(data)
    kinds = b"".join(record[:1] for record in records)
    if len(records) < 4 or kinds[:1] != b"1" or kinds[-2:] != b"89" or kinds[1:-2].strip(b"2") != b"":
        raise TransferFileError(
            "file",
            f"record kinds {kinds.decode('ascii', errors='replace')!r} are not 1, 2…2, 8, 9 "
            "(one batch per file, zengin.md §1.1)",
        )
    originator, mmdd = _parse_header(records[0], 1)
    transfers = tuple(_parse_data(record, number) for number, record in enumerate(records[1:-2], start=2))
    trailer = records[-2]
    trailer_number = len(records) - 1
    total_count = int(_read_digits(trailer, 2, 7, "trailer.total_count", trailer_number))
    total_yen = int(_read_digits(trailer, 8, 19, "trailer.total_amount_yen", trailer_number))
    if total_count != len(transfers):
        raise TransferFileError(
            "trailer.total_count",
            f"{total_count} but the batch has {len(transfers)} data records",
            record=trailer_number,
        )
    actual_yen = sum(t.amount_yen for t in transfers)
    if total_yen != actual_yen:
        raise TransferFileError(
            "trailer.total_amount_yen",
            f"{total_yen} but the data records sum to {actual_yen}",
            record=trailer_number,
        )
    return ParsedTransferFile(
        originator=originator,
        transfer_mmdd=mmdd,
        transfers=transfers,
        total_count=total_count,
        total_amount_yen=total_yen,
        crlf=crlf,
    )

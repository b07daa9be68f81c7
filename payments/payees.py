"""Payees (the agent/landlord accounts of 代理受領, R45) and their checks before a batch.

A payee with a problem is left out of the monthly batch and listed for staff (architecture.md
§4.9); :func:`check_payee` finds those problems. Bank and branch names for the file come from
``zengin-code`` in half-width kana (zengin.md §3.1); the holder name must convert to the 全銀 name
class (zengin.md §1.8) and fit 30 bytes (zengin.md §1.5 field 9).
"""

from __future__ import annotations

from dataclasses import dataclass

from stdnum.jp import cn as corporate_number

from payments.bank_codes import JAPAN_POST_BANK_CODE, bank_kana, branch_kana
from payments.kana import EmptyName, NameTooLong, UnrepresentableCharacter, to_zengin_kana
from payments.zengin import DATA_ACCOUNT_TYPES, NewCode, Transfer

__all__ = [
    "HOLDER_NAME_MAX_BYTES",
    "Payee",
    "PayeeProblem",
    "check_payee",
    "checked_transfer",
    "normalized_account_number",
    "transfer_for_payee",
]

HOLDER_NAME_MAX_BYTES = 30
"""受取人名 C(30) (zengin.md §1.5 field 9)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Payee:
    """A transfer recipient: normally the agent/landlord (代理受領, R45), for moving costs also a
    removal company (R79, PD13)."""

    payee_id: str
    name: str
    """Display name, may be kanji (not written to the file)."""
    holder_name: str
    """口座名義 as registered at the bank, full- or half-width kana (converted for the file)."""
    bank_code: str
    """4 digits (統一金融機関番号)."""
    branch_code: str
    """3 digits; for ゆうちょ the converted 店番 (zengin.md §1.11)."""
    account_type: str
    """預金種目 1 普通, 2 当座, 4 貯蓄, 9 その他."""
    account_number: str
    """1 to 7 digits; shorter numbers are zero-padded on the left (zengin.md §1.5 field 8)."""
    corporate_number: str | None = None
    """法人番号 (13 digits), optional."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PayeeProblem:
    """One reason why a payee cannot be paid; ``code`` is stable, ``message`` is for staff."""

    field: str
    code: str
    message: str


def _is_digits(value: str) -> bool:
    return isinstance(value, str) and value.isascii() and value.isdigit()


def normalized_account_number(account_number: str) -> str:
    """The 7-digit 口座番号 for the file: digits, zero-padded on the left (zengin.md §1.3, §1.5).

    Raises ``ValueError`` unless ``account_number`` has 1 to 7 ASCII digits.
    """
    if not _is_digits(account_number) or not 1 <= len(account_number) <= 7:
        raise ValueError(f"account_number {account_number!r} must have 1 to 7 digits")
    return account_number.zfill(7)


def check_payee(payee: Payee) -> list[PayeeProblem]:
    """Return every problem that would keep ``payee`` out of a transfer file (empty if none).

    Checks: bank code (4 digits) and branch code (3 digits) exist in ``zengin-code``; the account
    type is 1/2/4/9; the account number has 1–7 digits (zengin.md §1.5: zero-padded to 7); ゆうちょ
    (9900) accounts are given in converted form (zengin.md §1.11); the holder name converts to the
    全銀 name class and fits 30 bytes (zengin.md §1.8); the 法人番号, if any, has a valid check digit.
    """
    return _check(payee)[0]


def _check(payee: Payee) -> tuple[list[PayeeProblem], str]:
    """:func:`check_payee`'s problems and the holder name in 全銀 kana ('' if it has a problem): the
    conversion is done once, for the check and for the record (issue 15)."""
    problems: list[PayeeProblem] = []
    bank_ok = False
    if not _is_digits(payee.bank_code) or len(payee.bank_code) != 4:
        problems.append(
            PayeeProblem(
                field="bank_code",
                code="bank_code_format",
                message=f"銀行コード {payee.bank_code!r} must be 4 digits",
            )
        )
    elif bank_kana(payee.bank_code) is None:
        problems.append(
            PayeeProblem(
                field="bank_code",
                code="bank_unknown",
                message=f"銀行コード {payee.bank_code} is not a known bank (zengin-code)",
            )
        )
    else:
        bank_ok = True
    if not _is_digits(payee.branch_code) or len(payee.branch_code) != 3:
        problems.append(
            PayeeProblem(
                field="branch_code",
                code="branch_code_format",
                message=f"支店コード {payee.branch_code!r} must be 3 digits",
            )
        )
    elif bank_ok and branch_kana(payee.bank_code, payee.branch_code) is None:
        problems.append(
            PayeeProblem(
                field="branch_code",
                code="branch_unknown",
                message=(f"支店コード {payee.branch_code} is not a branch of bank {payee.bank_code} (zengin-code)"),
            )
        )
    if payee.account_type not in DATA_ACCOUNT_TYPES:
        problems.append(
            PayeeProblem(
                field="account_type",
                code="account_type_invalid",
                message=f"預金種目 {payee.account_type!r} must be 1 普通, 2 当座, 4 貯蓄 or 9 その他",
            )
        )
    if not _is_digits(payee.account_number) or not 1 <= len(payee.account_number) <= 7:
        hint = ""
        if payee.bank_code == JAPAN_POST_BANK_CODE and _is_digits(payee.account_number):
            hint = " (a ゆうちょ 記号番号 must be converted to 店番/口座番号, zengin.md §1.11)"
        problems.append(
            PayeeProblem(
                field="account_number",
                code="account_number_format",
                message=f"口座番号 {payee.account_number!r} must have 1 to 7 digits{hint}",
            )
        )
    if payee.bank_code == JAPAN_POST_BANK_CODE and _is_digits(payee.branch_code):
        problems.extend(_japan_post_problems(payee))
    holder_problems, holder_name = _holder_name(payee.holder_name)
    problems.extend(holder_problems)
    if payee.corporate_number is not None and not corporate_number.is_valid(payee.corporate_number):
        problems.append(
            PayeeProblem(
                field="corporate_number",
                code="corporate_number_invalid",
                message=f"法人番号 {payee.corporate_number!r} is not a valid 13-digit corporate number",
            )
        )
    return problems, holder_name


def _japan_post_problems(payee: Payee) -> list[PayeeProblem]:
    """ゆうちょ: 店番 ends in 8 for 通常貯金 (普通) and 9 for 振替口座 (当座) (zengin.md §1.11)."""
    expected = {"8": "1", "9": "2"}.get(payee.branch_code[-1:])
    if expected is None:
        return [
            PayeeProblem(
                field="branch_code",
                code="japan_post_branch",
                message=f"ゆうちょ 店番 {payee.branch_code} must end in 8 (通常貯金) or 9 (振替口座)",
            )
        ]
    if payee.account_type != expected:
        return [
            PayeeProblem(
                field="account_type",
                code="japan_post_account_type",
                message=(
                    f"ゆうちょ 店番 {payee.branch_code} needs 預金種目 {expected} "
                    f"({'普通' if expected == '1' else '当座'}), not {payee.account_type!r}"
                ),
            )
        ]
    return []


def _holder_name(holder_name: str) -> tuple[list[PayeeProblem], str]:
    """The holder name's problems, and the name in 全銀 kana ('' when it has a problem)."""
    try:
        converted = to_zengin_kana(holder_name, max_bytes=HOLDER_NAME_MAX_BYTES)
    except UnrepresentableCharacter as error:
        message = (
            f"口座名義 character {error.character!r} (position {error.position + 1}) cannot be written in 全銀 kana"
        )
        if error.hint:
            message += f": {error.hint}"
        return [PayeeProblem(field="holder_name", code="holder_name_unrepresentable", message=message)], ""
    except EmptyName:
        return [PayeeProblem(field="holder_name", code="holder_name_empty", message="口座名義 is empty")], ""
    except NameTooLong as error:
        return [
            PayeeProblem(
                field="holder_name",
                code="holder_name_too_long",
                message=(
                    f"口座名義 {error.converted!r} is {error.length_bytes} bytes; 受取人名 holds "
                    f"{HOLDER_NAME_MAX_BYTES} (no truncation, zengin.md §1.8 rule 8)"
                ),
            )
        ], ""
    return [], converted


def transfer_for_payee(
    payee: Payee,
    *,
    amount_yen: int,
    customer_code_1: int,
    new_code: str = NewCode.OTHER,
    customer_code_2: int = 0,
) -> Transfer:
    """Build the data record of a payment to ``payee`` (zengin.md §1.5).

    Bank/branch names are filled from ``zengin-code`` (zengin.md §3.1); the holder name is
    converted to 全銀 kana. Raises ``ValueError`` if :func:`check_payee` reports a problem —
    callers exclude such payees beforehand (architecture.md §4.9).
    """
    problems, transfer = checked_transfer(
        payee, amount_yen=amount_yen, customer_code_1=customer_code_1, new_code=new_code,
        customer_code_2=customer_code_2)
    if transfer is None:
        details = "; ".join(f"{p.field}: {p.message}" for p in problems)
        raise ValueError(f"payee {payee.payee_id!r} cannot be paid: {details}")
    return transfer


def checked_transfer(
    payee: Payee,
    *,
    amount_yen: int,
    customer_code_1: int,
    new_code: str = NewCode.OTHER,
    customer_code_2: int = 0,
) -> tuple[list[PayeeProblem], Transfer | None]:
    """:func:`check_payee` and :func:`transfer_for_payee` in one pass: the payee's problems, and its
    data record when there are none (None otherwise). Every check runs once; the holder name is
    converted once (issue 15: a month of 100,000 payees)."""
    problems, holder_name = _check(payee)
    if problems:
        return problems, None
    bank_name = bank_kana(payee.bank_code)
    branch_name = branch_kana(payee.bank_code, payee.branch_code)
    assert bank_name is not None and branch_name is not None
    return [], Transfer(
        bank_code=payee.bank_code,
        bank_name=bank_name,
        branch_code=payee.branch_code,
        branch_name=branch_name,
        account_type=payee.account_type,
        account_number=normalized_account_number(payee.account_number),
        holder_name=holder_name,
        amount_yen=amount_yen,
        new_code=new_code,
        customer_code_1=customer_code_1,
        customer_code_2=customer_code_2,
    )

"""Japanese labels of the payment vocabulary, one table for exports, screens and statements.

Codes stay English in the database, the API and the machine-readable exports; people read these
labels (支払一覧, the batch screen). A code without a label is shown as the code itself, never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping

from payments import bank_codes

__all__ = ["ACCOUNT_TYPE", "PART", "PAYEE_KIND", "SUBSIDY", "bank_name", "branch_name", "label", "mask_account_number"]

SUBSIDY: Mapping[str, str] = {"rent": "家賃補助", "moving": "転居費用補助", "refund": "還付"}
"""補助の種類 (``payment.subsidy``; ``refund``: a refund of money paid back beyond a corrected claim)."""

PART: Mapping[str, str] = {
    "rent": "家賃（月額）",
    "moving_initial": "転居費用（初期費用：仲介業者等）",
    "moving_other": "転居費用（その他の費用：引越業者等）",
    "refund": "返還金の還付",
}
"""What a ledger row pays (PD13 parts; ``refund`` is money paid back to a recipient, PD9)."""

ACCOUNT_TYPE: Mapping[str, str] = {"1": "普通", "2": "当座", "4": "貯蓄", "9": "その他"}
"""預金種目 (zengin.md §1.5 field 8)."""

PAYEE_KIND: Mapping[str, str] = {"landlord": "貸主", "agent": "管理会社・仲介業者",
                                 "removal_company": "引越業者", "recipient": "受給者本人"}


def label(table: Mapping[str, str], code: str | None) -> str:
    """The Japanese label of ``code`` (the code itself when the table has none; empty for None)."""
    if code is None:
        return ""
    return table.get(code, code)


def mask_account_number(number: str) -> str:
    """An account number for screens: only the last 3 digits shown (``1234567`` → ``****567``)."""
    digits = number.strip()
    if len(digits) <= 3:
        return "*" * len(digits)
    return "*" * (len(digits) - 3) + digits[-3:]


def bank_name(bank_code: str) -> str:
    """The bank's name as ``zengin-code`` registers it (``0001`` → ``みずほ``, the short name banks'
    own selection screens show); empty when the code is unknown (one look-up: payments.bank_codes)."""
    return bank_codes.bank_name(bank_code) or ""


def branch_name(bank_code: str, branch_code: str) -> str:
    """The branch's name from ``zengin-code`` (empty when bank or branch is unknown)."""
    return bank_codes.branch_name(bank_code, branch_code) or ""

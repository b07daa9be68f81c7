"""check_payee and transfer_for_payee (zengin.md §1.5, §1.8, §1.11, §3.1)."""

from __future__ import annotations

from typing import Any

import pytest

from payments.bank_codes import japan_post_to_zengin
from payments.payees import Payee, check_payee, normalized_account_number, transfer_for_payee


def make_payee(**overrides: Any) -> Payee:
    values: dict[str, Any] = {
        "payee_id": "P1",
        "name": "株式会社青葉不動産",
        "holder_name": "カ）アオバフドウサン",
        "bank_code": "0005",
        "branch_code": "001",
        "account_type": "1",
        "account_number": "1234567",
        "corporate_number": None,
    }
    values.update(overrides)
    return Payee(**values)


def test_a_correct_payee_has_no_problems() -> None:
    assert check_payee(make_payee()) == []
    assert check_payee(make_payee(corporate_number="5835678256246")) == []


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"bank_code": "5"}, "bank_code", "bank_code_format"),
        ({"bank_code": "9999"}, "bank_code", "bank_unknown"),
        ({"branch_code": "12"}, "branch_code", "branch_code_format"),
        ({"branch_code": "998"}, "branch_code", "branch_unknown"),
        ({"account_type": "3"}, "account_type", "account_type_invalid"),
        ({"account_number": "12345678"}, "account_number", "account_number_format"),
        ({"account_number": ""}, "account_number", "account_number_format"),
        ({"account_number": "12-3456"}, "account_number", "account_number_format"),
        ({"holder_name": "青葉不動産"}, "holder_name", "holder_name_unrepresentable"),
        ({"holder_name": "ヲカダ"}, "holder_name", "holder_name_unrepresentable"),
        ({"holder_name": "　"}, "holder_name", "holder_name_empty"),
        ({"holder_name": "ア" * 31}, "holder_name", "holder_name_too_long"),
        ({"corporate_number": "5835678256245"}, "corporate_number", "corporate_number_invalid"),
        ({"corporate_number": "123"}, "corporate_number", "corporate_number_invalid"),
        ({"bank_code": "9900", "branch_code": "058", "account_type": "2"}, "account_type", "japan_post_account_type"),
        ({"bank_code": "9900", "branch_code": "019", "account_type": "1"}, "account_type", "japan_post_account_type"),
        (
            {"bank_code": "9900", "branch_code": "058", "account_number": "12345671"},
            "account_number",
            "account_number_format",
        ),
    ],
)
def test_each_problem_is_reported_with_its_field(overrides: dict[str, Any], field: str, code: str) -> None:
    problems = check_payee(make_payee(**overrides))
    assert [(p.field, p.code) for p in problems] == [(field, code)]


def test_a_kana_problem_names_the_character_and_its_position() -> None:
    (problem,) = check_payee(make_payee(holder_name="アオバ&サン"))
    assert "'&'" in problem.message
    assert "position 4" in problem.message


def test_a_japan_post_number_must_be_converted_first() -> None:
    (problem,) = check_payee(make_payee(bank_code="9900", branch_code="058", account_number="12345671"))
    assert "ゆうちょ" in problem.message


@pytest.mark.parametrize(
    ("symbol", "number", "expected"),
    [
        ("10530", "12345671", ("058", "1", "1234567")),
        ("14010", "1234561", ("408", "1", "0123456")),
        ("00180", "123456", ("019", "2", "0123456")),
        ("001805", "123456", ("019", "2", "0123456")),
    ],
)
def test_japan_post_symbol_and_number_conversion(symbol: str, number: str, expected: tuple[str, str, str]) -> None:
    assert japan_post_to_zengin(symbol, number) == expected


@pytest.mark.parametrize(("symbol", "number"), [("10530", "12345678"), ("20530", "1234561"), ("1053", "12345671")])
def test_japan_post_conversion_rejects_malformed_input(symbol: str, number: str) -> None:
    with pytest.raises(ValueError):
        japan_post_to_zengin(symbol, number)


def test_short_account_numbers_are_zero_padded() -> None:
    assert normalized_account_number("123") == "0000123"
    with pytest.raises(ValueError):
        normalized_account_number("12345678")


def test_transfer_for_payee_fills_bank_names_from_zengin_code() -> None:
    transfer = transfer_for_payee(make_payee(account_number="98765"), amount_yen=53_700, customer_code_1=7)
    assert transfer.bank_name == "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ"
    assert transfer.branch_name == "ﾎﾝﾃﾝ"
    assert transfer.account_number == "0098765"
    assert transfer.holder_name == "ｶ)ｱｵﾊﾞﾌﾄﾞｳｻﾝ"
    assert transfer.amount_yen == 53_700
    assert transfer.customer_code_1 == 7


def test_transfer_for_payee_refuses_a_payee_with_problems() -> None:
    with pytest.raises(ValueError, match="bank_unknown|not a known bank"):
        transfer_for_payee(make_payee(bank_code="9999"), amount_yen=1, customer_code_1=1)

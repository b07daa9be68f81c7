"""Shared builders for the payments tests (keyword defaults, Polar's create_* style)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from payments.zengin import Originator, Transfer

GOLDEN_DIR = Path(__file__).parent / "golden"


def build_originator(**overrides: Any) -> Originator:
    values: dict[str, Any] = {
        "consignor_code": "0000012345",
        "consignor_name": "株式会社テストショウジ",
        "bank_code": "0001",
        "bank_name": "ﾐｽﾞﾎ",
        "branch_code": "001",
        "branch_name": "ﾄｳｷﾖｳ",
        "account_type": "1",
        "account_number": "1111111",
    }
    values.update(overrides)
    return Originator(**values)


def build_transfer(**overrides: Any) -> Transfer:
    values: dict[str, Any] = {
        "bank_code": "0005",
        "bank_name": "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ",
        "branch_code": "001",
        "branch_name": "ﾎﾝﾃﾝ",
        "account_type": "1",
        "account_number": "1234567",
        "holder_name": "ﾔﾏﾀﾞ ﾀﾛｳ",
        "amount_yen": 150000,
        "customer_code_1": 1,
    }
    values.update(overrides)
    return Transfer(**values)


@pytest.fixture
def make_originator() -> Any:
    return build_originator


@pytest.fixture
def make_transfer() -> Any:
    return build_transfer


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Any:
    """Compare bytes with a golden file; rewrite it only when UPDATE_GOLDEN=1 (architecture.md §4.12)."""

    def check(name: str, actual: bytes) -> None:
        path = GOLDEN_DIR / name
        if os.environ.get("UPDATE_GOLDEN") == "1":
            path.write_bytes(actual)
        assert path.exists(), f"golden file {path} missing; run with UPDATE_GOLDEN=1 to create it"
        assert actual == path.read_bytes(), f"output differs from golden file {name}"

    return check

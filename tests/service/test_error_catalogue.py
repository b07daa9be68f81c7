"""One error catalogue (issue 14): every error code in the code base has a Japanese message without
internal rule numbers; the API adds it as ``message_ja`` and keeps ``code``, ``message`` and ``field``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.app import install_error_handlers
from service.error_catalogue import MESSAGES, is_japanese, message_ja
from service.errors import DomainError

ROOT = Path(__file__).resolve().parents[2]
PATTERNS = (r'\bcode="([a-z_]+)"', r'^\s+code = "([a-z_]+)"', r'InvalidInput\(\s*"([a-z_]+)"',
            r'"code": "([a-z_]+)"', r'_error\(\d+, "([a-z_]+)"', r'\d{3}: "([a-z_]+)"')


def codes_in_source() -> set[str]:
    found: set[str] = set()
    for package in ("service", "calculations"):
        for path in (ROOT / package).rglob("*.py"):
            if path.name == "error_catalogue.py":
                continue
            text = path.read_text(encoding="utf-8")
            for pattern in PATTERNS:
                found.update(re.findall(pattern, text, flags=re.MULTILINE))
    return found - {"code"}


def test_the_collector_finds_the_codes_it_should() -> None:
    codes = codes_in_source()
    # one of each way a code is written: a keyword, a class attribute, the rules engine, an app handler
    assert {"two_person_rule", "concurrent_modification", "negative_yen", "malformed_json",
            "method_not_allowed"} <= codes
    assert len(codes) > 90


def test_every_error_code_has_a_japanese_message_without_internal_numbers() -> None:
    missing = sorted(codes_in_source() - set(MESSAGES))
    assert missing == [], f"codes without a Japanese message in service/error_catalogue.py: {missing}"
    for code, text in MESSAGES.items():
        assert is_japanese(text), code
        assert not re.search(r"\b(R\d+|PD\d+)\b", text), (code, text)
        assert not re.search(r"[A-Za-z]{4,}", text.replace("JSON", "").replace("PDF", "").replace(
            "JPEG", "").replace("PNG", "")), (code, text)


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_the_api_answers_every_code_with_its_japanese_message(code: str) -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    def boom() -> None:
        raise DomainError("an English detail for developers", code=code, field="rent_yen")

    body = TestClient(app).get("/boom").json()
    assert body == {"error": {"code": code, "message": "an English detail for developers", "field": "rent_yen",
                              "message_ja": message_ja(code)}}
    assert is_japanese(body["error"]["message_ja"])


def test_a_validation_error_also_carries_japanese() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/n")
    def n(x: int) -> int:
        return x

    error = TestClient(app).get("/n", params={"x": "abc"}).json()["error"]
    assert error["code"] == "validation_error" and error["field"] == "x"
    assert error["message_ja"] == MESSAGES["validation_error"]

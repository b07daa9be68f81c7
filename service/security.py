"""Tokens (sha256-hashed at rest), passwords (argon2) and the 個人番号 guard."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterator
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from stdnum.jp import in_ as individual_number

ROLES = ("agency", "clerk", "approver", "finance", "admin")

_hasher = PasswordHasher()
_TWELVE_DIGITS = re.compile(r"(?<!\d)(\d{4})[ -]?(\d{4})[ -]?(\d{4})(?!\d)")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}" if path else str(index))


def find_individual_number(value: Any, path: str = "") -> str | None:
    """The path of the first string that holds a valid 個人番号 (12 digits, check digit), or None.

    The service never stores a 個人番号; requests that carry one are refused.
    """
    for field, text in _strings(value, path):
        for match in _TWELVE_DIGITS.finditer(text):
            if individual_number.is_valid("".join(match.groups())):
                return field
    return None

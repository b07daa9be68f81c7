"""Tokens (sha256-hashed at rest), passwords (argon2) and the 個人番号 guard."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Iterator
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from stdnum.jp import in_ as individual_number

ROLES = ("agency", "clerk", "approver", "finance", "admin")

_hasher = PasswordHasher()
#: What may stand between the digits of a 個人番号 as people type it (after NFKC): spaces of any kind
#: (NFKC makes the ideographic space a space), every hyphen, dash and minus, the katakana prolonged
#: sound mark that Japanese keyboards give for "-", dots and middle dots, commas, slashes, underscores.
_SEPARATORS = "\\s\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70\u2500\u2501\u30fb\uff65.\u3002,\u3001/_~\u301c"
_DIGIT_GROUP = re.compile(r"\d+")
_SEPARATOR_RUN = re.compile(f"[{_SEPARATORS}]{{1,4}}")
#: A calendar date inside free text (2025-05-12, 2025/5/12, 2025.05.12): masked before the search, so
#: that two dates in one note never read as a 12-digit number.
_DATE = re.compile(r"(?<!\d)(19|20)\d\d([-/.])(0?[1-9]|1[0-2])\2(0?[1-9]|[12]\d|3[01])(?!\d)")


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


#: An argon2 hash of a random password nobody knows: verified against when the user name is unknown
#: (or has no password), so that a refusal costs the same time either way.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(24))


def verify_password_or_dummy(password_hash: str | None, password: str) -> bool:
    """``verify_password``, with the same argon2 work when there is no hash to check."""
    if password_hash is None:
        verify_password(_DUMMY_HASH, password)
        return False
    return verify_password(password_hash, password)


#: Passwords refused whatever their length: the commonest leaked ones of 12+ characters and the
#: obvious ones of this service. Compared case-insensitively.
COMMON_PASSWORDS = frozenset({
    "123456789012", "1234567890123", "12345678901234", "123456789123", "111111111111", "000000000000",
    "password1234", "password12345", "password123456", "passwordpassword", "qwertyuiopasdfgh",
    "qwertyuiop12", "qwerty123456", "1q2w3e4r5t6y", "1qaz2wsx3edc", "iloveyou1234", "abcdefghijkl",
    "abc123456789", "administrator", "admin1234567", "adminadmin12", "letmein12345", "welcome12345",
    "changeme1234", "trustno1trustno1", "football1234", "baseball1234", "sunshine1234", "princess1234",
    "monkey123456", "dragon123456", "master123456", "superman1234", "starwars1234", "asdfghjkl123",
    "zaq12wsxcde3", "housingbenefit", "housing-benefit", "demo-password-2026", "password-2026",
    "p@ssw0rd1234", "passw0rd1234", "hello1234567", "aaaaaaaaaaaa",
})
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why ``password`` is refused (one policy for the API, the screens and the CLI), or None.

    12 to 200 characters, not a common password, not the user name, not one repeated character.
    Returned as (English, Japanese) joined by " / " for the API's message and the screens.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return "the password needs at least 12 characters / パスワードは12文字以上にしてください。"
    if len(password) > MAX_PASSWORD_LENGTH:
        return "the password may have at most 200 characters / パスワードは200文字以内にしてください。"
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) <= 2:
        return "the password is too common / よく使われるパスワードは使えません。"
    if username and username.lower() in lowered:
        return "the password must not contain the user name / パスワードにユーザー名を含めないでください。"
    return None


def _digit_value(text: str) -> str:
    return "".join(str(unicodedata.digit(ch)) for ch in text)


def contains_individual_number(text: str) -> bool:
    """Whether ``text`` holds a valid 個人番号 (12 digits with its check digit), however it is split.

    The text is NFKC-normalised (full-width digits, the full-width hyphen and the ideographic space
    become ASCII), dates are masked, and then every run of digit groups joined by separators
    (``_SEPARATORS``, up to four in a row) is searched for consecutive groups that hold exactly 12
    digits: ``123456789018``, ``1234-5678-9018``, ``1234ー5678ー9018``, ``123456 789018``,
    ``1234.5678.9018``, ``1 2 3 4 5 6 7 8 9 0 1 8``. The check digit (stdnum.jp.in_) keeps other
    12-digit numbers (most phone/account combinations) out.
    """
    normalised = _DATE.sub("#", unicodedata.normalize("NFKC", text))
    groups: list[str] = []
    end = -1
    for match in _DIGIT_GROUP.finditer(normalised):
        joined = end >= 0 and _SEPARATOR_RUN.fullmatch(normalised[end:match.start()]) is not None
        if not joined:
            if _twelve_in(groups):
                return True
            groups = []
        groups.append(_digit_value(match.group()))
        end = match.end()
    return _twelve_in(groups)


def _twelve_in(groups: list[str]) -> bool:
    for first in range(len(groups)):
        digits = ""
        for group in groups[first:]:
            digits += group
            if len(digits) == 12 and individual_number.is_valid(digits):
                return True
            if len(digits) >= 12:
                break
    return False


def _strings_and_keys(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string of a JSON value with its dotted path; object keys count as strings too."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            yield child, str(key)
            yield from _strings_and_keys(item, child)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _strings_and_keys(item, f"{path}.{index}" if path else str(index))


def find_individual_number(value: Any, path: str = "") -> str | None:
    """The path of the first string (or object key) that holds a valid 個人番号, or None.

    The service never stores a 個人番号 (番号法 §19/§20: a municipality's benefit office has no
    個人番号利用事務 here); requests that carry one are refused, naming the field.
    """
    for field, text in _strings_and_keys(value, path):
        if contains_individual_number(text):
            return field or "body"
    return None


# --- uploads -----------------------------------------------------------------------------------

#: The first bytes of each accepted document type (its "magic"): the declared type must match them.
MAGIC_BYTES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
}


def content_matches_type(content: bytes, content_type: str) -> bool:
    """Whether the bytes begin as the declared type's do (a type without a known signature: False)."""
    return any(content.startswith(magic) for magic in MAGIC_BYTES.get(content_type, ()))


def clean_filename(name: str) -> str:
    """An uploaded file's name as it is stored and shown: NFC, without control, format (bidi
    overrides, zero-width) or private-use characters, path separators made ``_``, spaces collapsed,
    at most 255 characters. Empty when nothing readable is left (the caller refuses it)."""
    text = unicodedata.normalize("NFC", name)
    kept = "".join("_" if ch in "/\\" else " " if ch in "\t\n\r" or unicodedata.category(ch) == "Zs" else ch
                   for ch in text
                   if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn") or ch in "\t\n\r")
    cleaned = re.sub(r" {2,}", " ", kept).strip(" .")
    return cleaned[:255]

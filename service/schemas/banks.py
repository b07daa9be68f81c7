"""Banks and branches offered by name at intake (issue 14), from zengin-code."""

from __future__ import annotations

from pydantic import BaseModel


class BankOut(BaseModel):
    """A bank or a branch: its code (4 or 3 digits), its name as zengin-code registers it (``みずほ``,
    ``東京営業部``) and its reading in hiragana."""

    code: str
    name: str
    reading: str

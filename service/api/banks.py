"""``GET /api/v1/banks`` and ``GET /api/v1/banks/{code}/branches``: choosing a payee's bank and branch by
name, reading or code (issue 14). A pure look-up in zengin-code (payments.bank_codes); nothing is read
from or written to the database."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from payments import bank_codes
from service.deps import ActorDep
from service.errors import NotFound
from service.schemas.banks import BankOut

router = APIRouter(tags=["banks"])

Search = Annotated[str, Query(max_length=50, description="name, reading (hiragana or katakana) or code")]
Limit = Annotated[int, Query(ge=1, le=200)]


@router.get("/banks", response_model=list[BankOut])
def search_banks(actor: ActorDep, q: Search = "", limit: Limit = 20) -> list[BankOut]:
    """Banks whose name, reading or code matches ``q`` (exact first, then prefix, then substring)."""
    del actor  # any signed-in user
    return [BankOut(code=b.code, name=b.name, reading=b.reading) for b in bank_codes.search_banks(q, limit)]


@router.get("/banks/{bank_code}/branches", response_model=list[BankOut])
def search_branches(actor: ActorDep, bank_code: Annotated[str, Path(pattern=r"^[0-9]{4}$")], q: Search = "",
                    limit: Limit = 50) -> list[BankOut]:
    """Branches of the bank matching ``q``; an unknown bank is a 404 naming ``bank_code``."""
    del actor
    if bank_codes.bank_name(bank_code) is None:
        raise NotFound(f"bank code {bank_code} is not in the 全銀 bank list (zengin-code)", field="bank_code")
    return [BankOut(code=b.code, name=b.name, reading=b.reading)
            for b in bank_codes.search_branches(bank_code, q, limit)]

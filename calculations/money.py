"""Money is ``int`` yen. Rounding happens only through the named functions here."""

from __future__ import annotations

from typing import NewType

Yen = NewType("Yen", int)


def round_up_to_100_yen(amount_yen: int) -> int:
    """Round a monthly amount up to the next ¥100 (R34, PD2; 松山市 S13).

    Used only when the municipality's setting ``round_rent_amount_up_to_100`` is on; the caller
    caps the result at the rent ceiling.
    """
    if amount_yen < 0:
        raise ValueError("amount_yen must not be negative")
    return -(-amount_yen // 100) * 100


def format_yen(amount_yen: int) -> str:
    """``53700`` → ``53,700円`` for traces and messages."""
    return f"{amount_yen:,}円"

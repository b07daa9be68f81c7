"""変更 (change of amount): R54–R56, PD10, PD19."""

from __future__ import annotations

from datetime import date

from calculations.periods import add_months, month_of
from calculations.rate_book import MunicipalitySettings


def change_effective_month(accepted_on: date, settings: MunicipalitySettings) -> str:
    """First month paid at the new amount (PD10): by default the month after the month the change
    application was accepted; setting ``acceptance_month`` makes it that month. Whole months only
    (PD19)."""
    month = month_of(accepted_on)
    return add_months(month, 1) if settings.change_effective == "month_after_acceptance" else month

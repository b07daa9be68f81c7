"""Municipality settings for payments: the 振込依頼人 (originator) of the 全銀 file (zengin.md §1.4).

pydantic-settings, environment prefix ``HB_ORIGINATOR_`` (e.g. ``HB_ORIGINATOR_CONSIGNOR_CODE``).
The defaults are fictional demo values: a real municipality sets its own 委託者コード and account.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from payments.bank_codes import bank_kana, branch_kana
from payments.zengin import Originator


class OriginatorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HB_ORIGINATOR_", extra="ignore")

    #: 全国地方公共団体コード of the paying municipality: its ``pay_day`` (PD18) comes from the rate book.
    municipality_code: str = Field(default="131016", pattern=r"^\d{6}$")
    #: 委託者コード (振込依頼人コード), 10 digits assigned by the bank. Fictional default.
    consignor_code: str = Field(default="1310160001", pattern=r"^\d{10}$")
    #: 振込依頼人名, full- or half-width kana (converted per zengin.md §1.8).
    consignor_name: str = "チヨダク ジユウキヨカクホキユウフキン"
    bank_code: str = Field(default="0001", pattern=r"^\d{4}$")
    branch_code: str = Field(default="001", pattern=r"^\d{3}$")
    #: 1 普通, 2 当座, 9 その他.
    account_type: str = Field(default="1", pattern=r"^[129]$")
    account_number: str = Field(default="0123456", pattern=r"^\d{7}$")

    def originator(self) -> Originator:
        """The header's originator; bank and branch names from zengin-code (zengin.md §3.1)."""
        return Originator(
            consignor_code=self.consignor_code,
            consignor_name=self.consignor_name,
            bank_code=self.bank_code,
            bank_name=bank_kana(self.bank_code) or "",
            branch_code=self.branch_code,
            branch_name=branch_kana(self.bank_code, self.branch_code) or "",
            account_type=self.account_type,
            account_number=self.account_number,
        )


@lru_cache(maxsize=1)
def get_originator_settings() -> OriginatorSettings:
    return OriginatorSettings()

"""Request bodies of the finance endpoints (boundary validation only)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictInt, StrictStr

from service.schemas.common import DateStr, Month, Strict, Yen

PayeeKind = Literal["landlord", "agent", "removal_company", "recipient"]
AccountType = Literal["ordinary", "current", "savings", "1", "2", "4", "9"]


class PayeeCreate(Strict):
    kind: PayeeKind
    name: StrictStr = Field(min_length=1, max_length=200)
    corporate_number: StrictStr | None = Field(default=None, pattern=r"^[0-9]{13}$")
    holder_name: StrictStr = Field(min_length=1, max_length=100)
    bank_code: StrictStr = Field(pattern=r"^[0-9]{4}$")
    branch_code: StrictStr = Field(pattern=r"^[0-9]{3}$")
    account_type: AccountType
    account_number: StrictStr = Field(pattern=r"^[0-9]{1,7}$")


class PayeeUpdate(Strict):
    kind: PayeeKind | None = None
    name: StrictStr | None = Field(default=None, min_length=1, max_length=200)
    corporate_number: StrictStr | None = Field(default=None, pattern=r"^[0-9]{13}$")
    holder_name: StrictStr | None = Field(default=None, min_length=1, max_length=100)
    bank_code: StrictStr | None = Field(default=None, pattern=r"^[0-9]{4}$")
    branch_code: StrictStr | None = Field(default=None, pattern=r"^[0-9]{3}$")
    account_type: AccountType | None = None
    account_number: StrictStr | None = Field(default=None, pattern=r"^[0-9]{1,7}$")


class GrantPayeeIn(Strict):
    payee_id: StrictInt


class PaymentRunIn(Strict):
    benefit_month: Month


class ExportIn(Strict):
    #: 振込指定日 chosen by finance (a bank business day, not in the past); default the run's PD18 date.
    pay_date: DateStr | None = None


class CancelIn(Strict):
    reason: StrictStr = Field(default="", max_length=500)


class PlanInstalment(Strict):
    due_date: DateStr
    amount_yen: Yen


class RepaymentPlanIn(Strict):
    instalments: list[PlanInstalment] = Field(min_length=1, max_length=120)


class RepaymentReceiptIn(Strict):
    amount_yen: StrictInt
    received_on: DateStr
    note: StrictStr | None = Field(default=None, max_length=500)

"""Shared field types of the request schemas, with the limits every input carries (issue 12).

Every string has a maximum length and every list and mapping a maximum count: names 200 characters,
notes 2,000, a household 20 members. ``RateMonth`` is a month the rate tables cover (a month before
them, or 0000-01, is a 422 naming the field, never a 500).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

Yen = Annotated[StrictInt, Field(ge=0, le=10**12)]
Count = Annotated[StrictInt, Field(ge=0, le=10_000)]
Month = Annotated[StrictStr, Field(pattern=r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$")]
DateStr = Annotated[StrictStr, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]

#: A code or an enumeration-like value (kinds, categories, relationship, municipality codes).
Code = Annotated[StrictStr, Field(max_length=50)]
#: A person's or company's name, an agency's name.
Name = Annotated[StrictStr, Field(max_length=200)]
#: A kana name (名義カナ, 氏名カナ).
Kana = Annotated[StrictStr, Field(max_length=200)]
Address = Annotated[StrictStr, Field(max_length=300)]
Phone = Annotated[StrictStr, Field(max_length=30)]
#: Free text: notes, reasons.
Note = Annotated[StrictStr, Field(max_length=2000)]
ShortNote = Annotated[StrictStr, Field(max_length=500)]
#: The key of a checklist mapping (consents, document exemptions).
Key = Annotated[StrictStr, Field(min_length=1, max_length=100)]

MAX_HOUSEHOLD = 20
MAX_INCOMES = 20
MAX_COSTS = 20
MAX_ITEMS = 50
MAX_IDS = 100


def _rate_month(value: str) -> str:
    from service.rules import first_rate_month, month_in_rate_tables

    if not month_in_rate_tables(value):
        raise ValueError(f"the month must lie between {first_rate_month()} (the first month of the rate "
                         f"tables) and 2099-12")
    return value


#: A month the rate tables cover (work queue, statistics, reports, decisions' months).
RateMonth = Annotated[Month, AfterValidator(_rate_month)]

__all__ = ["Strict", "Yen", "Count", "Month", "RateMonth", "DateStr", "Code", "Name", "Kana", "Address", "Phone",
           "Note", "ShortNote", "Key", "StrictBool", "StrictStr", "StrictInt"]


class Strict(BaseModel):
    """Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

"""Refund orders (還付, PD9; issue 15 item 5)."""

from __future__ import annotations

from pydantic import Field, StrictInt, StrictStr

from service.schemas.common import Strict


class RefundIn(Strict):
    """The recipient's account to refund to (a payee of kind ``recipient``) and a note."""

    payee_id: StrictInt = Field(ge=1)
    note: StrictStr | None = Field(default=None, max_length=500)

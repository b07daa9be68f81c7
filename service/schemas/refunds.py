"""Refund orders (還付, PD9; issue 15 item 5)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from service.schemas.common import Strict


class RefundIn(Strict):
    """The recipient's account to refund to (a payee of kind ``recipient``) and a note."""

    payee_id: StrictInt = Field(ge=1)
    note: StrictStr | None = Field(default=None, max_length=500)


class RefundOrderOut(BaseModel):
    """A refund order and its status: drafted, approved (paid in the next run), batched, paid, cancelled."""

    model_config = ConfigDict(extra="forbid")

    id: int
    claim_id: int
    case_id: int
    grant_id: int | None
    payee_id: int
    amount_yen: int
    note: str | None
    drafted_by: int | None
    status: str
    batch_id: int | None

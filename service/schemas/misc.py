from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, StrictInt, StrictStr

from service.schemas.common import MAX_IDS, Count, DateStr, RateMonth, Strict


class UserCreate(Strict):
    username: StrictStr = Field(min_length=3, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$")
    role: Literal["agency", "clerk", "approver", "finance", "admin"]
    agency_id: StrictInt | None = None
    #: for the screens; the policy (12+ characters, not a common password) is checked by the workflow.
    password: StrictStr | None = Field(default=None, min_length=12, max_length=200)


class MeOut(BaseModel):
    id: int | None
    username: str
    role: str
    agency_id: int | None


class UserOut(BaseModel):
    id: int
    username: str
    role: str
    agency_id: int | None
    active: bool


class UserCreated(UserOut):
    #: the first API token, shown once
    token: str


class AgencyOut(BaseModel):
    id: int
    code: str
    name: str


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    user_id: int | None
    username: str | None
    role: str | None
    action: str
    case_id: int | None
    target: str | None
    detail: dict[str, Any] | None
    client_ip: str | None


class PasswordResetIn(Strict):
    password: StrictStr = Field(min_length=12, max_length=200)


class TokenIssueIn(Strict):
    label: StrictStr = Field(default="", max_length=100)
    days: StrictInt = Field(default=90, ge=1, le=730)


class TokenOut(BaseModel):
    id: int
    user_id: int
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    status: Literal["active", "expired", "revoked"]


class TokenIssued(TokenOut):
    #: the token itself, shown once (the database keeps only its sha256)
    token: str


class AgencyCreate(Strict):
    code: StrictStr = Field(min_length=1, max_length=32)
    name: StrictStr = Field(min_length=1, max_length=200)


class MonthlyReportIn(Strict):
    grant_id: StrictInt | None = None
    month: RateMonth
    interviews: Count
    hello_work_consultations: Count
    employer_applications: Count
    evidence_document_ids: list[StrictInt] = Field(default_factory=list, max_length=MAX_IDS)


class CoordinationReportIn(Strict):
    """The 支援調整会議 at which an emergency grant was reported (R88)."""

    meeting_date: DateStr
    note: StrictStr | None = Field(default=None, max_length=1000)

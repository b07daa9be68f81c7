from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictInt, StrictStr

from service.schemas.common import Count, DateStr, Month, Strict


class UserCreate(Strict):
    username: StrictStr = Field(min_length=1, max_length=100)
    role: Literal["agency", "clerk", "approver", "finance", "admin"]
    agency_id: StrictInt | None = None
    password: StrictStr | None = Field(default=None, min_length=8, max_length=200)


class AgencyCreate(Strict):
    code: StrictStr = Field(min_length=1, max_length=32)
    name: StrictStr = Field(min_length=1, max_length=200)


class MonthlyReportIn(Strict):
    grant_id: StrictInt | None = None
    month: Month
    interviews: Count
    hello_work_consultations: Count
    employer_applications: Count
    evidence_document_ids: list[StrictInt] = Field(default_factory=list)


class CoordinationReportIn(Strict):
    """The 支援調整会議 at which an emergency grant was reported (R88)."""

    meeting_date: DateStr
    note: StrictStr | None = Field(default=None, max_length=1000)

"""Helpers for the screen tests: an app on a fresh database with a user of every role (password login)."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

PASSWORD = "correct-horse-battery"
ROLES = {"agency": ("agency", "A"), "agency_b": ("agency", "B"), "clerk": ("clerk", None),
         "clerk2": ("clerk", None), "approver": ("approver", None), "finance": ("finance", None),
         "finance2": ("finance", None), "admin": ("admin", None)}
PDF = b"%PDF-1.4\n% test document\n"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def seed_users(session_factory: Any) -> dict[str, int]:
    from service.db.session import unit_of_work
    from service.workflows.admin import create_agency, create_user

    ids: dict[str, int] = {}
    with unit_of_work(session_factory) as session:
        agencies = {"A": create_agency(session, "A001", "千代田区自立相談支援センター").id,
                    "B": create_agency(session, "B001", "新宿区くらしと仕事の相談センター").id}
        for name, (role, agency) in ROLES.items():
            user, _token = create_user(session, name, role, agency_id=agencies[agency] if agency else None,
                                       password=PASSWORD)
            ids[name] = user.id
    return ids


@dataclass
class Browser:
    """One person's TestClient (own cookie jar)."""

    client: TestClient
    csrf: str = ""
    pages: list[str] = field(default_factory=list)

    def get(self, url: str, **kwargs: Any) -> Any:
        response = self.client.get(url, **kwargs)
        if "csrf_token" in response.text:
            self.csrf = csrf_of(response.text)
        return response

    def post(self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any) -> Any:
        body = dict(data or {})
        if csrf:
            body.setdefault("csrf_token", self.csrf)
        response = self.client.post(url, data=body, **kwargs)
        if "csrf_token" in response.text:
            self.csrf = csrf_of(response.text)
        return response

    def login(self, username: str, password: str = PASSWORD) -> Any:
        self.get("/login")
        return self.post("/login", {"username": username, "password": password}, follow_redirects=False)


STEP1 = {"municipality_code": "131016", "application_date": "2025-05-12", "applicant_type": "at_risk",
         "applicant_name": "山田 太郎", "applicant_name_kana": "ヤマダ タロウ", "applicant_address": "東京都千代田区1-1",
         "m0_birth_date": "1985-04-01", "m0_student": "no",
         "m1_relationship": "child", "m1_birth_date": "2006-09-01", "m1_student": "yes"}
STEP2 = {"m0_inc0_kind": "wages", "m0_inc0_amount": "120,000", "m0_inc0_commute": "5000",
         "m1_inc0_kind": "wages", "m1_inc0_amount": "60000", "assets_yen": "300000",
         "trigger_kind": "job_loss", "trigger_date": "2025-03-31", "trigger_cause": "dismissal",
         "trigger_main_earner": "yes", "job_search_blocked_days": "0",
         "decl_hello_work": "yes", "decl_similar_benefit": "no", "decl_gang": "no"}
STEP3 = {"rent_yen": "60000", "common_charges_yen": "5000", "payee_kind": "agent", "payee_name": "株式会社テスト不動産",
         "corporate_number": "5835678256246", "bank_code": "0001", "branch_code": "001", "account_type": "ordinary",
         "account_number": "1234567", "holder_kana": "カ)テストフドウサン"}
RENT_CONSENTS = ("repayment_if_false", "no_gang_members", "job_search_requirements", "stop_cases",
                 "extension_conditions", "initial_costs_not_covered", "partial_rent_over_ceiling")
STEP4 = {**{f"consent_{k}": "yes" for k in RENT_CONSENTS}, "emergency": "no", "plan_date": "2025-05-01",
         "coordination_meeting_date": "2025-05-08"}
DOC_KINDS = ("identity", "job_loss_proof", "income_evidence", "bank_book_copies", "dwelling_status_notice")


def apply_through_wizard(agency: Browser, *, submit: bool = True, birth_date: str | None = None) -> tuple[int, int]:
    """Walk the wizard with valid data; returns (application id, case id). ``birth_date`` makes the applicant
    another person of the same name (one benefit per household, PD27, tells them apart by birth date)."""
    agency.get("/applications/new")
    step1 = {**STEP1, "m0_birth_date": birth_date} if birth_date else STEP1
    r = agency.post("/applications/new", {**step1, "action": "next"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    app_id = int(r.headers["location"].split("/")[2])
    for step, data in ((2, STEP2), (3, STEP3)):
        agency.get(f"/applications/{app_id}/step/{step}")
        r = agency.post(f"/applications/{app_id}/step/{step}", {**data, "action": "next"}, follow_redirects=False)
        assert r.status_code == 303, r.text
    agency.get(f"/applications/{app_id}/step/4")
    files = [(f"doc_{k}", (f"{k}.pdf", PDF, "application/pdf")) for k in DOC_KINDS]
    r = agency.client.post(f"/applications/{app_id}/step/4", data={**STEP4, "action": "next",
                                                                   "csrf_token": agency.csrf},
                           files=files, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = agency.get(f"/applications/{app_id}/step/5")
    case_id = int(re.search(r"ケース #(\d+)", page.text).group(1))  # type: ignore[union-attr]
    if submit:
        r = agency.post(f"/applications/{app_id}/submit", {}, follow_redirects=False)
        assert r.status_code == 303, r.text
    return app_id, case_id


def copy_of(data: dict[str, str]) -> dict[str, str]:
    return copy.deepcopy(data)

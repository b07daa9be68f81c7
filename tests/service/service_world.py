"""Scenario helpers for the service tests: sample facts, intake, and the World of users."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

RENT_FACTS: dict[str, Any] = {
    "benefit": "rent",
    "municipality_code": "131016",
    "application_date": "2025-05-12",
    "household": [
        {"relationship": "applicant", "birth_date": "1985-04-01", "student": False,
         "incomes": [{"kind": "wages", "amount_yen": 120000, "commuting_allowance_yen": 5000}]},
        {"relationship": "child", "birth_date": "2006-09-01", "student": True,
         "incomes": [{"kind": "wages", "amount_yen": 60000}]},
    ],
    "assets_yen": 300000,
    "declarations": {"hello_work_registered": True, "similar_benefit": False, "gang_member_in_household": False},
    "applicant_type": "at_risk",
    "rent_yen": 60000,
    "common_charges_yen": 5000,
    "lease_initial_costs_paid_on": None,
    "trigger": {"kind": "job_loss", "date": "2025-03-31", "cause": "dismissal", "main_earner": True,
                "job_search_blocked_days": 0},
    "previous_receipt": None,
}

MOVING_FACTS: dict[str, Any] = {
    "benefit": "moving",
    "municipality_code": "131016",
    "application_date": "2025-05-12",
    "household": [{"relationship": "applicant", "birth_date": "1985-04-01", "student": False,
                   "incomes": [{"kind": "wages", "amount_yen": 100000}]}],
    "assets_yen": 200000,
    "declarations": {"hello_work_registered": False, "similar_benefit": False, "gang_member_in_household": False},
    "current_rent_yen": 80000,
    "destination": {"municipality_code": "131041"},
    "income_drop": {"month": "2025-01", "cause": "job_loss", "main_earner": True},
    "household_finance_review": {"move_needed": True, "cannot_fund": True},
    "costs": [{"category": "key_money", "amount_yen": 50000}, {"category": "removal", "amount_yen": 40000}],
}

RENT_CONSENTS = dict.fromkeys(("repayment_if_false", "no_gang_members", "job_search_requirements", "stop_cases", "extension_conditions", "initial_costs_not_covered", "partial_rent_over_ceiling"), True)
MOVING_CONSENTS = dict.fromkeys(("repayment_if_false", "no_gang_members", "refusal_if_no_improvement", "deposit_and_advance_rent_excluded", "partial_over_cap"), True)

INTAKE: dict[str, Any] = {
    "applicant": {"name": "山田 太郎", "name_kana": "ヤマダ タロウ", "address": "東京都千代田区1-1"},
    "payee": {"payee_kind": "agent", "name": "株式会社テスト不動産", "corporate_number": "5835678256246",
              "bank_code": "0001", "branch_code": "001", "account_type": "ordinary", "account_number": "1234567",
              "holder_kana": "カ)テストフドウサン"},
    "emergency": False,
    "plan": {"plan_date": "2025-05-01", "coordination_meeting_date": "2025-05-08"},
}

PDF = b"%PDF-1.4\n% test document\n"

#: The applicants of a test's later applications: each another household (PD27).
OTHER_PEOPLE = ("鈴木 次郎", "佐藤 花子", "田中 三郎", "高橋 四郎", "伊藤 五郎", "渡辺 六郎", "中村 七海", "小林 八雲")


@dataclass
class World:
    client: TestClient
    tokens: dict[str, str]
    users: dict[str, int]
    agencies: dict[str, int]
    calls: list[tuple[str, str]] = field(default_factory=list)
    #: Initial applications so far: each is another person unless the test names one (PD27 recognises
    #: a household across cases by the applicant's name and birth date).
    applicants: int = 0

    def at(self, day: str) -> None:
        """Set the office clock of the app (service.clock) to 10:00 JST on ``day`` (YYYY-MM-DD)."""
        from datetime import date

        from service.clock import FixedClock

        self.client.app.state.office_clock = FixedClock.at_office_day(date.fromisoformat(day))  # type: ignore[attr-defined]

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def post(self, who: str, url: str, expect: int | None = None, **kwargs: Any) -> Any:
        response = self.client.post(url, headers={**self.h(who), **kwargs.pop("headers", {})}, **kwargs)
        if expect is not None:
            assert response.status_code == expect, response.text
        return response

    def get(self, who: str, url: str, expect: int | None = None, **kwargs: Any) -> Any:
        response = self.client.get(url, headers=self.h(who), **kwargs)
        if expect is not None:
            assert response.status_code == expect, response.text
        return response

    # --- scenario helpers ---------------------------------------------------------------------

    def upload(self, case_id: int, kind: str, application_id: int | None = None, who: str = "agency") -> int:
        data: dict[str, Any] = {"kind": kind}
        if application_id is not None:
            data["application_id"] = str(application_id)
        r = self.post(who, f"/api/v1/cases/{case_id}/documents", 201, data=data,
                      files={"file": (f"{kind}.pdf", PDF, "application/pdf")})
        return int(r.json()["id"])

    def apply(self, facts: dict[str, Any] | None = None, *, kind: str = "initial", case_id: int | None = None,
              who: str = "agency", intake: dict[str, Any] | None = None, submit: bool = True,
              person: str | None = None) -> dict[str, Any]:
        facts = copy.deepcopy(RENT_FACTS if facts is None else facts)
        body: dict[str, Any] = {"kind": kind, "facts": facts}
        if case_id is not None:
            body["case_id"] = case_id
        if kind == "initial":
            intake = copy.deepcopy(INTAKE if intake is None else intake)
            self.applicants += 1
            applicant = intake.get("applicant") or {}
            if person is not None:
                intake["applicant"] = {**applicant, "name": person}
            elif applicant.get("name") == INTAKE["applicant"]["name"] and self.applicants > 1:
                intake["applicant"] = {**applicant, "name": OTHER_PEOPLE[(self.applicants - 2) % len(OTHER_PEOPLE)]
                                       + ("" if self.applicants <= len(OTHER_PEOPLE) + 1 else str(self.applicants))}
            intake["consents"] = RENT_CONSENTS if facts.get("benefit", "rent") == "rent" else MOVING_CONSENTS
            body["intake"] = intake
        app = self.post(who, "/api/v1/applications", 201, json=body).json()
        from service.workflows.applications import required_documents

        for doc_kind in required_documents(kind, app["benefit"], app["facts"]):
            self.upload(app["case_id"], doc_kind, app["id"], who=who)
        if submit:
            app = self.post(who, f"/api/v1/applications/{app['id']}/submit", 200).json()
        return dict(app)

    def version(self, case_id: int) -> int:
        return int(self.get("clerk", f"/api/v1/cases/{case_id}", 200).json()["version"])

    def decide(self, case_id: int, body: dict[str, Any], *, clerk: str = "clerk",
               approver: str = "approver") -> dict[str, Any]:
        draft = self.post(clerk, f"/api/v1/cases/{case_id}/decisions", 201, json=body).json()
        approved = self.post(approver, f"/api/v1/decisions/{draft['id']}/approve", 200).json()
        assert approved["status"] == "approved"
        return dict(approved)

    def granted_case(self, facts: dict[str, Any] | None = None) -> tuple[int, int]:
        app = self.apply(facts)
        self.decide(app["case_id"], {"kind": "grant", "application_id": app["id"]})
        case = self.get("clerk", f"/api/v1/cases/{app['case_id']}", 200).json()
        return app["case_id"], int(case["grants"][0]["grant_id"])

    def clock(self, grant_id: int) -> dict[str, Any]:
        return dict(self.get("clerk", f"/api/v1/grants/{grant_id}", 200).json())

    def second_finance(self) -> str:
        """A second finance user (PD17: a batch is approved by someone who did not prepare it)."""
        if "finance2" not in self.tokens:
            from service.db.session import unit_of_work
            from service.workflows.admin import create_user

            with unit_of_work(self.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
                user, token = create_user(session, "finance2", "finance")
                self.tokens["finance2"], self.users["finance2"] = token, user.id
        return "finance2"

    def office_today(self) -> Any:
        from service.clock import SYSTEM_CLOCK

        return getattr(self.client.app.state, "office_clock", None) or SYSTEM_CLOCK  # type: ignore[attr-defined]

    def pay(self, grant_id: int, *months: str) -> None:
        """Pay through a real run (PD31): prepare up to the last month, approve by a second finance user,
        export (on the next bank business day when the month's pay date has passed). The months of
        ``grant_id`` are then paid (so are other grants' due months up to then)."""
        from datetime import date

        from payments.bank_calendar import next_bank_business_day

        approver = self.second_finance()
        report = self.post("finance", "/api/v1/payment-runs", json={"benefit_month": max(months)})
        assert report.status_code in (200, 201), report.text
        batch_id = report.json()["batch_id"]
        if batch_id is not None:
            self.post(approver, f"/api/v1/payment-batches/{batch_id}/approve", 200)
            today = self.office_today().today()
            chosen = max(date.fromisoformat(report.json()["pay_date"]), next_bank_business_day(today))
            self.post("finance", f"/api/v1/payment-batches/{batch_id}/export", 200,
                      json={"pay_date": chosen.isoformat()})
        statuses = {m["month"]: m["status"] for m in self.clock(grant_id)["months"]}
        assert all(statuses.get(m) == "paid" for m in months), statuses


def assert_append_only(engine: Any, tables: Any, *, all_filled: bool = True) -> None:
    """UPDATE and DELETE on every table raise in the database itself (architecture.md §4.6). With
    ``all_filled`` each table must hold a row, so the refusal is shown on data, not on an empty table;
    otherwise empty tables are passed over."""
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    for table in tables:
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        if not rows:
            assert not all_filled, f"{table} is empty"
            continue
        for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
            with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
                conn.execute(text(statement))
                conn.commit()


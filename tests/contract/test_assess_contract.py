"""The assess contract (contracts.md §1) through the command and the HTTP endpoint."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from factories import household_of, moving_case, rent_case
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.api.assessments import router

CONTRACT_EXAMPLE = rent_case(
    household=[
        {"relationship": "applicant", "birth_date": "1985-04-01", "student": False,
         "incomes": [{"kind": "wages", "amount_yen": 120000, "commuting_allowance_yen": 5000}]},
        {"relationship": "child", "birth_date": "2006-09-01", "student": True,
         "incomes": [{"kind": "wages", "amount_yen": 60000}]},
    ],
    rent_yen=60000, common_charges_yen=5000,
)


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    app.include_router(router)
    return TestClient(app)


def run_cli(payload: Any, *args: str) -> tuple[int, dict[str, Any], str]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    done = subprocess.run([sys.executable, "-m", "service.cli", "assess", *args], input=body,
                          capture_output=True, check=False)
    return done.returncode, json.loads(done.stdout), done.stderr.decode()


def test_the_contract_example_gives_the_contract_output(client: TestClient) -> None:
    response = client.post("/api/v1/assessments", json=CONTRACT_EXAMPLE)
    assert response.status_code == 200
    body = response.json()
    expected = {"eligible": True, "amount_yen": 60000, "household_size": 2, "counted_income_yen": 115000,
                "standard_amount_yen": 130000, "rent_ceiling_yen": 64000, "income_limit_yen": 190000,
                "asset_limit_yen": 780000, "reasons": [], "first_benefit_month": "2025-05",
                "initial_period": {"first_month": "2025-05", "last_month": "2025-07"},
                "extension_deadline": "2025-07-31"}
    assert {k: body[k] for k in expected} == expected
    assert {"step": "rent_counted", "value": 60000, "rule": "R12"} in body["trace"]


def test_the_command_reads_a_file_or_stdin_and_exits_0(tmp_path: Any) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CONTRACT_EXAMPLE), encoding="utf-8")
    code, body, _ = run_cli(b"", str(path))
    assert code == 0 and body["amount_yen"] == 60000
    code, body, _ = run_cli(CONTRACT_EXAMPLE)
    assert code == 0 and body["amount_yen"] == 60000


def test_an_ineligible_case_is_a_result_listing_every_reason(client: TestClient) -> None:
    case = rent_case(household=household_of(1, 200000), assets_yen=900000, application_date="2025-05-12",
                     declarations={"hello_work_registered": False, "similar_benefit": True,
                                   "gang_member_in_household": True},
                     trigger={"date": "2022-01-31", "main_earner": False},
                     previous_receipt={"last_paid_month": "2025-01", "last_application_date": "2024-06-01"})
    code, body, _ = run_cli(case)
    assert code == 0
    assert body["eligible"] is False and body["amount_yen"] == 0
    assert [r["rule"] for r in body["reasons"]] == ["R18", "R19", "R20", "R21", "R22", "R23", "R24", "R65"]
    assert client.post("/api/v1/assessments", json=case).json() == body


BAD_INPUTS = [
    ("missing field", rent_case(rent_yen=None), "rent_yen"),
    ("fractional yen", rent_case(rent_yen=50000.0), "rent_yen"),
    ("string yen", rent_case(assets_yen="300000"), "assets_yen"),
    ("negative yen", rent_case(assets_yen=-1), "assets_yen"),
    ("negative income", rent_case(household=[{"relationship": "applicant", "birth_date": "1985-04-01",
                                              "student": False, "incomes": [{"kind": "wages", "amount_yen": -5}]}]),
     "household[0].incomes[0].amount_yen"),
    ("impossible date", rent_case(application_date="2025-02-30"), "application_date"),
    ("impossible trigger date", rent_case(trigger={"date": "2025-04-31"}), "trigger.date"),
    ("unknown municipality", rent_case(municipality_code="999999"), "municipality_code"),
    ("a prefecture is not a municipality", rent_case(municipality_code="130001"), "municipality_code"),
    ("empty household", rent_case(municipality_code="402109", household=[]), "household"),
    ("unknown destination", moving_case(destination={"municipality_code": "999999"}), "destination"),
    ("unknown destination name", moving_case(destination={"prefecture": "東京都", "municipality": "八王子町"}),
     "destination"),
    ("blocked days 1-29", rent_case(trigger={"job_search_blocked_days": 15}), "trigger.job_search_blocked_days"),
    ("commuting above wages", rent_case(household=[{"relationship": "applicant", "birth_date": "1985-04-01",
                                                    "student": False, "incomes": [
                                                        {"kind": "wages", "amount_yen": 1000,
                                                         "commuting_allowance_yen": 2000}]}]),
     "household[0].incomes[0].commuting_allowance_yen"),
    ("missing benefit", {"municipality_code": "131016"}, "benefit"),
    ("homeless without lease date", rent_case(applicant_type="homeless"), "lease_initial_costs_paid_on"),
    ("moving before 2025-04", moving_case(application_date="2025-03-31", income_drop={"month": "2025-01"}),
     "application_date"),
]


@pytest.mark.parametrize(("name", "payload", "field"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_input_that_cannot_be_assessed_is_refused_naming_the_field(client: TestClient, name: str, payload: Any,
                                                                    field: str) -> None:
    response = client.post("/api/v1/assessments", json=payload)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == field
    assert error["code"] and error["message"]
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize("payload", [BAD_INPUTS[1][1], BAD_INPUTS[9][1], BAD_INPUTS[12][1]])
def test_the_command_exits_2_with_only_the_error_on_stdout(payload: Any) -> None:
    code, body, _ = run_cli(payload)
    assert code == 2
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}


def test_malformed_json_is_an_error_not_a_crash(client: TestClient) -> None:
    response = client.post("/api/v1/assessments", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "body"
    code, body, _ = run_cli(b"[1, 2]")
    assert code == 2 and body["error"]["code"] == "not_an_object"


def test_destination_by_name_and_designated_city_ward() -> None:
    from calculations.contract import parse_moving
    from calculations.rate_book import load_rate_book
    rates = load_rate_book()
    by_name = parse_moving(moving_case(destination={"prefecture": "東京都", "municipality": "八王子市"}), rates)
    assert by_name.destination_code == "132012"
    ward = parse_moving(moving_case(destination={"municipality_code": "011011"}), rates)
    assert ward.destination_code == "011002"  # 札幌市中央区 → 札幌市 (PD14)


def test_optional_fields_default_sensibly(client: TestClient) -> None:
    """Fields the contract lets be empty or null may also be left out: nothing changes."""
    case = rent_case()
    for key in ("common_charges_yen", "previous_receipt", "lease_initial_costs_paid_on"):
        del case[key]
    del case["trigger"]["job_search_blocked_days"]
    del case["household"][0]["incomes"]
    response = client.post("/api/v1/assessments", json=case)
    assert response.status_code == 200
    assert response.json()["amount_yen"] == client.post("/api/v1/assessments", json=rent_case()).json()["amount_yen"]


@pytest.mark.parametrize(("code", "standard", "ceiling"), [
    ("132012", 92000, 53700),   # 八王子市 (1級地; 東京都 1級地 row) — not a shipped table before PD25
    ("011011", 92000, 36000),   # 札幌市中央区 → 札幌市 (PD14)
    ("013030", 86000, 25000),   # 当別町 (3級地 of 北海道), decided by the prefecture (PD26)
    ("222038", 89000, 37000),   # 沼津市 (2級地)
    ("131032", 92000, 69800),   # 港区's own cap (override row)
])
def test_every_municipality_is_assessable(client: TestClient, code: str, standard: int, ceiling: int) -> None:
    """PD25: any code of municipalities.csv; rates follow the residence (PD26)."""
    case = rent_case(municipality_code=code, application_date="2026-08-03", rent_yen=100000,
                     trigger={"date": "2026-06-30"})
    response = client.post("/api/v1/assessments", json=case)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["standard_amount_yen"], body["rent_ceiling_yen"]) == (standard, ceiling)
    assert body["income_limit_yen"] == standard + ceiling
    b_step = next(s for s in body["trace"] if s["step"] == "standard_amount_yen")
    c_step = next(s for s in body["trace"] if s["step"] == "rent_ceiling_yen")
    assert "R11" in b_step["source"] and c_step["source"]


def test_any_household_size_is_assessable(client: TestClient) -> None:
    """C's 7+ band and B's formula extend to any size (PD25); no table end refuses a household."""
    body = client.post("/api/v1/assessments", json=rent_case(municipality_code="402109", rent_yen=90000,
                                                             household=household_of(12))).json()
    assert body["household_size"] == 12
    assert body["rent_ceiling_yen"] == 50000  # 福岡県 3級地 7人以上
    assert body["standard_amount_yen"] > 366000 and body["asset_limit_yen"] == 1_000_000

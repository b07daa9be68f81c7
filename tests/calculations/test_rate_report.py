"""``rates explain`` and ``rates diff`` (issue 10 item 5): values with how they were found, and every change."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

from calculations.rate_book import load_rate_book
from calculations.rate_report import diff, explain

RATES = load_rate_book()


def test_explain_a_derived_b_and_a_nationwide_c() -> None:
    report = explain(RATES, "131059", 2, date(2026, 7, 1))
    assert (report["standard_amount_yen"], report["rent_ceiling_yen"]) == (139000, 64000)
    assert report["income_limit_yen"] == 203000 and report["asset_limit_yen"] == 834000
    found = report["standard_amount_found"]
    assert found["method"].startswith("derived")
    assert (found["non_taxable_income_line_yen"], found["employment_income_yen"]) == (1_010_000, 1_660_000)
    assert found["employment_income_deduction_year"] == 2025 and found["verified_on"] is None
    assert "東京都 × 1級地" in report["rent_ceiling_found"]["method"]
    assert "社援発0414第9号" in report["rent_ceiling_found"]["source"]


def test_explain_overrides_and_wards() -> None:
    minato = explain(RATES, "131032", 4, date(2026, 11, 29))
    assert minato["rent_ceiling_yen"] == 86000
    assert minato["rent_ceiling_found"]["method"] == "published override row"
    iwanuma = explain(RATES, "042111", 3, date(2025, 11, 19))
    assert iwanuma["standard_amount_yen"] == 164000
    assert iwanuma["standard_amount_found"]["in_force_until"] == "2026-06-30"
    ward = explain(RATES, "141313", 1, date(2026, 8, 1))  # 川崎市川崎区
    assert ward["municipality"]["resolves_to"] == "141305" and ward["rent_ceiling_found"]["method"].endswith(
        "city row")
    town = explain(RATES, "013030", 1, date(2026, 8, 1))
    assert town["municipality"]["deciding_body_name"] == "北海道"


def test_diff_lists_exactly_what_changes_on_1_july_2026() -> None:
    changes = [c.as_dict() for c in diff(RATES, date(2026, 6, 30), date(2026, 7, 1))]
    bunkyo = {(c["household_size"], c["quantity"]): (c["before"], c["after"]) for c in changes
              if c["municipality_code"] == "131059"}
    assert bunkyo == {(1, "standard_amount_yen"): (84000, 92000), (1, "asset_limit_yen"): (504000, 552000),
                      (2, "standard_amount_yen"): (130000, 139000), (2, "asset_limit_yen"): (780000, 834000)}
    yame = {(c["household_size"], c["quantity"]) for c in changes if c["municipality_code"] == "402109"}
    assert (3, "standard_amount_yen") in yame and (4, "standard_amount_yen") not in yame
    assert not [c for c in changes if c["quantity"] == "rent_ceiling_yen"]
    assert list(diff(RATES, date(2025, 7, 1), date(2026, 6, 30))) == []


def test_the_commands() -> None:
    done = subprocess.run([sys.executable, "-m", "service.cli", "rates", "explain", "--municipality", "131016",
                           "--size", "1", "--date", "2026-07-01"], capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["standard_amount_yen"] == 92000
    done = subprocess.run([sys.executable, "-m", "service.cli", "rates", "explain", "--municipality", "999999",
                           "--size", "1", "--date", "2026-07-01"], capture_output=True, check=False)
    assert done.returncode == 2 and json.loads(done.stdout)["error"]["field"] == "municipality"
    done = subprocess.run([sys.executable, "-m", "service.cli", "rates", "diff", "2027-06-30", "2027-07-01"],
                          capture_output=True, check=False)
    assert done.returncode == 0 and done.stdout == b""  # nothing shipped changes on 2027-07-01

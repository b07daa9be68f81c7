"""The demo (contracts.md §2): outputs, their shapes, and a second run that adds nothing."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from payments.zengin import parse_transfer_file
from payments.zengin_validator import validate_transfer_file


def run_demo(out: Path, db: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "service.cli", "demo", "--out", str(out), "--db", f"sqlite:///{db}"],
                          capture_output=True, check=False, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def digests(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict, dict]:
    base = tmp_path_factory.mktemp("demo")
    out, db = base / "out", base / "demo.db"
    first = run_demo(out, db)
    first_files = digests(out)
    second = run_demo(out, db)
    return out, first, second, first_files


def test_the_summary_has_the_contract_shape(demo: tuple[Path, dict, dict, dict]) -> None:
    out, summary, _, _ = demo
    assert summary["benefit_month"] == "2026-11"
    assert isinstance(summary["payments"]["count"], int) and summary["payments"]["count"] > 0
    # extended, changed (2 persons from 2026-07: B 139,000 + rent 66,000 − income 150,000, PD25), moving (PD13 cap)
    assert summary["payments"]["total_yen"] == 53700 + 55000 + 161100
    assert {tuple(sorted(b)) for b in summary["batches"]} == {
        ("benefit_month", "count", "file", "id", "sha256", "total_yen")}
    for batch in summary["batches"]:
        data = (out / batch["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == batch["sha256"]
        assert validate_transfer_file(data) == []
        parsed = parse_transfer_file(data)
        assert (parsed.total_count, parsed.total_amount_yen) == (batch["count"], batch["total_yen"])
    assert len(summary["letters"]) >= 20
    for letter in summary["letters"]:
        assert (out / letter).read_bytes().startswith(b"%PDF")


def test_every_kind_of_letter_is_issued(demo: tuple[Path, dict, dict, dict]) -> None:
    names = " ".join(demo[1]["letters"])
    for kind in ("decision", "eligibility_certificate", "proxy_payment_notice", "council_notice", "refusal",
                 "extension_decision", "extension_refusal", "change_decision", "stop_notice", "repayment_demand",
                 "moving_decision", "moving_confirmation", "interruption_notice", "resumption_notice",
                 "remittance"):
        assert kind in names, kind


def test_finance_exports_are_written(demo: tuple[Path, dict, dict, dict]) -> None:
    out = demo[0]
    assert list((out / "finance").rglob("payments_2026-11_*.csv"))
    assert list((out / "finance").rglob("payments_2026-11_*.xlsx"))
    assert (out / "finance" / "statistics-2026-11.csv").read_bytes()


def test_a_second_run_adds_nothing_and_pays_nothing_twice(demo: tuple[Path, dict, dict, dict]) -> None:
    out, first, second, first_files = demo
    assert second == first
    assert digests(out) == first_files

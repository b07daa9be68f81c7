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

#: Runs the CLI with the machine's clock (service.clock.SystemClock) moved to another real date. (freezegun
#: cannot be used here: its fake ``date`` class breaks FastAPI's pydantic schemas built by create_app.)
SHIFTED_MACHINE_CLOCK = """
import sys
from datetime import datetime, timezone
import service.clock
MACHINE_NOW = datetime.fromisoformat(sys.argv.pop(1)).astimezone(timezone.utc)
service.clock.SystemClock.now = lambda self: MACHINE_NOW
from service.cli import app
app(prog_name="housing-benefit")
"""


def run_demo(out: Path, db: Path, machine_now: str | None = None) -> dict:
    command = [sys.executable, "-m", "service.cli"] if machine_now is None else \
        [sys.executable, "-c", SHIFTED_MACHINE_CLOCK, machine_now]
    done = subprocess.run([*command, "demo", "--out", str(out), "--db", f"sqlite:///{db}"],
                          capture_output=True, check=False, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Warning" not in done.stderr, done.stderr[:1000]  # issue 14: no deprecation warning first
    assert "デモ: 2026-11-24 支払処理 2026-11: 支払" in done.stderr  # progress, one line per step
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


def test_a_fresh_run_on_another_day_writes_the_same_bytes(demo: tuple[Path, dict, dict, dict],
                                                          tmp_path: Path) -> None:
    """issue 11: the scenario clock, not the machine's, dates everything. 2027-06-15 is long after the
    extension deadline (2026-11-30) and every pay date the scenario uses."""
    _, first, _, first_files = demo
    other = run_demo(tmp_path / "out", tmp_path / "demo.db", machine_now="2027-06-15T23:59:00+09:00")
    assert other == first
    assert digests(tmp_path / "out") == first_files


def test_work_is_left_waiting_and_every_decision_precedes_its_payments(demo: tuple[Path, dict, dict, dict]) -> None:
    """issue 11: one application waiting for review, one draft waiting for approval; every approved
    decision is dated before the export of each batch that pays its case's months."""
    import sqlalchemy as sa

    db = demo[0].parent / "demo.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        decided = {row[0] for row in connection.execute(sa.text(
            "SELECT application_id FROM decision WHERE application_id IS NOT NULL"))}
        applications = connection.execute(sa.text("SELECT id, status FROM application")).all()
        drafts = connection.execute(sa.text("SELECT d.kind FROM decision d LEFT JOIN decision_review r "
                                            "ON r.decision_id = d.id WHERE r.id IS NULL")).all()
        paid_before_decided = connection.execute(sa.text(
            "SELECT p.id FROM payment p JOIN benefit_grant g ON g.id = p.grant_id "
            "JOIN decision_review r ON r.decision_id = g.decision_id WHERE p.created_at <= r.reviewed_at")).all()
        payments = connection.execute(sa.text("SELECT count(*) FROM payment")).scalar_one()
    engine.dispose()
    waiting = [app_id for app_id, status in applications if app_id not in decided and status == "submitted"]
    assert len(waiting) == 1
    assert [kind for (kind,) in drafts] == ["grant"]
    assert payments > 0 and paid_before_decided == []


def test_letters_carry_the_postal_code_and_dates_in_order(demo: tuple[Path, dict, dict, dict]) -> None:
    """issue 14: the intake's 郵便番号 reaches the 宛名; issue 11: decided 9月9日 after the application of
    9月7日, first 振込日 9月25日 (PD28)."""
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(demo[0] / "letters" / "0001-decision-recipient.pdf")[0]
    text = page.get_textpage().get_text_range()
    assert "〒101-0052" in text
    assert "令和8年9月7日付けで申請" in text and "令和8年9月9日付けで決定" in text
    assert "令和8年9月25日" in text
